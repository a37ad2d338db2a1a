use sea_orm::entity::prelude::*;

/// A feed group's counts: the view `alert_groups`, adding up the stripes that triggers on
/// `alerts` keep in `alert_group_stripes` (never written by the app).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub service: String,
    /// Alerts of the group firing now.
    pub firing: i64,
    /// Firing alerts attached to no incident.
    pub untriaged: i64,
    /// The newest `last_seen_at` of the group's alerts.
    pub last_seen_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
