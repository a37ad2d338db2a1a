//! Alerts from monitoring tools: the kinds of source, what a delivery carries once read
//! (`ssr::webhooks` reads each tool's payload), and which alert a delivery updates
//! ([`classify`]). No I/O.

use super::{AppError, FieldError, ServiceName, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::{fmt, str::FromStr};

pub const MAX_SOURCE_NAME_LEN: usize = 100;
pub const MAX_DEDUP_KEY_LEN: usize = 255;
pub const MAX_ALERT_TITLE_LEN: usize = 300;
pub const MAX_ALERT_URL_LEN: usize = 2048;
/// Alerts one generic delivery may carry (a JSON array).
pub const MAX_ALERTS_PER_DELIVERY: usize = 1000;
/// The largest webhook body accepted.
pub const MAX_DELIVERY_BYTES: usize = 256 * 1024;

/// A monitoring tool that posts to Stormwatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum SourceKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pingdom"))]
    Pingdom,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "newrelic"))]
    NewRelic,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "cloudwatch"))]
    CloudWatch,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pagerduty"))]
    PagerDuty,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "generic"))]
    Generic,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Pingdom,
        SourceKind::NewRelic,
        SourceKind::CloudWatch,
        SourceKind::PagerDuty,
        SourceKind::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Pingdom => "pingdom",
            SourceKind::NewRelic => "newrelic",
            SourceKind::CloudWatch => "cloudwatch",
            SourceKind::PagerDuty => "pagerduty",
            SourceKind::Generic => "generic",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Pingdom => "Pingdom",
            SourceKind::NewRelic => "New Relic",
            SourceKind::CloudWatch => "AWS CloudWatch (via SNS)",
            SourceKind::PagerDuty => "PagerDuty",
            SourceKind::Generic => "Generic JSON",
        }
    }

    /// How the kinds that sign say so: an HMAC-SHA256 of the raw body, in hex, after a
    /// prefix, in a header (several, comma-separated, while a key is being changed).
    pub fn signature(self) -> Option<Signature> {
        match self {
            SourceKind::PagerDuty => Some(Signature {
                header: "x-pagerduty-signature",
                prefix: "v1=",
            }),
            SourceKind::Generic => Some(Signature {
                header: "x-stormwatch-signature",
                prefix: "sha256=",
            }),
            _ => None,
        }
    }

    /// PagerDuty signs every delivery, so its deliveries must carry a valid signature
    /// (with the key PagerDuty shows when the subscription is made).
    pub fn requires_signature(self) -> bool {
        self == SourceKind::PagerDuty
    }

    /// Stormwatch makes the signing key for the generic kind; PagerDuty makes its own.
    pub fn issues_signing_secret(self) -> bool {
        self == SourceKind::Generic
    }

    /// How to point the tool at Stormwatch, for the admin page and the command line.
    pub fn setup_hint(self) -> &'static str {
        match self {
            SourceKind::Pingdom => "In Pingdom, add a webhook integration with this URL and attach it to your checks.",
            SourceKind::NewRelic => "In New Relic, add a webhook destination with this URL and use it in a workflow (the default payload template works).",
            SourceKind::CloudWatch => "In AWS SNS, subscribe this URL (HTTPS) to the alarm topic; the confirmation link then appears here for you to open.",
            SourceKind::PagerDuty => "In PagerDuty, add a generic v3 webhook subscription with this URL, then paste the signing secret PagerDuty shows here.",
            SourceKind::Generic => "POST JSON (one alert or an array) to this URL, or to the URL without the secret with an X-Stormwatch-Signature: sha256=<hex HMAC of the body> header.",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown kind \"{s}\": choose pingdom, newrelic, cloudwatch, pagerduty or generic")
            })
    }
}

/// Where a signed delivery carries its signature: `header: <prefix><hex>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    pub header: &'static str,
    pub prefix: &'static str,
}

/// Whether the thing an alert watches is broken now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum AlertState {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "firing"))]
    Firing,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "resolved"))]
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertState::Firing => "Firing",
            AlertState::Resolved => "Resolved",
        }
    }

    pub fn is_firing(self) -> bool {
        self == AlertState::Firing
    }
}

