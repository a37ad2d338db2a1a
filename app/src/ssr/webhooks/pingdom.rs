//! Pingdom's check state changes.

use super::{id_field, key, severity_word, text, title, web_link};
use crate::domain::{AlertState, IncomingAlert};
use chrono::{TimeZone, Utc};
use serde_json::Value;

/// Pingdom check state changes: `check_id`, `check_name`, `current_state` DOWN/UP
/// (FAILING/SUCCESS for transaction checks).
pub fn parse(p: &Value) -> Result<IncomingAlert, String> {
    let check_id = id_field(p, "check_id")?;
    let state_word = text(p, "current_state").ok_or("current_state is missing")?;
    let state = match state_word.to_ascii_uppercase().as_str() {
        "DOWN" | "FAILING" => AlertState::Firing,
        "UP" | "SUCCESS" => AlertState::Resolved,
        other => return Err(format!("current_state {other:?} is not DOWN or UP")),
    };
    let name = text(p, "check_name").unwrap_or_else(|| format!("check {check_id}"));
    Ok(IncomingAlert {
        dedup_key: key(format!("check-{check_id}"), "check_id")?,
        title: Some(title(
            &format!("{name} is {}", state_word.to_ascii_uppercase()),
            "check_name",
        )?),
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
