//! Affected customers: paging, in-place edits, deletes with undo, and imports that are
//! checked in batches (staged) and saved in one transaction.

use super::incidents::{find, record};
use crate::{
    domain::{write_sheet, AppError, Customer, CustomerField, CustomerKey, EventKind, RowProblem},
    model::{
        customers::{CustomerCounts, CustomerPage, CustomerRow, StageReport, PAGE_SIZE},
        session::CurrentUser,
    },
    ssr::{
        entities::{affected_customer as row, customer_import_row as staged, user},
        time::stamp,
    },
};
use chrono::{Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Query as Sql},
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement, TransactionSession,
    TransactionTrait,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Rows per INSERT: under SQLite's 32,766 bound parameters at 9 columns.
const INSERT_CHUNK: usize = 3_000;
/// Staged rows nobody saved are dropped after this long.
const STAGE_LIFETIME: Duration = Duration::hours(24);

/// A page request, checked.
pub struct Query {
    sort: row::Column,
    order: Order,
    filter: String,
    page: u64,
}

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
    let names = names_of(db, models.iter().filter_map(|m| m.added_by)).await?;
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

async fn names_of(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    let ids: HashSet<i64> = ids.collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
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

/// Adds one row (the inline form).
pub async fn add(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    raw: &Customer,
) -> Result<(), AppError> {
    let customer = Customer::parse(raw)?;
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    let now = Utc::now();
    row::Entity::insert(active(number, &customer, actor, now))
        .exec(&txn)
        .await
        .map_err(or_conflict(&customer))?;
    record_change(
        &txn,
        number,
        actor,
        format!("added an affected customer ({})", customer.describe()),
        json!({ "added": 1 }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes one cell, checked by the same rule as everywhere else.
pub async fn update(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    id: i64,
    field: CustomerField,
    raw: &str,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let current = row::Entity::find_by_id(id)
        .filter(row::Column::IncidentId.eq(number))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("Affected customer #{id} of incident #{number}"))
        })?;
    let before = customer_of(&current);
    let after = before.with(field, raw)?;
    if after == before {
        return Ok(());
    }
    let mut change: row::ActiveModel = current.into();
    match field {
        CustomerField::OrgName => change.org_name = Set(after.org_name.clone()),
        CustomerField::OrgId => change.org_id = Set(after.org_id.clone()),
        CustomerField::AppId => change.app_id = Set(after.app_id.clone()),
        CustomerField::CampaignId => change.campaign_id = Set(after.campaign_id.clone()),
        CustomerField::Note => change.note = Set(after.note.clone()),
    }
    row::Entity::update(change)
        .exec(&txn)
        .await
        .map_err(or_conflict(&after))?;
    record_change(
        &txn,
        number,
        actor,
        format!(
            "edited an affected customer ({}): {} {:?} → {:?}",
            before.describe(),
            field.label(),
            before.get(field),
            after.get(field)
        ),
        json!({ "edited": id, "field": field.as_str() }),
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes rows of the incident; returns them for an undo.
pub async fn delete(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    ids: &[i64],
) -> Result<Vec<Customer>, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    let doomed = row::Entity::find()
        .filter(row::Column::IncidentId.eq(number))
        .filter(row::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(row::Column::Id)
        .all(&txn)
        .await?;
    if doomed.is_empty() {
        return Ok(Vec::new());
    }
    row::Entity::delete_many()
        .filter(row::Column::Id.is_in(doomed.iter().map(|m| m.id)))
        .exec(&txn)
        .await?;
    let n = doomed.len() as u64;
    record_change(
        &txn,
        number,
        actor,
        format!("removed {n} {}", plural(n)),
        json!({ "removed": n }),
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(doomed.iter().map(customer_of).collect())
}

/// Puts rows back (undo of a delete); rows someone re-added meanwhile are skipped.
pub async fn restore(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    raws: &[Customer],
) -> Result<u64, AppError> {
    let customers = raws
        .iter()
        .map(Customer::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    let now = Utc::now();
    let mut restored = 0;
    for chunk in customers.chunks(INSERT_CHUNK) {
        restored +=
            insert_skipping_existing(&txn, chunk.iter().map(|c| active(number, c, actor, now)))
                .await?;
    }
    if restored > 0 {
        record_change(
            &txn,
            number,
            actor,
            format!("restored {restored} {}", plural(restored)),
            json!({ "restored": restored }),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(restored)
}

async fn insert_skipping_existing(
    db: &impl ConnectionTrait,
    models: impl IntoIterator<Item = row::ActiveModel>,
) -> Result<u64, AppError> {
    let inserted = row::Entity::insert_many(models)
        .on_conflict(
            OnConflict::columns([
                row::Column::IncidentId,
                row::Column::OrgId,
                row::Column::AppId,
                row::Column::CampaignId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted)
}

fn check_import_id(import_id: &str) -> Result<(), AppError> {
    if import_id.len() == 32 && import_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "import_id",
            "An import id is 32 hexadecimal digits.",
        ))
    }
}

/// Checks a batch of an import: each row by the domain rule, then against the table and
/// the rows already staged; stages the rest.
pub async fn stage(
    db: &impl TransactionTrait,
    number: i64,
    import_id: &str,
    rows: &[(usize, Customer)],
) -> Result<StageReport, AppError> {
    let import_id = if import_id.is_empty() {
        hex::encode(rand::random::<[u8; 16]>())
    } else {
        check_import_id(import_id)?;
        import_id.to_string()
    };
    let import_id = import_id.as_str();
    if rows.len() > crate::model::customers::STAGE_BATCH {
        return Err(AppError::invalid("rows", "Too many rows in one batch."));
    }
    // One transaction a batch: one commit (one fsync) instead of one per statement.
    let txn = crate::ssr::db::begin_write(db).await?;
    let db = &txn;
    find(db, number).await?;
    let mut report = StageReport {
        import_id: import_id.to_string(),
        ..Default::default()
    };
    let mut valid = Vec::with_capacity(rows.len());
    for (row_number, raw) in rows {
        match Customer::parse(raw) {
            Ok(customer) => valid.push((*row_number, customer)),
            Err(err) => report.errors.push(RowProblem::invalid(*row_number, err)),
        }
    }
    // Rows already in the table (the unique index answers each org_id list).
    let org_ids: Vec<String> = valid
        .iter()
        .map(|(_, c)| c.org_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut taken = existing_keys(db, number, org_ids).await?;
    let mut fresh = Vec::with_capacity(valid.len());
    for (row_number, customer) in valid {
        if taken.insert(customer.key()) {
            fresh.push((row_number, customer));
        } else {
            report.existing.push(RowProblem {
                row: row_number,
                message: format!("Already in the table ({}): skipped.", customer.describe()),
            });
        }
    }
    // Rows repeating one an earlier batch staged are left out by the staging table's
    // unique index; RETURNING says which went in.
    let staged_rows = insert_staged(db, import_id, number, &fresh).await?;
    for (row_number, customer) in &fresh {
        if !staged_rows.contains(&(*row_number as i64)) {
            report.existing.push(RowProblem {
                row: *row_number,
                message: format!(
                    "Repeats a row of this import ({}): skipped.",
                    customer.describe()
                ),
            });
        }
    }
    report.staged = staged_rows.len();
    txn.commit().await?;
    Ok(report)
}

/// The keys already in an incident's table among these org_ids. PostgreSQL gets them
/// as one array (`= ANY`): planning an IN list of 3,000 parameters took it ~45 ms.
async fn existing_keys(
    db: &impl ConnectionTrait,
    number: i64,
    org_ids: Vec<String>,
) -> Result<HashSet<CustomerKey>, AppError> {
    let mut taken = HashSet::new();
    if db.get_database_backend() == DbBackend::Postgres {
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            r#"SELECT org_id, app_id, campaign_id FROM affected_customers
               WHERE incident_id = $1 AND org_id = ANY($2::text[])"#,
            [number.into(), org_ids.into()],
        );
        for found in db.query_all_raw(statement).await? {
            taken.insert((
                found.try_get::<String>("", "org_id")?,
                found.try_get::<String>("", "app_id")?,
                found.try_get::<String>("", "campaign_id")?,
            ));
        }
        return Ok(taken);
    }
    for chunk in org_ids.chunks(INSERT_CHUNK) {
        let existing = row::Entity::find()
            .select_only()
            .columns([
                row::Column::OrgId,
                row::Column::AppId,
                row::Column::CampaignId,
            ])
            .filter(row::Column::IncidentId.eq(number))
            .filter(row::Column::OrgId.is_in(chunk.iter().cloned()))
            .into_tuple::<(String, String, String)>()
            .all(db)
            .await?;
        taken.extend(existing);
    }
    Ok(taken)
}

/// Inserts staged rows, skipping any whose customer the import already holds; returns
/// the row numbers that went in. PostgreSQL gets the whole batch as arrays (UNNEST):
/// binding 27,000 scalar parameters a statement cost it more than the insert.
async fn insert_staged(
    db: &impl ConnectionTrait,
    import_id: &str,
    number: i64,
    fresh: &[(usize, Customer)],
) -> Result<HashSet<i64>, AppError> {
    let mut staged_rows: HashSet<i64> = HashSet::with_capacity(fresh.len());
    if fresh.is_empty() {
        return Ok(staged_rows);
    }
    let now = Utc::now();
    if db.get_database_backend() == DbBackend::Postgres {
        let rows: Vec<i64> = fresh.iter().map(|(n, _)| *n as i64).collect();
        let column = |field: CustomerField| -> sea_orm::Value {
            fresh
                .iter()
                .map(|(_, c)| c.get(field).to_string())
                .collect::<Vec<String>>()
                .into()
        };
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            r#"INSERT INTO customer_import_rows
                 (import_id, row_number, incident_id, org_name, org_id, app_id, campaign_id, note, created_at)
               SELECT $1, r, $2, n, o, a, c, t, $3
                 FROM UNNEST($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                   AS u(r, n, o, a, c, t)
               ON CONFLICT (import_id, org_id, app_id, campaign_id) DO NOTHING
               RETURNING row_number"#,
            [
                import_id.into(),
                number.into(),
                now.into(),
                rows.into(),
                column(CustomerField::OrgName),
                column(CustomerField::OrgId),
                column(CustomerField::AppId),
                column(CustomerField::CampaignId),
                column(CustomerField::Note),
            ],
        );
        for returned in db.query_all_raw(statement).await? {
            staged_rows.insert(returned.try_get::<i64>("", "row_number")?);
        }
        return Ok(staged_rows);
    }
    for chunk in fresh.chunks(INSERT_CHUNK) {
        let models = chunk.iter().map(|(row_number, c)| staged::ActiveModel {
            import_id: Set(import_id.to_string()),
            row_number: Set(*row_number as i64),
            incident_id: Set(number),
            org_name: Set(c.org_name.clone()),
            org_id: Set(c.org_id.clone()),
            app_id: Set(c.app_id.clone()),
            campaign_id: Set(c.campaign_id.clone()),
            note: Set(c.note.clone()),
            created_at: Set(now),
        });
        let keys = staged::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    staged::Column::ImportId,
                    staged::Column::OrgId,
                    staged::Column::AppId,
                    staged::Column::CampaignId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_with_returning_keys(db)
            .await;
        match keys {
            Ok(keys) => staged_rows.extend(keys.into_iter().map(|(_, row_number)| row_number)),
            Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(staged_rows)
}

/// Saves an import's staged rows in one transaction: all of them or none.
pub async fn commit(
    db: &impl TransactionTrait,
    actor: &CurrentUser,
    number: i64,
    import_id: &str,
) -> Result<u64, AppError> {
    check_import_id(import_id)?;
    let txn = crate::ssr::db::begin_write(db).await?;
    find(&txn, number).await?;
    let now = Utc::now();
    let already = row::Entity::find()
        .select_only()
        .expr(Expr::val(1))
        .filter(
            Expr::col((row::Entity, row::Column::IncidentId))
                .equals((Alias::new("s"), staged::Column::IncidentId)),
        )
        .filter(
            Expr::col((row::Entity, row::Column::OrgId))
                .equals((Alias::new("s"), staged::Column::OrgId)),
        )
        .filter(
            Expr::col((row::Entity, row::Column::AppId))
                .equals((Alias::new("s"), staged::Column::AppId)),
        )
        .filter(
            Expr::col((row::Entity, row::Column::CampaignId))
                .equals((Alias::new("s"), staged::Column::CampaignId)),
        )
        .into_query();
    let pending = Sql::select()
        .column((Alias::new("s"), staged::Column::IncidentId))
        .column((Alias::new("s"), staged::Column::OrgName))
        .column((Alias::new("s"), staged::Column::OrgId))
        .column((Alias::new("s"), staged::Column::AppId))
        .column((Alias::new("s"), staged::Column::CampaignId))
        .column((Alias::new("s"), staged::Column::Note))
        .expr(Expr::val(actor.id))
        .expr(Expr::val(now))
        .from_as(staged::Entity, Alias::new("s"))
        .and_where(Expr::col((Alias::new("s"), staged::Column::ImportId)).eq(import_id))
        .and_where(Expr::col((Alias::new("s"), staged::Column::IncidentId)).eq(number))
        .and_where(Expr::exists(already).not())
        .order_by((Alias::new("s"), staged::Column::RowNumber), Order::Asc)
        .to_owned();
    let insert = Sql::insert()
        .into_table(row::Entity)
        .columns([
            row::Column::IncidentId,
            row::Column::OrgName,
            row::Column::OrgId,
            row::Column::AppId,
            row::Column::CampaignId,
            row::Column::Note,
            row::Column::AddedBy,
            row::Column::AddedAt,
        ])
        .select_from(pending)
        .map_err(|e| {
            tracing::error!(error = %e, "building the import statement");
            AppError::Internal
        })?
        .to_owned();
    let added = txn.execute(&insert).await?.rows_affected();
    staged::Entity::delete_many()
        .filter(
            Condition::any()
                .add(staged::Column::ImportId.eq(import_id))
                .add(staged::Column::CreatedAt.lt(now - STAGE_LIFETIME)),
        )
        .exec(&txn)
        .await?;
    if added > 0 {
        record_change(
            &txn,
            number,
            actor,
            format!("added {added} {} (import)", plural(added)),
            json!({ "added": added, "import": import_id }),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!(number, added, "affected customers imported");
    Ok(added)
}

/// The whole table as CSV (or TSV), oldest rows first, with who added each and when.
pub async fn export(
    db: &impl ConnectionTrait,
    number: i64,
    tab_separated: bool,
) -> Result<String, AppError> {
    find(db, number).await?;
    let models = row::Entity::find()
        .filter(row::Column::IncidentId.eq(number))
        .order_by_asc(row::Column::Id)
        .all(db)
        .await?;
    let names = names_of(db, models.iter().filter_map(|m| m.added_by)).await?;
    let rows: Vec<(Customer, String, String)> = models
        .iter()
        .map(|m| {
            (
                customer_of(m),
                m.added_by
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default(),
                m.added_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
        })
        .collect();
    Ok(write_sheet(
        rows.iter()
            .map(|(c, by, at)| (c, [by.as_str(), at.as_str()])),
        tab_separated,
    ))
}
