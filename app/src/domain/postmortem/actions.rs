//! Corrective actions: the seed's "a list of TODOs with engineer names and expected
//! dates", each a row that cannot exist without its assignee and its date, traced to
//! the contributing factor or the "why" it answers, and tracked until it is done. What
//! the preamble's third statement keeps out of the list goes to "Not now".

use super::{
    calendar::{BusinessDays, Urgency},
    document::Chain,
};
use crate::domain::{AppError, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const MAX_ACTION_LEN: usize = 300;
pub const MAX_TICKET_LEN: usize = 2_000;
pub const MAX_REASON_LEN: usize = 1_000;
/// The most actions and "not now" items one postmortem holds.
pub const MAX_ACTIONS: usize = 200;
/// A reminder lists the actions due within this many business days, and overdue ones.
pub const REMIND_WITHIN: u32 = 2;

/// Where a corrective action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum ActionStatus {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "open"))]
    Open,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "in_progress"))]
    InProgress,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "done"))]
    Done,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "wont_do"))]
    WontDo,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::WontDo,
    ];
    /// The statuses of an action still to be done: what the tracker and reminders list.
    pub const OPEN: [ActionStatus; 2] = [ActionStatus::Open, ActionStatus::InProgress];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont_do",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "Open",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
            ActionStatus::WontDo => "Won't do",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "An action is open, in progress, done or won't do.",
                )
            })
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// The move from `self` to `to`, as the action's history words it, or why it cannot
    /// be made. Open and in progress move freely between each other and to done or
    /// won't do (which needs a reason); a done or dropped action is reopened first.
    pub fn move_to(self, to: ActionStatus, reason: &str) -> Result<String, AppError> {
        use ActionStatus::*;
        let reason = reason.trim();
        crate::domain::refuse_nul("reason", reason).map_err(|e| AppError::Validation(vec![e]))?;
        if self == to {
            return Err(AppError::Conflict(format!(
                "The action is already {}.",
                to.label().to_lowercase()
            )));
        }
        match (self, to) {
            (Open | InProgress, WontDo) if reason.is_empty() => Err(AppError::invalid(
                "reason",
                "Say why it won't be done: the postmortem keeps the reason.",
            )),
            (Open | InProgress, WontDo) if reason.chars().count() > MAX_REASON_LEN => {
                Err(AppError::invalid(
                    "reason",
                    format!("Keep the reason under {MAX_REASON_LEN} characters."),
                ))
            }
            (Open | InProgress, WontDo) => Ok(format!("won't do it: {reason}")),
            (Open, InProgress) => Ok("started it".into()),
            (InProgress, Open) => Ok("put it back to open".into()),
            (Open | InProgress, Done) => Ok("marked it done".into()),
            (Done | WontDo, Open) => Ok("reopened it".into()),
            (from, to) => Err(AppError::invalid(
                "status",
                format!(
                    "An action that is {} cannot become {}: reopen it first.",
                    from.label().to_lowercase(),
                    to.label().to_lowercase()
                ),
            )),
        }
    }
}

/// What an action answers: a chain of whys (its problem statement), one "why" of it,
/// or the other contributing factors written as text. Kept as a key ("chain:<id>",
/// "why:<id>:<level>", "factors").
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Trace {
    Chain(String),
    Why { chain: String, level: usize },
    Factors,
}

impl Trace {
    pub fn key(&self) -> String {
        match self {
            Trace::Chain(id) => format!("chain:{id}"),
            Trace::Why { chain, level } => format!("why:{chain}:{level}"),
            Trace::Factors => "factors".into(),
        }
    }

