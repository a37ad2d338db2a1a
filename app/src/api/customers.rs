//! The affected-customers table of an incident: paged reads for everyone, changes for
//! responders. Every change is one summarised line on the incident's timeline.

use super::Stamp;
use crate::domain::{AppError, Customer, RowProblem};
use leptos::{prelude::*, server_fn::codec::Json};
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

/// One page of the table. `sort` is a column name (`org_name` … `note`, `added_at`).
#[server(prefix = "/api/read")]
pub async fn list_customers(
    number: i64,
    sort: String,
    descending: bool,
    filter: String,
    page: u64,
) -> Result<CustomerPage, AppError> {
    use crate::ssr::{respond, services::customers, time::viewer_tz, AppState};
    respond(async move {
        let query = customers::Query::parse(&sort, descending, &filter, page)?;
        customers::page(&AppState::current()?.db, number, &query, viewer_tz()).await
    })
    .await
}

/// The whole table as tab-separated text, for pasting into a spreadsheet.
#[server(prefix = "/api/read")]
pub async fn customers_tsv(number: i64) -> Result<String, AppError> {
    use crate::ssr::{respond, services::customers, AppState};
    respond(async move { customers::export(&AppState::current()?.db, number, true).await }).await
}

#[server(prefix = "/api/respond")]
pub async fn add_customer(
    number: i64,
    org_name: String,
    org_id: String,
    app_id: String,
    campaign_id: String,
    note: String,
) -> Result<(), AppError> {
    use crate::ssr::{respond, services::customers, signed_in, AppState};
    respond(async move {
        let raw = Customer {
            org_name,
            org_id,
            app_id,
            campaign_id,
            note,
        };
        let actor = signed_in()?;
        customers::add(&AppState::current()?.db, &actor, number, &raw).await
    })
    .await
}

/// Changes one cell.
#[server(prefix = "/api/respond")]
pub async fn update_customer(
    number: i64,
    id: i64,
    field: String,
    value: String,
) -> Result<(), AppError> {
    use crate::{
        domain::CustomerField,
        ssr::{respond, services::customers, signed_in, AppState},
    };
    respond(async move {
        let field = CustomerField::parse_name(&field)
            .ok_or_else(|| AppError::invalid("field", format!("unknown column {field:?}")))?;
        let actor = signed_in()?;
        customers::update(&AppState::current()?.db, &actor, number, id, field, &value).await
    })
    .await
}

/// Removes rows and returns them, so the page can offer to undo.
#[server(prefix = "/api/respond", input = Json)]
pub async fn delete_customers(number: i64, ids: Vec<i64>) -> Result<Vec<Customer>, AppError> {
    use crate::ssr::{respond, services::customers, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        customers::delete(&AppState::current()?.db, &actor, number, &ids).await
    })
    .await
}

/// Puts removed rows back (the undo of a delete); rows re-added meanwhile are skipped.
#[server(prefix = "/api/respond", input = Json)]
pub async fn restore_customers(number: i64, rows: Vec<Customer>) -> Result<u64, AppError> {
    use crate::ssr::{respond, services::customers, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        customers::restore(&AppState::current()?.db, &actor, number, &rows).await
    })
    .await
}

/// Checks one batch of an import (row number, raw row) and stages what is new. The
/// first batch sends an empty `import_id` and gets one back for the rest.
#[server(prefix = "/api/respond", input = Json)]
pub async fn stage_customers(
    number: i64,
    import_id: String,
    rows: Vec<(usize, Customer)>,
) -> Result<StageReport, AppError> {
    use crate::ssr::{respond, services::customers, AppState};
    respond(
        async move { customers::stage(&AppState::current()?.db, number, &import_id, &rows).await },
    )
    .await
}

/// Saves every staged row of an import in one transaction; returns how many were added.
#[server(prefix = "/api/respond")]
pub async fn commit_import(number: i64, import_id: String) -> Result<u64, AppError> {
    use crate::ssr::{respond, services::customers, signed_in, AppState};
    respond(async move {
        let actor = signed_in()?;
        customers::commit(&AppState::current()?.db, &actor, number, &import_id).await
    })
    .await
}
