//! Server functions, one file per aggregate, and nothing else: what they take and
//! return lives in `model`. Thin: read the arguments, call a service.
//!
//! Each declares who may call it by its path prefix (`/api/public`, `/api/read`,
//! `/api/respond`, `/api/admin`: see `domain::Access`); the server's gate checks the
//! caller's role against it before the function runs, and refuses any other path.

pub mod actions;
pub mod alerts;
pub mod automation;
pub mod channel;
pub mod customers;
pub mod email;
pub mod incidents;
pub mod insights;
pub mod postmortems;
pub mod session;
pub mod sources;
pub mod users;
