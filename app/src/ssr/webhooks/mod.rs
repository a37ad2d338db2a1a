//! What monitoring tools send, read into alerts: one module per kind of source. Only
//! the server runs this (the browser never sees a webhook); the rules it applies to
//! every kind (key and title limits, http(s) links only, severity words) live here too.
//! The server checks the secret, then hands the raw body to [`parse_delivery`].

mod cloudwatch;
mod generic;
mod newrelic;
mod pagerduty;
mod pingdom;

use crate::domain::{
    Delivery, Severity, SourceKind, MAX_ALERT_TITLE_LEN, MAX_ALERT_URL_LEN, MAX_DEDUP_KEY_LEN,
    MAX_DELIVERY_BYTES,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

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
        SourceKind::Pingdom => pingdom::parse(&payload).map(|a| Delivery::Alerts(vec![a])),
        SourceKind::NewRelic => newrelic::parse(&payload).map(|a| Delivery::Alerts(vec![a])),
        SourceKind::CloudWatch => cloudwatch::parse(&payload),
        SourceKind::PagerDuty => pagerduty::parse(&payload),
        SourceKind::Generic => generic::parse(&payload),
    }
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

/// An alert's key, read from `field` of the payload.
fn key(raw: String, field: &str) -> Result<String, String> {
    let raw = raw.trim().to_string();
    if raw.is_empty() {
        return Err(format!("{field} is empty"));
    }
    if raw.chars().count() > MAX_DEDUP_KEY_LEN {
        return Err(format!(
            "{field} is longer than {MAX_DEDUP_KEY_LEN} characters"
        ));
    }
    no_nul(raw, field)
}

/// One line of at most [`MAX_ALERT_TITLE_LEN`] characters, read from `field`: tools send
/// long ones, and a long title is no reason to lose the alert.
fn title(raw: &str, field: &str) -> Result<String, String> {
    let line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = if line.chars().count() <= MAX_ALERT_TITLE_LEN {
        line
    } else {
        let cut: String = line.chars().take(MAX_ALERT_TITLE_LEN - 1).collect();
        format!("{cut}…")
    };
    no_nul(line, field)
}

/// Text with a NUL character is refused, whichever database is behind: PostgreSQL cannot
/// store one in a text column, and SQLite would keep what PostgreSQL refuses.
fn no_nul(text: String, field: &str) -> Result<String, String> {
    if text.contains('\0') {
        Err(format!("{field} contains a NUL character"))
    } else {
        Ok(text)
    }
}

/// Only http(s) links reach a browser: no `javascript:` or `data:`.
fn web_link(raw: &str) -> Option<String> {
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
fn severity_word(word: &str) -> Option<Severity> {
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
    use crate::domain::{AlertState, IncomingAlert, ServiceName};
    use chrono::TimeZone;
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
}
