//! Who may do what, decided in one place: the server's gate reads [`Access::for_api_path`]
//! for every server function, pages ask [`Role::allows`], and sign-in refusals carry a
//! [`Refusal`] the sign-in page explains.

use super::{Permission, Role};
use serde::{Deserialize, Serialize};

/// What a server function requires of the caller, declared by its path prefix
/// (`#[server(prefix = "/api/respond")]`). A path under none of them is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (who am I, the development login).
    Public,
    /// A signed-in user whose role allows the permission.
    SignedIn(Permission),
}

impl Access {
    pub const PREFIXES: [(&'static str, Access); 4] = [
        ("/api/public/", Access::Public),
        ("/api/read/", Access::SignedIn(Permission::Read)),
        ("/api/respond/", Access::SignedIn(Permission::Respond)),
        ("/api/admin/", Access::SignedIn(Permission::Administer)),
    ];

    pub fn for_api_path(path: &str) -> Option<Access> {
        Self::PREFIXES
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix))
            .map(|(_, access)| *access)
    }
}

impl Role {
    /// Where this role lands after signing in: engineers on the dashboard, everyone
    /// else on the read-only status view.
    pub fn home(self) -> &'static str {
        if self.allows(Permission::Respond) {
            "/"
        } else {
            "/status"
        }
    }
}

/// Why a sign-in was refused; the sign-in page says it in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The account is outside `ALLOWED_DOMAINS` and not on `ALLOWED_EMAILS`.
    NotAllowed,
    /// The provider has not verified the email address.
    Unverified,
    /// An admin disabled this user.
    Disabled,
    /// The sign-in took too long, was already used, or did not start in this browser.
    Expired,
    /// The provider's answer failed verification (signature, audience, expiry, nonce).
    Invalid,
    /// The email belongs to another account of the provider.
    Conflict,
    /// The provider cannot be reached or is misconfigured.
    Unavailable,
}

impl Refusal {
    pub const ALL: [Refusal; 7] = [
        Refusal::NotAllowed,
        Refusal::Unverified,
        Refusal::Disabled,
        Refusal::Expired,
        Refusal::Invalid,
        Refusal::Conflict,
        Refusal::Unavailable,
    ];

    /// The short code carried in the sign-in page's URL (`/login?refused=…`).
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "not-allowed",
            Refusal::Unverified => "unverified",
            Refusal::Disabled => "disabled",
            Refusal::Expired => "expired",
            Refusal::Invalid => "invalid",
            Refusal::Conflict => "conflict",
            Refusal::Unavailable => "unavailable",
        }
    }

    pub fn from_code(code: &str) -> Option<Refusal> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "This Google account is not allowed here: only accounts of this company's Google Workspace domain, or listed by an admin, may sign in.",
            Refusal::Unverified => "Google has not verified this account's email address, so it cannot be used to sign in.",
            Refusal::Disabled => "This account has been disabled by a Stormwatch admin. Ask an admin to enable it again.",
            Refusal::Expired => "That sign-in link has expired or was already used. Start again with “Sign in with Google”.",
            Refusal::Invalid => "Google's answer could not be verified, so you were not signed in. Try again; if it keeps happening, tell an admin.",
            Refusal::Conflict => "This email address already belongs to a different Google account in Stormwatch. Ask an admin to sort it out.",
            Refusal::Unavailable => "Sign-in with Google is unavailable right now. The cause has been logged; try again in a few minutes.",
        }
    }
}

/// Who may sign in with the identity provider, and with which role at first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Google Workspace domains (the ID token's `hd` claim), lower case.
    pub allowed_domains: Vec<String>,
    /// Single addresses let in whatever their domain, lower case.
    pub allowed_emails: Vec<String>,
    /// Addresses that are admins from their first sign-in (and are made admin again at
    /// every sign-in), lower case.
    pub admin_emails: Vec<String>,
    /// The role of everyone else's first sign-in.
    pub default_role: Role,
}

impl SignInPolicy {
    /// Whether a verified email, with the Workspace domain the provider vouches for
    /// (`hd`; None for a consumer account), may come in.
    pub fn admits(&self, email: &str, hosted_domain: Option<&str>) -> bool {
        let email = email.to_lowercase();
        let in_domain = hosted_domain.is_some_and(|hd| {
            let hd = hd.to_lowercase();
            // The claim is the account's domain; the address must be of it too.
            self.allowed_domains.contains(&hd) && email.ends_with(&format!("@{hd}"))
        });
        in_domain || self.allowed_emails.contains(&email) || self.is_admin(&email)
    }

