//! PagerDuty's v3 webhooks.

use super::{id_field, instant, key, severity_word, text, title, web_link};
use crate::domain::{AlertState, Delivery, IncomingAlert, ServiceName};
use serde_json::Value;

/// PagerDuty v3 webhooks: `event.event_type` incident.triggered / acknowledged /
/// resolved (others are recorded as nothing), `event.data` the incident.
pub fn parse(p: &Value) -> Result<Delivery, String> {
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
        dedup_key: key(format!("incident-{id}"), "event.data.id")?,
        title: text(data, "title")
            .map(|t| title(&t, "event.data.title"))
            .transpose()?,
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
