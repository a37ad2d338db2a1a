use sea_orm::entity::prelude::*;

/// A stripe of a source's delivery count: the alert writer adds each batch to the
/// stripe its transaction picks (the column's default), so batches written side by side
/// do not wait on one row; readers add a source's stripes up (`services::sources`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_source_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stripe: i32,
    pub deliveries: i64,
    pub last_delivery_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
