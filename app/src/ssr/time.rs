//! Times are stored in UTC and shown in the viewer's time zone, which the browser
//! reports in the `tz` cookie (an IANA name) once the page has hydrated.

use crate::model::Stamp;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use http::request::Parts;

pub const TZ_COOKIE: &str = "tz";

/// The time zone of the current request's viewer; UTC until the browser has told us.
pub fn viewer_tz() -> Tz {
    leptos::prelude::use_context::<Parts>().map_or(Tz::UTC, |parts| tz_of(&parts.headers))
}

/// The viewer's time zone as a request's `tz` cookie names it (UTC without one).
pub fn tz_of(headers: &http::HeaderMap) -> Tz {
    super::auth::cookie(headers, TZ_COOKIE)
        .and_then(|name| name.parse().ok())
        .unwrap_or(Tz::UTC)
}

pub fn stamp(at: DateTime<Utc>, tz: Tz) -> Stamp {
    let local = at.with_timezone(&tz);
    Stamp {
        iso: at.to_rfc3339(),
        text: local.format("%Y-%m-%d %H:%M %Z").to_string(),
    }
}

/// A wall-clock time in `tz` as UTC; the earlier instant when a clock change repeats it.
pub fn local_to_utc(tz: Tz) -> impl Fn(NaiveDateTime) -> Option<DateTime<Utc>> {
    move |naive| {
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// Rewrites every [`Stamp`] in a stored JSON value (an object with exactly `iso` and
/// `text`) in the viewer's zone: live events are stored once, in UTC, and each stream
/// shows them in its viewer's time.
pub fn restamp(value: &mut serde_json::Value, tz: Tz) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let is_stamp = map.len() == 2 && map.contains_key("text");
            let at = map
                .get("iso")
                .and_then(Value::as_str)
                .and_then(|iso| DateTime::parse_from_rfc3339(iso).ok());
            match (is_stamp, at) {
                (true, Some(at)) => {
                    let fresh = stamp(at.with_timezone(&Utc), tz);
                    map.insert("text".into(), Value::String(fresh.text));
                }
                _ => map.values_mut().for_each(|v| restamp(v, tz)),
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| restamp(v, tz)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_stamp_is_shown_in_the_viewers_zone() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).unwrap();
        let mut value = serde_json::json!({"Feed": {"latest": [{"title": "x", "last_seen": stamp(at, Tz::UTC)}]}});
        restamp(&mut value, "Europe/Paris".parse().unwrap());
        assert_eq!(
            value["Feed"]["latest"][0]["last_seen"]["text"],
            "2026-11-25 10:30 CET"
        );
        assert_eq!(value["Feed"]["latest"][0]["title"], "x");
    }
}
