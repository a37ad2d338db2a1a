//! Alerts from monitoring tools: the kinds of source, what a delivery of each kind
//! carries, and the rules that turn a payload into alerts. No I/O: the server checks the
//! secret, then hands the raw body here.

use super::{AppError, FieldError, ServiceName, Severity};
use chrono::{DateTime, TimeZone, Utc};
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

/// Reads a delivery's raw body as its source's kind sends it. The error says what is
/// wrong, for the tool's delivery log.
pub fn parse_delivery(kind: SourceKind, body: &[u8]) -> Result<Delivery, String> {
    if body.len() > MAX_DELIVERY_BYTES {
        return Err(format!(
            "the body is larger than {MAX_DELIVERY_BYTES} bytes"
        ));
    }
    let payload: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    match kind {
        SourceKind::Pingdom => pingdom(&payload).map(|a| Delivery::Alerts(vec![a])),
        SourceKind::NewRelic => new_relic(&payload).map(|a| Delivery::Alerts(vec![a])),
        SourceKind::CloudWatch => cloudwatch(&payload),
        SourceKind::PagerDuty => pagerduty(&payload),
        SourceKind::Generic => generic(&payload),
    }
}

/// Pingdom check state changes: `check_id`, `check_name`, `current_state` DOWN/UP
/// (FAILING/SUCCESS for transaction checks).
fn pingdom(p: &Value) -> Result<IncomingAlert, String> {
    let check_id = id_field(p, "check_id")?;
    let state_word = text(p, "current_state").ok_or("current_state is missing")?;
    let state = match state_word.to_ascii_uppercase().as_str() {
        "DOWN" | "FAILING" => AlertState::Firing,
        "UP" | "SUCCESS" => AlertState::Resolved,
        other => return Err(format!("current_state {other:?} is not DOWN or UP")),
    };
    let name = text(p, "check_name").unwrap_or_else(|| format!("check {check_id}"));
    Ok(IncomingAlert {
        dedup_key: key(format!("check-{check_id}"))?,
        title: Some(title(&format!(
            "{name} is {}",
            state_word.to_ascii_uppercase()
        ))),
        severity: text(p, "importance_level").and_then(|w| severity_word(&w)),
        state,
        service: None,
        details: p.clone(),
        url: p
            .pointer("/check_params/full_url")
            .and_then(Value::as_str)
            .and_then(web_link),
        occurred_at: p
            .get("state_changed_timestamp")
            .and_then(Value::as_i64)
            .and_then(|s| Utc.timestamp_opt(s, 0).single()),
    })
}

