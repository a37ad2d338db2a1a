//! Incidents as the dashboard, the incident page and the status view show them.

use super::{
    alerts::AlertView,
    customers::CustomerCounts,
    email::{EmailSummary, IssueTeam},
    Stamp,
};
use crate::domain::{EventKind, Severity, Status};
use serde::{Deserialize, Serialize};

/// The dashboard's incidents, and the corrective actions still open (its one read, so
/// the counts cost the main bundle no resource of their own).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentList {
    pub rows: Vec<IncidentSummary>,
    pub actions: super::actions::ActionCounts,
}

/// A row of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub number: i64,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub services: Vec<String>,
    pub started: Stamp,
    pub resolved: Option<Stamp>,
    /// Affected customers, as the status view quotes them.
    pub customers: CustomerCounts,
    /// Where its postmortem stands (None: not started).
    pub postmortem: Option<crate::domain::PostmortemStatus>,
    /// Resolved and its postmortem not published: when that is due.
    pub postmortem_due: Option<super::postmortems::Due>,
}

/// One incident page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub number: i64,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub status: Status,
    pub services: Vec<String>,
    pub started: Stamp,
    pub detected: Stamp,
    pub resolved: Option<Stamp>,
    pub declared_by: String,
    pub leader: Option<String>,
    pub leader_id: Option<i64>,
    /// The affected-customers table's counts, as the email and status view quote them.
    pub customers: CustomerCounts,
    /// The incident channel: the official record.
    pub timeline: Vec<TimelineEntry>,
    /// The postmortem discussion: hypotheses, assumptions, ideas and their challenges.
    pub discussion: Vec<TimelineEntry>,
    /// The latest attached alerts, and how many there are in all.
    pub alerts: Vec<AlertView>,
    pub alert_count: u64,
    /// Engineering, Product Management and Product Marketing.
    pub team: IssueTeam,
    /// The company email thread, oldest first.
    pub thread: Vec<EmailSummary>,
    /// Where its postmortem stands (None: not started).
    pub postmortem: Option<crate::domain::PostmortemStatus>,
    /// Where the discussion's ideas went (a corrective action, "Not now").
    pub promoted: Vec<Promotion>,
    /// The live stream's last event when this was read: the page resumes after it.
    pub cursor: i64,
}

/// A discussion idea that became a corrective action or a "Not now" item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub post: i64,
    /// "Became corrective action: Add an index — @ada — by 2026-12-04".
    pub words: String,
}

/// One line of the official record: "[date time] — @user does a thing", or a post of
/// the postmortem discussion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: EventKind,
    /// None for Stormwatch itself (alerts).
    pub author: Option<String>,
    pub author_id: Option<i64>,
    /// As written: plain text for recorded changes, Markdown for posts.
    pub body: String,
    /// Posts only: the Markdown rendered and sanitised.
    pub html: Option<String>,
    pub at: Stamp,
    /// When its author last edited it (its earlier wordings are kept).
    pub edited: Option<Stamp>,
    /// The post this one answers.
    pub parent: Option<i64>,
    /// What the line is about, where it has a page of its own (the email it sent).
    pub link: Option<String>,
}

impl TimelineEntry {
    /// The line as a postmortem's timeline imports it: "@user does a thing".
    pub fn postmortem_line(&self) -> String {
        let body = self.body.split_whitespace().collect::<Vec<_>>().join(" ");
        match (&self.author, self.kind) {
            (Some(name), EventKind::Message) => format!("@{name}: {body}"),
            (Some(name), _) => format!("@{name} {body}"),
            (None, _) => format!("Stormwatch: {body}"),
        }
    }
}

/// The status view: what is broken now, what was resolved lately, and where the live
/// stream stood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusBoard {
    pub cursor: i64,
    /// Open incidents, by severity then age.
    pub current: Vec<StatusIncident>,
    /// Incidents resolved in the last [`RESOLVED_DAYS`] days, latest first.
    pub resolved: Vec<StatusIncident>,
    /// Corrective actions open and overdue.
    pub actions: super::actions::ActionCounts,
}

/// How far back the status view lists resolved incidents.
pub const RESOLVED_DAYS: i64 = 30;

/// One incident as executives and marketing read it: nothing that needs a responder
/// to explain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusIncident {
    pub incident: IncidentSummary,
    pub leader: Option<String>,
    /// How long it has lasted (or lasted), in words.
    pub duration: String,
    /// The customer impact in words: the latest email's answer, else the summary.
    pub impact: String,
    /// The latest company email about it (not on the dashboard's rows: the dashboard's
    /// bundle need not read them).
    pub latest_email: Option<EmailSummary>,
}
