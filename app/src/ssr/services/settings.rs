//! The organisation's settings an admin changes at run time: its time zone, business
//! days and holidays (when postmortems are due). Until an admin saves them, the zone is
//! `ORG_TIME_ZONE` and business days are Monday to Friday without holidays.

use crate::{
    domain::{AppError, BusinessDays},
    model::postmortems::CalendarSettings,
    ssr::entities::setting,
};
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{sea_query::OnConflict, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

const CALENDAR: &str = "business_calendar";

/// The organisation's calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    pub zone: Tz,
    pub days: BusinessDays,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    zone: String,
    days: BusinessDays,
}

/// The calendar as saved, else the defaults (`default_zone`: `ORG_TIME_ZONE`).
pub async fn calendar(db: &impl ConnectionTrait, default_zone: Tz) -> Result<Calendar, AppError> {
    let stored = setting::Entity::find_by_id(CALENDAR.to_string())
        .one(db)
        .await?
        .and_then(|row| serde_json::from_str::<Stored>(&row.value).ok());
    Ok(match stored {
        Some(s) => Calendar {
            zone: s.zone.parse().unwrap_or(default_zone),
            days: s.days,
        },
        None => Calendar {
            zone: default_zone,
            days: BusinessDays::default(),
        },
    })
}

impl Calendar {
    /// As the admin's form shows it.
    pub fn form(&self) -> CalendarSettings {
        CalendarSettings {
            zone: self.zone.name().to_string(),
            weekdays: self
                .days
                .weekdays
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            holidays: self
                .days
                .holidays
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Saves the admin's form; the error names the field at fault.
pub async fn save_calendar(
    db: &impl ConnectionTrait,
    form: &CalendarSettings,
) -> Result<Calendar, AppError> {
    let zone: Tz = form.zone.trim().parse().map_err(|_| {
        AppError::invalid(
            "zone",
            format!(
                "\"{}\" is not a time zone name like Europe/Berlin or America/New_York.",
                form.zone.trim()
            ),
        )
    })?;
    let days = BusinessDays::parse(&form.weekdays, &form.holidays)?;
    let value = serde_json::to_string(&Stored {
        zone: zone.name().to_string(),
        days: days.clone(),
    })
    .map_err(|_| AppError::Internal)?;
    setting::Entity::insert(setting::ActiveModel {
        key: Set(CALENDAR.to_string()),
        value: Set(value),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(Calendar { zone, days })
}
