//! Configuration from environment variables; every one is listed, with its default,
//! in the README.

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
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "AUTH_DEV_LOGIN=1 is refused: the server would listen on {0}, which is not a loopback address. \
         The development login has no password; use it only on 127.0.0.1 or ::1."
    )]
    DevLoginNotLoopback(SocketAddr),
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://stormwatch.db";

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
        }
    }

    /// Rules across variables, checked before anything starts.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.dev_login && !self.site_addr.ip().is_loopback() {
            return Err(ConfigError::DevLoginNotLoopback(self.site_addr));
        }
        Ok(())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
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
}
