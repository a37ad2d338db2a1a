//! SeaORM entities, one per table created in `migrations/`.

pub mod action_change;
pub mod action_reminder;
pub mod affected_customer;
pub mod alert;
pub mod alert_source;
pub mod audit_event;
pub mod corrective_action;
pub mod customer_import_row;
pub mod distribution_list;
pub mod email;
pub mod email_draft;
pub mod incident;
pub mod incident_service;
pub mod incident_team;
pub mod live_event;
pub mod login_attempt;
pub mod not_now_item;
pub mod postmortem;
pub mod postmortem_participant;
pub mod postmortem_update;
pub mod service;
pub mod session;
pub mod setting;
pub mod timeline_event;
pub mod timeline_revision;
pub mod user;
