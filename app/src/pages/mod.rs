//! One module per route.

pub mod customers;
pub mod dashboard;
pub mod declare;
pub mod incident;
pub mod login;
pub mod not_found;
pub mod sources;
pub mod status;
pub mod users;
