//! Affected customers: the table's pages and counts (here), changes by hand
//! ([`table`]), imports checked in batches and saved in one transaction ([`import`]),
//! and exports ([`export`]). Every change is one summarised line on the timeline.

mod export;
mod import;
mod table;

pub use export::export;
pub use import::{commit, stage};
pub use table::{add, delete, restore, update};

use super::incidents::{find, record};
use crate::{
    domain::{AppError, Customer, CustomerField, EventKind},
    model::{
        customers::{CustomerCounts, CustomerPage, CustomerRow, PAGE_SIZE},
        session::CurrentUser,
    },
    ssr::{entities::affected_customer as row, time::stamp},
};
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func, IntoIden, OnConflict},
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// The table's key: one row per customer (org, app, campaign) and incident.
const KEY: [row::Column; 4] = [
    row::Column::IncidentId,
    row::Column::OrgId,
    row::Column::AppId,
    row::Column::CampaignId,
];

/// `ON CONFLICT (key) DO NOTHING`: a row whose key is already there is skipped.
fn skip_existing<C: IntoIden>(key: [C; 4]) -> OnConflict {
    OnConflict::columns(key).do_nothing().to_owned()
}

/// Rows per INSERT: under SQLite's 32,766 bound parameters at 9 columns.
const INSERT_CHUNK: usize = 3_000;

/// A page request, checked.
pub struct Query {
    sort: row::Column,
    order: Order,
    filter: String,
    /// At most [`LAST_PAGE`], so its offset fits the databases' 64-bit `OFFSET`.
    page: u64,
}

/// The last page a request may ask for: past it, the offset would not fit `OFFSET`.
pub const LAST_PAGE: u64 = i64::MAX as u64 / PAGE_SIZE;

impl Query {
    pub fn parse(sort: &str, descending: bool, filter: &str, page: u64) -> Result<Self, AppError> {
        let sort = match sort {
            // Ids grow with time and, unlike the timestamp, never tie (one import
            // stamps 100,000 rows alike): the page reads straight off an index.
            "" | "added_at" => row::Column::Id,
            other => match CustomerField::parse_name(other) {
                Some(field) => column(field),
                None => {
                    return Err(AppError::invalid(
                        "sort",
                        format!("unknown column {other:?}"),
                    ))
                }
            },
        };
        if page > LAST_PAGE {
            return Err(AppError::invalid(
                "page",
                format!("page {page} is past the last possible page, {LAST_PAGE}"),
            ));
        }
        Ok(Self {
            sort,
            order: if descending { Order::Desc } else { Order::Asc },
            filter: filter.trim().to_lowercase(),
            page,
        })
    }
}

fn column(field: CustomerField) -> row::Column {
    match field {
        CustomerField::OrgName => row::Column::OrgName,
        CustomerField::OrgId => row::Column::OrgId,
        CustomerField::AppId => row::Column::AppId,
        CustomerField::CampaignId => row::Column::CampaignId,
        CustomerField::Note => row::Column::Note,
    }
}

fn customer_of(model: &row::Model) -> Customer {
    Customer {
        org_name: model.org_name.clone(),
        org_id: model.org_id.clone(),
        app_id: model.app_id.clone(),
        campaign_id: model.campaign_id.clone(),
        note: model.note.clone(),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        "affected customer"
    } else {
        "affected customers"
    }
}

