//! The incident history: every incident, newest first, narrowed by severity, status,
//! service, the day it started, open corrective actions, and words found in its title,
//! summary, timeline or postmortem (SQLite FTS5, PostgreSQL full-text search: see the
//! migration `m20261201_000004_search_incidents`). A viewer's search never looks into a
//! postmortem that is not published.

use crate::{
    domain::{
        search_words, ActionStatus, AppError, Permission, PostmortemStatus, Severity, Status,
    },
    model::{
        history::{HistoryFilter, HistoryPage},
        session::CurrentUser,
    },
    ssr::entities::incident,
};
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub async fn page(
    db: &impl ConnectionTrait,
    viewer: &CurrentUser,
    filter: &HistoryFilter,
    tz: Tz,
    zone: Tz,
) -> Result<HistoryPage, AppError> {
    let cond = selection(db.get_database_backend(), viewer, filter, tz)?;
    let page: u64 = match filter.page.trim() {
        "" => 1,
        raw => raw
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| AppError::invalid("page", "A page is a number from 1."))?,
    };
    let total = incident::Entity::find()
        .filter(cond.clone())
        .count(db)
        .await?;
    let rows = incident::Entity::find()
        .filter(cond)
        .order_by_desc(incident::Column::StartedAt)
        .order_by_desc(incident::Column::Id)
        .offset((page - 1) * HistoryPage::PER_PAGE)
        .limit(HistoryPage::PER_PAGE)
        .all(db)
        .await?;
    Ok(HistoryPage {
        rows: super::incidents::summaries(db, &rows, tz, zone).await?,
        total,
        page,
        pages: total.div_ceil(HistoryPage::PER_PAGE).max(1),
        services: super::incidents::service_names(db).await?,
    })
}

/// The filter as a condition on incidents; a value it cannot read is an error naming
/// its field.
fn selection(
    backend: DbBackend,
    viewer: &CurrentUser,
    filter: &HistoryFilter,
    tz: Tz,
) -> Result<Condition, AppError> {
    let mut cond = Condition::all();
    if let Some(severity) = chosen::<Severity>("severity", &filter.severity)? {
        cond = cond.add(incident::Column::Severity.eq(severity.as_str()));
    }
    if let Some(status) = chosen::<Status>("status", &filter.status)? {
        cond = cond.add(incident::Column::Status.eq(status.as_str()));
    }
    if !filter.service.trim().is_empty() {
        cond = cond.add(of_service(backend, filter.service.trim()));
    }
    let day = |field: &str, raw: &str| -> Result<Option<chrono::DateTime<Utc>>, AppError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid(field, "Write the day as YYYY-MM-DD."))?;
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        Ok(tz
            .from_local_datetime(&midnight)
            .earliest()
            .map(|at| at.with_timezone(&Utc)))
    };
    let from = day("from", &filter.from)?;
    let to = day("to", &filter.to)?;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(AppError::invalid(
                "to",
                "The last day comes before the first.",
            ));
        }
    }
    if let Some(from) = from {
        cond = cond.add(incident::Column::StartedAt.gte(from));
    }
    if let Some(to) = to {
        cond = cond.add(incident::Column::StartedAt.lt(to + chrono::Days::new(1)));
    }
    match filter.open_actions.trim() {
        "" | "0" => {}
        "1" => {
            let open = ActionStatus::OPEN
                .map(|s| format!("'{}'", s.as_str()))
                .join(", ");
            cond = cond.add(Expr::cust(format!(
                "incidents.id IN (SELECT incident_id FROM corrective_actions WHERE status IN ({open}))"
            )));
        }
        _ => return Err(AppError::invalid("open_actions", "Either 1 or nothing.")),
    }
    let words = search_words(&filter.q).map_err(|e| AppError::invalid("q", e))?;
    let responder = viewer.role.allows(Permission::Respond);
    for word in words {
        cond = cond.add(found(backend, responder, word));
    }
    Ok(cond)
}

/// The incidents about the service named `name`.
pub(super) fn of_service(backend: DbBackend, name: &str) -> sea_orm::sea_query::SimpleExpr {
    // A bound value is `?` to SQLite and `$1` to PostgreSQL here.
    let bound = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    Expr::cust_with_values(
        format!(
            "incidents.id IN (SELECT l.incident_id FROM incident_services l \
             JOIN services s ON s.id = l.service_id WHERE s.name = {bound})"
        ),
        [name.to_string()],
    )
}

/// A filter's choice read by its domain type (None: not chosen); what it cannot read is
/// an error naming `field`.
pub(super) fn chosen<T: std::str::FromStr<Err = String>>(
    field: &str,
    raw: &str,
) -> Result<Option<T>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw
            .parse()
            .map(Some)
            .map_err(|e| AppError::invalid(field, e)),
    }
}

/// The incidents where `word` is found: in the title or summary, a line of the
/// timeline, or the postmortem (for a viewer, only a published one).
fn found(backend: DbBackend, responder: bool, word: String) -> sea_orm::sea_query::SimpleExpr {
    let published = if responder {
        String::new()
    } else {
        format!("AND p.status = '{}'", PostmortemStatus::Published.as_str())
    };
    match backend {
        DbBackend::Sqlite => {
            // FTS5's query syntax: a quoted string is one term, whatever it holds.
            let term = format!("\"{word}\"");
            Expr::cust_with_values(
                format!(
                    "incidents.id IN (\
                     SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ? \
                     UNION SELECT t.incident_id FROM timeline_fts JOIN timeline_events t ON t.id = timeline_fts.rowid WHERE timeline_fts MATCH ? \
                     UNION SELECT p.incident_id FROM postmortems_fts JOIN postmortems p ON p.id = postmortems_fts.rowid WHERE postmortems_fts MATCH ? {published})"
                ),
                [term.clone(), term.clone(), term],
            )
        }
        _ => Expr::cust_with_values(
            format!(
                "incidents.id IN (\
                 SELECT id FROM incidents WHERE to_tsvector('simple', title || ' ' || summary) @@ plainto_tsquery('simple', $1) \
                 UNION SELECT incident_id FROM timeline_events WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', $1) \
                 UNION SELECT p.incident_id FROM postmortems p WHERE to_tsvector('simple', p.search_text) @@ plainto_tsquery('simple', $1) {published})"
            ),
            [word],
        ),
    }
}
