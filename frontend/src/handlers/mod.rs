//! Statement handlers, one statement (or one family of SHOW) per file.

pub mod account;
pub mod catalogs;
pub mod ddl;
pub mod delete;
pub mod describe;
pub mod insert;
pub mod kill;
pub mod materialized_view;
pub mod query;
pub mod set;
pub mod show;
pub mod show_create_table;
pub mod show_create_view;
pub mod show_diagnostics;
pub mod show_server;
pub mod show_table_info;
pub mod transaction;
pub mod update;
