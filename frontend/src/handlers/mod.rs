//! Statement handlers, one statement (or one family of SHOW) per file.

pub mod ddl;
pub mod describe;
pub mod insert;
pub mod query;
pub mod set;
pub mod show;
pub mod show_create_table;