/// An alert source's name, such as "Pingdom prod": trimmed, one line, 1–100 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceName(String);

impl SourceName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Give the source a name, like \"Pingdom prod\".".into());
        }
        if name.chars().count() > MAX_SOURCE_NAME_LEN {
            return Err(format!(
                "Keep the name under {MAX_SOURCE_NAME_LEN} characters."
            ));
        }
        if name.chars().any(char::is_control) {
            return Err("The name must be a single line of text.".into());
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the "Add alert source" form (or `server sources add`) sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDraft {
    pub kind: String,
    pub name: String,
    /// The service its alerts belong to when their payload names none; may be empty.
    pub service: String,
    /// PagerDuty's signing secret, if already known; may be empty.
    pub signing_secret: String,
}

/// A source that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSource {
    pub kind: SourceKind,
    pub name: SourceName,
    pub service: Option<ServiceName>,
    pub signing_secret: Option<SigningSecret>,
}

impl NewSource {
    pub fn parse(draft: &SourceDraft) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let kind = draft
            .kind
            .parse::<SourceKind>()
            .map_err(|m| errors.push(FieldError::new("kind", m)))
            .ok();
        let name = SourceName::parse(&draft.name)
            .map_err(|m| errors.push(FieldError::new("name", m)))
            .ok();
        let service = optional_service(&draft.service)
            .map_err(|m| errors.push(FieldError::new("service", m)))
            .ok();
        let signing_secret = SigningSecret::parse_optional(&draft.signing_secret)
            .map_err(|m| errors.push(FieldError::new("signing_secret", m)))
            .ok();
        if let (Some(kind), Some(Some(_))) = (kind, &signing_secret) {
            if kind != SourceKind::PagerDuty {
                errors.push(FieldError::new(
                    "signing_secret",
                    "Only PagerDuty sources take a signing secret from their tool.",
                ));
            }
        }
        match (kind, name, service, signing_secret) {
            (Some(kind), Some(name), Some(service), Some(signing_secret)) if errors.is_empty() => {
                Ok(Self {
                    kind,
                    name,
                    service,
                    signing_secret,
                })
            }
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// An empty string means no service.
pub fn optional_service(raw: &str) -> Result<Option<ServiceName>, String> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        ServiceName::parse(raw).map(Some)
    }
}

/// A key for checking HMAC signatures, as a tool shows it: 16–200 printable characters.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(String);

impl SigningSecret {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        let secret = raw.trim();
        if secret.is_empty() {
            return Ok(None);
        }
        let length = secret.chars().count();
        if !(16..=200).contains(&length)
            || secret.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("A signing secret is 16 to 200 characters with no spaces: paste it exactly as the tool shows it.".into());
        }
        Ok(Some(Self(secret.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(***)")
    }
}

/// One alert as a delivery reports it, whatever the tool.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingAlert {
    /// Identifies the alert within its source: deliveries with the same key while it
    /// fires are the same alert.
    pub dedup_key: String,
    /// None when the delivery does not say (a bare "resolved").
    pub title: Option<String>,
    pub severity: Option<Severity>,
    pub state: AlertState,
    pub service: Option<ServiceName>,
    /// What the tool sent about it, kept for the responder.
    pub details: Value,
    /// A link to the alert in the tool (http or https only).
    pub url: Option<String>,
    /// When the tool says it happened.
    pub occurred_at: Option<DateTime<Utc>>,
}

/// What one webhook delivery asks of Stormwatch.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    Alerts(Vec<IncomingAlert>),
    /// AWS SNS asks for the subscription to be confirmed by opening this link.
    ConfirmSubscription {
        url: String,
    },
    /// A delivery with nothing to record (a test ping, an event about something else).
    Ignored(String),
}

/// Which alert a delivery updates: the rule that deduplicates alerts, one place.
///
/// `latest` is the newest alert of the source with the incoming alert's key, if any.
/// While it fires, another delivery updates it (or resolves it); once it has resolved,
/// a resolve again or a late copy of the firing it resolved (the tool says it happened
/// before the resolve) only counts; anything else starts a new alert.
pub fn classify(latest: Option<Known>, incoming: &IncomingAlert) -> Outcome {
    match latest {
        Some(known) if known.state == AlertState::Firing => match incoming.state {
            AlertState::Firing => Outcome::Updated,
            AlertState::Resolved => Outcome::Resolved,
        },
        Some(known)
            if incoming.state == AlertState::Resolved
                || incoming
                    .occurred_at
                    .zip(known.resolved_at)
                    .is_some_and(|(at, end)| at <= end) =>
        {
            Outcome::Repeated
        }
        _ => Outcome::Created,
    }
}

