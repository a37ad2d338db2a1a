//! Imports: batches are checked and staged (nothing visible yet), then saved in one
//! transaction. PostgreSQL and SQLite stage with their own SQL.

use super::{plural, record_change, skip_existing, INSERT_CHUNK, KEY};
use crate::ssr::services::incidents::find;
use crate::{
    domain::{AppError, Customer, CustomerField, CustomerKey, RowProblem},
    model::{customers::StageReport, session::CurrentUser},
    ssr::entities::{affected_customer as row, customer_import_row as staged},
};
use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Query as Sql},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order, QueryFilter,
    QuerySelect, QueryTrait, Statement, TransactionSession, TransactionTrait,
};
use serde_json::json;
use std::collections::HashSet;

/// A staged row's key: one per customer (org, app, campaign) and import.
const STAGED_KEY: [staged::Column; 4] = [
    staged::Column::ImportId,
    staged::Column::OrgId,
    staged::Column::AppId,
    staged::Column::CampaignId,
];
/// Staged rows nobody saved are dropped after this long.
const STAGE_LIFETIME: Duration = Duration::hours(24);

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
            .on_conflict(skip_existing(STAGED_KEY))
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
    // A staged row whose key (incident, org_id, app_id, campaign_id) the table has.
    let mut already = row::Entity::find().select_only().expr(Expr::val(1));
    let theirs = [
        staged::Column::IncidentId,
        STAGED_KEY[1],
        STAGED_KEY[2],
        STAGED_KEY[3],
    ];
    for (ours, theirs) in KEY.into_iter().zip(theirs) {
        already = already.filter(Expr::col((row::Entity, ours)).equals((Alias::new("s"), theirs)));
    }
    let already = already.into_query();
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
