//! Alerts: a batch of deliveries becomes alerts ([`write_batch`], in the alert writer's
//! transaction: load → [`classify`] → write), alerts for a service with an open incident
//! attach to it, and the feed groups them by source and service ([`feed`]); responders
//! triage the rest by hand ([`triage`]).

mod feed;
mod triage;

pub use feed::{feed, group, of_incident, publish_groups, view};
pub use triage::{attach, attach_to_new_incident};

use super::incidents::record;
use crate::{
    domain::{
        classify, AlertState, AppError, Delivery, EventKind, IncomingAlert, Known, Outcome,
        Severity, Status,
    },
    ssr::entities::{
        alert, alert_source as source, alert_source_delivery as delivery, incident,
        incident_service, service,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Set, Statement,
};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Keys per `IN (…)` lookup.
const KEYS_PER_QUERY: usize = 500;
/// Rows per multi-row INSERT on SQLite (14 columns: well under its parameter limit).
const ROWS_PER_INSERT: usize = 1000;
/// Titles quoted in one timeline line.
const TITLES_QUOTED: usize = 3;

/// One authenticated delivery, waiting for the writer.
pub struct Job {
    pub source: source::Model,
    pub delivery: Delivery,
}

impl Job {
    /// The (source, dedup key) of every alert the delivery carries.
    pub fn keys(&self) -> impl Iterator<Item = (i64, &str)> {
        let alerts = match &self.delivery {
            Delivery::Alerts(alerts) => alerts.as_slice(),
            _ => &[],
        };
        alerts
            .iter()
            .map(|a| (self.source.id, a.dedup_key.as_str()))
    }
}

/// What became of one delivery: the webhook's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub alerts: Vec<AlertReceipt>,
    /// Why nothing was recorded, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertReceipt {
    pub dedup_key: String,
    pub result: Outcome,
}

/// A feed group: its source and service.
pub type GroupKey = (i64, String);

/// What a batch did: each delivery's receipt, and the feed groups whose alerts changed
/// (for [`publish_groups`], which the writer calls once the batch is committed).
pub struct Written {
    pub receipts: Vec<Receipt>,
    pub groups: BTreeSet<GroupKey>,
}

/// The advisory lock class of alert keys (the key is a hash of the source and the
/// dedup key).
const KEY_LOCK: i32 = 0x5707_a1e7;

/// Records a batch of deliveries, in order, inside the caller's transaction: alerts
/// created, updated or resolved, attachments and their timeline lines, and the sources'
/// delivery counts. A batch reads each key's newest alert and writes what follows from
/// it, so two batches that mention the same key must not interleave (both would create
/// the key's alert, or one would overwrite the other's count): on PostgreSQL each first
/// locks its keys until its commit, so batches of other keys — from the process's
/// other writers or another instance — go on beside it; SQLite's write transactions
/// are serialised already.
pub async fn write_batch(
    db: &impl ConnectionTrait,
    jobs: &[Job],
    now: DateTime<Utc>,
) -> Result<Written, AppError> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        lock_keys(db, jobs).await?;
    }
    let mut batch = Batch::load(db, jobs).await?;
    let mut receipts = Vec::with_capacity(jobs.len());
    let mut confirmations = Vec::new();
    for job in jobs {
        let mut receipt = Receipt::default();
        match &job.delivery {
            Delivery::Alerts(alerts) => {
                for a in alerts {
                    let result = batch.apply(db, &job.source, a, now).await?;
                    receipt.alerts.push(AlertReceipt {
                        dedup_key: a.dedup_key.clone(),
                        result,
                    });
                }
            }
            Delivery::ConfirmSubscription { url } => {
                confirmations.push((job.source.id, url.clone()));
                receipt.ignored =
                    Some("subscription confirmation recorded for an admin to open".into());
            }
            Delivery::Ignored(reason) => receipt.ignored = Some(reason.clone()),
        }
        receipts.push(receipt);
    }
    write_rows(db, batch.rows).await?;
    count_deliveries(db, jobs, &confirmations, now).await?;
    record_effects(db, &batch.effects, jobs, now).await?;
    Ok(Written {
        receipts,
        groups: batch.effects.groups,
    })
}

/// The alerts a batch works on: those it loaded (the newest of each key it mentions)
/// and those it creates, with where each key's newest one is.
struct Batch {
    rows: Vec<Row>,
    latest: HashMap<(i64, String), usize>,
    /// Service (lower case) → the open incident its new alerts attach to; read once, when
    /// the first new firing alert with a service needs it.
    open_by_service: Option<HashMap<String, i64>>,
    effects: Effects,
}

