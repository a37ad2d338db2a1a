//! The table as CSV (the download) or tab-separated text (for pasting).

use super::customer_of;
use crate::ssr::services::incidents::find;
use crate::{
    domain::{write_sheet, AppError, Customer},
    ssr::entities::affected_customer as row,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

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
    let names = super::super::users::names_of(db, models.iter().filter_map(|m| m.added_by)).await?;
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