/// What [`classify`] needs to know of the newest alert with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    pub state: AlertState,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// What became of one alert of a delivery (the webhook answers it, per alert).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new alert.
    Created,
    /// Another delivery of a firing alert: counted, its details refreshed.
    Updated,
    /// A firing alert resolved.
    Resolved,
    /// A delivery repeating what is already known (a resolve of a resolved alert, a late
    /// copy of a firing that has since resolved): counted only.
    Repeated,
}

impl Outcome {
    /// As the webhook's answer names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Resolved => "resolved",
            Outcome::Repeated => "repeated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn incoming(state: AlertState, occurred_at: Option<DateTime<Utc>>) -> IncomingAlert {
        IncomingAlert {
            dedup_key: "k".into(),
            title: Some("t".into()),
            severity: None,
            state,
            service: None,
            details: Value::Null,
            url: None,
            occurred_at,
        }
    }

    fn at(hour: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2026, 11, 25, hour, 0, 0).single()
    }

    const FIRING: Known = Known {
        state: AlertState::Firing,
        resolved_at: None,
    };

    fn resolved_at(hour: u32) -> Known {
        Known {
            state: AlertState::Resolved,
            resolved_at: at(hour),
        }
    }

    #[test]
    fn a_key_never_seen_is_a_new_alert() {
        let firing = incoming(AlertState::Firing, None);
        assert_eq!(classify(None, &firing), Outcome::Created);
        let resolve = incoming(AlertState::Resolved, None);
        assert_eq!(classify(None, &resolve), Outcome::Created);
    }

    #[test]
    fn another_delivery_of_a_firing_alert_updates_it() {
        let again = incoming(AlertState::Firing, at(9));
        assert_eq!(classify(Some(FIRING), &again), Outcome::Updated);
    }

    #[test]
    fn a_resolve_of_a_firing_alert_resolves_it() {
        let resolve = incoming(AlertState::Resolved, None);
        assert_eq!(classify(Some(FIRING), &resolve), Outcome::Resolved);
    }

    #[test]
    fn a_resolve_of_a_resolved_alert_only_counts() {
        let resolve = incoming(AlertState::Resolved, at(12));
        assert_eq!(classify(Some(resolved_at(10)), &resolve), Outcome::Repeated);
    }

    #[test]
    fn a_late_copy_of_a_firing_that_has_since_resolved_only_counts() {
        let late = incoming(AlertState::Firing, at(9));
        assert_eq!(classify(Some(resolved_at(10)), &late), Outcome::Repeated);
        let same_moment = incoming(AlertState::Firing, at(10));
        assert_eq!(
            classify(Some(resolved_at(10)), &same_moment),
            Outcome::Repeated
        );
    }

    #[test]
    fn the_same_key_firing_after_its_resolve_is_a_new_alert() {
        let later = incoming(AlertState::Firing, at(11));
        assert_eq!(classify(Some(resolved_at(10)), &later), Outcome::Created);
        let undated = incoming(AlertState::Firing, None);
        assert_eq!(classify(Some(resolved_at(10)), &undated), Outcome::Created);
    }

    #[test]
    fn a_source_needs_a_known_kind_and_a_name() {
        let err = NewSource::parse(&SourceDraft {
            kind: "nagios".into(),
            name: " ".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.field("kind").unwrap().contains("unknown kind"));
        assert!(err.field("name").is_some());
        let ok = NewSource::parse(&SourceDraft {
            kind: "Pingdom".into(),
            name: "Pingdom prod".into(),
            service: "push-api".into(),
            signing_secret: "".into(),
        })
        .unwrap();
        assert_eq!(ok.kind, SourceKind::Pingdom);
        assert_eq!(ok.service.unwrap().as_str(), "push-api");
    }
}
