//! The MySQL wire protocol.
//!
//! Lakestar speaks the protocol itself rather than through `opensrv-mysql`'s shim, because
//! the shim fixes every column's length, decimals and character set and answers unknown
//! commands with OK; both break the "honest protocol" promise. It keeps opensrv's split of
//! concerns: [`packet`] framing, [`handshake`], [`column`] definitions, [`text_row`]
//! encoding, [`error`] mapping (the one place engine errors become MySQL codes), and
//! [`connection`] / [`server`].

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
