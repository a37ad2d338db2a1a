//! The incident history (`/incidents`): every incident, newest first, narrowed by
//! filters and a full-text search, a page at a time.

use super::incidents::IncidentSummary;
use serde::{Deserialize, Serialize};

pub const HISTORY_PATH: &str = "/incidents";

/// What the history is narrowed to (as the address carries it); all empty: everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFilter {
    /// Words to find in titles, summaries, channel messages and postmortems.
    #[serde(default)]
    pub q: String,
    /// A severity ("SEV1"…).
    #[serde(default)]
    pub severity: String,
    /// A status key.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub service: String,
    /// Started on or after this day (YYYY-MM-DD, the viewer's zone).
    #[serde(default)]
    pub from: String,
    /// Started on or before this day.
    #[serde(default)]
    pub to: String,
    /// "1": only incidents with open corrective actions.
    #[serde(default)]
    pub open_actions: String,
    /// The page, from 1.
    #[serde(default)]
    pub page: String,
}

impl HistoryFilter {
    pub fn query(&self) -> String {
        super::query_string(&[
            ("q", &self.q),
            ("severity", &self.severity),
            ("status", &self.status),
            ("service", &self.service),
            ("from", &self.from),
            ("to", &self.to),
            ("open_actions", &self.open_actions),
            ("page", &self.page),
        ])
    }

    /// The same selection at another page.
    pub fn at_page(&self, page: u64) -> Self {
        Self {
            page: if page <= 1 {
                String::new()
            } else {
                page.to_string()
            },
            ..self.clone()
        }
    }
}

/// One page of the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub rows: Vec<IncidentSummary>,
    /// How many match in all.
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    /// Every service, for the filter.
    pub services: Vec<String>,
}

impl HistoryPage {
    pub const PER_PAGE: u64 = 50;
}
