//! The affected-customers table of an incident: paged reads for everyone, changes for
//! responders. Every change is one summarised line on the incident's timeline.

use crate::{
    domain::{AppError, Customer},
    model::customers::{CustomerPage, StageReport},
    model::wire::Compact,
};
use leptos::{prelude::*, server_fn::codec::Json};

/// One page of the table. `sort` is a column name (`org_name` … `note`, `added_at`).
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn list_customers(
    number: i64,
    sort: String,
    descending: bool,
    filter: String,
    page: u64,
) -> Result<CustomerPage, AppError> {
    use crate::ssr::{db, services::customers, time::viewer_tz};
    let query = customers::Query::parse(&sort, descending, &filter, page)?;
    customers::page(&db::current()?, number, &query, viewer_tz()).await
}

/// The whole table as tab-separated text, for pasting into a spreadsheet.
#[server(prefix = "/api/read", protocol = Compact)]
pub async fn customers_tsv(number: i64) -> Result<String, AppError> {
    use crate::ssr::{db, services::customers};
    customers::export(&db::current()?, number, true).await
}

#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn add_customer(
    number: i64,
    org_name: String,
    org_id: String,
    app_id: String,
    campaign_id: String,
    note: String,
) -> Result<(), AppError> {
    use crate::ssr::{db, services::customers, signed_in};
    let raw = Customer {
        org_name,
        org_id,
        app_id,
        campaign_id,
        note,
    };
    let actor = signed_in()?;
    customers::add(&db::current()?, &actor, number, &raw).await
}

/// Changes one cell.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn update_customer(
    number: i64,
    id: i64,
    field: String,
    value: String,
) -> Result<(), AppError> {
    use crate::{
        domain::CustomerField,
        ssr::{db, services::customers, signed_in},
    };
    let field = CustomerField::parse_name(&field)
        .ok_or_else(|| AppError::invalid("field", format!("unknown column {field:?}")))?;
    let actor = signed_in()?;
    customers::update(&db::current()?, &actor, number, id, field, &value).await
}

/// Removes rows and returns them, so the page can offer to undo.
#[server(prefix = "/api/respond", protocol = Compact<Json>)]
pub async fn delete_customers(number: i64, ids: Vec<i64>) -> Result<Vec<Customer>, AppError> {
    use crate::ssr::{db, services::customers, signed_in};
    let actor = signed_in()?;
    customers::delete(&db::current()?, &actor, number, &ids).await
}

/// Puts removed rows back (the undo of a delete); rows re-added meanwhile are skipped.
#[server(prefix = "/api/respond", protocol = Compact<Json>)]
pub async fn restore_customers(number: i64, rows: Vec<Customer>) -> Result<u64, AppError> {
    use crate::ssr::{db, services::customers, signed_in};
    let actor = signed_in()?;
    customers::restore(&db::current()?, &actor, number, &rows).await
}

/// Checks one batch of an import (row number, raw row) and stages what is new. The
/// first batch sends an empty `import_id` and gets one back for the rest.
#[server(prefix = "/api/respond", protocol = Compact<Json>)]
pub async fn stage_customers(
    number: i64,
    import_id: String,
    rows: Vec<(usize, Customer)>,
) -> Result<StageReport, AppError> {
    use crate::ssr::{db, services::customers};
    customers::stage(&db::current()?, number, &import_id, &rows).await
}

/// Saves every staged row of an import in one transaction; returns how many were added.
#[server(prefix = "/api/respond", protocol = Compact)]
pub async fn commit_import(number: i64, import_id: String) -> Result<u64, AppError> {
    use crate::ssr::{db, services::customers, signed_in};
    let actor = signed_in()?;
    customers::commit(&db::current()?, &actor, number, &import_id).await
}
