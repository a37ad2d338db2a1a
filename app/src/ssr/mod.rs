//! Server-only code: state, database, sessions, and the services server functions call.

pub mod alert_writer;
pub mod auth;
pub mod db;
pub mod entities;
pub mod error;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod secrets;
pub mod services;
pub mod sso;
pub mod state;
pub mod time;
pub mod webhooks;

pub use auth::{signed_in, RequestUser};
pub use state::{AppState, AuthSettings, Shared};
