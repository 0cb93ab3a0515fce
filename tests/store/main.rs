//! The SQLite store on temporary files: schema and migrations, directory, tokens, history,
//! exports, the audit log, the numbers inventory, the order of writes, the durable event log,
//! what a run picks up from the last (epoch, heartbeat, ids) and the lock file.

mod audit;
mod continuity;
mod directory;
mod durable;
mod events;
mod export;
mod history;
mod lock;
mod maintenance;
mod numbers;
mod schema;
mod tokens;
mod writes;
