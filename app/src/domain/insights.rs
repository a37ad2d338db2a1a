//! What the insights measure, defined once: how long an incident took to be
//! acknowledged (MTTA) and resolved (MTTR), the percentiles quoted, and the weeks and
//! months incidents are counted in (the viewer's, so generic over the time zone).
//!
//! - **Detected**: the moment monitoring first saw it — the earliest alert attached to
//!   it that fired before anyone acknowledged it. An incident a person noticed and
//!   declared without an alert was never detected by monitoring: it has no MTTA (it
//!   would count as 0 and flatter the figure).
//! - **Acknowledged**: the first thing a person did about it — its declaration, or any
//!   earlier human action on its record.
//! - **Resolved**: the last move to "resolved" in its record, if it is still resolved
//!   (a reopened incident is not resolved until it is resolved again).
//! - **MTTA** = acknowledged − detected; **MTTR** = resolved − started (the start the
//!   responders recorded, which may precede detection).

use super::Status;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// One line of an incident's record, as far as the measures care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// An alert attached to the incident, first seen at this moment.
    Alert(DateTime<Utc>),
    /// Something a person did: the declaration, a message, a change.
    ByPerson(DateTime<Utc>),
    /// The incident moved to a status.
    Status(DateTime<Utc>, Status),
}

/// The moments that the measures are taken between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    pub started: DateTime<Utc>,
    pub detected: Option<DateTime<Utc>>,
    pub acknowledged: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
}

impl Lifecycle {
    /// Reads an incident's record (in any order).
    pub fn from_record(started: DateTime<Utc>, record: impl IntoIterator<Item = Line>) -> Self {
        let mut lines: Vec<Line> = record.into_iter().collect();
        lines.sort_by_key(|line| match *line {
            Line::Alert(at) | Line::ByPerson(at) | Line::Status(at, _) => at,
        });
        let acknowledged = lines.iter().find_map(|line| match *line {
            Line::ByPerson(at) => Some(at),
            _ => None,
        });
        let detected = lines
            .iter()
            .find_map(|line| match *line {
                Line::Alert(at) => Some(at),
                _ => None,
            })
            .filter(|seen| acknowledged.is_none_or(|ack| *seen <= ack));
        let resolved = lines
            .iter()
            .rev()
            .find_map(|line| match *line {
                Line::Status(at, status) => Some((at, status)),
                _ => None,
            })
            .and_then(|(at, status)| (status == Status::Resolved).then_some(at));
        Self {
            started,
            detected,
            acknowledged,
            resolved,
        }
    }

    /// Time to acknowledge: None when monitoring did not detect it or nobody has acted.
    pub fn mtta(&self) -> Option<Duration> {
        Some(self.acknowledged? - self.detected?)
    }

    /// Time to resolve: None while it is not resolved. Never negative (a start recorded
    /// after the resolution is a typing mistake, read as no time).
    pub fn mttr(&self) -> Option<Duration> {
        self.resolved
            .map(|resolved| (resolved - self.started).max(Duration::zero()))
    }
}

/// The `p`th percentile (0–100) of `values` by the nearest-rank method: a value that
/// occurred, never an interpolation. None for no values.
pub fn percentile(values: &mut [i64], p: u8) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (usize::from(p.min(100)) * values.len())
        .div_ceil(100)
        .max(1);
    Some(values[rank - 1])
}

/// The Monday of the week `at` falls in, in `zone`.
pub fn week_of<Z: TimeZone>(at: DateTime<Utc>, zone: &Z) -> NaiveDate {
    at.with_timezone(zone)
        .date_naive()
        .week(Weekday::Mon)
        .first_day()
}

/// The first day of the month `at` falls in, in `zone`.
pub fn month_of<Z: TimeZone>(at: DateTime<Utc>, zone: &Z) -> NaiveDate {
    let day = at.with_timezone(zone).date_naive();
    day.with_day(1).unwrap_or(day)
}

/// Every week (by its Monday) from the one `from` is in to the one `to` is in.
pub fn weeks_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut weeks = Vec::new();
    let mut week = from.week(Weekday::Mon).first_day();
    while week <= to {
        weeks.push(week);
        week += Duration::weeks(1);
    }
    weeks
}

