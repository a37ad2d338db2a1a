//! Queries and mutations per aggregate: plain functions over a connection.

pub mod actions;
pub mod alerts;
pub mod audit;
pub mod automation;
pub mod channel;
pub mod customers;
pub mod email;
pub mod history;
pub mod incidents;
pub mod insights;
pub mod postmortems;
pub mod sessions;
pub mod settings;
pub mod sources;
pub mod users;