/// One page of an incident's table, sorted and filtered, with the table's counts.
pub async fn page(
    db: &impl ConnectionTrait,
    number: i64,
    query: &Query,
    tz: Tz,
) -> Result<CustomerPage, AppError> {
    let incident = find(db, number).await?;
    let mut select = row::Entity::find().filter(row::Column::IncidentId.eq(number));
    if !query.filter.is_empty() {
        let pattern = format!(
            "%{}%",
            query
                .filter
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let mut any = Condition::any();
        for field in CustomerField::ALL {
            any = any.add(
                Expr::expr(Func::lower(Expr::col(column(field))))
                    .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\')),
            );
        }
        select = select.filter(any);
    }
    let counts = counts_of(&incident);
    let matching = if query.filter.is_empty() {
        counts.rows
    } else {
        select.clone().count(db).await?
    };
    let models = select
        .order_by(query.sort, query.order.clone())
        .order_by(row::Column::Id, query.order.clone())
        .limit(PAGE_SIZE)
        .offset(query.page * PAGE_SIZE)
        .all(db)
        .await?;
    let names = super::users::names_of(db, models.iter().filter_map(|m| m.added_by)).await?;
    Ok(CustomerPage {
        incident_title: incident.title,
        rows: models
            .iter()
            .map(|m| CustomerRow {
                id: m.id,
                customer: customer_of(m),
                added_by: m.added_by.and_then(|id| names.get(&id).cloned()),
                added_at: stamp(m.added_at, tz),
            })
            .collect(),
        matching,
        page: query.page,
        counts,
    })
}

/// The table's counts, as kept on the incident row.
pub fn counts_of(incident: &crate::ssr::entities::incident::Model) -> CustomerCounts {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    CustomerCounts {
        rows: count(incident.customer_rows),
        orgs: count(incident.customer_orgs),
        apps: count(incident.customer_apps),
    }
}

/// The one timeline line of a change to the table, and the counts it changed; inside
/// the change's transaction.
async fn record_change(
    db: &impl ConnectionTrait,
    number: i64,
    actor: &CurrentUser,
    body: String,
    data: serde_json::Value,
    at: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    // Counted first: the line takes the live log's lock, held until the commit.
    recount(db, number).await?;
    record(
        db,
        number,
        Some(actor.id),
        EventKind::CustomersChanged,
        body,
        data,
        at,
    )
    .await?;
    Ok(())
}

/// Counts rows, distinct orgs and distinct apps (each from an index) and keeps them on
/// the incident row.
async fn recount(db: &impl ConnectionTrait, number: i64) -> Result<(), AppError> {
    use crate::ssr::entities::incident;
    let rows = row::Entity::find()
        .filter(row::Column::IncidentId.eq(number))
        .count(db)
        .await?;
    let orgs = distinct(db, number, row::Column::OrgId).await?;
    let apps = distinct(db, number, row::Column::AppId).await?;
    incident::Entity::update_many()
        .col_expr(incident::Column::CustomerRows, Expr::value(rows as i64))
        .col_expr(incident::Column::CustomerOrgs, Expr::value(orgs as i64))
        .col_expr(incident::Column::CustomerApps, Expr::value(apps as i64))
        .filter(incident::Column::Id.eq(number))
        .exec(db)
        .await?;
    Ok(())
}

/// How many different non-empty values a column holds in an incident's table.
async fn distinct(
    db: &impl ConnectionTrait,
    number: i64,
    column: row::Column,
) -> Result<u64, AppError> {
    Ok(row::Entity::find()
        .select_only()
        .column(column)
        .distinct()
        .filter(row::Column::IncidentId.eq(number))
        .filter(column.ne(""))
        .count(db)
        .await?)
}

/// A unique-key violation, said in terms of the row that caused it.
fn or_conflict(customer: &Customer) -> impl FnOnce(sea_orm::DbErr) -> AppError + '_ {
    move |err| match AppError::from(err) {
        AppError::Conflict(_) => AppError::Conflict(format!(
            "The table already has a row with {}.",
            customer.describe()
        )),
        other => other,
    }
}

fn active(
    number: i64,
    customer: &Customer,
    actor: &CurrentUser,
    now: chrono::DateTime<Utc>,
) -> row::ActiveModel {
    row::ActiveModel {
        id: NotSet,
        incident_id: Set(number),
        org_name: Set(customer.org_name.clone()),
        org_id: Set(customer.org_id.clone()),
        app_id: Set(customer.app_id.clone()),
        campaign_id: Set(customer.campaign_id.clone()),
        note: Set(customer.note.clone()),
        added_by: Set(Some(actor.id)),
        added_at: Set(now),
    }
}