    /// A key as [`Trace::key`] writes it; empty is None (the action answers nothing).
    pub fn parse(raw: &str) -> Result<Option<Self>, AppError> {
        let raw = raw.trim();
        let bad = || AppError::invalid("answers", "Pick a contributing factor or a why.");
        let id_ok = |id: &str| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if raw.is_empty() {
            return Ok(None);
        }
        if raw == "factors" {
            return Ok(Some(Trace::Factors));
        }
        if let Some(id) = raw.strip_prefix("chain:") {
            return id_ok(id)
                .then(|| Some(Trace::Chain(id.to_string())))
                .ok_or_else(bad);
        }
        if let Some(rest) = raw.strip_prefix("why:") {
            let (id, level) = rest.rsplit_once(':').ok_or_else(bad)?;
            let level: usize = level.parse().map_err(|_| bad())?;
            return (id_ok(id) && (1..=super::MAX_WHYS).contains(&level))
                .then(|| {
                    Some(Trace::Why {
                        chain: id.to_string(),
                        level,
                    })
                })
                .ok_or_else(bad);
        }
        Err(bad())
    }

    /// A stored key read back (a key the domain no longer knows reads as none).
    pub fn stored(key: Option<&str>) -> Option<Self> {
        key.and_then(|k| Self::parse(k).ok().flatten())
    }

    /// Whether this is the chain `id` or one of its whys.
    pub fn in_chain(&self, id: &str) -> bool {
        match self {
            Trace::Chain(c) | Trace::Why { chain: c, .. } => c == id,
            Trace::Factors => false,
        }
    }

    /// Whether what it names is still in the document.
    pub fn exists_in(&self, chains: &[Chain]) -> bool {
        match self {
            Trace::Factors => true,
            Trace::Chain(id) => chains.iter().any(|c| &c.id == id),
            Trace::Why { chain, level } => chains
                .iter()
                .any(|c| &c.id == chain && *level <= c.whys.len()),
        }
    }

    /// How it reads: "The database went down. › Why 2", "Other contributing factors".
    pub fn label(&self, chains: &[Chain]) -> String {
        let problem = |id: &str| {
            chains
                .iter()
                .find(|c| c.id == id)
                .map(|c| short(&c.problem))
                .unwrap_or_else(|| "a removed chain".into())
        };
        match self {
            Trace::Factors => "Other contributing factors".into(),
            Trace::Chain(id) => problem(id),
            Trace::Why { chain, level } => format!("{} › Why {level}", problem(chain)),
        }
    }
}

fn short(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(60) {
        None if joined.is_empty() => "…".into(),
        None => joined,
        Some((cut, _)) => format!("{}…", &joined[..cut]),
    }
}

/// What the form (or a caller by hand, or an import) sends to add an action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDraft {
    pub title: String,
    /// A user's id; empty when nobody was picked.
    pub assignee: String,
    /// YYYY-MM-DD; empty when no date was given.
    pub due: String,
    /// A [`Trace`] key, or empty.
    pub answers: String,
    pub ticket: String,
    /// The preamble's question: is it top priority leaving the meeting? An item that is
    /// not goes to "Not now", not to the actions.
    pub top_priority: bool,
}

/// An action that may be written: every rule checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAction {
    pub title: String,
    pub assignee: i64,
    pub due: NaiveDate,
    pub answers: Option<Trace>,
    pub ticket: Option<String>,
}

/// Where a checked draft goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    Action(NewAction),
    /// Not top priority leaving the meeting: kept as an item of "Not now".
    NotNow(String),
}

/// The title of an action or of a "not now" item.
pub fn action_title(raw: &str) -> Result<String, FieldError> {
    let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(FieldError::new("title", "Say what will be done."));
    }
    crate::domain::refuse_nul("title", &title)?;
    if title.chars().count() > MAX_ACTION_LEN {
        return Err(FieldError::new(
            "title",
            format!("Keep it under {MAX_ACTION_LEN} characters: the detail goes in the ticket."),
        ));
    }
    Ok(title)
}

/// The preamble's question, answered: "yes" (top priority leaving the meeting) or "no".
pub fn priority_answer(raw: &str) -> Result<bool, FieldError> {
    match raw.trim() {
        "yes" | "true" | "on" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(FieldError::new(
            "top_priority",
            "Is it top priority leaving the meeting? If not, it goes to Not now.",
        )),
    }
}

/// The assignee field: a user's id. Empty is the error every way in gives.
pub fn action_assignee(raw: &str) -> Result<i64, FieldError> {
    match raw.trim() {
        "" => Err(FieldError::new(
            "assignee",
            "An action needs an assignee: pick who will do it.",
        )),
        id => id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| FieldError::new("assignee", "Pick someone who uses Stormwatch.")),
    }
}

