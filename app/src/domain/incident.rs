use super::{AppError, FieldError};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

pub const MAX_TITLE_LEN: usize = 200;
pub const MAX_SUMMARY_LEN: usize = 10_000;
pub const MAX_SERVICE_NAME_LEN: usize = 64;
pub const MAX_SERVICES: usize = 20;

/// How bad it is. SEV1 is the worst; ordering follows urgency (SEV1 < SEV2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Severity {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "SEV1"))]
    Sev1,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "SEV2"))]
    Sev2,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "SEV3"))]
    Sev3,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "SEV4"))]
    Sev4,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
        }
    }

    /// What the level means, for the form and the badge's title.
    pub fn meaning(self) -> &'static str {
        match self {
            Severity::Sev1 => "Critical: customers cannot use a core service",
            Severity::Sev2 => "Major: a core service is degraded for many customers",
            Severity::Sev3 => "Minor: limited impact or a workaround exists",
            Severity::Sev4 => "Low: no customer impact yet",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown severity \"{s}\": choose SEV1, SEV2, SEV3 or SEV4"))
    }
}

/// Where the response stands. Any status may follow any other (a regression sends
/// "monitoring" back to "investigating"; a resolved incident can be reopened).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Status {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "investigating"))]
    Investigating,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "identified"))]
    Identified,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "monitoring"))]
    Monitoring,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "resolved"))]
    Resolved,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Investigating,
        Status::Identified,
        Status::Monitoring,
        Status::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Investigating => "Investigating",
            Status::Identified => "Identified",
            Status::Monitoring => "Monitoring",
            Status::Resolved => "Resolved",
        }
    }

    pub fn is_open(self) -> bool {
        self != Status::Resolved
    }
}

/// How long something lasted, as a reader says it: "45 min", "2 h 15 min", "3 d 4 h"
/// (under a minute: "under a minute").
pub fn duration_words(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".to_string(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown status \"{s}\": choose investigating, identified, monitoring or resolved")
            })
    }
}

/// An incident title: trimmed, not empty, at most [`MAX_TITLE_LEN`] characters, one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let title = raw.trim();
        if title.is_empty() {
            return Err("Give the incident a title.".into());
        }
        if title.chars().count() > MAX_TITLE_LEN {
            return Err(format!("Keep the title under {MAX_TITLE_LEN} characters."));
        }
        if title.chars().any(char::is_control) {
            return Err("The title must be a single line of text.".into());
        }
        Ok(Self(title.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A service name such as "push-api": trimmed, 1–64 characters, no control characters or commas.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServiceName(String);

impl ServiceName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("A service name cannot be empty.".into());
        }
        if name.chars().count() > MAX_SERVICE_NAME_LEN {
            return Err(format!(
                "\"{name}\" is longer than {MAX_SERVICE_NAME_LEN} characters."
            ));
        }
        if name.chars().any(|c| c.is_control() || c == ',') {
            return Err(format!(
                "\"{name}\" contains a character a service name cannot have."
            ));
        }
        Ok(Self(name.to_string()))
    }

    /// Parses a comma-separated list, dropping duplicates (case-insensitively) and keeping order.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, String> {
        let mut names: Vec<Self> = Vec::new();
        for part in raw.split(',').filter(|p| !p.trim().is_empty()) {
            let name = Self::parse(part)?;
            if !names.iter().any(|n| n.0.eq_ignore_ascii_case(&name.0)) {
                names.push(name);
            }
        }
        match names.len() {
            0 => Err("Name at least one affected service.".into()),
            n if n > MAX_SERVICES => Err(format!("Name at most {MAX_SERVICES} services.")),
            _ => Ok(names),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the "Declare incident" form sends, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDraft {
    pub title: String,
    /// Comma-separated service names.
    pub services: String,
    pub severity: String,
    /// `YYYY-MM-DDTHH:MM` in the viewer's time zone (an `<input type="datetime-local">`);
    /// empty means "now".
    pub started_at: String,
    pub summary: String,
}

/// A declared incident that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewIncident {
    pub title: Title,
    pub services: Vec<ServiceName>,
    pub severity: Severity,
    pub started_at: DateTime<Utc>,
    pub summary: String,
}

