//! Integration tests: a real `lakestar` server process, real MySQL clients.

mod accounts;
mod architecture;
mod clients;
mod config;
mod durability;
mod errors;
mod files;
mod generated;
mod materialized_views;
mod mv_lake;
mod mysql_cli;
mod object_storage;
mod paimon;
mod paimon_writes;
mod prepared;
mod protocol;
mod random_sql;
mod robustness;
mod session_control;
mod streaming;
mod tpch;
