//! Queries and mutations per aggregate: plain functions over a connection.

pub mod audit;
pub mod customers;
pub mod incidents;
pub mod sessions;
pub mod users;
