//! Integration tests: the real server on port 0, over HTTP, on SQLite and on PostgreSQL.

mod helpers;

mod access;
mod actions;
mod alerts;
mod automation;
mod channel;
mod customers;
mod email;
mod fuzz;
mod headers;
mod health;
mod history;
mod incidents;
mod insights;
mod live;
mod metrics;
mod postmortems;
mod sessions;
mod site;
mod sso;
mod startup;
