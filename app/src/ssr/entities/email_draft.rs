use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub incident_id: i64,
    /// The composer's fields ([`crate::domain::EmailDraft`]) as JSON.
    pub fields: String,
    pub version: i64,
    pub updated_by: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UpdatedBy",
        to = "super::user::Column::Id"
    )]
    Editor,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Editor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
