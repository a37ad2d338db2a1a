use crate::domain::MailStatus;
use sea_orm::entity::prelude::*;

/// A message of the company email thread, stored as it was sent: the content columns
/// are written once, at queueing; only the delivery columns move afterwards.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emails")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// None: mail about no one incident (a corrective-action reminder).
    pub incident_id: Option<i64>,
    /// None: Stormwatch itself.
    pub author_id: Option<i64>,
    pub message_id: String,
    pub references: String,
    pub subject: String,
    pub from_address: String,
    pub recipients: String,
    pub list_names: String,
    pub fields: String,
    pub html: String,
    pub text: String,
    pub raw: String,
    pub hints: i32,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

impl Model {
    pub fn recipient_list(&self) -> Vec<String> {
        self.recipients.lines().map(str::to_string).collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id"
    )]
    Author,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
