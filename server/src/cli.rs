//! The command line: `server` (or `server serve`) runs the app; `server sources …`
//! manages alert sources, `server tokens …` the REST API's tokens and `server webhooks …`
//! the outgoing webhooks, with the same rules (and audit log) as the admin pages.

use crate::{Config, StartError};
use app::{
    domain::{AppError, NewSource, SourceDraft},
    model::sources::IssuedSecret,
    ssr::services::sources,
};
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "server",
    version,
    about = "Stormwatch: an incident-response workspace"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the app (what `server` alone does).
    Serve,
    /// Alert sources: the webhook URLs monitoring tools post to. Uses DATABASE_URL and
    /// PUBLIC_URL like the server.
    Sources {
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: SourcesAction,
    },
    /// API tokens for the REST API (/api/v1). Uses DATABASE_URL like the server.
    Tokens {
        #[command(subcommand)]
        action: TokensAction,
    },
    /// Outgoing webhooks: URLs told when incidents change. Uses DATABASE_URL.
    Webhooks {
        #[command(subcommand)]
        action: WebhooksAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokensAction {
    /// Create a token; prints it once (only its hash is kept).
    Create {
        /// What uses it, e.g. deploy-bot: its work shows as "@deploy-bot (token)".
        #[arg(long)]
        name: String,
        /// responder or viewer.
        #[arg(long)]
        role: String,
        /// The last day it works (YYYY-MM-DD); no expiry when left out.
        #[arg(long, default_value = "")]
        expires_on: String,
    },
    /// List tokens (never the tokens themselves), with when each was last used.
    List,
    /// Revoke a token by its id: its next call gets 401.
    Revoke { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum WebhooksAction {
    /// Register a receiver; prints the secret its deliveries are signed with, once.
    Add {
        #[arg(long)]
        url: String,
        /// Comma-separated: incident.declared, incident.status_changed, incident.resolved,
        /// message.posted, email.sent, postmortem.published, action.overdue.
        #[arg(long)]
        events: String,
    },
    /// List receivers with their latest deliveries.
    List,
    /// Stop sending to a receiver.
    Remove { id: i64 },
    /// Send a delivery again.
    Resend { delivery: i64 },
}

#[derive(Subcommand, Debug)]
pub enum SourcesAction {
    /// Add a source; prints its webhook URL and secret, which are shown only once.
    Add {
        /// pingdom, newrelic, cloudwatch, pagerduty or generic.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// The service its alerts belong to when their payload names none.
        #[arg(long, default_value = "")]
        service: String,
        /// PagerDuty's signing secret, if you have it already.
        #[arg(
            long,
            default_value = "",
            env = "SOURCE_SIGNING_SECRET",
            hide_env_values = true
        )]
        signing_secret: String,
    },
    /// List sources (never their secrets).
    List,
    /// Issue a new secret (and URL); the old one stops working at once.
    Rotate { public_id: String },
    /// Refuse the source's deliveries from now on.
    Disable { public_id: String },
    /// Accept the source's deliveries again.
    Enable { public_id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{0}")]
    Refused(#[from] AppError),
}

/// Runs a `sources` command and returns what to print.
pub async fn sources(
    config: &Config,
    action: SourcesAction,
    json: bool,
) -> Result<String, CliError> {
    let db = crate::open_database(config).await?;
    let public_url = config.public_url.trim_end_matches('/');
    let output = match action {
        SourcesAction::Add {
            kind,
            name,
            service,
            signing_secret,
        } => {
            let new = NewSource::parse(&SourceDraft {
                kind,
                name,
                service,
                signing_secret,
            })?;
            issued(sources::add(&db, None, new, public_url).await?, json)
        }
        SourcesAction::Rotate { public_id } => issued(
            sources::rotate(&db, None, &public_id, public_url).await?,
            json,
        ),
        SourcesAction::Disable { public_id } => {
            sources::set_enabled(&db, None, &public_id, false).await?;
            format!("Disabled {public_id}: its deliveries are refused (404) from now on.\n")
        }
        SourcesAction::Enable { public_id } => {
            sources::set_enabled(&db, None, &public_id, true).await?;
            format!("Enabled {public_id}.\n")
        }
        SourcesAction::List => {
            let rows = sources::list(&db, public_url, chrono_tz::Tz::UTC).await?;
            if json {
                serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
            } else {
                rows.iter()
                    .map(|s| {
                        format!(
                            "{}  {:<10} {:<8} {}  {} deliveries, last {}\n    {}\n",
                            s.public_id,
                            s.kind.as_str(),
                            if s.enabled { "enabled" } else { "disabled" },
                            s.name,
                            s.deliveries,
                            s.last_delivery
                                .as_ref()
                                .map_or("never", |t| t.text.as_str()),
                            s.masked_url,
                        )
                    })
                    .collect()
            }
        }
    };
    db.close().await.ok();
    Ok(output)
}

/// Runs a `tokens` command and returns what to print.
pub async fn tokens(config: &Config, action: TokensAction) -> Result<String, CliError> {
    use app::{domain::TokenDraft, ssr::services::automation::tokens};
    let db = crate::open_database(config).await?;
    let output = match action {
        TokensAction::Create {
            name,
            role,
            expires_on,
        } => {
            let issued = tokens::create(
                &db,
                None,
                &TokenDraft {
                    name,
                    role,
                    expires_on,
                },
            )
            .await?;
            format!(
                "Token {} (id {}), shown once:\n  {}\nCall the API with: Authorization: Bearer {}\n",
                issued.name, issued.id, issued.token, issued.token
            )
        }
        TokensAction::List => tokens::list(&db, chrono_tz::Tz::UTC)
            .await?
            .iter()
            .map(|t| {
                format!(
                    "{:>4}  {:<24} {:<9} {}…  {}  last used {}\n",
                    t.id,
                    t.name,
                    t.role.as_str(),
                    t.prefix,
                    match (&t.revoked, &t.expires_on) {
                        (Some(at), _) => format!("revoked {}", at.text),
                        (None, Some(day)) => format!("until {day}"),
                        (None, None) => "no expiry".into(),
                    },
                    t.last_used.as_ref().map_or("never", |s| s.text.as_str()),
                )
            })
            .collect(),
        TokensAction::Revoke { id } => {
            tokens::revoke(&db, None, id).await?;
            format!("Revoked token {id}.\n")
        }
    };
    db.close().await.ok();
    Ok(output)
}

/// Runs a `webhooks` command and returns what to print.
pub async fn webhooks(config: &Config, action: WebhooksAction) -> Result<String, CliError> {
    use app::{domain::EndpointDraft, ssr::services::automation::webhooks};
    let db = crate::open_database(config).await?;
    let output = match action {
        WebhooksAction::Add { url, events } => {
            let issued = webhooks::add(
                &db,
                None,
                &EndpointDraft {
                    url,
                    events: events.split(',').map(|e| e.trim().to_string()).collect(),
                },
            )
            .await?;
            format!(
                "Endpoint {} for {}\nDeliveries are signed with this secret (shown once):\n  {}\n",
                issued.id, issued.url, issued.secret
            )
        }
        WebhooksAction::List => webhooks::endpoints(&db, chrono_tz::Tz::UTC)
            .await?
            .iter()
            .map(|e| {
                let mut out = format!(
                    "{:>4}  {}  ({})\n",
                    e.id,
                    e.url,
                    e.events
                        .iter()
                        .map(|v| v.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                for d in &e.deliveries {
                    out.push_str(&format!(
                        "      #{} {} {} after {} attempt(s){}\n",
                        d.id,
                        d.event,
                        d.status.as_str(),
                        d.attempts,
                        d.last_error
                            .as_ref()
                            .map(|e| format!(": {e}"))
                            .unwrap_or_default()
                    ));
                }
                out
            })
            .collect(),
        WebhooksAction::Remove { id } => {
            webhooks::remove(&db, None, id).await?;
            format!("Removed endpoint {id}: nothing more is sent to it.\n")
        }
        WebhooksAction::Resend { delivery } => {
            webhooks::resend(&db, delivery).await?;
            format!("Delivery {delivery} is queued again.\n")
        }
    };
    db.close().await.ok();
    Ok(output)
}

fn issued(secret: IssuedSecret, json: bool) -> String {
    if json {
        return serde_json::to_string_pretty(&secret).unwrap_or_default() + "\n";
    }
    let mut out = format!(
        "{} ({}), id {}\nWebhook URL (shown once: it holds the secret):\n  {}\n",
        secret.name,
        secret.kind.label(),
        secret.public_id,
        secret.url
    );
    if let (Some(key), Some(signed)) = (&secret.signing_secret, &secret.signed_url) {
        out.push_str(&format!(
            "Or sign deliveries to {signed} with this key (shown once):\n  {key}\n"
        ));
    }
    out.push_str(secret.kind.setup_hint());
    out.push('\n');
    out
}
