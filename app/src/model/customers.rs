//! The affected-customers table of an incident: its pages, counts and import reports.

use super::Stamp;
use crate::domain::{Customer, RowProblem};
use serde::{Deserialize, Serialize};

/// Rows per page of the table.
pub const PAGE_SIZE: u64 = 50;

/// Rows per request while an import is checked and staged.
pub const STAGE_BATCH: usize = 5_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    pub customer: Customer,
    pub added_by: Option<String>,
    pub added_at: Stamp,
}

/// What the email and the status view quote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCounts {
    pub rows: u64,
    pub orgs: u64,
    pub apps: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub incident_title: String,
    pub rows: Vec<CustomerRow>,
    /// Rows matching the filter, over all pages.
    pub matching: u64,
    pub page: u64,
    pub counts: CustomerCounts,
}

/// How a batch of an import fared: staged rows wait for the save.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageReport {
    /// The import these rows belong to (made by the first batch, which sends "").
    pub import_id: String,
    pub staged: usize,
    /// Rows already in the table (same org_id, app_id and campaign_id): skipped.
    pub existing: Vec<RowProblem>,
    pub errors: Vec<RowProblem>,
}
