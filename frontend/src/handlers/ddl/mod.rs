//! DDL handlers: each validates, then asks the catalog manager to change the catalog.

pub mod alter_table;
pub mod create_database;
pub mod create_table;
pub mod create_table_as;
pub mod create_view;
pub mod drop_database;
pub mod drop_table;
pub mod drop_view;
pub mod lake;
pub mod result_columns;
pub mod truncate_table;