/// Every month (by its first day) from the one `from` is in to the one `to` is in.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut months = Vec::new();
    let mut month = from.with_day(1).unwrap_or(from);
    while month <= to {
        months.push(month);
        month = month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
            .unwrap()
    }

    #[test]
    fn an_incident_declared_from_an_alert_is_acknowledged_at_its_declaration() {
        let life = Lifecycle::from_record(
            at(2, 9, 50),
            [
                Line::Alert(at(2, 10, 0)),
                Line::ByPerson(at(2, 10, 12)),
                Line::ByPerson(at(2, 10, 20)),
                // Fired after the responders were on it: not how it was detected.
                Line::Alert(at(2, 11, 0)),
            ],
        );
        assert_eq!(life.detected, Some(at(2, 10, 0)));
        assert_eq!(life.mtta(), Some(Duration::minutes(12)));
        assert_eq!(life.mttr(), None);
    }

    #[test]
    fn an_incident_nobody_was_alerted_to_has_no_time_to_acknowledge() {
        let life = Lifecycle::from_record(
            at(2, 9, 0),
            [
                Line::ByPerson(at(2, 9, 30)),
                Line::Alert(at(2, 9, 45)),
                Line::Status(at(2, 11, 0), Status::Resolved),
            ],
        );
        assert_eq!(life.mtta(), None);
        assert_eq!(life.mttr(), Some(Duration::hours(2)));
    }

    #[test]
    fn a_reopened_incident_is_resolved_at_its_last_resolution_and_not_before() {
        let lines = [
            Line::ByPerson(at(2, 9, 0)),
            Line::Status(at(2, 10, 0), Status::Resolved),
            Line::Status(at(2, 12, 0), Status::Investigating),
        ];
        let reopened = Lifecycle::from_record(at(2, 9, 0), lines);
        assert_eq!(reopened.mttr(), None);
        let again = Lifecycle::from_record(
            at(2, 9, 0),
            lines
                .into_iter()
                .chain([Line::Status(at(2, 15, 30), Status::Resolved)]),
        );
        assert_eq!(again.mttr(), Some(Duration::minutes(390)));
    }

    #[test]
    fn an_incident_resolved_on_another_day_counts_every_hour_between() {
        let life = Lifecycle::from_record(
            at(2, 22, 0),
            [
                Line::ByPerson(at(2, 22, 5)),
                Line::Status(at(3, 1, 0), Status::Monitoring),
                Line::Status(at(4, 6, 0), Status::Resolved),
            ],
        );
        assert_eq!(life.mttr(), Some(Duration::hours(32)));
    }

    #[test]
    fn percentiles_are_values_that_occurred() {
        let mut v = vec![40, 10, 30, 20];
        assert_eq!(percentile(&mut v, 50), Some(20));
        assert_eq!(percentile(&mut v, 90), Some(40));
        assert_eq!(percentile(&mut [7], 90), Some(7));
        assert_eq!(percentile(&mut [], 50), None);
        let mut hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&mut hundred, 90), Some(90));
    }

    #[test]
    fn a_late_sunday_evening_in_new_york_is_the_next_week_in_paris() {
        // Sunday 2026-11-29 20:00 in New York is Monday 02:00 in Paris.
        let moment = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        let new_york: Tz = "America/New_York".parse().unwrap();
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(week_of(moment, &new_york), day(2026, 11, 23));
        assert_eq!(week_of(moment, &paris), day(2026, 11, 30));
        // The last evening of November in Los Angeles is December in UTC.
        let evening = Utc.with_ymd_and_hms(2026, 12, 1, 5, 0, 0).unwrap();
        let los_angeles: Tz = "America/Los_Angeles".parse().unwrap();
        assert_eq!(month_of(evening, &los_angeles), day(2026, 11, 1));
        assert_eq!(month_of(evening, &Utc), day(2026, 12, 1));
    }

    #[test]
    fn every_week_and_month_of_a_range_is_listed_even_without_incidents() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let weeks = weeks_between(day(2026, 11, 4), day(2026, 12, 2));
        assert_eq!(weeks.first(), Some(&day(2026, 11, 2)));
        assert_eq!(weeks.last(), Some(&day(2026, 11, 30)));
        assert_eq!(weeks.len(), 5);
        let months = months_between(day(2025, 12, 15), day(2026, 2, 1));
        assert_eq!(
            months,
            vec![day(2025, 12, 1), day(2026, 1, 1), day(2026, 2, 1)]
        );
    }
}
