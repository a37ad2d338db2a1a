//! What the live stream (`GET /live`, server-sent events) tells every open page.

use super::alerts::FeedGroup;
use serde::{Deserialize, Serialize};

/// The live stream's address; `?after=<id>` resumes after an event (so does the
/// `Last-Event-ID` header the browser sends when it reconnects).
pub const LIVE_PATH: &str = "/live";

/// One committed change, as one event of the stream. Its id orders it among all others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveBatch {
    pub id: i64,
    pub changes: Vec<LiveChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveChange {
    /// A feed group as it now stands: replaces the page's copy.
    Feed(FeedGroup),
    /// Something about incident N changed: its fields, timeline, discussion, customers
    /// or alerts. Pages showing it fetch it again.
    Incident(i64),
    /// An update of incident N's postmortem document (yrs v1, base64). Sent only to
    /// the pages editing it (`/live?postmortem=N`).
    Postmortem { incident: i64, update: String },
    /// Someone's place on incident N's postmortem page; sent as `Postmortem` is.
    Presence(super::postmortems::Presence),
}

impl LiveChange {
    /// The incident whose postmortem page alone needs this change, if so.
    pub fn postmortem_only(&self) -> Option<i64> {
        match self {
            LiveChange::Postmortem { incident, .. } => Some(*incident),
            LiveChange::Presence(p) => Some(p.incident),
            _ => None,
        }
    }
}
