//! Server functions, one file per aggregate. Thin: authorize, call a service, map errors.

pub mod incidents;
pub mod session;

use serde::{Deserialize, Serialize};

/// A moment, formatted on the server in the viewer's time zone (so the browser needs
/// no time-zone database), with its UTC instant for `<time datetime=…>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub iso: String,
    pub text: String,
}
