//! The live feed as pages see it: alerts, grouped by source and service.

use super::Stamp;
use crate::domain::{AlertState, Severity, SourceKind};
use serde::{Deserialize, Serialize};

/// Alerts shown per feed group; the counts cover them all.
pub const GROUP_SHOWN: u64 = 10;

/// One alert as the feed and the incident page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: i64,
    pub source: String,
    pub kind: SourceKind,
    /// '' when neither the payload nor the source names one.
    pub service: String,
    pub title: String,
    pub severity: Option<Severity>,
    pub state: AlertState,
    /// Deliveries of it, the first included.
    pub occurrences: i64,
    pub first_seen: Stamp,
    pub last_seen: Stamp,
    pub incident: Option<i64>,
    pub url: Option<String>,
}

/// The alerts of one source about one service, with counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedGroup {
    pub source_id: i64,
    pub source: String,
    pub kind: SourceKind,
    pub service: String,
    /// Alerts firing now.
    pub firing: u64,
    /// Firing and attached to no incident.
    pub untriaged: u64,
    /// The latest alerts, firing ones first, at most [`GROUP_SHOWN`].
    pub latest: Vec<AlertView>,
}

impl FeedGroup {
    /// Groups are keyed by source and service.
    pub fn key(&self) -> (i64, String) {
        (self.source_id, self.service.clone())
    }

    /// The feed's order: most untriaged alerts first, then most firing, then by name.
    pub fn feed_order(a: &Self, b: &Self) -> std::cmp::Ordering {
        (b.untriaged, b.firing, &a.source, &a.service).cmp(&(
            a.untriaged,
            a.firing,
            &b.source,
            &b.service,
        ))
    }
}

/// The dashboard's feed: groups with firing alerts or alerts seen in the last day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feed {
    /// The live stream's last event when this was read: the page resumes after it.
    pub cursor: i64,
    pub groups: Vec<FeedGroup>,
}
