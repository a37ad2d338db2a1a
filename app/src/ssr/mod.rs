//! Server-only code: state, database, sessions, and the services server functions call.

pub mod auth;
pub mod db;
pub mod entities;
pub mod error;
pub mod ingest;
pub mod live;
pub mod markdown;
pub mod secrets;
pub mod services;
pub mod sso;
pub mod state;
pub mod time;

pub use auth::{signed_in, RequestUser};
pub use state::{AppState, AuthSettings};
