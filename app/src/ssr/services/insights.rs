//! Insights: the figures behind `/insights`, in the viewer's weeks and months, and the
//! charts drawn from them (SVG, by charts-rs, on the server: the browser runs no chart
//! code, and the pictures read without JavaScript).
//!
//! Read: the incidents that started in the period (five columns each), the earliest
//! alert of each, their services, their postmortems' publication, the corrective
//! actions opened in it. MTTA and MTTR are `domain::insights::Lifecycle`'s.

use super::{history, incidents, settings};
use crate::{
    domain::{
        insights::{month_of, months_between, percentile, week_of, weeks_between, Lifecycle, Line},
        ActionStatus, AppError, Severity, Status,
    },
    model::insights::{Chart, ChartKind, FigureTable, Insights, InsightsFilter},
    ssr::entities::{
        alert, corrective_action as action, incident, incident_service, postmortem, service,
    },
};
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Expr, ExprTrait, SelectStatement},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect,
    QueryTrait, RelationTrait,
};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The insights the filter selects, every chart drawn.
#[tracing::instrument(skip(db))]
pub async fn read(
    db: &impl ConnectionTrait,
    filter: &InsightsFilter,
    tz: Tz,
    default_zone: Tz,
    now: DateTime<Utc>,
) -> Result<Insights, AppError> {
    let figures = figures(db, filter, tz, default_zone, now).await?;
    let charts = figures
        .charts
        .into_iter()
        .map(|(kind, table)| {
            let (title, note) = words(kind);
            Ok(Chart {
                kind,
                title: title.to_string(),
                note: note.to_string(),
                svg: draw(kind, title, &table)?,
                table,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Insights {
        period: figures.period,
        incidents: figures.incidents,
        charts,
        services: incidents::service_names(db).await?,
    })
}

/// One chart's table as CSV (RFC 4180, its header first): the bytes the page's table
/// shows, cell for cell.
pub async fn csv(
    db: &impl ConnectionTrait,
    filter: &InsightsFilter,
    chart: &str,
    tz: Tz,
    default_zone: Tz,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let kind = ChartKind::parse(chart).ok_or_else(|| {
        AppError::invalid(
            "chart",
            format!(
                "Name one of the charts: {}.",
                ChartKind::ALL.map(ChartKind::key).join(", ")
            ),
        )
    })?;
    let figures = figures(db, filter, tz, default_zone, now).await?;
    let table = figures
        .charts
        .into_iter()
        .find_map(|(k, table)| (k == kind).then_some(table))
        .unwrap_or_default();
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| {
        tracing::error!(error = %e, "an insights CSV does not write");
        AppError::Internal
    };
    out.write_record(&table.columns).map_err(fail)?;
    for row in &table.rows {
        out.write_record(row).map_err(fail)?;
    }
    String::from_utf8(out.into_inner().map_err(|_| AppError::Internal)?)
        .map_err(|_| AppError::Internal)
}

/// Each chart's title and how it is measured.
fn words(kind: ChartKind) -> (&'static str, &'static str) {
    match kind {
        ChartKind::IncidentsPerWeek => (
            "Incidents per week",
            "Incidents by the week they started in (weeks start on Monday), by severity.",
        ),
        ChartKind::MttaPerMonth => (
            "Time to acknowledge, per month",
            "From the first alert to the first thing a person did (the declaration, usually), for incidents an alert announced, by the month they started in. p50 is the median; p90, the time nine in ten stayed under.",
        ),
        ChartKind::MttrPerMonth => (
            "Time to resolve, per month",
            "From the start the responders recorded to the last resolution (a reopened incident counts again), by the month it started in.",
        ),
        ChartKind::BySeverity => (
            "Time to acknowledge and resolve, by severity",
            "Over the whole period; the chart shows the time to resolve, the table both.",
        ),
        ChartKind::ByService => (
            "Time to acknowledge and resolve, by service",
            "Over the whole period; an incident about several services counts for each.",
        ),
        ChartKind::PostmortemsOnTime => (
            "Postmortems published within 24 business hours",
            "Incidents by the month they were resolved in, whose postmortem is published or due by now; on time means published before it fell due.",
        ),
        ChartKind::Actions => (
            "Corrective actions",
            "Actions by the month they were opened in: how many, how many are done, and how many are still open past their expected date.",
        ),
    }
}

/// What the charts are drawn from.
struct Figures {
    period: String,
    incidents: u64,
    charts: Vec<(ChartKind, FigureTable)>,
}

/// One incident as the measures read it.
struct Measured {
    severity: Severity,
    life: Lifecycle,
}

async fn figures(
    db: &impl ConnectionTrait,
    filter: &InsightsFilter,
    tz: Tz,
    default_zone: Tz,
    now: DateTime<Utc>,
) -> Result<Figures, AppError> {
    let months = match filter.months.trim() {
        "" => InsightsFilter::DEFAULT_MONTHS,
        raw => raw
            .parse::<u32>()
            .ok()
            .filter(|m| InsightsFilter::MONTHS.contains(m))
            .ok_or_else(|| {
                AppError::invalid(
                    "months",
                    format!(
                        "Pick a period of {} months.",
                        InsightsFilter::MONTHS.map(|m| m.to_string()).join(", ")
                    ),
                )
            })?,
    };
    let mut chosen = Condition::all();
    if let Some(severity) = history::chosen::<Severity>("severity", &filter.severity)? {
        chosen = chosen.add(incident::Column::Severity.eq(severity.as_str()));
    }
    if !filter.service.trim().is_empty() {
        chosen = chosen.add(history::of_service(
            db.get_database_backend(),
            filter.service.trim(),
        ));
    }
    let today = now.with_timezone(&tz).date_naive();
    let first_month = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(months - 1)))
        .unwrap_or(today);
    let start = tz
        .from_local_datetime(&first_month.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(now, |at| at.with_timezone(&Utc));
    let in_period = chosen.clone().add(incident::Column::StartedAt.gte(start));
    let ids = |cond: Condition| -> SelectStatement {
        incident::Entity::find()
            .select_only()
            .column(incident::Column::Id)
            .filter(cond)
            .into_query()
    };

    let rows: Vec<(
        i64,
        Severity,
        Status,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    )> = incident::Entity::find()
        .select_only()
        .columns([
            incident::Column::Id,
            incident::Column::Severity,
            incident::Column::Status,
            incident::Column::StartedAt,
            incident::Column::DetectedAt,
            incident::Column::ResolvedAt,
        ])
        .filter(in_period.clone())
        .into_tuple()
        .all(db)
        .await?;
    let first_alerts: HashMap<i64, DateTime<Utc>> = alert::Entity::find()
        .select_only()
        .column(alert::Column::IncidentId)
        .column_as(Expr::col(alert::Column::FirstSeenAt).min(), "first_seen")
        .filter(alert::Column::IncidentId.in_subquery(ids(in_period.clone())))
        .group_by(alert::Column::IncidentId)
        .into_tuple::<(i64, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let services: Vec<(i64, String)> = incident_service::Entity::find()
        .select_only()
        .column(incident_service::Column::IncidentId)
        .column_as(service::Column::Name, "name")
        .join(
            JoinType::InnerJoin,
            incident_service::Relation::Service.def(),
        )
        .filter(incident_service::Column::IncidentId.in_subquery(ids(in_period.clone())))
        .into_tuple()
        .all(db)
        .await?;
    let published: HashMap<i64, Option<DateTime<Utc>>> = postmortem::Entity::find()
        .select_only()
        .columns([
            postmortem::Column::IncidentId,
            postmortem::Column::PublishedAt,
        ])
        .filter(postmortem::Column::IncidentId.in_subquery(ids(in_period)))
        .into_tuple::<(i64, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let actions: Vec<(DateTime<Utc>, ActionStatus, NaiveDate)> = action::Entity::find()
        .select_only()
        .columns([
            action::Column::CreatedAt,
            action::Column::Status,
            action::Column::DueOn,
        ])
        .filter(action::Column::CreatedAt.gte(start))
        .filter(action::Column::IncidentId.in_subquery(ids(chosen)))
        .into_tuple()
        .all(db)
        .await?;
    let calendar = settings::calendar(db, default_zone).await?;

    let measured: HashMap<i64, Measured> = rows
        .iter()
        .map(|&(id, severity, status, started, declared, resolved)| {
            let record = [Line::ByPerson(declared)]
                .into_iter()
                .chain(first_alerts.get(&id).copied().map(Line::Alert))
                .chain(
                    resolved
                        .filter(|_| status == Status::Resolved)
                        .map(|at| Line::Status(at, Status::Resolved)),
                );
            let life = Lifecycle::from_record(started, record);
            (id, Measured { severity, life })
        })
        .collect();
    let weeks = weeks_between(first_month, today);
    let months_listed = months_between(first_month, today);

    let mut names: Vec<String> = services.iter().map(|(_, name)| name.clone()).collect();
    names.sort();
    names.dedup();
    let by_service = services
        .iter()
        .filter_map(|(id, name)| measured.get(id).map(|m| (name.clone(), m)));
    let by_severity = measured
        .values()
        .map(|m| (m.severity.as_str().to_string(), m));
    let severities = Severity::ALL.map(|s| s.as_str().to_string()).to_vec();
    let calendar_today = now.with_timezone(&calendar.zone).date_naive();
    let charts = vec![
        (ChartKind::IncidentsPerWeek, per_week(&measured, &weeks, tz)),
        (
            ChartKind::MttaPerMonth,
            per_month(
                &measured,
                &months_listed,
                tz,
                Lifecycle::mtta,
                (minutes, "min"),
            ),
        ),
        (
            ChartKind::MttrPerMonth,
            per_month(&measured, &months_listed, tz, Lifecycle::mttr, (hours, "h")),
        ),
        (
            ChartKind::BySeverity,
            by_group("Severity", severities, by_severity),
        ),
        (ChartKind::ByService, by_group("Service", names, by_service)),
        (
            ChartKind::PostmortemsOnTime,
            on_time(&measured, &published, &months_listed, tz, &calendar, now),
        ),
        (
            ChartKind::Actions,
            opened_and_done(&actions, &months_listed, tz, calendar_today),
        ),
    ];
    Ok(Figures {
        period: format!(
            "{first_month} to {today}, weeks and months in {}",
            tz.name()
        ),
        incidents: rows.len() as u64,
        charts,
    })
}

fn minutes(seconds: i64) -> String {
    format!("{:.1}", seconds as f64 / 60.0)
}

fn hours(seconds: i64) -> String {
    format!("{:.1}", seconds as f64 / 3600.0)
}

/// p50 and p90 of some durations, written by `unit` (empty cells when there are none).
fn p50_p90(mut seconds: Vec<i64>, unit: fn(i64) -> String) -> [String; 2] {
    [50, 90].map(|p| percentile(&mut seconds, p).map(unit).unwrap_or_default())
}

fn per_week(measured: &HashMap<i64, Measured>, weeks: &[NaiveDate], tz: Tz) -> FigureTable {
    let mut counts: HashMap<NaiveDate, [u64; 4]> = HashMap::new();
    for m in measured.values() {
        let slot = Severity::ALL
            .iter()
            .position(|s| *s == m.severity)
            .unwrap_or(3);
        counts.entry(week_of(m.life.started, &tz)).or_default()[slot] += 1;
    }
    FigureTable {
        columns: ["Week of"]
            .into_iter()
            .map(String::from)
            .chain(Severity::ALL.map(|s| s.as_str().to_string()))
            .chain(["Total".to_string()])
            .collect(),
        rows: weeks
            .iter()
            .map(|week| {
                let c = counts.get(week).copied().unwrap_or_default();
                std::iter::once(week.to_string())
                    .chain(c.iter().map(u64::to_string))
                    .chain([c.iter().sum::<u64>().to_string()])
                    .collect()
            })
            .collect(),
    }
}

fn per_month(
    measured: &HashMap<i64, Measured>,
    months: &[NaiveDate],
    tz: Tz,
    measure: fn(&Lifecycle) -> Option<chrono::Duration>,
    (unit, in_what): (fn(i64) -> String, &str),
) -> FigureTable {
    let mut values: HashMap<NaiveDate, Vec<i64>> = HashMap::new();
    for m in measured.values() {
        if let Some(d) = measure(&m.life) {
            values
                .entry(month_of(m.life.started, &tz))
                .or_default()
                .push(d.num_seconds());
        }
    }
    FigureTable {
        columns: vec![
            "Month".into(),
            "Incidents measured".into(),
            format!("p50 ({in_what})"),
            format!("p90 ({in_what})"),
        ],
        rows: months
            .iter()
            .map(|month| {
                let v = values.remove(month).unwrap_or_default();
                let measured = v.len().to_string();
                let [p50, p90] = p50_p90(v, unit);
                vec![month.format("%Y-%m").to_string(), measured, p50, p90]
            })
            .collect(),
    }
}

fn by_group<'a>(
    label: &str,
    groups: Vec<String>,
    members: impl Iterator<Item = (String, &'a Measured)>,
) -> FigureTable {
    let mut of: HashMap<String, Vec<&Measured>> = HashMap::new();
    for (group, m) in members {
        of.entry(group).or_default().push(m);
    }
    FigureTable {
        columns: [
            label,
            "Incidents",
            "MTTA p50 (min)",
            "MTTA p90 (min)",
            "MTTR p50 (h)",
            "MTTR p90 (h)",
        ]
        .map(String::from)
        .to_vec(),
        rows: groups
            .into_iter()
            .filter_map(|group| {
                let members = of.remove(&group)?;
                let seconds = |measure: fn(&Lifecycle) -> Option<chrono::Duration>| {
                    members
                        .iter()
                        .filter_map(|m| measure(&m.life).map(|d| d.num_seconds()))
                        .collect::<Vec<_>>()
                };
                let [a50, a90] = p50_p90(seconds(Lifecycle::mtta), minutes);
                let [r50, r90] = p50_p90(seconds(Lifecycle::mttr), hours);
                Some(vec![group, members.len().to_string(), a50, a90, r50, r90])
            })
            .collect(),
    }
}

fn on_time(
    measured: &HashMap<i64, Measured>,
    published: &HashMap<i64, Option<DateTime<Utc>>>,
    months: &[NaiveDate],
    tz: Tz,
    calendar: &settings::Calendar,
    now: DateTime<Utc>,
) -> FigureTable {
    // Per month: [due or published, published, published on time].
    let mut counts: HashMap<NaiveDate, [u64; 3]> = HashMap::new();
    for (id, m) in measured {
        let Some(resolved) = m.life.resolved else {
            continue;
        };
        let due = calendar.days.due_at(resolved, &calendar.zone);
        let at = published.get(id).copied().flatten();
        if at.is_none() && due > now {
            continue;
        }
        let c = counts.entry(month_of(resolved, &tz)).or_default();
        c[0] += 1;
        if let Some(at) = at {
            c[1] += 1;
            c[2] += u64::from(at <= due);
        }
    }
    FigureTable {
        columns: [
            "Month resolved",
            "Postmortems due",
            "Published",
            "Published on time",
            "On time (%)",
        ]
        .map(String::from)
        .to_vec(),
        rows: months
            .iter()
            .map(|month| {
                let [due, done, on_time] = counts.get(month).copied().unwrap_or_default();
                let share = if due == 0 {
                    String::new()
                } else {
                    format!("{:.0}", on_time as f64 * 100.0 / due as f64)
                };
                vec![
                    month.format("%Y-%m").to_string(),
                    due.to_string(),
                    done.to_string(),
                    on_time.to_string(),
                    share,
                ]
            })
            .collect(),
    }
}

fn opened_and_done(
    actions: &[(DateTime<Utc>, ActionStatus, NaiveDate)],
    months: &[NaiveDate],
    tz: Tz,
    today: NaiveDate,
) -> FigureTable {
    let mut counts: HashMap<NaiveDate, [u64; 3]> = HashMap::new();
    for (opened, status, due) in actions {
        let c = counts.entry(month_of(*opened, &tz)).or_default();
        c[0] += 1;
        c[1] += u64::from(*status == ActionStatus::Done);
        c[2] += u64::from(ActionStatus::OPEN.contains(status) && *due < today);
    }
    FigureTable {
        columns: ["Month opened", "Opened", "Done", "Overdue"]
            .map(String::from)
            .to_vec(),
        rows: months
            .iter()
            .map(|month| {
                let c = counts.get(month).copied().unwrap_or_default();
                std::iter::once(month.format("%Y-%m").to_string())
                    .chain(c.iter().map(u64::to_string))
                    .collect()
            })
            .collect(),
    }
}

/// Severity colours, SEV1 first (the stylesheet's `--sev1`…`--sev4`, which the badges
/// wear); then the palette of the other charts.
const SEVERITY_COLOURS: [&str; 4] = ["#b42318", "#b04a00", "#806a00", "#4a5a78"];
const COLOURS: [&str; 3] = ["#2e86c1", "#8e44ad", "#c0392b"];

/// A chart on a transparent background: the page's paper shows through, light or dark.
fn transparent<C: std::ops::DerefMut<Target = charts_rs::ChartBase>>(mut chart: C) -> C {
    chart.background_color = charts_rs::Color::transparent();
    chart
}

/// Draws a chart from its table: the first column is the category, and the columns
/// each kind plots are its series (an empty cell is a missing point).
fn draw(kind: ChartKind, title: &str, table: &FigureTable) -> Result<String, AppError> {
    let (shape, series, colours, unit): (&str, &[usize], &[&str], &str) = match kind {
        ChartKind::IncidentsPerWeek => ("bar", &[1, 2, 3, 4], &SEVERITY_COLOURS, "{c}"),
        ChartKind::MttaPerMonth => ("line", &[2, 3], &COLOURS, "{c} min"),
        ChartKind::MttrPerMonth => ("line", &[2, 3], &COLOURS, "{c} h"),
        ChartKind::BySeverity | ChartKind::ByService => ("horizontal", &[4, 5], &COLOURS, "{c} h"),
        ChartKind::PostmortemsOnTime => ("bar", &[4], &COLOURS, "{c}%"),
        ChartKind::Actions => ("bar", &[1, 2, 3], &COLOURS, "{c}"),
    };
    let categories: Vec<&str> = table.rows.iter().map(|r| r[0].as_str()).collect();
    let series_list: Vec<Value> = series
        .iter()
        .map(|&column| {
            let data: Vec<Value> = table
                .rows
                .iter()
                .map(|r| r[column].parse::<f64>().map_or(Value::Null, Value::from))
                .collect();
            let mut one = json!({ "name": table.columns[column], "data": data });
            if kind == ChartKind::IncidentsPerWeek {
                one["stack"] = json!("severity");
            }
            one
        })
        .collect();
    let rows = categories.len().max(1) as f64;
    let option = json!({
        "width": 720,
        "height": if shape == "horizontal" { (90.0 + 28.0 * rows).max(160.0) } else { 320.0 },
        "title_text": "",
        "legend_position": "bottom",
        "series_colors": colours,
        "series_list": series_list,
        "x_axis_data": categories,
        "x_axis_label_overflow": "thin",
        "y_axis_configs": [{ "axis_formatter": unit }],
        "empty_text": "Nothing to show in this period",
        "compact": true,
    });
    let option = option.to_string();
    let made = match shape {
        "line" => charts_rs::LineChart::from_json(&option).and_then(|c| transparent(c).svg()),
        "horizontal" => {
            charts_rs::HorizontalBarChart::from_json(&option).and_then(|c| transparent(c).svg())
        }
        _ => charts_rs::BarChart::from_json(&option).and_then(|c| transparent(c).svg()),
    };
    made.map_err(|e| {
        tracing::error!(error = %e, chart = title, "a chart does not draw");
        #[cfg(test)]
        eprintln!("{title}: {e}");
        AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_draws_from_its_table_even_with_gaps_and_without_rows() {
        for kind in ChartKind::ALL {
            let columns: Vec<String> = (0..6).map(|c| format!("c{c}")).collect();
            let full = FigureTable {
                columns: columns.clone(),
                rows: vec![
                    vec![
                        "2026-11".into(),
                        "1".into(),
                        "2".into(),
                        "3".into(),
                        "4".into(),
                        "5".into(),
                    ],
                    vec![
                        "2026-12".into(),
                        "0".into(),
                        "".into(),
                        "".into(),
                        "".into(),
                        "".into(),
                    ],
                ],
            };
            let svg =
                draw(kind, words(kind).0, &full).unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
            assert!(
                svg.starts_with("<svg") && svg.contains("viewBox"),
                "{kind:?}"
            );
            let empty = FigureTable {
                columns,
                rows: vec![],
            };
            draw(kind, words(kind).0, &empty).unwrap_or_else(|e| panic!("{kind:?} empty: {e:?}"));
        }
    }
}