/// New Relic workflow webhooks (the default template): `issueId` (or `id`), `title`,
/// `priority`, `state` ACTIVATED/CREATED/ACKNOWLEDGED/CLOSED.
fn new_relic(p: &Value) -> Result<IncomingAlert, String> {
    let id = id_field(p, "issueId")
        .or_else(|_| id_field(p, "id"))
        .map_err(|_| "issueId is missing")?;
    let state = match text(p, "state")
        .ok_or("state is missing")?
        .to_ascii_uppercase()
        .as_str()
    {
        "ACTIVATED" | "CREATED" | "ACKNOWLEDGED" => AlertState::Firing,
        "CLOSED" => AlertState::Resolved,
        other => {
            return Err(format!(
                "state {other:?} is not ACTIVATED, ACKNOWLEDGED or CLOSED"
            ))
        }
    };
    let title_text = text(p, "title").or_else(|| {
        p.pointer("/annotations/title/0")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let entity = text(p, "service")
        .or_else(|| first_text(p, "/impactedEntities"))
        .or_else(|| first_text(p, "/entitiesData/names"));
    Ok(IncomingAlert {
        dedup_key: key(format!("issue-{id}"))?,
        title: title_text.map(|t| title(&t)),
        severity: text(p, "priority").and_then(|w| severity_word(&w)),
        state,
        service: entity.and_then(|e| ServiceName::parse(&e).ok()),
        details: p.clone(),
        url: text(p, "issueUrl")
            .or_else(|| text(p, "issuePageUrl"))
            .and_then(|u| web_link(&u)),
        occurred_at: ["updatedAt", "createdAt"]
            .iter()
            .find_map(|f| p.get(*f).and_then(Value::as_i64))
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
    })
}

/// AWS SNS: a `SubscriptionConfirmation` (to be confirmed by the admin), or a
/// `Notification` whose `Message` is a CloudWatch alarm as JSON text.
fn cloudwatch(p: &Value) -> Result<Delivery, String> {
    match text(p, "Type")
        .ok_or("Type is missing: this is not an SNS message")?
        .as_str()
    {
        "SubscriptionConfirmation" => {
            let url = text(p, "SubscribeURL").ok_or("SubscribeURL is missing")?;
            let url = web_link(&url).ok_or("SubscribeURL is not an https link")?;
            Ok(Delivery::ConfirmSubscription { url })
        }
        "UnsubscribeConfirmation" => Ok(Delivery::Ignored("SNS unsubscribed this URL".into())),
        "Notification" => {
            let message = text(p, "Message").ok_or("Message is missing")?;
            let alarm: Value = serde_json::from_str(&message)
                .map_err(|e| format!("Message is not a CloudWatch alarm (JSON): {e}"))?;
            let name = text(&alarm, "AlarmName").ok_or("Message.AlarmName is missing")?;
            let state = match text(&alarm, "NewStateValue")
                .ok_or("Message.NewStateValue is missing")?
                .as_str()
            {
                "ALARM" => AlertState::Firing,
                "OK" => AlertState::Resolved,
                "INSUFFICIENT_DATA" => {
                    return Ok(Delivery::Ignored(format!("{name}: insufficient data")))
                }
                other => {
                    return Err(format!(
                        "Message.NewStateValue {other:?} is not ALARM or OK"
                    ))
                }
            };
            let id = text(&alarm, "AlarmArn").unwrap_or_else(|| name.clone());
            Ok(Delivery::Alerts(vec![IncomingAlert {
                dedup_key: key(format!("alarm-{id}"))?,
                title: Some(title(&name)),
                severity: None,
                state,
                service: None,
                details: alarm.clone(),
                url: None,
                occurred_at: text(&alarm, "StateChangeTime").and_then(|t| instant(&t)),
            }]))
        }
        other => Err(format!("SNS message Type {other:?} is not a notification")),
    }
}

/// PagerDuty v3 webhooks: `event.event_type` incident.triggered / acknowledged /
/// resolved (others are recorded as nothing), `event.data` the incident.
fn pagerduty(p: &Value) -> Result<Delivery, String> {
    let event = p
        .get("event")
        .ok_or("event is missing: this is not a PagerDuty v3 webhook")?;
    let event_type = text(event, "event_type").ok_or("event.event_type is missing")?;
    let state = match event_type.as_str() {
        "incident.triggered"
        | "incident.acknowledged"
        | "incident.unacknowledged"
        | "incident.reopened"
        | "incident.escalated"
        | "incident.priority_updated" => AlertState::Firing,
        "incident.resolved" => AlertState::Resolved,
        other => return Ok(Delivery::Ignored(format!("{other} events are not alerts"))),
    };
    let data = event.get("data").ok_or("event.data is missing")?;
    let id = id_field(data, "id").map_err(|_| "event.data.id is missing")?;
    let severity = data
        .pointer("/priority/summary")
        .and_then(Value::as_str)
        .and_then(severity_word)
        .or_else(|| text(data, "urgency").and_then(|u| severity_word(&u)));
    Ok(Delivery::Alerts(vec![IncomingAlert {
        dedup_key: key(format!("incident-{id}"))?,
        title: text(data, "title").map(|t| title(&t)),
        severity,
        state,
        service: data
            .pointer("/service/summary")
            .and_then(Value::as_str)
            .and_then(|s| ServiceName::parse(s).ok()),
        details: event.clone(),
        url: text(data, "html_url").and_then(|u| web_link(&u)),
        occurred_at: text(event, "occurred_at").and_then(|t| instant(&t)),
    }]))
}

/// The generic schema (README, "Alert sources"): one object or an array of them, each
/// with `dedup_key` and `title` (required), `severity`, `status` (firing by default, or
/// resolved), `service`, `details`, `url`, `occurred_at` (RFC 3339).
fn generic(p: &Value) -> Result<Delivery, String> {
    let items: Vec<&Value> = match p {
        Value::Array(items) => items.iter().collect(),
        object => vec![object],
    };
    if items.is_empty() {
        return Err("the array holds no alerts".into());
    }
    if items.len() > MAX_ALERTS_PER_DELIVERY {
        return Err(format!(
            "at most {MAX_ALERTS_PER_DELIVERY} alerts per delivery"
        ));
    }
    let many = items.len() > 1;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            generic_alert(item).map_err(|e| {
                if many {
                    format!("alert {}: {e}", i + 1)
                } else {
                    e
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Delivery::Alerts)
}

fn generic_alert(p: &Value) -> Result<IncomingAlert, String> {
    if !p.is_object() {
        return Err("an alert must be a JSON object".into());
    }
    let dedup_key = text(p, "dedup_key").ok_or("dedup_key is missing")?;
    let state = match p.get("status") {
        None | Some(Value::Null) => AlertState::Firing,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("firing") => AlertState::Firing,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("resolved") => AlertState::Resolved,
        Some(other) => return Err(format!("status {other} is not \"firing\" or \"resolved\"")),
    };
    let title_text = text(p, "title");
    if state == AlertState::Firing && title_text.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err("title is missing".into());
    }
    let severity = match text(p, "severity") {
        None => None,
        Some(word) => Some(severity_word(&word).ok_or_else(|| {
            format!("severity {word:?} is not one of critical, error, warning, info (or SEV1–SEV4)")
        })?),
    };
    let service = match text(p, "service") {
        None => None,
        Some(name) => Some(ServiceName::parse(&name).map_err(|e| format!("service: {e}"))?),
    };
    let url = match text(p, "url") {
        None => None,
        Some(u) => Some(web_link(&u).ok_or("url must be an http or https link")?),
    };
    let occurred_at = match text(p, "occurred_at") {
        None => None,
        Some(t) => Some(instant(&t).ok_or("occurred_at is not an RFC 3339 time")?),
    };
    Ok(IncomingAlert {
        dedup_key: key(dedup_key)?,
        title: title_text.map(|t| title(&t)),
        severity,
        state,
        service,
        details: p.get("details").cloned().unwrap_or(Value::Null),
        url,
        occurred_at,
    })
}

/// A field that is a string, or a number written as one.
fn id_field(p: &Value, field: &str) -> Result<String, String> {
    match p.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(format!("{field} is missing")),
    }
}

fn text(p: &Value, field: &str) -> Option<String> {
    p.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn first_text(p: &Value, pointer: &str) -> Option<String> {
    p.pointer(pointer)
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn key(raw: String) -> Result<String, String> {
    let raw = raw.trim().to_string();
    if raw.is_empty() {
        return Err("dedup_key is empty".into());
    }
    if raw.chars().count() > MAX_DEDUP_KEY_LEN {
        return Err(format!(
            "dedup_key is longer than {MAX_DEDUP_KEY_LEN} characters"
        ));
    }
    Ok(raw)
}

/// One line of at most [`MAX_ALERT_TITLE_LEN`] characters: tools send long ones, and a
/// long title is no reason to lose the alert.
fn title(raw: &str) -> String {
    let line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= MAX_ALERT_TITLE_LEN {
        line
    } else {
        let cut: String = line.chars().take(MAX_ALERT_TITLE_LEN - 1).collect();
        format!("{cut}…")
    }
}

/// Only http(s) links reach a browser: no `javascript:` or `data:`.
pub fn web_link(raw: &str) -> Option<String> {
    let url = raw.trim();
    let lower = url.to_ascii_lowercase();
    ((lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() <= MAX_ALERT_URL_LEN
        && !url.chars().any(|c| c.is_whitespace() || c.is_control()))
    .then(|| url.to_string())
}

fn instant(raw: &str) -> Option<DateTime<Utc>> {
    // CloudWatch writes "2026-11-25T10:00:00.000+0000", which is not quite RFC 3339.
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The words tools use for urgency, as Stormwatch's severities.
pub fn severity_word(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" | "fatal" | "emergency" | "p1" | "sev1" => Some(Severity::Sev1),
        "high" | "error" | "major" | "p2" | "sev2" => Some(Severity::Sev2),
        "warning" | "warn" | "medium" | "moderate" | "minor" | "p3" | "sev3" => {
            Some(Severity::Sev3)
        }
        "low" | "info" | "informational" | "p4" | "p5" | "sev4" => Some(Severity::Sev4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alerts(kind: SourceKind, payload: Value) -> Vec<IncomingAlert> {
        match parse_delivery(kind, payload.to_string().as_bytes()).unwrap() {
            Delivery::Alerts(alerts) => alerts,
            other => panic!("expected alerts, got {other:?}"),
        }
    }

    #[test]
    fn a_pingdom_down_fires_and_up_resolves_the_same_alert() {
        let down = alerts(
            SourceKind::Pingdom,
            json!({"check_id": 12345, "check_name": "api.example.com", "current_state": "DOWN",
                   "importance_level": "HIGH", "state_changed_timestamp": 1764064800,
                   "check_params": {"full_url": "https://api.example.com/health"}}),
        );
        assert_eq!(down[0].dedup_key, "check-12345");
        assert_eq!(down[0].state, AlertState::Firing);
        assert_eq!(down[0].title.as_deref(), Some("api.example.com is DOWN"));
        assert_eq!(down[0].severity, Some(Severity::Sev2));
        assert_eq!(
            down[0].url.as_deref(),
            Some("https://api.example.com/health")
        );
        let up = alerts(
            SourceKind::Pingdom,
            json!({"check_id": 12345, "check_name": "api.example.com", "current_state": "UP"}),
        );
        assert_eq!(up[0].dedup_key, "check-12345");
        assert_eq!(up[0].state, AlertState::Resolved);
    }

    #[test]
    fn a_payload_without_its_key_field_is_refused_with_the_field_named() {
        let err = parse_delivery(SourceKind::Pingdom, br#"{"current_state":"DOWN"}"#).unwrap_err();
        assert_eq!(err, "check_id is missing");
        let err = parse_delivery(SourceKind::Generic, br#"{"title":"x"}"#).unwrap_err();
        assert_eq!(err, "dedup_key is missing");
        let err = parse_delivery(SourceKind::Generic, b"not json").unwrap_err();
        assert!(err.starts_with("the body is not JSON"), "{err}");
    }

    #[test]
    fn new_relic_closed_resolves_and_priority_sets_severity() {
        let a = alerts(
            SourceKind::NewRelic,
            json!({"issueId": "a1b2", "title": "High error rate on push-api", "priority": "CRITICAL",
                   "state": "ACTIVATED", "impactedEntities": ["push-api"], "issueUrl": "https://one.newrelic.com/x"}),
        );
        assert_eq!(a[0].dedup_key, "issue-a1b2");
        assert_eq!(a[0].severity, Some(Severity::Sev1));
        assert_eq!(
            a[0].service.as_ref().map(ServiceName::as_str),
            Some("push-api")
        );
        let closed = alerts(
            SourceKind::NewRelic,
            json!({"issueId": "a1b2", "state": "CLOSED"}),
        );
        assert_eq!(closed[0].state, AlertState::Resolved);
        assert_eq!(closed[0].title, None);
    }

    #[test]
    fn an_sns_subscription_asks_to_be_confirmed_and_an_alarm_fires() {
        let confirm = parse_delivery(
            SourceKind::CloudWatch,
            json!({"Type": "SubscriptionConfirmation", "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x"})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        assert!(
            matches!(confirm, Delivery::ConfirmSubscription { url } if url.contains("ConfirmSubscription"))
        );
        let alarm = json!({"AlarmName": "push-api 5xx", "NewStateValue": "ALARM",
                           "StateChangeTime": "2026-11-25T10:00:00.000+0000"});
        let fired = alerts(
            SourceKind::CloudWatch,
            json!({"Type": "Notification", "Message": alarm.to_string()}),
        );
        assert_eq!(fired[0].state, AlertState::Firing);
        assert_eq!(
            fired[0].occurred_at,
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap())
        );
    }

    #[test]
    fn pagerduty_events_that_are_not_alerts_are_ignored() {
        let ping = parse_delivery(
            SourceKind::PagerDuty,
            br#"{"event":{"event_type":"pagey.ping"}}"#,
        )
        .unwrap();
        assert!(matches!(ping, Delivery::Ignored(_)));
        let resolved = alerts(
            SourceKind::PagerDuty,
            json!({"event": {"event_type": "incident.resolved", "occurred_at": "2026-11-25T10:00:00Z",
                   "data": {"id": "PGR0VU2", "title": "Push failing", "urgency": "high",
                            "service": {"summary": "push-api"}}}}),
        );
        assert_eq!(resolved[0].dedup_key, "incident-PGR0VU2");
        assert_eq!(resolved[0].state, AlertState::Resolved);
        assert_eq!(resolved[0].severity, Some(Severity::Sev2));
    }

    #[test]
    fn a_generic_array_names_the_bad_alert() {
        let err = parse_delivery(
            SourceKind::Generic,
            json!([{"dedup_key": "a", "title": "A"}, {"dedup_key": "b", "title": "B", "severity": "apocalyptic"}])
                .to_string()
                .as_bytes(),
        )
        .unwrap_err();
        assert!(err.starts_with("alert 2: severity"), "{err}");
    }

    #[test]
    fn links_other_than_http_are_dropped_or_refused() {
        assert_eq!(web_link("javascript:alert(1)"), None);
        assert_eq!(
            web_link("https://ok.example.com/a"),
            Some("https://ok.example.com/a".into())
        );
        let err = parse_delivery(
            SourceKind::Generic,
            br#"{"dedup_key":"a","title":"A","url":"javascript:alert(1)"}"#,
        )
        .unwrap_err();
        assert_eq!(err, "url must be an http or https link");
    }

    #[test]
    fn a_long_title_is_shortened_not_refused() {
        let long = "x".repeat(MAX_ALERT_TITLE_LEN + 50);
        let a = alerts(
            SourceKind::Generic,
            json!({"dedup_key": "k", "title": long}),
        );
        assert_eq!(
            a[0].title.as_ref().unwrap().chars().count(),
            MAX_ALERT_TITLE_LEN
        );
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