impl NewIncident {
    /// Checks every field at once, so the form can show all the problems together.
    /// `to_utc` interprets a wall-clock time in the viewer's time zone.
    pub fn parse(
        draft: &IncidentDraft,
        to_utc: impl Fn(NaiveDateTime) -> Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let title = Title::parse(&draft.title)
            .map_err(|m| errors.push(FieldError::new("title", m)))
            .ok();
        let services = ServiceName::parse_list(&draft.services)
            .map_err(|m| errors.push(FieldError::new("services", m)))
            .ok();
        let severity = draft
            .severity
            .parse::<Severity>()
            .map_err(|m| errors.push(FieldError::new("severity", m)))
            .ok();
        let started_at = parse_started_at(&draft.started_at, to_utc, now)
            .map_err(|m| errors.push(FieldError::new("started_at", m)))
            .ok();
        let summary = draft.summary.trim().to_string();
        if let Err(e) = super::refuse_nul("summary", &summary) {
            errors.push(e);
        } else if summary.chars().count() > MAX_SUMMARY_LEN {
            errors.push(FieldError::new(
                "summary",
                format!("Keep the summary under {MAX_SUMMARY_LEN} characters."),
            ));
        }
        match (title, services, severity, started_at) {
            (Some(title), Some(services), Some(severity), Some(started_at))
                if errors.is_empty() =>
            {
                Ok(Self {
                    title,
                    services,
                    severity,
                    started_at,
                    summary,
                })
            }
            _ => Err(AppError::Validation(errors)),
        }
    }
}

fn parse_started_at(
    raw: &str,
    to_utc: impl Fn(NaiveDateTime) -> Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(now);
    }
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
        .ok_or_else(|| format!("\"{raw}\" is not a date and time like 2026-11-24T09:30."))?;
    let started =
        to_utc(local).ok_or_else(|| format!("{raw} does not exist in your time zone."))?;
    // A minute of grace for clocks that disagree slightly.
    if started > now + chrono::Duration::minutes(1) {
        return Err("The start time is in the future.".into());
    }
    Ok(started)
}

/// The longest search the history takes, in characters.
pub const MAX_SEARCH_LEN: usize = 200;
/// The most words a search matches on (each must be found).
pub const MAX_SEARCH_WORDS: usize = 12;

