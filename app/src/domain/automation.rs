//! Automation's rules: what an API token may be, which events an outgoing webhook can
//! hear, what an endpoint must give, and how deliveries are retried. Used by the admin
//! page, the server functions and the REST API alike.

use super::{AppError, FieldError, Role};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What every token starts with, so a leaked one is recognisable (secret scanners).
pub const TOKEN_PREFIX: &str = "sw_";
pub const MAX_TOKEN_NAME_LEN: usize = 48;
pub const MAX_ENDPOINT_URL_LEN: usize = 2000;
/// A delivery still failing after this many attempts is given up (the admin can resend).
pub const MAX_DELIVERY_ATTEMPTS: i32 = 12;

/// What the admin's form gives for a new token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDraft {
    pub name: String,
    /// "responder" or "viewer".
    pub role: String,
    /// `YYYY-MM-DD`, or empty for a token that does not expire.
    #[serde(default)]
    pub expires_on: String,
}

/// A token that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    /// The last day it works (through the end of that day, UTC).
    pub expires_on: Option<NaiveDate>,
}

impl NewToken {
    /// `today` is the first day an expiry may name.
    pub fn parse(draft: &TokenDraft, today: NaiveDate) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let name = draft.name.trim();
        if name.is_empty() {
            errors.push(FieldError::new(
                "name",
                "Name the token after what uses it, e.g. deploy-bot.",
            ));
        } else if name.chars().count() > MAX_TOKEN_NAME_LEN || name.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "name",
                format!("Use a single line of at most {MAX_TOKEN_NAME_LEN} characters."),
            ));
        }
        let role = match draft.role.trim().parse::<Role>() {
            Ok(role @ (Role::Responder | Role::Viewer)) => Some(role),
            Ok(Role::Admin) => {
                errors.push(FieldError::new(
                    "role",
                    "A token acts as a responder or a viewer, never as an admin.",
                ));
                None
            }
            Err(message) => {
                errors.push(FieldError::new("role", message));
                None
            }
        };
        let expires_on = match draft.expires_on.trim() {
            "" => Some(None),
            raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(day) if day < today => {
                    errors.push(FieldError::new(
                        "expires_on",
                        format!("The expiry {day} has passed: pick today or a later day."),
                    ));
                    None
                }
                Ok(day) => Some(Some(day)),
                Err(_) => {
                    errors.push(FieldError::new(
                        "expires_on",
                        format!("\"{raw}\" is not a date like 2027-03-31."),
                    ));
                    None
                }
            },
        };
        match (role, expires_on) {
            (Some(role), Some(expires_on)) if errors.is_empty() => Ok(Self {
                name: name.to_string(),
                role,
                expires_on,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }

    /// The name the token's user row carries, so the timeline and the audit log say
    /// "@deploy-bot (token)".
    pub fn display_name(&self) -> String {
        format!("{} (token)", self.name)
    }
}

/// What an outgoing webhook can be told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WebhookEvent {
    IncidentDeclared,
    IncidentStatusChanged,
    IncidentResolved,
    MessagePosted,
    EmailSent,
    PostmortemPublished,
    ActionOverdue,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 7] = [
        WebhookEvent::IncidentDeclared,
        WebhookEvent::IncidentStatusChanged,
        WebhookEvent::IncidentResolved,
        WebhookEvent::MessagePosted,
        WebhookEvent::EmailSent,
        WebhookEvent::PostmortemPublished,
        WebhookEvent::ActionOverdue,
    ];

    /// The code in the delivery's `event` field and `Stormwatch-Event` header.
    pub fn code(self) -> &'static str {
        match self {
            WebhookEvent::IncidentDeclared => "incident.declared",
            WebhookEvent::IncidentStatusChanged => "incident.status_changed",
            WebhookEvent::IncidentResolved => "incident.resolved",
            WebhookEvent::MessagePosted => "message.posted",
            WebhookEvent::EmailSent => "email.sent",
            WebhookEvent::PostmortemPublished => "postmortem.published",
            WebhookEvent::ActionOverdue => "action.overdue",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WebhookEvent::IncidentDeclared => "Incident declared",
            WebhookEvent::IncidentStatusChanged => "Incident status changed",
            WebhookEvent::IncidentResolved => "Incident resolved",
            WebhookEvent::MessagePosted => "Message posted",
            WebhookEvent::EmailSent => "Company email sent",
            WebhookEvent::PostmortemPublished => "Postmortem published",
            WebhookEvent::ActionOverdue => "Corrective action overdue",
        }
    }
}