impl Batch {
    async fn load(db: &impl ConnectionTrait, jobs: &[Job]) -> Result<Self, AppError> {
        let mut rows = Vec::new();
        let latest = load_latest(db, jobs, &mut rows).await?;
        Ok(Self {
            rows,
            latest,
            open_by_service: None,
            effects: Effects::default(),
        })
    }

    /// One alert of a delivery: classified against the newest alert with its key, then
    /// applied to it (or made new).
    async fn apply(
        &mut self,
        db: &impl ConnectionTrait,
        source: &source::Model,
        a: &IncomingAlert,
        now: DateTime<Utc>,
    ) -> Result<Outcome, AppError> {
        let key = (source.id, a.dedup_key.clone());
        let latest = self.latest.get(&key).copied();
        let outcome = classify(latest.map(|i| self.rows[i].known()), a);
        let index = match (outcome, latest) {
            (Outcome::Updated, Some(i)) => {
                self.rows[i].repeat(a, now);
                i
            }
            (Outcome::Resolved, Some(i)) => {
                let row = &mut self.rows[i];
                row.repeat(a, now);
                row.state = AlertState::Resolved;
                row.resolved_at = Some(now);
                if let Some(number) = row.incident_id {
                    let titles = self.effects.resolved.entry((number, source.id));
                    titles.or_default().push(row.title.clone());
                }
                i
            }
            (Outcome::Repeated, Some(i)) => {
                self.rows[i].count(now);
                i
            }
            (Outcome::Created, _) | (_, None) => {
                let row = self.create(db, source, a, now).await?;
                self.latest.insert(key, self.rows.len());
                self.rows.push(row);
                self.rows.len() - 1
            }
        };
        let service = self.rows[index].service.clone();
        self.effects.groups.insert((source.id, service));
        Ok(outcome)
    }

    /// A new alert; a firing one attaches to the open incident of its service, if any.
    async fn create(
        &mut self,
        db: &impl ConnectionTrait,
        source: &source::Model,
        a: &IncomingAlert,
        now: DateTime<Utc>,
    ) -> Result<Row, AppError> {
        let mut row = Row::new(source, a, now);
        if row.state == AlertState::Firing && !row.service.is_empty() {
            if self.open_by_service.is_none() {
                self.open_by_service = Some(open_incidents_by_service(db).await?);
            }
            row.incident_id = self
                .open_by_service
                .as_ref()
                .and_then(|open| open.get(&row.service.to_lowercase()).copied());
            if let Some(number) = row.incident_id {
                let titles = self.effects.attached.entry((number, source.id));
                titles.or_default().push(row.title.clone());
            }
        }
        Ok(row)
    }
}

/// An alert as the batch works on it: loaded, or new (no id yet).
struct Row {
    id: Option<i64>,
    source_id: i64,
    dedup_key: String,
    title: String,
    severity: Option<Severity>,
    state: AlertState,
    service: String,
    details: String,
    url: Option<String>,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    occurrences: i64,
    incident_id: Option<i64>,
    changed: bool,
}

impl From<alert::Model> for Row {
    fn from(m: alert::Model) -> Self {
        Self {
            id: Some(m.id),
            source_id: m.source_id,
            dedup_key: m.dedup_key,
            title: m.title,
            severity: m.severity,
            state: m.status,
            service: m.service,
            details: m.details,
            url: m.url,
            first_seen: m.first_seen_at,
            last_seen: m.last_seen_at,
            resolved_at: m.resolved_at,
            occurrences: m.occurrences,
            incident_id: m.incident_id,
            changed: false,
        }
    }
}

impl Row {
    fn new(source: &source::Model, a: &IncomingAlert, now: DateTime<Utc>) -> Self {
        let service = a
            .service
            .as_ref()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| source.service.clone());
        Self {
            id: None,
            source_id: source.id,
            dedup_key: a.dedup_key.clone(),
            title: a.title.clone().unwrap_or_else(|| a.dedup_key.clone()),
            severity: a.severity,
            state: a.state,
            service,
            details: a.details.to_string(),
            url: a.url.clone(),
            first_seen: now,
            last_seen: now,
            resolved_at: (a.state == AlertState::Resolved).then_some(now),
            occurrences: 1,
            incident_id: None,
            changed: true,
        }
    }

    fn known(&self) -> Known {
        Known {
            state: self.state,
            resolved_at: self.resolved_at,
        }
    }

    /// Another delivery, counted.
    fn count(&mut self, now: DateTime<Utc>) {
        self.occurrences += 1;
        self.last_seen = now;
        self.changed = true;
    }

    /// Another delivery of this alert: counted, and what it says now replaces what it
    /// said (but a resolve keeps the title it fired with: "api is DOWN" names the alert).
    fn repeat(&mut self, a: &IncomingAlert, now: DateTime<Utc>) {
        self.count(now);
        if let (Some(title), AlertState::Firing) = (&a.title, a.state) {
            self.title.clone_from(title);
        }
        if a.severity.is_some() {
            self.severity = a.severity;
        }
        if a.url.is_some() {
            self.url.clone_from(&a.url);
        }
        if !serde_json::Value::is_null(&a.details) {
            self.details = a.details.to_string();
        }
    }
}