/// A search's words: runs of letters and digits, lower-cased, each one to be found
/// (none: no search). Both databases' indexes split text the same way, so a word finds
/// the same incidents on either.
pub fn search_words(raw: &str) -> Result<Vec<String>, String> {
    if raw.chars().count() > MAX_SEARCH_LEN {
        return Err(format!("Search for at most {MAX_SEARCH_LEN} characters."));
    }
    let mut words: Vec<String> = Vec::new();
    for word in raw
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if words.len() > MAX_SEARCH_WORDS {
        return Err(format!("Search for at most {MAX_SEARCH_WORDS} words."));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_search_is_its_words_lower_cased_once_each() {
        assert_eq!(
            search_words("  Pool-exhausted, pool; DB\u{0000}\"quoted\"*").unwrap(),
            ["pool", "exhausted", "db", "quoted"]
        );
        assert!(search_words("").unwrap().is_empty());
        assert_eq!(search_words(&"a ".repeat(13)).unwrap().len(), 1);
        let thirteen: String = (0..13).map(|i| format!("w{i} ")).collect();
        assert!(search_words(&thirteen).is_err());
        assert!(search_words(&"x".repeat(201)).is_err());
    }

    use super::*;

    #[test]
    fn a_duration_reads_in_minutes_hours_and_days() {
        assert_eq!(duration_words(20), "under a minute");
        assert_eq!(duration_words(45 * 60 + 30), "45 min");
        assert_eq!(duration_words(2 * 3600), "2 h");
        assert_eq!(duration_words(2 * 3600 + 15 * 60), "2 h 15 min");
        assert_eq!(duration_words(3 * 86400 + 4 * 3600 + 59 * 60), "3 d 4 h");
        assert_eq!(duration_words(86400 + 30), "1 d");
    }
    use chrono::TimeZone;

    fn utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        Some(Utc.from_utc_datetime(&naive))
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
    }

    fn draft() -> IncidentDraft {
        IncidentDraft {
            title: "  Push campaigns failing ".into(),
            services: "push-api, Push-API ,scheduler".into(),
            severity: "sev2".into(),
            started_at: "2026-11-24T11:30".into(),
            summary: "Sends time out.".into(),
        }
    }

    #[test]
    fn a_complete_draft_becomes_an_incident() {
        let incident = NewIncident::parse(&draft(), utc, now()).unwrap();
        assert_eq!(incident.title.as_str(), "Push campaigns failing");
        assert_eq!(
            incident
                .services
                .iter()
                .map(ServiceName::as_str)
                .collect::<Vec<_>>(),
            ["push-api", "scheduler"]
        );
        assert_eq!(incident.severity, Severity::Sev2);
        assert_eq!(
            incident.started_at,
            Utc.with_ymd_and_hms(2026, 11, 24, 11, 30, 0).unwrap()
        );
    }

    #[test]
    fn an_empty_title_is_rejected() {
        let err = NewIncident::parse(
            &IncidentDraft {
                title: "   ".into(),
                ..draft()
            },
            utc,
            now(),
        )
        .unwrap_err();
        assert_eq!(
            err.field("title").as_deref(),
            Some("Give the incident a title.")
        );
    }

    #[test]
    fn an_unknown_severity_is_rejected() {
        let err = NewIncident::parse(
            &IncidentDraft {
                severity: "SEV0".into(),
                ..draft()
            },
            utc,
            now(),
        )
        .unwrap_err();
        assert!(err.field("severity").unwrap().contains("unknown severity"));
    }

    #[test]
    fn a_start_time_in_the_future_is_rejected() {
        let draft = IncidentDraft {
            started_at: "2026-11-24T12:30".into(),
            ..draft()
        };
        let err = NewIncident::parse(&draft, utc, now()).unwrap_err();
        assert_eq!(
            err.field("started_at").as_deref(),
            Some("The start time is in the future.")
        );
    }

    #[test]
    fn an_empty_start_time_means_now() {
        let draft = IncidentDraft {
            started_at: "".into(),
            ..draft()
        };
        assert_eq!(
            NewIncident::parse(&draft, utc, now()).unwrap().started_at,
            now()
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let draft = IncidentDraft {
            title: "".into(),
            services: " , ".into(),
            severity: "".into(),
            ..draft()
        };
        let AppError::Validation(errors) = NewIncident::parse(&draft, utc, now()).unwrap_err()
        else {
            panic!("expected a validation error")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "services", "severity"]);
    }

    #[test]
    fn a_multi_line_title_is_rejected() {
        assert!(Title::parse("one\ntwo").is_err());
        assert!(Title::parse(&"x".repeat(MAX_TITLE_LEN + 1)).is_err());
        assert!(Title::parse(&"é".repeat(MAX_TITLE_LEN)).is_ok());
    }

    #[test]
    fn severities_sort_by_urgency() {
        let mut all = vec![
            Severity::Sev3,
            Severity::Sev1,
            Severity::Sev4,
            Severity::Sev2,
        ];
        all.sort();
        assert_eq!(all, Severity::ALL);
    }

    #[test]
    fn only_resolved_is_closed() {
        assert!(Status::ALL
            .iter()
            .filter(|s| !s.is_open())
            .eq([&Status::Resolved]));
        assert_eq!("Monitoring".parse::<Status>(), Ok(Status::Monitoring));
    }
}