    pub fn is_admin(&self, email: &str) -> bool {
        self.admin_emails.contains(&email.to_lowercase())
    }

    /// The role of a first sign-in.
    pub fn first_role(&self, email: &str) -> Role {
        if self.is_admin(email) {
            Role::Admin
        } else {
            self.default_role
        }
    }
}

/// The lines of the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum AuditAction {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "signed_in"))]
    SignedIn,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "sign_in_refused"))]
    SignInRefused,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "signed_out"))]
    SignedOut,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "role_changed"))]
    RoleChanged,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user_disabled"))]
    UserDisabled,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user_enabled"))]
    UserEnabled,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "source_added"))]
    SourceAdded,
    /// A source's default service or PagerDuty signing secret changed.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "source_changed"))]
    SourceChanged,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "source_rotated"))]
    SourceRotated,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "source_disabled"))]
    SourceDisabled,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "source_enabled"))]
    SourceEnabled,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "token_created"))]
    TokenCreated,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "token_revoked"))]
    TokenRevoked,
    /// A write made through the REST API with a token (its user is the actor).
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "api_write"))]
    ApiWrite,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "webhook_added"))]
    WebhookAdded,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "webhook_removed"))]
    WebhookRemoved,
}

impl AuditAction {
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "signed in",
            AuditAction::SignInRefused => "sign-in refused",
            AuditAction::SignedOut => "signed out",
            AuditAction::RoleChanged => "role changed",
            AuditAction::UserDisabled => "user disabled",
            AuditAction::UserEnabled => "user enabled",
            AuditAction::SourceAdded => "alert source added",
            AuditAction::SourceChanged => "alert source changed",
            AuditAction::SourceRotated => "alert source secret rotated",
            AuditAction::SourceDisabled => "alert source disabled",
            AuditAction::SourceEnabled => "alert source enabled",
            AuditAction::TokenCreated => "API token created",
            AuditAction::TokenRevoked => "API token revoked",
            AuditAction::ApiWrite => "API write",
            AuditAction::WebhookAdded => "outgoing webhook added",
            AuditAction::WebhookRemoved => "outgoing webhook removed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_function_path_names_what_it_needs() {
        assert_eq!(
            Access::for_api_path("/api/respond/declare_incident123"),
            Some(Access::SignedIn(Permission::Respond))
        );
        assert_eq!(
            Access::for_api_path("/api/public/me1"),
            Some(Access::Public)
        );
        assert_eq!(Access::for_api_path("/api/declare_incident123"), None);
        assert_eq!(Access::for_api_path("/api/readme"), None);
    }

    fn policy() -> SignInPolicy {
        SignInPolicy {
            allowed_domains: vec!["example.com".into()],
            allowed_emails: vec!["contractor@gmail.com".into()],
            admin_emails: vec!["lead@example.com".into()],
            default_role: Role::Viewer,
        }
    }

    #[test]
    fn only_the_allowed_domain_or_list_gets_in() {
        let policy = policy();
        assert!(policy.admits("ada@example.com", Some("example.com")));
        assert!(policy.admits("Contractor@Gmail.com", None));
        assert!(!policy.admits("eve@evil.com", Some("evil.com")));
        // A consumer account at the right address is not vouched for by the domain.
        assert!(!policy.admits("ada@example.com", None));
        // The domain claim must match the address.
        assert!(!policy.admits("eve@evil.com", Some("example.com")));
    }

    #[test]
    fn admin_emails_start_as_admins_and_others_get_the_default_role() {
        let policy = policy();
        assert_eq!(policy.first_role("LEAD@example.com"), Role::Admin);
        assert_eq!(policy.first_role("ada@example.com"), Role::Viewer);
    }

    #[test]
    fn viewers_land_on_the_status_view() {
        assert_eq!(Role::Viewer.home(), "/status");
        assert_eq!(Role::Responder.home(), "/");
        assert_eq!(Role::Admin.home(), "/");
    }

    #[test]
    fn refusal_codes_round_trip() {
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::from_code(refusal.code()), Some(refusal));
        }
        assert_eq!(Refusal::from_code("nope"), None);
    }
}
