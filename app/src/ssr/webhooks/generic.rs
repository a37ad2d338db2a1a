//! Stormwatch's own schema, for circuit breakers and anything else.

use super::{instant, key, severity_word, text, title, web_link};
use crate::domain::{AlertState, Delivery, IncomingAlert, ServiceName, MAX_ALERTS_PER_DELIVERY};
use serde_json::Value;

/// The generic schema (README, "Alert sources"): one object or an array of them, each
/// with `dedup_key` and `title` (required), `severity`, `status` (firing by default, or
/// resolved), `service`, `details`, `url`, `occurred_at` (RFC 3339).
pub fn parse(p: &Value) -> Result<Delivery, String> {
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
        dedup_key: key(dedup_key, "dedup_key")?,
        title: title_text.map(|t| title(&t, "title")).transpose()?,
        severity,
        state,
        service,
        details: p.get("details").cloned().unwrap_or(Value::Null),
        url,
        occurred_at,
    })
}
