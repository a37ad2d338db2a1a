//! New Relic's workflow webhooks (the default payload template).

use super::{first_text, id_field, key, severity_word, text, title, web_link};
use crate::domain::{AlertState, IncomingAlert, ServiceName};
use chrono::{TimeZone, Utc};
use serde_json::Value;

/// New Relic workflow webhooks (the default template): `issueId` (or `id`), `title`,
/// `priority`, `state` ACTIVATED/CREATED/ACKNOWLEDGED/CLOSED.
pub fn parse(p: &Value) -> Result<IncomingAlert, String> {
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
        dedup_key: key(format!("issue-{id}"), "issueId")?,
        title: title_text.map(|t| title(&t, "title")).transpose()?,
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
