use crate::domain::SignInPolicy;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use leptos_axum::AxumRouteListing;
use sea_orm::DatabaseConnection;
use std::{sync::Arc, time::Duration};

/// Everything a request handler or server function needs, shared: a clone is one
/// reference count. (Each request clones the state into every extractor and middleware
/// that takes it; cloning the fields themselves, `LeptosOptions` above all, was about a
/// tenth of the server's time under a webhook storm.)
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl From<Shared> for AppState {
    fn from(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What Leptos's handlers take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// [`AppState`]'s contents.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub auth: Arc<AuthSettings>,
    /// The identity provider, when `GOOGLE_CLIENT_ID` is set.
    pub sso: Option<Arc<super::sso::Provider>>,
    pub routes: Arc<Vec<AxumRouteListing>>,
    /// `PUBLIC_URL`: how browsers and monitoring tools reach this server (webhook URLs).
    pub public_url: Arc<str>,
    /// Live updates: the process's fan-out to open pages.
    pub live: super::live::Hub,
    /// The alert writer: webhook deliveries are committed in batches.
    pub alert_writer: super::alert_writer::AlertWriter,
    /// Alert sources as last read, for authenticating deliveries.
    pub sources: Arc<super::services::sources::SourceCache>,
    /// The company email's sender (SMTP, or the local outbox).
    pub mailer: super::mail::Mailer,
    /// Whether the database answers, probed once a second.
    pub db_health: super::db::Health,
    /// The postmortems' shared documents as this process holds them.
    pub postmortems: Arc<super::services::postmortems::Documents>,
}

/// How people sign in and how long they stay signed in.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// The local development login (name, email, role; no password). Loopback only.
    pub dev_login: bool,
    /// Mark the session cookie `Secure` (whenever the public URL is https).
    pub secure_cookies: bool,
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute_timeout: Duration,
    /// Who may sign in with the identity provider.
    pub policy: SignInPolicy,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            dev_login: false,
            secure_cookies: false,
            idle_timeout: Duration::from_secs(12 * 3600),
            absolute_timeout: Duration::from_secs(7 * 24 * 3600),
            policy: SignInPolicy::default(),
        }
    }
}

impl AppState {
    /// The state of the request being served, from Leptos's context.
    pub fn current() -> Result<Self, crate::domain::AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            crate::domain::AppError::Internal
        })
    }
}
