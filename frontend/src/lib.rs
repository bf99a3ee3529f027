//! # lakestar-frontend: everything a user touches
//!
//! ```text
//!  client ──TCP──► mysql::server ─► mysql::connection (handshake, commands)
//!                                        │ COM_QUERY
//!                                        ▼
//!                               sql::parse ─► dispatch::execute ─► handlers::*
//!                                                          │            │
//!                                  DDL ─► catalog::CatalogManager       │ query / insert
//!                                          (persisted, atomic)          ▼
//!                                                       lakestar_planner (bind, plan)
//!                                                                       │
//!                                                 FragmentExecutor (backend) ─► rows
//! ```
//!
//! - [`mysql`]: the wire protocol, and the one mapping of engine errors to MySQL codes.
//! - [`auth`]: accounts' password hashes, the `caching_sha2_password` cache, RSA and TLS.
//! - [`prepared`]: prepared statements (COM_STMT_* and SQL `PREPARE`).
//! - [`process`]: the process list behind SHOW PROCESSLIST and KILL.
//! - [`information_schema`]: MySQL 8's system views, built from live state.
//! - [`sql`]: SQL text → statements (sqlparser's MySQL dialect plus StarRocks CREATE TABLE).
//! - [`dispatch`]: the one `match` from statement to handler; [`handlers`]: one file per
//!   statement.
//! - [`catalog`]: the catalog manager, the only writer of catalog metadata.
//! - [`session`], [`context`]: per-connection and server-wide state.
//!
//! The frontend depends on the planner and the engine, never on the backend: storage and
//! execution arrive as `lakestar_engine` trait objects.

pub mod auth;
pub mod catalog;
pub mod context;
pub mod dispatch;
pub mod handlers;
pub mod information_schema;
pub mod materialized_views;
pub mod mysql;
pub mod output;
pub mod prepared;
pub mod process;
pub mod session;
pub mod sql;

pub use context::FrontendContext;
pub use mysql::MysqlServer;
