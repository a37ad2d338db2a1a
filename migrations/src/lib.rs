//! Stormwatch's schema, as reversible, timestamped SeaORM migrations.
//!
//! The server runs `Migrator::up` at start-up; `cargo run -p migrations -- <cmd>`
//! is the CLI (`up`, `down`, `status`, `fresh`, …) for operators.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_users;
mod m20261124_000002_create_sessions;
mod m20261124_000003_create_services;
mod m20261124_000004_create_incidents;
mod m20261124_000005_create_timeline_events;
mod m20261124_000006_create_sign_in_and_audit;
mod m20261124_000007_create_affected_customers;
mod m20261125_000001_create_alerts;
mod m20261125_000002_create_live_events;
mod m20261125_000003_extend_the_channel;
mod m20261125_000004_audit_alert_sources;
mod m20261201_000001_create_company_email;
mod m20261201_000002_create_postmortems;
mod m20261201_000003_create_corrective_actions;
mod m20261201_000004_search_incidents;
mod m20261203_000001_index_insights;
mod m20261204_000001_create_automation;
mod m20261204_000002_count_alert_groups;
mod m20261204_000003_stripe_hot_counts;
mod m20261207_000001_index_attached_alerts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_users::Migration),
            Box::new(m20261124_000002_create_sessions::Migration),
            Box::new(m20261124_000003_create_services::Migration),
            Box::new(m20261124_000004_create_incidents::Migration),
            Box::new(m20261124_000005_create_timeline_events::Migration),
            Box::new(m20261124_000006_create_sign_in_and_audit::Migration),
            Box::new(m20261124_000007_create_affected_customers::Migration),
            Box::new(m20261125_000001_create_alerts::Migration),
            Box::new(m20261125_000002_create_live_events::Migration),
            Box::new(m20261125_000003_extend_the_channel::Migration),
            Box::new(m20261125_000004_audit_alert_sources::Migration),
            Box::new(m20261201_000001_create_company_email::Migration),
            Box::new(m20261201_000002_create_postmortems::Migration),
            Box::new(m20261201_000003_create_corrective_actions::Migration),
            Box::new(m20261201_000004_search_incidents::Migration),
            Box::new(m20261203_000001_index_insights::Migration),
            Box::new(m20261204_000001_create_automation::Migration),
            Box::new(m20261204_000002_count_alert_groups::Migration),
            Box::new(m20261204_000003_stripe_hot_counts::Migration),
            Box::new(m20261207_000001_index_attached_alerts::Migration),
        ]
    }
}

/// A `CHECK (column IN (...))` constraint, so the database refuses what the domain refuses.
pub(crate) fn one_of(column: impl Iden + 'static, values: &[&str]) -> SimpleExpr {
    Expr::col(column).is_in(values.iter().map(|v| String::from(*v)))
}
