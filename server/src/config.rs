//! Configuration from environment variables; every one is listed, with its default,
//! in the README.

use app::{
    domain::{Role, SignInPolicy},
    ssr::mail::MailSettings,
};
use std::{env, net::SocketAddr, time::Duration};

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default, a file in the working directory) or `postgres://…`.
    pub database_url: String,
    /// `LEPTOS_SITE_ADDR`: where to listen.
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: the built site (WASM, JS, CSS, public files).
    pub site_root: String,
    /// `AUTH_DEV_LOGIN=1`: the password-less development login (loopback only).
    pub dev_login: bool,
    /// `PUBLIC_URL`: how browsers reach this server; https makes cookies `Secure`.
    pub public_url: String,
    /// `SESSION_IDLE_MINUTES` and `SESSION_MAX_HOURS`.
    pub session_idle: Duration,
    pub session_max: Duration,
    /// `GOOGLE_CLIENT_ID` and `GOOGLE_CLIENT_SECRET`: set both to offer "Sign in with Google".
    pub google_client_id: Option<String>,
    pub google_client_secret: Option<String>,
    /// `OIDC_ISSUER_URL`: the provider, found by OpenID Connect discovery.
    pub oidc_issuer_url: String,
    /// `ALLOWED_DOMAINS`, `ALLOWED_EMAILS`, `ADMIN_EMAILS` (comma-separated) and `DEFAULT_ROLE`.
    pub sign_in: SignInPolicy,
    /// `METRICS_TOKEN`: the bearer token `/metrics` asks for; unset, loopback callers only.
    pub metrics_token: Option<String>,
    /// `SMTP_URL`, `MAIL_FROM`, `ORG_TIME_ZONE` and `ACTION_REMINDER_HOUR`: mail.
    pub mail: MailSettings,
    /// `API_RATE_PER_MINUTE`: calls each API token may make in a minute (in bursts up
    /// to as many).
    pub api_rate_per_minute: u32,
    /// `WEBHOOKS_PAUSED=1`: this instance queues outgoing webhook deliveries but does not
    /// send them (another instance, or this one restarted without it, does).
    pub webhooks_paused: bool,
    /// `ALERT_WRITERS`: alert-writer tasks on PostgreSQL (SQLite always has one).
    pub alert_writers: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error("{0} is set but {1} is not: set both to offer \"Sign in with Google\"")]
    Incomplete(&'static str, &'static str),
    #[error(
        "GOOGLE_CLIENT_ID is set but ALLOWED_DOMAINS, ALLOWED_EMAILS and ADMIN_EMAILS are all empty: \
         say whose Google accounts may sign in"
    )]
    NobodyAllowed,
    #[error(
        "AUTH_DEV_LOGIN=1 is refused: the server would listen on {0}, which is not a loopback address. \
         The development login has no password; use it only on 127.0.0.1 or ::1."
    )]
    DevLoginNotLoopback(SocketAddr),
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://stormwatch.db";
pub const DEFAULT_OIDC_ISSUER_URL: &str = "https://accounts.google.com";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let site_addr = parse("LEPTOS_SITE_ADDR", "127.0.0.1:3000")?;
        let config = Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            dev_login: flag("AUTH_DEV_LOGIN")?,
            public_url: var("PUBLIC_URL").unwrap_or_else(|| format!("http://{site_addr}")),
            session_idle: Duration::from_secs(60 * parse::<u64>("SESSION_IDLE_MINUTES", "720")?),
            session_max: Duration::from_secs(3600 * parse::<u64>("SESSION_MAX_HOURS", "168")?),
            google_client_id: var("GOOGLE_CLIENT_ID"),
            google_client_secret: var("GOOGLE_CLIENT_SECRET"),
            oidc_issuer_url: var("OIDC_ISSUER_URL")
                .unwrap_or_else(|| DEFAULT_OIDC_ISSUER_URL.into()),
            sign_in: SignInPolicy {
                allowed_domains: list("ALLOWED_DOMAINS"),
                allowed_emails: list("ALLOWED_EMAILS"),
                admin_emails: list("ADMIN_EMAILS"),
                default_role: parse::<Role>("DEFAULT_ROLE", "viewer")?,
            },
            metrics_token: var("METRICS_TOKEN"),
            mail: MailSettings {
                smtp_url: var("SMTP_URL"),
                from: var("MAIL_FROM").unwrap_or_else(|| MailSettings::default().from),
                org_tz: parse("ORG_TIME_ZONE", "UTC")?,
                reminder_hour: reminder_hour()?,
            },
            api_rate_per_minute: parse("API_RATE_PER_MINUTE", "600")?,
            webhooks_paused: flag("WEBHOOKS_PAUSED")?,
            alert_writers: parse("ALERT_WRITERS", "1")?,
            site_addr,
        };
        config.check()?;
        Ok(config)
    }

    /// A configuration for tests and tools: loopback, development login on.
    pub fn local(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            site_root: "target/site".into(),
            dev_login: true,
            public_url: "http://127.0.0.1".into(),
            session_idle: Duration::from_secs(12 * 3600),
            session_max: Duration::from_secs(7 * 24 * 3600),
            google_client_id: None,
            google_client_secret: None,
            oidc_issuer_url: DEFAULT_OIDC_ISSUER_URL.into(),
            sign_in: SignInPolicy::default(),
            metrics_token: None,
            mail: MailSettings::default(),
            api_rate_per_minute: 600,
            webhooks_paused: false,
            // The tests exercise writers side by side (on PostgreSQL).
            alert_writers: 2,
        }
    }

    /// Rules across variables, checked before anything starts.
    pub fn check(&self) -> Result<(), ConfigError> {
        if !(1..=16).contains(&self.alert_writers) {
            return Err(ConfigError::Invalid {
                name: "ALERT_WRITERS",
                value: self.alert_writers.to_string(),
                reason: "use 1 to 16 writer tasks".into(),
            });
        }
        if self.dev_login && !self.site_addr.ip().is_loopback() {
            return Err(ConfigError::DevLoginNotLoopback(self.site_addr));
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_URL",
                value: self.public_url.clone(),
                reason: "use an http:// or https:// address, like https://incidents.example.com"
                    .into(),
            });
        }
        match (&self.google_client_id, &self.google_client_secret) {
            (Some(_), None) => {
                return Err(ConfigError::Incomplete(
                    "GOOGLE_CLIENT_ID",
                    "GOOGLE_CLIENT_SECRET",
                ))
            }
            (None, Some(_)) => {
                return Err(ConfigError::Incomplete(
                    "GOOGLE_CLIENT_SECRET",
                    "GOOGLE_CLIENT_ID",
                ))
            }
            (Some(_), Some(_))
                if self.sign_in.allowed_domains.is_empty()
                    && self.sign_in.allowed_emails.is_empty()
                    && self.sign_in.admin_emails.is_empty() =>
            {
                return Err(ConfigError::NobodyAllowed)
            }
            _ => {}
        }
        Ok(())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `PUBLIC_URL` without a trailing slash or path: what browsers send as `Origin`.
    pub fn public_origin(&self) -> String {
        let after_scheme = self.public_url.find("://").map_or(0, |i| i + 3);
        match self.public_url[after_scheme..].find('/') {
            Some(slash) => self.public_url[..after_scheme + slash].to_string(),
            None => self.public_url.clone(),
        }
    }
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let value = var(name).unwrap_or_else(|| default.to_string());
    value
        .trim()
        .parse()
        .map_err(|e: T::Err| ConfigError::Invalid {
            name,
            value,
            reason: e.to_string(),
        })
}

