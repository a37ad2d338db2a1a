//! Who is signed in, and how this server lets people sign in.

use crate::domain::Role;
use serde::{Deserialize, Serialize};

/// The signed-in person, as pages and server functions see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// The ways in this server offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethods {
    /// "Sign in with Google" (`GOOGLE_CLIENT_ID` is set).
    pub provider: bool,
    /// The password-less development login (`AUTH_DEV_LOGIN=1`).
    pub dev_login: bool,
}
