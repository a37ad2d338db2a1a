//! The command line: `server` (or `server serve`) runs the app; `server sources …`
//! manages alert sources for automation, with the same rules (and audit log) as the
//! admin page.

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
