//! # lakestar-engine: the shared vocabulary of Lakestar
//!
//! Every other crate depends on this one and on nothing of each other's except as the
//! dependency rule allows (`frontend → planner → engine`, `backend → engine`).
//!
//! - [`error`]: the one error type with a kind and a reason, mapped to MySQL at the edge.
//! - [`types`]: declared SQL types and their single mapping to Arrow.
//! - [`catalog`]: the catalog model (databases, tables, keys, distribution, properties).
//! - [`storage`]: the trait the frontend uses to create, drop and open internal tables,
//!   implemented by the backend.
//! - [`execution`]: the trait the coordinator uses to run plan fragments on a backend.
//! - [`variables`]: the typed registry of system variables (SET, SHOW VARIABLES, `@@`).
//! - [`warnings`]: warnings a statement raises (SHOW WARNINGS), by kind.
//! - [`materialized_view`]: asynchronous materialized views: refresh schemes, the base
//!   table versions a refresh read, rewrite consistency.

pub mod catalog;
pub mod error;
pub mod execution;
pub mod materialized_view;
pub mod storage;
pub mod types;
pub mod variables;
pub mod warnings;

pub use error::{Error, ErrorKind, Reason, Result};
