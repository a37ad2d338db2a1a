use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Who someone is in Stormwatch (SPEC §2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Role {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "admin"))]
    Admin,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "responder"))]
    Responder,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "viewer"))]
    #[default]
    Viewer,
}

/// What a request wants to do; the server checks it against the role in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read incidents, their timelines and the status view.
    Read,
    /// Declare and run incidents: status, severity, messages, emails, customers, postmortems.
    Respond,
    /// Users, roles, alert sources, services and settings.
    Administer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Responder, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Responder => "responder",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Responder => "Responder",
            Role::Viewer => "Viewer",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Respond => matches!(self, Role::Admin | Role::Responder),
            Permission::Administer => self == Role::Admin,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown role \"{s}\": choose admin, responder or viewer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewer_can_read_but_not_respond() {
        assert!(Role::Viewer.allows(Permission::Read));
        assert!(!Role::Viewer.allows(Permission::Respond));
        assert!(!Role::Viewer.allows(Permission::Administer));
    }

    #[test]
    fn a_responder_runs_incidents_but_does_not_administer() {
        assert!(Role::Responder.allows(Permission::Respond));
        assert!(!Role::Responder.allows(Permission::Administer));
        assert!(Role::Admin.allows(Permission::Administer));
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        assert_eq!("Responder".parse::<Role>(), Ok(Role::Responder));
        assert!("root".parse::<Role>().is_err());
    }
}
