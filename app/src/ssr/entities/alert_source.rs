use crate::domain::SourceKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Names the source in its webhook URL; not a secret.
    pub public_id: String,
    pub kind: SourceKind,
    pub name: String,
    /// The service of alerts whose payload names none; '' for none.
    pub service: String,
    /// SHA-256 (hex) of the secret in the webhook URL.
    pub secret_hash: String,
    /// The HMAC key deliveries are signed with (PagerDuty's, or the generic kind's).
    pub signing_secret: Option<String>,
    pub enabled: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub secret_rotated_at: DateTimeUtc,
    /// AWS SNS's SubscribeURL, waiting for an admin to open it.
    pub confirm_url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
