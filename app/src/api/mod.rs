//! Server functions, one file per aggregate. Thin: call a service, map errors.
//!
//! Each declares who may call it by its path prefix (`/api/public`, `/api/read`,
//! `/api/respond`, `/api/admin`: see `domain::Access`); the server's gate checks the
//! caller's role against it before the function runs, and refuses any other path.

pub mod alerts;
pub mod channel;
pub mod customers;
pub mod incidents;
pub mod live;
pub mod session;
pub mod sources;
pub mod users;

use serde::{Deserialize, Serialize};

/// A moment, formatted on the server in the viewer's time zone (so the browser needs
/// no time-zone database), with its UTC instant for `<time datetime=…>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub iso: String,
    pub text: String,
}