/// The expected date: YYYY-MM-DD, not before the day the incident started.
pub fn action_due(raw: &str, incident_day: NaiveDate) -> Result<NaiveDate, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(
            "due",
            "An action needs an expected date: when will it be done?",
        ));
    }
    let due = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| FieldError::new("due", format!("\"{raw}\" is not a date like 2026-12-04.")))?;
    if due < incident_day {
        return Err(FieldError::new(
            "due",
            format!("The expected date is before the incident ({incident_day})."),
        ));
    }
    Ok(due)
}

/// A ticket link: empty, or an http(s) address.
pub fn action_ticket(raw: &str) -> Result<Option<String>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
        && raw.len() <= MAX_TICKET_LEN
        && !raw.chars().any(char::is_whitespace);
    ok.then(|| Some(raw.to_string())).ok_or_else(|| {
        FieldError::new(
            "ticket",
            "Give the ticket's address, like https://tracker.example.com/OPS-12.",
        )
    })
}

impl ActionDraft {
    /// Checks every field at once (the form shows each error by its field). An item
    /// that is not top priority needs only its title.
    pub fn check(&self, incident_day: NaiveDate) -> Result<Checked, AppError> {
        let title = action_title(&self.title);
        if !self.top_priority {
            return title
                .map(Checked::NotNow)
                .map_err(|e| AppError::Validation(vec![e]));
        }
        let assignee = action_assignee(&self.assignee);
        let due = action_due(&self.due, incident_day);
        let answers = Trace::parse(&self.answers);
        let ticket = action_ticket(&self.ticket);
        match (title, assignee, due, answers, ticket) {
            (Ok(title), Ok(assignee), Ok(due), Ok(answers), Ok(ticket)) => {
                Ok(Checked::Action(NewAction {
                    title,
                    assignee,
                    due,
                    answers,
                    ticket,
                }))
            }
            (title, assignee, due, answers, ticket) => {
                let mut errors = Vec::new();
                errors.extend(title.err());
                errors.extend(assignee.err());
                errors.extend(due.err());
                if let Err(AppError::Validation(e)) = answers {
                    errors.extend(e);
                }
                errors.extend(ticket.err());
                Err(AppError::Validation(errors))
            }
        }
    }
}

/// How an open action stands against its date, in the organisation's business days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDue {
    pub urgency: Urgency,
    /// "Due today", "Due in 2 business days", "Overdue by 1 business day".
    pub words: String,
}

fn plural(n: u32, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

impl BusinessDays {
    /// The business days after `from`, up to and including `to`.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .take(3_660)
            .filter(|d| self.is_business_day(*d))
            .count() as u32
    }

    /// The last day that is at most `n` business days after `today`: a reminder lists
    /// the open actions due up to then.
    pub fn horizon(&self, today: NaiveDate, n: u32) -> NaiveDate {
        let mut seen = 0;
        let mut last = today;
        for day in today.iter_days().skip(1).take(3_660) {
            if self.is_business_day(day) {
                seen += 1;
                if seen > n {
                    break;
                }
            }
            last = day;
        }
        last
    }

    /// An action due on `due`, seen on `today`: overdue once its day has passed, due
    /// soon within [`REMIND_WITHIN`] business days.
    pub fn action_due(&self, due: NaiveDate, today: NaiveDate) -> ActionDue {
        if due < today {
            let late = self.between(due, today);
            return ActionDue {
                urgency: Urgency::Overdue,
                words: if late == 0 {
                    format!("Overdue since {due}")
                } else {
                    format!("Overdue by {}", plural(late, "business day"))
                },
            };
        }
        let left = self.between(today, due);
        ActionDue {
            urgency: if left <= REMIND_WITHIN {
                Urgency::DueSoon
            } else {
                Urgency::OnTime
            },
            words: match left {
                _ if due == today => "Due today".into(),
                0 => format!("Due {due}"),
                n => format!("Due in {}", plural(n, "business day")),
            },
        }
    }
}