/// A comma-separated list, trimmed and lower-cased, empty items dropped.
fn list(name: &str) -> Vec<String> {
    var(name)
        .map(|v| {
            v.split(',')
                .map(|item| item.trim().to_lowercase())
                .filter(|item| !item.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// `ACTION_REMINDER_HOUR`: 0 to 23 (default 9), or `off`.
fn reminder_hour() -> Result<Option<u32>, ConfigError> {
    const NAME: &str = "ACTION_REMINDER_HOUR";
    match var(NAME).as_deref().map(str::trim) {
        Some("off") => Ok(None),
        _ => match parse::<u32>(NAME, "9")? {
            hour @ 0..=23 => Ok(Some(hour)),
            other => Err(ConfigError::Invalid {
                name: NAME,
                value: other.to_string(),
                reason: "use an hour from 0 to 23, or off".into(),
            }),
        },
    }
}

fn flag(name: &'static str) -> Result<bool, ConfigError> {
    match var(name).as_deref().map(str::trim) {
        None | Some("0") | Some("false") | Some("no") => Ok(false),
        Some("1") | Some("true") | Some("yes") => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            name,
            value: other.into(),
            reason: "use 1 or 0".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_login_is_refused_on_a_public_address() {
        let config = Config {
            site_addr: "0.0.0.0:3000".parse().unwrap(),
            ..Config::local("sqlite::memory:")
        };
        assert!(matches!(
            config.check(),
            Err(ConfigError::DevLoginNotLoopback(_))
        ));
    }

    #[test]
    fn the_dev_login_is_allowed_on_loopback() {
        for addr in ["127.0.0.1:3000", "[::1]:3000"] {
            let config = Config {
                site_addr: addr.parse().unwrap(),
                ..Config::local("sqlite::memory:")
            };
            assert!(config.check().is_ok(), "{addr}");
        }
    }

    #[test]
    fn cookies_are_secure_behind_https() {
        let config = Config {
            public_url: "https://incidents.example.com".into(),
            ..Config::local("sqlite::memory:")
        };
        assert!(config.secure_cookies());
        assert!(!Config::local("sqlite::memory:").secure_cookies());
    }

    #[test]
    fn google_sign_in_needs_both_credentials_and_someone_allowed() {
        let half = Config {
            google_client_id: Some("id".into()),
            ..Config::local("sqlite::memory:")
        };
        assert!(matches!(half.check(), Err(ConfigError::Incomplete(..))));
        let open_to_all = Config {
            google_client_secret: Some("secret".into()),
            ..half
        };
        assert!(matches!(
            open_to_all.check(),
            Err(ConfigError::NobodyAllowed)
        ));
        let closed = Config {
            sign_in: SignInPolicy {
                allowed_domains: vec!["example.com".into()],
                ..Default::default()
            },
            ..open_to_all
        };
        assert!(closed.check().is_ok());
    }

    #[test]
    fn the_public_origin_drops_any_path() {
        let config = Config {
            public_url: "https://incidents.example.com/".into(),
            ..Config::local("sqlite::memory:")
        };
        assert_eq!(config.public_origin(), "https://incidents.example.com");
        assert_eq!(Config::local("x").public_origin(), "http://127.0.0.1");
    }
}
