//! Times are stored in UTC and shown in the viewer's time zone, which the browser
//! reports in the `tz` cookie (an IANA name) once the page has hydrated.

use crate::api::Stamp;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use http::request::Parts;

pub const TZ_COOKIE: &str = "tz";

/// The time zone of the current request's viewer; UTC until the browser has told us.
pub fn viewer_tz() -> Tz {
    leptos::prelude::use_context::<Parts>()
        .and_then(|parts| super::auth::cookie(&parts.headers, TZ_COOKIE))
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
