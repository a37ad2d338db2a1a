//! The admin's users page: users and the audit log.

use super::Stamp;
use crate::domain::{AuditAction, Role};
use serde::{Deserialize, Serialize};

/// One row of the users table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    /// Signed in through the identity provider (not only the development login).
    pub via_provider: bool,
    /// Listed in `ADMIN_EMAILS`: admin at every sign-in, so not demotable here.
    pub admin_by_config: bool,
    pub created: Stamp,
    pub last_login: Option<Stamp>,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: Stamp,
    pub action: AuditAction,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub email: Option<String>,
    pub detail: String,
}
