//! Insights (`/insights`): pictures of how incidents go — how many, how fast they are
//! acknowledged and resolved, whether postmortems come on time and corrective actions
//! get done. Each chart is drawn on the server (SVG) and carries the table it was drawn
//! from, which `/insights.csv?chart=…` downloads.

use serde::{Deserialize, Serialize};

pub const INSIGHTS_PATH: &str = "/insights";
/// The CSV of one chart's table: the page's filters plus `chart=<key>`.
pub const INSIGHTS_CSV_PATH: &str = "/insights.csv";

/// What the insights cover (as the address carries it); empty: the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightsFilter {
    /// How many months back, this one included: 3, 6, 12 (the default) or 24.
    #[serde(default)]
    pub months: String,
    #[serde(default)]
    pub service: String,
    /// A severity ("SEV1"…).
    #[serde(default)]
    pub severity: String,
}

impl InsightsFilter {
    /// The periods a reader can pick.
    pub const MONTHS: [u32; 4] = [3, 6, 12, 24];
    pub const DEFAULT_MONTHS: u32 = 12;

    pub fn query(&self) -> String {
        super::query_string(&[
            ("months", &self.months),
            ("service", &self.service),
            ("severity", &self.severity),
        ])
    }

    /// Where one chart's table downloads as CSV.
    pub fn csv_href(&self, chart: ChartKind) -> String {
        let query = self.query();
        let and = if query.is_empty() { "" } else { "&" };
        format!("{INSIGHTS_CSV_PATH}?{query}{and}chart={}", chart.key())
    }
}

/// The charts, in the order the page shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartKind {
    IncidentsPerWeek,
    MttaPerMonth,
    MttrPerMonth,
    BySeverity,
    ByService,
    PostmortemsOnTime,
    Actions,
}

impl ChartKind {
    pub const ALL: [ChartKind; 7] = [
        ChartKind::IncidentsPerWeek,
        ChartKind::MttaPerMonth,
        ChartKind::MttrPerMonth,
        ChartKind::BySeverity,
        ChartKind::ByService,
        ChartKind::PostmortemsOnTime,
        ChartKind::Actions,
    ];

    /// Its name in addresses, element ids and file names.
    pub fn key(self) -> &'static str {
        match self {
            ChartKind::IncidentsPerWeek => "incidents-per-week",
            ChartKind::MttaPerMonth => "mtta-per-month",
            ChartKind::MttrPerMonth => "mttr-per-month",
            ChartKind::BySeverity => "by-severity",
            ChartKind::ByService => "by-service",
            ChartKind::PostmortemsOnTime => "postmortems-on-time",
            ChartKind::Actions => "corrective-actions",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key.trim())
    }
}

/// The insights for a period, in the viewer's time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    /// "2025-12-01 to 2026-12-03, weeks and months in Europe/Paris".
    pub period: String,
    /// Incidents that started in the period (and match the filters).
    pub incidents: u64,
    pub charts: Vec<Chart>,
    /// Every service, for the filter.
    pub services: Vec<String>,
}

/// One chart: its picture and the table it was drawn from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    /// What it shows, in a sentence (how it is measured).
    pub note: String,
    /// The picture, SVG drawn on the server from `table`.
    pub svg: String,
    pub table: FigureTable,
}

/// A chart's figures: a header and rows of cells, numbers as plain numbers (units are
/// in the header), empty where there is nothing to measure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}