/// Which actions answer no factor that is still in the document ("untraced"), and which
/// chains of whys no action answers: marked on the page, listed when the postmortem
/// moves to review.
pub fn traceability<'a>(
    chains: &'a [Chain],
    actions: &[(i64, Option<Trace>)],
) -> (Vec<i64>, Vec<&'a Chain>) {
    let untraced = actions
        .iter()
        .filter(|(_, t)| !t.as_ref().is_some_and(|t| t.exists_in(chains)))
        .map(|(id, _)| *id)
        .collect();
    let bare = chains
        .iter()
        .filter(|c| {
            !actions
                .iter()
                .any(|(_, t)| t.as_ref().is_some_and(|t| t.in_chain(&c.id)))
        })
        .collect();
    (untraced, bare)
}

/// An action as the Markdown export and the reminder write it:
/// "Add an index — @ada — by 2026-12-04".
pub fn action_line(
    title: &str,
    assignee: &str,
    due: NaiveDate,
    status: ActionStatus,
    reason: Option<&str>,
) -> String {
    let mut line = format!("{title} — @{assignee} — by {due}");
    match status {
        ActionStatus::Open => {}
        ActionStatus::InProgress => line.push_str(" (in progress)"),
        ActionStatus::Done => line.push_str(" (done)"),
        ActionStatus::WontDo => {
            line.push_str(&format!(" (won't do: {})", reason.unwrap_or("").trim()))
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn draft(assignee: &str, due: &str) -> ActionDraft {
        ActionDraft {
            title: "Add an index on orgs.plan".into(),
            assignee: assignee.into(),
            due: due.into(),
            top_priority: true,
            ..Default::default()
        }
    }

    const INCIDENT: (i32, u32, u32) = (2026, 11, 30);

    fn incident_day() -> NaiveDate {
        day(INCIDENT.0, INCIDENT.1, INCIDENT.2)
    }

    #[test]
    fn an_action_without_an_assignee_is_rejected() {
        let err = draft("", "2026-12-04").check(incident_day()).unwrap_err();
        assert!(err.field("assignee").unwrap().contains("needs an assignee"));
        assert!(err.field("due").is_none());
    }

    #[test]
    fn an_action_without_a_date_is_rejected() {
        let err = draft("3", "").check(incident_day()).unwrap_err();
        assert!(err.field("due").unwrap().contains("expected date"));
        let err = draft("3", "next week").check(incident_day()).unwrap_err();
        assert!(err.field("due").unwrap().contains("next week"));
        // Both missing: both named at once.
        let err = draft("", "").check(incident_day()).unwrap_err();
        assert!(err.field("assignee").is_some() && err.field("due").is_some());
    }

    #[test]
    fn a_date_before_the_incident_is_rejected() {
        let err = draft("3", "2026-11-29").check(incident_day()).unwrap_err();
        assert!(err.field("due").unwrap().contains("before the incident"));
        assert!(matches!(
            draft("3", "2026-11-30").check(incident_day()),
            Ok(Checked::Action(NewAction { assignee: 3, .. }))
        ));
    }

    #[test]
    fn an_item_that_is_not_top_priority_goes_to_not_now_without_owner_or_date() {
        let mut d = draft("", "");
        d.top_priority = false;
        assert_eq!(
            d.check(incident_day()).unwrap(),
            Checked::NotNow("Add an index on orgs.plan".into())
        );
        d.title = "  ".into();
        assert!(d
            .check(incident_day())
            .unwrap_err()
            .field("title")
            .is_some());
    }

    #[test]
    fn a_ticket_is_a_web_address_and_a_trace_a_known_key() {
        let mut d = draft("3", "2026-12-04");
        d.ticket = "OPS-12".into();
        d.answers = "why:abc:2".into();
        let err = d.check(incident_day()).unwrap_err();
        assert!(err.field("ticket").is_some());
        d.ticket = "https://tracker.example.com/OPS-12".into();
        let Checked::Action(a) = d.check(incident_day()).unwrap() else {
            panic!("an action")
        };
        assert_eq!(
            a.answers,
            Some(Trace::Why {
                chain: "abc".into(),
                level: 2
            })
        );
        for key in ["chain:abc", "why:abc:3", "factors"] {
            assert_eq!(Trace::parse(key).unwrap().unwrap().key(), key);
        }
        for bad in ["chain:", "why:abc:0", "why:abc", "preamble", "chain:a b"] {
            assert!(Trace::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_moves_and_what_each_needs() {
        use ActionStatus::*;
        assert_eq!(Open.move_to(InProgress, "").unwrap(), "started it");
        assert!(InProgress.move_to(Done, "").is_ok());
        assert!(Open.move_to(Done, "").is_ok());
        assert!(Open
            .move_to(WontDo, " ")
            .unwrap_err()
            .field("reason")
            .is_some());
        assert_eq!(
            Open.move_to(WontDo, "Replaced by OPS-9").unwrap(),
            "won't do it: Replaced by OPS-9"
        );
        assert!(Done
            .move_to(WontDo, "x")
            .unwrap_err()
            .field("status")
            .is_some());
        assert!(Done.move_to(Open, "").is_ok() && WontDo.move_to(Open, "").is_ok());
        assert!(matches!(Done.move_to(Done, ""), Err(AppError::Conflict(_))));
        assert!(Open.is_open() && InProgress.is_open() && !Done.is_open() && !WontDo.is_open());
    }

    #[test]
    fn overdue_and_due_soon_count_business_days() {
        let days = BusinessDays::default();
        // Friday 4 December 2026; the weekend does not count.
        let friday = day(2026, 12, 4);
        let monday = day(2026, 12, 7);
        let tuesday = day(2026, 12, 8);
        let wednesday = day(2026, 12, 9);
        assert_eq!(days.action_due(friday, friday).words, "Due today");
        assert_eq!(days.action_due(tuesday, friday).urgency, Urgency::DueSoon);
        assert_eq!(
            days.action_due(tuesday, friday).words,
            "Due in 2 business days"
        );
        assert_eq!(days.action_due(wednesday, friday).urgency, Urgency::OnTime);
        let late = days.action_due(friday, tuesday);
        assert_eq!(late.urgency, Urgency::Overdue);
        assert_eq!(late.words, "Overdue by 2 business days");
        assert_eq!(
            days.action_due(friday, day(2026, 12, 5)).words,
            "Overdue since 2026-12-04"
        );
        // A reminder on Friday covers up to Tuesday; a holiday Monday stretches it.
        assert_eq!(days.horizon(friday, REMIND_WITHIN), tuesday);
        let holiday = BusinessDays::parse("Mon,Tue,Wed,Thu,Fri", "2026-12-07").unwrap();
        assert_eq!(holiday.horizon(friday, REMIND_WITHIN), wednesday);
        assert_eq!(holiday.between(friday, monday), 0);
    }

    #[test]
    fn traceability_names_untraced_actions_and_bare_factors() {
        let chains = vec![
            Chain {
                id: "db".into(),
                problem: "The database went down.".into(),
                whys: vec!["a scan".into(), "no index".into()],
            },
            Chain {
                id: "dns".into(),
                problem: "DNS was slow.".into(),
                whys: vec![],
            },
        ];
        let actions = vec![
            (
                1,
                Some(Trace::Why {
                    chain: "db".into(),
                    level: 2,
                }),
            ),
            (2, None),
            (3, Some(Trace::Chain("gone".into()))),
            (4, Some(Trace::Factors)),
        ];
        let (untraced, bare) = traceability(&chains, &actions);
        assert_eq!(untraced, vec![2, 3]);
        assert_eq!(
            bare.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["dns"]
        );
        assert_eq!(
            Trace::Why {
                chain: "db".into(),
                level: 2
            }
            .label(&chains),
            "The database went down. › Why 2"
        );
    }

    #[test]
    fn the_export_line_names_the_assignee_and_the_date() {
        assert_eq!(
            action_line(
                "Add an index",
                "ada",
                day(2026, 12, 4),
                ActionStatus::Open,
                None
            ),
            "Add an index — @ada — by 2026-12-04"
        );
        assert!(action_line(
            "x",
            "ada",
            day(2026, 12, 4),
            ActionStatus::WontDo,
            Some("dup")
        )
        .ends_with("(won't do: dup)"));
    }
}
