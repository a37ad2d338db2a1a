//! The postmortem page's data, its live messages and the business calendar, as they
//! cross the wire.

use super::{incidents::TimelineEntry, Person, Stamp};
use crate::domain::{postmortem::document::Contents, PostmortemStatus, Status, Urgency};
use serde::{Deserialize, Serialize};

/// When a postmortem is due and how that stands now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub at: Stamp,
    /// "Due in 5 h", "Overdue by 2 h".
    pub words: String,
    pub urgency: Urgency,
}

/// `/incidents/{n}/postmortem`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostmortemPage {
    pub number: i64,
    pub title: String,
    pub incident_status: Status,
    pub resolved: Option<Stamp>,
    pub leader: Option<Person>,
    /// None until someone starts it.
    pub postmortem: Option<PostmortemInfo>,
    /// 24 business hours after the resolution (None while the incident is open).
    pub due: Option<Due>,
    /// Whether the reader may write (a responder, and the postmortem not published).
    pub can_edit: bool,
    /// Whether the reader may start it, change its participants, leader and status.
    pub can_respond: bool,
    /// The live stream's last event when this was read.
    pub cursor: i64,
    /// Everyone who can be picked, for responders.
    pub people: Vec<Person>,
    /// The incident's record, for "Import from the channel".
    pub record: Vec<TimelineEntry>,
    /// Hypotheses and ideas of the postmortem discussion, to pull in as factors.
    pub ideas: Vec<TimelineEntry>,
    /// A start for "Customer Impact": the affected counts and the email's impact.
    pub impact_start: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostmortemInfo {
    pub status: PostmortemStatus,
    pub started: Stamp,
    pub started_by: String,
    pub participants: Vec<Person>,
    /// Who posted in the channel and is not a participant yet.
    pub suggested: Vec<Person>,
    pub meeting: Option<Stamp>,
    pub published: Option<Stamp>,
    /// The shared document, as one update (yrs v1, base64): what a copy starts from.
    pub state: String,
    /// The same document as plain data: what the page shows until it needs a copy.
    pub contents: Contents,
    /// Blameless hints open in the document as the server counts them.
    pub open_hints: usize,
}

/// Who else is on a postmortem page, and in which section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub incident: i64,
    /// The page's copy of the document (its writer id), so one person in two tabs
    /// shows twice.
    pub client: u64,
    pub user: i64,
    pub name: String,
    /// A [`crate::domain::Section`] key; None when the page was closed.
    pub section: Option<String>,
}

/// The organisation's zone, business days and holidays (admin settings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSettings {
    pub zone: String,
    /// "Mon, Tue, …".
    pub weekdays: String,
    /// One date per line.
    pub holidays: String,
}