impl fmt::Display for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for WebhookEvent {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|e| e.code() == s.trim())
            .ok_or_else(|| {
                format!(
                    "\"{}\" is not an event; pick from {}.",
                    s.trim(),
                    Self::ALL.map(|e| e.code()).join(", ")
                )
            })
    }
}

/// What the admin's form gives for a new endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointDraft {
    pub url: String,
    /// Event codes.
    #[serde(default)]
    pub events: Vec<String>,
}

/// An endpoint that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<WebhookEvent>,
}

impl NewEndpoint {
    pub fn parse(draft: &EndpointDraft) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let url = draft.url.trim();
        let well_formed = url.len() <= MAX_ENDPOINT_URL_LEN
            && !url.chars().any(|c| c.is_whitespace() || c.is_control())
            && ["http://", "https://"].iter().any(|scheme| {
                url.strip_prefix(scheme)
                    .and_then(|rest| rest.split(['/', '?', '#']).next())
                    .is_some_and(|host| !host.is_empty() && !host.starts_with(':'))
            });
        if !well_formed {
            errors.push(FieldError::new(
                "url",
                "Give the receiver's address, like https://hooks.example.com/stormwatch.",
            ));
        }
        let mut events = Vec::new();
        for code in &draft.events {
            match code.parse::<WebhookEvent>() {
                Ok(event) if !events.contains(&event) => events.push(event),
                Ok(_) => {}
                Err(message) => errors.push(FieldError::new("events", message)),
            }
        }
        if draft.events.is_empty() {
            errors.push(FieldError::new(
                "events",
                "Pick at least one event to send.",
            ));
        }
        events.sort();
        if errors.is_empty() {
            Ok(Self {
                url: url.to_string(),
                events,
            })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    /// Queued, or failed and waiting for its next attempt.
    Pending,
    Delivered,
    /// Failed [`MAX_DELIVERY_ATTEMPTS`] times; only "resend" sends it again.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// How long the sender waits before attempt `attempt` (2-based: the first retry) after a
/// failure: 1 s, 2 s, 4 s … at most 10 minutes (about 35 minutes of trying in all).
pub fn delivery_retry_secs(attempt: u32) -> u64 {
    (1u64 << attempt.saturating_sub(2).min(16)).min(600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    #[test]
    fn a_token_acts_as_a_responder_or_a_viewer_and_expires_today_or_later() {
        let ok = NewToken::parse(
            &TokenDraft {
                name: " deploy-bot ".into(),
                role: "responder".into(),
                expires_on: "2026-12-04".into(),
            },
            today(),
        )
        .unwrap();
        assert_eq!(ok.display_name(), "deploy-bot (token)");
        assert_eq!(ok.expires_on, Some(today()));
        let admin = NewToken::parse(
            &TokenDraft {
                name: "x".into(),
                role: "admin".into(),
                expires_on: String::new(),
            },
            today(),
        )
        .unwrap_err();
        assert!(admin.field("role").unwrap().contains("never as an admin"));
        let bad = NewToken::parse(
            &TokenDraft {
                name: " ".into(),
                role: "viewer".into(),
                expires_on: "2026-12-03".into(),
            },
            today(),
        )
        .unwrap_err();
        assert!(bad.field("name").is_some());
        assert!(bad.field("expires_on").unwrap().contains("has passed"));
    }

    #[test]
    fn an_endpoint_needs_an_http_address_and_known_events() {
        let ok = NewEndpoint::parse(&EndpointDraft {
            url: "http://127.0.0.1:9000/hook".into(),
            events: vec![
                "message.posted".into(),
                "incident.declared".into(),
                "message.posted".into(),
            ],
        })
        .unwrap();
        assert_eq!(
            ok.events,
            vec![WebhookEvent::IncidentDeclared, WebhookEvent::MessagePosted]
        );
        for url in ["ftp://x", "https://", "http://:80/", "https://a b"] {
            let err = NewEndpoint::parse(&EndpointDraft {
                url: url.into(),
                events: vec!["email.sent".into()],
            })
            .unwrap_err();
            assert!(err.field("url").is_some(), "{url}");
        }
        let err = NewEndpoint::parse(&EndpointDraft {
            url: "https://hooks.example.com".into(),
            events: vec!["incident.exploded".into()],
        })
        .unwrap_err();
        assert!(err.field("events").unwrap().contains("incident.declared"));
    }

    #[test]
    fn retries_back_off_to_ten_minutes() {
        assert_eq!(delivery_retry_secs(2), 1);
        assert_eq!(delivery_retry_secs(3), 2);
        assert_eq!(delivery_retry_secs(5), 8);
        assert_eq!(delivery_retry_secs(40), 600);
    }
}