/// Where things happened in a batch, for the timeline lines and the live changes.
#[derive(Default)]
struct Effects {
    /// (incident, source) → titles of alerts attached.
    attached: BTreeMap<(i64, i64), Vec<String>>,
    /// (incident, source) → titles of attached alerts that resolved.
    resolved: BTreeMap<(i64, i64), Vec<String>>,
    /// (source, service) groups whose alerts changed.
    groups: BTreeSet<GroupKey>,
}

/// Takes the transaction's lock on every key the batch mentions, all in one statement
/// and in one order (by hash), so two batches never wait on each other in a circle.
/// Two keys with the same 32-bit hash share a lock, which only serialises them.
async fn lock_keys(db: &impl ConnectionTrait, jobs: &[Job]) -> Result<(), AppError> {
    let (sources, keys): (Vec<i64>, Vec<String>) = jobs
        .iter()
        .flat_map(Job::keys)
        .map(|(source, key)| (source, key.to_string()))
        .unzip();
    if keys.is_empty() {
        return Ok(());
    }
    let lock = Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            r#"SELECT count(pg_advisory_xact_lock({KEY_LOCK}, h)) FROM (
                   SELECT DISTINCT hashtext(s::text || ':' || k) AS h
                   FROM unnest($1::bigint[], $2::text[]) AS t(s, k)
                   ORDER BY h
               ) AS hashes"#
        ),
        [sources.into(), keys.into()],
    );
    db.execute_raw(lock).await?;
    Ok(())
}

/// The newest alert of every key the batch mentions, whatever its state.
async fn load_latest(
    db: &impl ConnectionTrait,
    jobs: &[Job],
    rows: &mut Vec<Row>,
) -> Result<HashMap<(i64, String), usize>, AppError> {
    let mut keys: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for (source, key) in jobs.iter().flat_map(Job::keys) {
        keys.entry(source).or_default().insert(key);
    }
    let mut latest = HashMap::new();
    for (source_id, keys) in keys {
        let keys: Vec<&str> = keys.into_iter().collect();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            for model in newest_with_keys(db, source_id, chunk).await? {
                let key = (source_id, model.dedup_key.clone());
                if !latest.contains_key(&key) {
                    latest.insert(key, rows.len());
                    rows.push(Row::from(model));
                }
            }
        }
    }
    Ok(latest)
}

/// The newest alert of each of `keys` of a source (those it has), newest first.
///
/// PostgreSQL gets one index probe per key (`idx_alerts_key`, newest id first): with an
/// `IN (…)` list it planned a scan of every alert of the source whenever its statistics
/// lagged behind a table growing during a storm (each batch reading 40,000 rows to find
/// 64, measured), so ingest slowed as the table grew.
async fn newest_with_keys(
    db: &impl ConnectionTrait,
    source_id: i64,
    keys: &[&str],
) -> Result<Vec<alert::Model>, AppError> {
    if db.get_database_backend() == DbBackend::Postgres {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let newest = Statement::from_sql_and_values(
            DbBackend::Postgres,
            r#"SELECT a.* FROM unnest($2::text[]) AS k(key)
               CROSS JOIN LATERAL (
                   SELECT * FROM alerts WHERE source_id = $1 AND dedup_key = k.key
                   ORDER BY id DESC LIMIT 1
               ) AS a
               ORDER BY a.id DESC"#,
            [source_id.into(), keys.into()],
        );
        return Ok(alert::Entity::find().from_raw_sql(newest).all(db).await?);
    }
    Ok(alert::Entity::find()
        .filter(alert::Column::SourceId.eq(source_id))
        .filter(alert::Column::DedupKey.is_in(keys.iter().copied()))
        .order_by_desc(alert::Column::Id)
        .all(db)
        .await?)
}

