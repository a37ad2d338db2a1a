use serde::{Deserialize, Serialize};

/// Where an event belongs: the incident channel (the official record) or the postmortem discussion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Channel {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "incident"))]
    Incident,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "postmortem"))]
    Postmortem,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Incident => "incident",
            Channel::Postmortem => "postmortem",
        }
    }
}

/// What happened. Stored as text so later kinds (messages, alerts, emails) add rows, not columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum EventKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "declared"))]
    Declared,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "status_changed"))]
    StatusChanged,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "severity_changed"))]
    SeverityChanged,
    /// Affected customers added, edited, removed or restored: one line per change,
    /// however many rows it touched.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "customers_changed"))]
    CustomersChanged,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Declared => "declared",
            EventKind::StatusChanged => "status_changed",
            EventKind::SeverityChanged => "severity_changed",
            EventKind::CustomersChanged => "customers_changed",
        }
    }
}
