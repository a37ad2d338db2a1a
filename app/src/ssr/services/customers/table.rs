//! Changes to the table by hand: add a row, edit a cell, delete rows and undo.

use super::{
    active, customer_of, or_conflict, plural, record_change, skip_existing, INSERT_CHUNK, KEY,
};
use crate::ssr::services::incidents::find;
use crate::{
    domain::{AppError, Customer, CustomerField},
    model::session::CurrentUser,
    ssr::entities::affected_customer as row,
};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

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
        .on_conflict(skip_existing(KEY))
        .exec_without_returning(db)
        .await?;
    Ok(inserted)
}