/// Each service with an open incident (lower case) → the incident its alerts attach to:
/// the most severe, then the most recently declared.
async fn open_incidents_by_service(
    db: &impl ConnectionTrait,
) -> Result<HashMap<String, i64>, AppError> {
    let rows: Vec<(String, i64)> = incident_service::Entity::find()
        .select_only()
        .column(service::Column::Name)
        .column(incident::Column::Id)
        .join(
            JoinType::InnerJoin,
            incident_service::Relation::Service.def(),
        )
        .join(
            JoinType::InnerJoin,
            incident_service::Relation::Incident.def(),
        )
        .filter(incident::Column::Status.ne(Status::Resolved.as_str()))
        .order_by_desc(incident::Column::Severity)
        .order_by_asc(incident::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // Later rows (more severe, then newer) overwrite earlier ones.
    Ok(rows
        .into_iter()
        .map(|(name, number)| (name.to_lowercase(), number))
        .collect())
}

async fn write_rows(db: &impl ConnectionTrait, rows: Vec<Row>) -> Result<(), AppError> {
    let (new, existing): (Vec<Row>, Vec<Row>) = rows
        .into_iter()
        .filter(|r| r.changed)
        .partition(|r| r.id.is_none());
    if db.get_database_backend() == DbBackend::Postgres {
        if !existing.is_empty() {
            update_as_json(db, &existing).await?;
        }
        if !new.is_empty() {
            insert_as_json(db, &new).await?;
        }
        return Ok(());
    }
    for row in existing {
        let Some(id) = row.id else { continue };
        alert::Entity::update_many()
            .col_expr(alert::Column::Title, Expr::value(row.title))
            .col_expr(
                alert::Column::Severity,
                Expr::value(row.severity.map(|s| s.as_str())),
            )
            .col_expr(alert::Column::Status, Expr::value(row.state.as_str()))
            .col_expr(alert::Column::Details, Expr::value(row.details))
            .col_expr(alert::Column::Url, Expr::value(row.url))
            .col_expr(alert::Column::LastSeenAt, Expr::value(row.last_seen))
            .col_expr(alert::Column::ResolvedAt, Expr::value(row.resolved_at))
            .col_expr(alert::Column::Occurrences, Expr::value(row.occurrences))
            .filter(alert::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    let mut new = new.into_iter().peekable();
    while new.peek().is_some() {
        let chunk: Vec<alert::ActiveModel> = new
            .by_ref()
            .take(ROWS_PER_INSERT)
            .map(|r| alert::ActiveModel {
                source_id: Set(r.source_id),
                dedup_key: Set(r.dedup_key),
                title: Set(r.title),
                severity: Set(r.severity),
                status: Set(r.state),
                service: Set(r.service),
                details: Set(r.details),
                url: Set(r.url),
                first_seen_at: Set(r.first_seen),
                last_seen_at: Set(r.last_seen),
                resolved_at: Set(r.resolved_at),
                occurrences: Set(r.occurrences),
                incident_id: Set(r.incident_id),
                ..Default::default()
            })
            .collect();
        alert::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Rows as one JSON array with the table's column names, for PostgreSQL to unpack
/// into its own row type (`json_populate_recordset(NULL::alerts, …)`): one statement
/// text whatever the batch's size, so it is prepared once per connection, and one
/// parameter where a `VALUES` list binds 13 per row and an update is a statement per
/// row.
fn rows_as_json(rows: &[Row]) -> Result<String, AppError> {
    #[derive(Serialize)]
    struct Json<'a> {
        id: Option<i64>,
        source_id: i64,
        dedup_key: &'a str,
        title: &'a str,
        severity: Option<&'static str>,
        status: &'static str,
        service: &'a str,
        details: &'a str,
        url: Option<&'a str>,
        first_seen_at: String,
        last_seen_at: String,
        resolved_at: Option<String>,
        occurrences: i64,
        incident_id: Option<i64>,
    }
    // Microseconds, as PostgreSQL keeps them (and as a bound timestamp is truncated).
    let at = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let rows: Vec<Json> = rows
        .iter()
        .map(|r| Json {
            id: r.id,
            source_id: r.source_id,
            dedup_key: &r.dedup_key,
            title: &r.title,
            severity: r.severity.map(|s| s.as_str()),
            status: r.state.as_str(),
            service: &r.service,
            details: &r.details,
            url: r.url.as_deref(),
            first_seen_at: at(&r.first_seen),
            last_seen_at: at(&r.last_seen),
            resolved_at: r.resolved_at.as_ref().map(at),
            occurrences: r.occurrences,
            incident_id: r.incident_id,
        })
        .collect();
    serde_json::to_string(&rows).map_err(|e| {
        tracing::error!(error = %e, "alerts do not serialise");
        AppError::Internal
    })
}

/// PostgreSQL: new alerts, in one statement.
async fn insert_as_json(db: &impl ConnectionTrait, rows: &[Row]) -> Result<(), AppError> {
    const COLUMNS: &str = "source_id, dedup_key, title, severity, status, service, details, \
                           url, first_seen_at, last_seen_at, resolved_at, occurrences, incident_id";
    let insert = Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            "INSERT INTO alerts ({COLUMNS}) \
             SELECT {COLUMNS} FROM json_populate_recordset(NULL::alerts, $1::json)"
        ),
        [rows_as_json(rows)?.into()],
    );
    db.execute_raw(insert).await?;
    Ok(())
}

/// PostgreSQL: what changed in alerts already stored, in one statement (the columns a
/// repeat, a resolve or a count moves; `Row::repeat`).
async fn update_as_json(db: &impl ConnectionTrait, rows: &[Row]) -> Result<(), AppError> {
    let update = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE alerts AS a SET title = n.title, severity = n.severity, status = n.status, \
             details = n.details, url = n.url, last_seen_at = n.last_seen_at, \
             resolved_at = n.resolved_at, occurrences = n.occurrences \
         FROM json_populate_recordset(NULL::alerts, $1::json) AS n WHERE a.id = n.id",
        [rows_as_json(rows)?.into()],
    );
    db.execute_raw(update).await?;
    Ok(())
}

async fn count_deliveries(
    db: &impl ConnectionTrait,
    jobs: &[Job],
    confirmations: &[(i64, String)],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut per_source: BTreeMap<i64, i64> = BTreeMap::new();
    for job in jobs {
        *per_source.entry(job.source.id).or_default() += 1;
    }
    // Into the transaction's own stripe of each count (the stripe column's default).
    let counts = per_source
        .into_iter()
        .map(|(source_id, count)| delivery::ActiveModel {
            source_id: Set(source_id),
            deliveries: Set(count),
            last_delivery_at: Set(Some(now)),
            ..Default::default()
        });
    delivery::Entity::insert_many(counts)
        .on_conflict(
            OnConflict::columns([delivery::Column::SourceId, delivery::Column::Stripe])
                .value(
                    delivery::Column::Deliveries,
                    Expr::cust("alert_source_deliveries.deliveries + excluded.deliveries"),
                )
                .update_column(delivery::Column::LastDeliveryAt)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    for (source_id, url) in confirmations {
        source::Entity::update_many()
            .col_expr(source::Column::ConfirmUrl, Expr::value(url.clone()))
            .filter(source::Column::Id.eq(*source_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The batch's timeline lines: one per incident and source.
async fn record_effects(
    db: &impl ConnectionTrait,
    effects: &Effects,
    jobs: &[Job],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let name_of = |source_id: i64| {
        jobs.iter()
            .find(|j| j.source.id == source_id)
            .map(|j| j.source.name.clone())
            .unwrap_or_default()
    };
    let lines = [
        (EventKind::AlertsAttached, &effects.attached),
        (EventKind::AlertsResolved, &effects.resolved),
    ];
    for (kind, by_incident) in lines {
        for ((number, source_id), titles) in by_incident {
            let source = name_of(*source_id);
            record_alert_line(db, *number, None, kind, &source, titles, now).await?;
        }
    }
    Ok(())
}

/// One timeline line about alerts of one source: "attached 3 alerts from Pingdom prod:
/// a; b; c" or "Pingdom prod resolved 1 alert: a". The only place these lines are built.
async fn record_alert_line(
    db: &impl ConnectionTrait,
    number: i64,
    author: Option<i64>,
    kind: EventKind,
    source: &str,
    titles: &[String],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (noun, quoted) = (alerts_noun(titles.len()), quote(titles));
    let line = match kind {
        EventKind::AlertsResolved => format!("{source} resolved {noun}: {quoted}"),
        _ => format!("attached {noun} from {source}: {quoted}"),
    };
    let data = json!({ "source": source, "count": titles.len() });
    record(db, number, author, kind, line, data, now).await?;
    Ok(())
}

fn alerts_noun(n: usize) -> String {
    if n == 1 {
        "1 alert".into()
    } else {
        format!("{n} alerts")
    }
}

/// The first few titles, and how many more.
fn quote(titles: &[String]) -> String {
    let shown = titles
        .iter()
        .take(TITLES_QUOTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    match titles.len().saturating_sub(TITLES_QUOTED) {
        0 => shown,
        more => format!("{shown}; and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_line_quotes_a_few_titles_and_counts_the_rest() {
        let titles: Vec<String> = (1..=5).map(|i| format!("a{i}")).collect();
        assert_eq!(quote(&titles), "a1; a2; a3; and 2 more");
        assert_eq!(quote(&titles[..1]), "a1");
        assert_eq!(alerts_noun(1), "1 alert");
    }
}
