//! When a postmortem is due: 24 business hours after the incident is resolved. Business
//! days are Monday to Friday unless the organisation says otherwise, in its time zone,
//! without its holidays; a business day counts whole (the clock runs from midnight to
//! midnight), so a Friday 15:00 resolution is due on Monday at 15:00.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// How long before it is due a postmortem is flagged as due soon.
pub const DUE_SOON_HOURS: i64 = 8;
/// The most holidays the calendar keeps.
pub const MAX_HOLIDAYS: usize = 200;

/// The organisation's business days and holidays (its zone is kept beside it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessDays {
    pub weekdays: Vec<Weekday>,
    pub holidays: Vec<NaiveDate>,
}

impl Default for BusinessDays {
    fn default() -> Self {
        Self {
            weekdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            holidays: vec![],
        }
    }
}

impl BusinessDays {
    pub fn is_business_day(&self, day: NaiveDate) -> bool {
        self.weekdays.contains(&day.weekday()) && !self.holidays.contains(&day)
    }

    /// The first business day after `day` (None when there is no business day at all).
    fn next_after(&self, day: NaiveDate) -> Option<NaiveDate> {
        let mut next = day;
        for _ in 0..(7 + self.holidays.len() + 1) {
            next = next.succ_opt()?;
            if self.is_business_day(next) {
                return Some(next);
            }
        }
        None
    }

    /// When a postmortem of an incident resolved at `resolved` is due: the same clock
    /// time on the next business day; resolved outside business days, 24 hours from the
    /// start of the next one. A clock time the zone skips (a DST gap) moves an hour on.
    pub fn due_at<Z: TimeZone>(&self, resolved: DateTime<Utc>, zone: &Z) -> DateTime<Utc> {
        let local = resolved.with_timezone(zone).naive_local();
        let (start_day, clock) = if self.is_business_day(local.date()) {
            (local.date(), local.time())
        } else {
            match self.next_after(local.date()) {
                Some(day) => (day, chrono::NaiveTime::MIN),
                None => return resolved + Duration::hours(24),
            }
        };
        let Some(due_day) = self.next_after(start_day) else {
            return resolved + Duration::hours(24);
        };
        to_utc(zone, due_day.and_time(clock))
    }

    /// Parses the admin's form: weekday names and dates (YYYY-MM-DD), one per line or
    /// separated by commas. The error names the field.
    pub fn parse(weekdays: &str, holidays: &str) -> Result<Self, crate::domain::AppError> {
        use crate::domain::AppError;
        let mut days = Vec::new();
        for raw in weekdays
            .split([',', '\n', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let day = raw.parse::<Weekday>().map_err(|_| {
                AppError::invalid(
                    "weekdays",
                    format!("\"{raw}\" is not a weekday (Mon, Tue, …)."),
                )
            })?;
            if !days.contains(&day) {
                days.push(day);
            }
        }
        if days.is_empty() {
            return Err(AppError::invalid(
                "weekdays",
                "Name at least one business day.",
            ));
        }
        days.sort_by_key(|d| d.num_days_from_monday());
        let mut dates = Vec::new();
        for raw in holidays
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                AppError::invalid(
                    "holidays",
                    format!("\"{raw}\" is not a date like 2026-12-25."),
                )
            })?;
            if !dates.contains(&date) {
                dates.push(date);
            }
        }
        if dates.len() > MAX_HOLIDAYS {
            return Err(AppError::invalid(
                "holidays",
                format!("Keep it to {MAX_HOLIDAYS} holidays."),
            ));
        }
        dates.sort();
        Ok(Self {
            weekdays: days,
            holidays: dates,
        })
    }
}

fn to_utc<Z: TimeZone>(zone: &Z, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => to_utc(zone, local + Duration::hours(1)),
    }
}

/// "Due in 5 h", "Due in 2 days", "Overdue by 2 h": how a due time reads at `now`.
pub fn due_words(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let span = |d: Duration| {
        let minutes = d.num_minutes().max(1);
        if minutes < 60 {
            format!("{minutes} min")
        } else if minutes < 48 * 60 {
            format!("{} h", minutes / 60)
        } else {
            format!("{} days", minutes / (24 * 60))
        }
    };
    if due >= now {
        format!("Due in {}", span(due - now))
    } else {
        format!("Overdue by {}", span(now - due))
    }
}

