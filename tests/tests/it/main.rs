//! Integration tests: a real `lakestar` server process, real MySQL clients.

mod architecture;
mod config;
mod durability;
mod errors;
mod mysql_cli;
mod protocol;
mod robustness;
mod streaming;
