//! The SQLite store on temporary files: schema and migrations, directory, tokens, history,
//! exports, the audit log, the numbers inventory and the order of writes.

mod audit;
mod directory;
mod durable;
mod export;
mod history;
mod maintenance;
mod numbers;
mod schema;
mod tokens;
mod writes;