/// Where a postmortem stands against its due time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Urgency {
    Overdue,
    DueSoon,
    OnTime,
}

impl Urgency {
    pub fn at(due: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if due < now {
            Urgency::Overdue
        } else if due - now <= Duration::hours(DUE_SOON_HOURS) {
            Urgency::DueSoon
        } else {
            Urgency::OnTime
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due-soon",
            Urgency::OnTime => "on-time",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Europe::Berlin};

    fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Berlin
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn resolved_on_a_tuesday_afternoon_is_due_on_wednesday_at_the_same_time() {
        let days = BusinessDays::default();
        assert_eq!(
            days.due_at(berlin(2026, 12, 1, 15, 0), &Berlin),
            berlin(2026, 12, 2, 15, 0)
        );
    }

    #[test]
    fn resolved_on_friday_at_three_is_due_on_monday_at_three() {
        let days = BusinessDays::default();
        assert_eq!(
            days.due_at(berlin(2026, 12, 4, 15, 0), &Berlin),
            berlin(2026, 12, 7, 15, 0)
        );
    }

    #[test]
    fn a_holiday_monday_moves_it_to_tuesday() {
        let days = BusinessDays::parse("Mon,Tue,Wed,Thu,Fri", "2026-12-07").unwrap();
        assert_eq!(
            days.due_at(berlin(2026, 12, 4, 15, 0), &Berlin),
            berlin(2026, 12, 8, 15, 0)
        );
    }

    #[test]
    fn resolved_on_a_saturday_is_due_24_hours_into_monday() {
        let days = BusinessDays::default();
        assert_eq!(
            days.due_at(berlin(2026, 12, 5, 10, 0), &Berlin),
            berlin(2026, 12, 8, 0, 0)
        );
    }

    #[test]
    fn the_clock_time_holds_across_a_dst_switch() {
        // Europe leaves summer time on Sunday 25 October 2026: Friday 15:00 CEST is due
        // Monday 15:00 CET, 73 real hours later.
        let days = BusinessDays::default();
        let resolved = berlin(2026, 10, 23, 15, 0);
        let due = days.due_at(resolved, &Berlin);
        assert_eq!(due, berlin(2026, 10, 26, 15, 0));
        assert_eq!((due - resolved).num_hours(), 73);
        // New York springs forward on Sunday 8 March 2026: 02:30 does not exist that
        // day, so a Saturday 02:30 resolution (weekends as business days) is due at 03:30.
        let days = BusinessDays::parse("Sat,Sun", "").unwrap();
        let resolved = New_York
            .with_ymd_and_hms(2026, 3, 7, 2, 30, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            days.due_at(resolved, &New_York),
            New_York
                .with_ymd_and_hms(2026, 3, 8, 3, 30, 0)
                .unwrap()
                .with_timezone(&Utc)
        );
    }

    #[test]
    fn the_due_time_reads_as_time_left_or_overdue() {
        let due = berlin(2026, 12, 7, 15, 0);
        assert_eq!(due_words(due, berlin(2026, 12, 7, 10, 0)), "Due in 5 h");
        assert_eq!(due_words(due, berlin(2026, 12, 7, 17, 0)), "Overdue by 2 h");
        assert_eq!(
            Urgency::at(due, berlin(2026, 12, 7, 10, 0)),
            Urgency::DueSoon
        );
        assert_eq!(
            Urgency::at(due, berlin(2026, 12, 1, 10, 0)),
            Urgency::OnTime
        );
        assert_eq!(
            Urgency::at(due, berlin(2026, 12, 8, 10, 0)),
            Urgency::Overdue
        );
    }

    #[test]
    fn the_admin_form_names_a_bad_weekday_or_date() {
        let err = BusinessDays::parse("Mon,Funday", "").unwrap_err();
        assert!(err.field("weekdays").unwrap().contains("Funday"));
        let err = BusinessDays::parse("Mon", "2026-13-01").unwrap_err();
        assert!(err.field("holidays").unwrap().contains("2026-13-01"));
        assert!(BusinessDays::parse("", "").is_err());
    }
}
