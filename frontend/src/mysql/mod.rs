//! The MySQL wire protocol.
//!
//! Lakestar speaks the protocol itself rather than through `opensrv-mysql` (0.7), because
//! that shim fixes every column's length, decimals and character set, answers unknown
//! commands (COM_RESET_CONNECTION, COM_CHANGE_USER, COM_SET_OPTION, ...) with OK, and has
//! no multi-statements; wrapping it would have meant replacing most of it. It keeps
//! opensrv's split of concerns:
//!
//! - [`packet`]: framing, `max_allowed_packet`, sequence ids, the TLS hand-over;
//! - [`handshake`], [`authentication`]: capabilities, plugins, auth switch, TLS, RSA;
//! - [`column`], [`text_row`], [`binary_row`]: result metadata and rows in both protocols;
//! - [`params`], [`prepared`]: COM_STMT_* and typed parameters;
//! - [`results`]: OK / EOF / ERR and streamed result sets;
//! - [`error`]: the one place engine errors become MySQL codes;
//! - [`connection`], [`server`]: the command loop, KILL / timeout / disconnect guard.

pub mod authentication;
pub mod binary_row;
pub mod column;
pub mod connection;
pub mod error;
pub mod handshake;
pub mod packet;
pub mod params;
pub mod prepared;
pub mod results;
pub mod server;
pub mod text_row;

pub use server::MysqlServer;
