use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution_lists")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// One address per line.
    pub addresses: String,
    pub is_default: bool,
    pub updated_at: DateTimeUtc,
}

impl Model {
    pub fn address_list(&self) -> Vec<String> {
        self.addresses.lines().map(str::to_string).collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
