//! Distribution lists, managed by admins: the company email goes to one or more.

use crate::{
    domain::{AppError, NewList},
    model::email::DistributionList,
    ssr::entities::distribution_list as list,
};
use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Unchanged, ColumnTrait, ConnectionTrait,
    EntityTrait, QueryFilter, QueryOrder, Set, SqlErr, TransactionSession, TransactionTrait,
};

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<DistributionList>, AppError> {
    Ok(list::Entity::find()
        .order_by_desc(list::Column::IsDefault)
        .order_by_asc(list::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|l| DistributionList {
            addresses: l.address_list(),
            id: l.id,
            name: l.name,
            is_default: l.is_default,
        })
        .collect())
}

/// Adds a list (`id` None) or replaces one (a conflict if it was removed meanwhile); a
/// list marked default unmarks the others.
pub async fn save(
    db: &impl TransactionTrait,
    id: Option<i64>,
    new: NewList,
) -> Result<i64, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    if new.is_default {
        list::Entity::update_many()
            .col_expr(list::Column::IsDefault, Expr::value(false))
            .filter(list::Column::IsDefault.eq(true))
            .exec(&txn)
            .await?;
    }
    let model = list::ActiveModel {
        name: Set(new.name.clone()),
        addresses: Set(new.addresses.join("\n")),
        is_default: Set(new.is_default),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let saved = match id {
        None => model.insert(&txn).await,
        Some(id) => {
            list::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    AppError::Conflict(
                        "This list was removed meanwhile: add it again to keep it.".into(),
                    )
                })?;
            list::ActiveModel {
                id: Unchanged(id),
                ..model
            }
            .update(&txn)
            .await
        }
    };
    let saved = match saved {
        Ok(saved) => saved,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid(
                "name",
                format!("A list named \"{}\" already exists.", new.name),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    txn.commit().await?;
    Ok(saved.id)
}

pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<(), AppError> {
    let deleted = list::Entity::delete_by_id(id).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound(format!("Distribution list {id}")));
    }
    Ok(())
}
