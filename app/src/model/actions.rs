//! Corrective actions as the postmortem page, the tracker (`/actions`), the dashboard
//! and the status view show them.

use super::{Person, Stamp};
use crate::domain::{ActionDue, ActionStatus, Trace};
use serde::{Deserialize, Serialize};

/// The tracker's address; `/actions.csv` (same filters) is its export.
pub const TRACKER_PATH: &str = "/actions";

/// One corrective action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: i64,
    pub incident: i64,
    pub incident_title: String,
    pub title: String,
    pub assignee: Person,
    /// The expected date, YYYY-MM-DD.
    pub due: String,
    /// How it stands against the date today (open actions only).
    pub standing: Option<ActionDue>,
    /// A [`crate::domain::Trace`] key; None: it answers nothing.
    pub answers: Option<String>,
    pub ticket: Option<String>,
    pub status: ActionStatus,
    /// Done: by whom and when.
    pub done: Option<(String, Stamp)>,
    /// Won't do: why.
    pub reason: Option<String>,
    /// The discussion idea it was promoted from.
    pub from_post: Option<i64>,
    /// Bumped by every change; a change names the version it was made to.
    pub version: i32,
    /// Whether the reader may change it (a responder; an assignee their own from the
    /// tracker).
    pub can_change: bool,
}

impl ActionView {
    /// What it answers, if anything.
    pub fn trace(&self) -> Option<Trace> {
        Trace::stored(self.answers.as_deref())
    }
}

/// What adding an item made: an action, or (not top priority) a "Not now" item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Added {
    Action(i64),
    NotNow(i64),
}

/// One line of an action's history: "@rosa reassigned it from @ada to @lin".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionChange {
    pub at: Stamp,
    pub by: String,
    pub body: String,
}

/// An item that was not top priority leaving the meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotNowItem {
    pub id: i64,
    pub title: String,
    pub by: String,
    pub at: Stamp,
    pub from_post: Option<i64>,
}

/// A postmortem's Corrective Actions section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostmortemActions {
    pub actions: Vec<ActionView>,
    pub not_now: Vec<NotNowItem>,
}

/// Open and overdue actions, for the dashboard and the status view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionCounts {
    pub open: u64,
    pub overdue: u64,
}

/// What the tracker is narrowed to; every field empty: every open action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerFilter {
    /// A user's id, or "me".
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub service: String,
    /// An incident number.
    #[serde(default)]
    pub incident: String,
    /// An [`ActionStatus`] key, "all", or empty for open and in progress.
    #[serde(default)]
    pub status: String,
}

impl TrackerFilter {
    /// The filter as the tracker's query string (and the CSV link) writes it.
    pub fn query(&self) -> String {
        super::query_string(&[
            ("assignee", &self.assignee),
            ("service", &self.service),
            ("incident", &self.incident),
            ("status", &self.status),
        ])
    }
}

/// `/actions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerPage {
    /// The first [`TrackerPage::LIMIT`] that match: overdue first, then by date.
    pub rows: Vec<ActionView>,
    /// How many match in all.
    pub total: u64,
    pub counts: ActionCounts,
    pub me: i64,
    pub people: Vec<Person>,
    pub services: Vec<String>,
    /// The live stream's last event when this was read.
    pub cursor: i64,
}

impl TrackerPage {
    pub const LIMIT: u64 = 500;
}
