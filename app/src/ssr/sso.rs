//! Sign-in with Google (or any OpenID Connect provider): the authorization-code flow
//! with PKCE (S256), `state` and `nonce`, verified by the `openidconnect` crate.
//!
//! The flow's secrets (nonce, PKCE verifier) wait in the `login_attempts` table under the
//! hash of `state`; the browser holds `state` in a short-lived cookie. A callback must
//! bring the same `state` in its URL and its cookie, and consumes the attempt, so a
//! tampered, foreign or replayed callback finds nothing.

use super::entities::login_attempt;
use crate::domain::{Refusal, SignInPolicy};
use chrono::{Duration, Utc};
use openidconnect::{
    core::{
        CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
        CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
        CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
    },
    reqwest, AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

/// How long a browser may spend at the provider between leaving and coming back.
pub const ATTEMPT_LIFETIME: Duration = Duration::minutes(10);

/// Google's claim naming the Workspace domain of the account; absent for consumer accounts.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct GoogleClaims {
    hd: Option<String>,
}
impl AdditionalClaims for GoogleClaims {}

type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        GoogleClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type ProviderClient = Client<
    GoogleClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The configured identity provider.
pub struct Provider {
    client_id: ClientId,
    client_secret: ClientSecret,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: reqwest::Client,
}

/// Who the provider vouched for, once every check passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: String,
    pub name: Option<String>,
}

/// A sign-in that ends here, with what the audit log and the server log should say.
#[derive(Debug)]
pub struct Refused {
    pub refusal: Refusal,
    pub email: Option<String>,
    pub detail: String,
}

impl Refused {
    fn new(refusal: Refusal, detail: impl Into<String>) -> Self {
        Self {
            refusal,
            email: None,
            detail: detail.into(),
        }
    }
}

impl From<sea_orm::DbErr> for Refused {
    fn from(err: sea_orm::DbErr) -> Self {
        Refused::new(Refusal::Unavailable, format!("database: {err}"))
    }
}

use super::secrets::sha256_hex as hash;

impl Provider {
    /// Checks the URLs once, at start-up.
    pub fn new(
        client_id: String,
        client_secret: String,
        issuer_url: &str,
        public_url: &str,
    ) -> Result<Self, String> {
        let issuer = IssuerUrl::new(issuer_url.trim_end_matches('/').to_string())
            .map_err(|e| format!("OIDC_ISSUER_URL={issuer_url:?} is not a URL: {e}"))?;
        let redirect = RedirectUrl::new(format!(
            "{}/auth/callback",
            public_url.trim_end_matches('/')
        ))
        .map_err(|e| format!("PUBLIC_URL={public_url:?} does not make a callback URL: {e}"))?;
        // Never follow redirects: a provider endpoint that redirects is misconfigured,
        // and following would let it point us anywhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client for sign-in: {e}"))?;
        Ok(Self {
            client_id: ClientId::new(client_id),
            client_secret: ClientSecret::new(client_secret),
            issuer,
            redirect,
            http,
        })
    }

    /// Discovery on every sign-in: logins are rare, and the provider's keys may rotate.
    async fn client(&self) -> Result<ProviderClient, Refused> {
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| {
                Refused::new(
                    Refusal::Unavailable,
                    format!(
                        "discovery at {} failed: {}",
                        self.issuer.as_str(),
                        chain(&e)
                    ),
                )
            })?;
        Ok(ProviderClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(self.redirect.clone()))
    }

    /// Starts a sign-in: remembers its secrets and returns the provider's URL to send
    /// the browser to, and the `state` for the browser's cookie.
    pub async fn begin(
        &self,
        db: &impl ConnectionTrait,
        login_hint: Option<&str>,
    ) -> Result<(String, String), Refused> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login_hint", hint.to_string());
        }
        let (url, state, nonce) = request.url();
        let now = Utc::now();
        // Attempts nobody came back for.
        login_attempt::Entity::delete_many()
            .filter(login_attempt::Column::CreatedAt.lt(now - ATTEMPT_LIFETIME))
            .exec(db)
            .await?;
        login_attempt::ActiveModel {
            id: Set(hash(state.secret())),
            nonce: Set(nonce.secret().clone()),
            pkce_verifier: Set(verifier.secret().clone()),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Finishes a sign-in from the provider's callback: the attempt is consumed whatever
    /// happens next, then the code is exchanged and the ID token verified (signature
    /// against the provider's keys, issuer, audience, expiry, nonce), then the account
    /// is checked against the policy.
    pub async fn finish(
        &self,
        db: &impl ConnectionTrait,
        policy: &SignInPolicy,
        state: &str,
        browser_state: Option<&str>,
        code: &str,
    ) -> Result<Identity, Refused> {
        if browser_state != Some(state) {
            return Err(Refused::new(
                Refusal::Expired,
                "the callback's state does not match this browser's sign-in cookie",
            ));
        }
        let attempt = consume(db, state).await?;
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Refused::new(Refusal::Unavailable, format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                let refusal = match e {
                    RequestTokenError::ServerResponse(_) => Refusal::Invalid,
                    _ => Refusal::Unavailable,
                };
                Refused::new(refusal, format!("token exchange failed: {}", chain(&e)))
            })?;
        let id_token = token
            .extra_fields()
            .id_token()
            .ok_or_else(|| Refused::new(Refusal::Invalid, "the token response has no ID token"))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(attempt.nonce))
            .map_err(|e| Refused::new(Refusal::Invalid, format!("ID token rejected: {e}")))?;
        let email = claims
            .email()
            .map(|e| e.as_str().to_lowercase())
            .ok_or_else(|| Refused::new(Refusal::Invalid, "the ID token carries no email"))?;
        let refuse = |refusal, detail: String| Refused {
            refusal,
            email: Some(email.clone()),
            detail,
        };
        if claims.email_verified() != Some(true) {
            return Err(refuse(
                Refusal::Unverified,
                "the provider has not verified this email".into(),
            ));
        }
        let hosted_domain = claims.additional_claims().hd.as_deref();
        if !policy.admits(&email, hosted_domain) {
            return Err(refuse(
                Refusal::NotAllowed,
                format!(
                    "domain {} is not in ALLOWED_DOMAINS and the address is not in ALLOWED_EMAILS",
                    hosted_domain.unwrap_or("(none: not a Workspace account)")
                ),
            ));
        }
        Ok(Identity {
            subject: claims.subject().as_str().to_string(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
            email,
        })
    }
}

/// Takes the attempt a `state` names out of the table: exactly one callback gets it.
async fn consume(db: &impl ConnectionTrait, state: &str) -> Result<login_attempt::Model, Refused> {
    let id = hash(state);
    let found = login_attempt::Entity::find_by_id(id.clone())
        .one(db)
        .await?;
    let deleted = login_attempt::Entity::delete_by_id(id).exec(db).await?;
    match found {
        Some(attempt) if deleted.rows_affected == 1 => {
            if attempt.created_at + ATTEMPT_LIFETIME < Utc::now() {
                Err(Refused::new(
                    Refusal::Expired,
                    "the sign-in attempt expired",
                ))
            } else {
                Ok(attempt)
            }
        }
        _ => Err(Refused::new(
            Refusal::Expired,
            "no sign-in attempt for this state (unknown, or already used)",
        )),
    }
}

/// An error with its causes, for the log.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
