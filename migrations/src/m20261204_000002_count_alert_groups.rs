//! Each feed group's counts, kept as alerts change instead of counted when read.
//!
//! `alert_groups` holds, per source and service, how many alerts fire, how many of those
//! no incident has taken, and when the group last saw one. Triggers on `alerts` keep it,
//! so every writer (the alert writer, triage, any instance) moves the counts in the same
//! transaction as the alerts themselves, and a reader never counts a storm's rows: the
//! feed read every firing alert of a group four times a second while it stormed.
//! SQLite gets row triggers; PostgreSQL statement triggers over the statement's
//! transition tables (one upsert per group per statement, whatever the rows).
//!
//! The same migration replaces the group's latest-alerts index with one in the order it
//! is read in (newest last seen, then newest id), so the ten shown come from an index
//! walk, and drops the two indexes only the counting reads used.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AlertGroups {
    Table,
    SourceId,
    Service,
    /// Alerts of the group firing now.
    Firing,
    /// Firing alerts attached to no incident.
    Untriaged,
    /// The newest `last_seen_at` of the group's alerts.
    LastSeenAt,
}

#[derive(DeriveIden)]
enum AlertSources {
    Table,
    Id,
}

/// The counts as they stand, from the alerts (the backfill).
const COUNT_FROM_ALERTS: &str = "SELECT source_id, service, \
     SUM(CASE WHEN status = 'firing' THEN 1 ELSE 0 END), \
     SUM(CASE WHEN status = 'firing' AND incident_id IS NULL THEN 1 ELSE 0 END), \
     MAX(last_seen_at) \
     FROM alerts GROUP BY source_id, service";

/// Where the triggers keep the counts: the table, and the columns that find a group's
/// row in it (the `ON CONFLICT` target; any other key column takes its default).
pub(crate) struct Counts {
    pub table: &'static str,
    pub key: &'static str,
}

/// One row per group (this migration's table).
pub(crate) const PER_GROUP: Counts = Counts {
    table: "alert_groups",
    key: "source_id, service",
};

/// SQLite: one row trigger per change, subtracting the old row's share and adding the
/// new one's.
fn sqlite_triggers(into: &Counts) -> Vec<String> {
    let Counts { table, key } = into;
    // A row's share of its group: added (the new row) or taken away (the old one).
    let share = |row: &str, added: bool| {
        let (sign, seen) = if added {
            ("", format!("{row}.last_seen_at"))
        } else {
            ("-", "NULL".to_string())
        };
        format!(
            "INSERT INTO {table} (source_id, service, firing, untriaged, last_seen_at) \
             VALUES ({row}.source_id, {row}.service, \
                     {sign}({row}.status = 'firing'), \
                     {sign}({row}.status = 'firing' AND {row}.incident_id IS NULL), \
                     {seen}) \
             ON CONFLICT ({key}) DO UPDATE SET \
               firing = firing + excluded.firing, \
               untriaged = untriaged + excluded.untriaged, \
               last_seen_at = MAX(COALESCE(last_seen_at, excluded.last_seen_at), \
                                  COALESCE(excluded.last_seen_at, last_seen_at));"
        )
    };
    let [inserted, updated, deleted] = sqlite_trigger_names(into);
    vec![
        format!(
            "CREATE TRIGGER {inserted} AFTER INSERT ON alerts BEGIN {} END",
            share("new", true)
        ),
        format!(
            "CREATE TRIGGER {updated} AFTER UPDATE OF source_id, service, status, incident_id, last_seen_at \
             ON alerts BEGIN {} {} END",
            share("old", false),
            share("new", true)
        ),
        format!(
            "CREATE TRIGGER {deleted} AFTER DELETE ON alerts BEGIN {} END",
            share("old", false)
        ),
    ]
}

/// The SQLite triggers' names, after the table they keep: after an insert, an update,
/// a delete. (Named anew for each table: on SQLite, in the migrator only, a trigger made
/// again under the name of one just dropped failed as existing, as indexes do below.)
fn sqlite_trigger_names(into: &Counts) -> [String; 3] {
    ["ai", "au", "ad"].map(|after| format!("{}_{after}", into.table))
}

/// The PostgreSQL triggers: (event, the function's and the trigger's name, the
/// transition tables it sees).
const POSTGRES_TRIGGERS: [(&str, &str, &str); 3] = [
    ("INSERT", "alert_groups_insert", "NEW TABLE AS new_rows"),
    (
        "UPDATE",
        "alert_groups_update",
        "NEW TABLE AS new_rows OLD TABLE AS old_rows",
    ),
    ("DELETE", "alert_groups_delete", "OLD TABLE AS old_rows"),
];

/// PostgreSQL: the statement triggers' functions (created or replaced), each folding
/// the statement's rows into one delta per group, applied in the groups' order (so two
/// transactions lock the groups they share in the same order).
fn postgres_functions(into: &Counts) -> Vec<String> {
    let Counts { table, key } = into;
    let added = "SELECT source_id, service, (status = 'firing')::int AS firing, \
                 (status = 'firing' AND incident_id IS NULL)::int AS untriaged, \
                 last_seen_at FROM new_rows";
    let removed = "SELECT source_id, service, -(status = 'firing')::int, \
                   -(status = 'firing' AND incident_id IS NULL)::int, \
                   NULL::timestamptz FROM old_rows";
    POSTGRES_TRIGGERS
        .iter()
        .map(|(event, name, _)| {
            let rows = match *event {
                "INSERT" => added.to_string(),
                "UPDATE" => format!("{added} UNION ALL {removed}"),
                _ => removed.to_string(),
            };
            format!(
                "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 INSERT INTO {table} AS g (source_id, service, firing, untriaged, last_seen_at) \
                 SELECT source_id, service, SUM(firing), SUM(untriaged), MAX(last_seen_at) \
                 FROM ({rows}) AS d GROUP BY source_id, service ORDER BY source_id, service \
                 ON CONFLICT ({key}) DO UPDATE SET \
                   firing = g.firing + excluded.firing, \
                   untriaged = g.untriaged + excluded.untriaged, \
                   last_seen_at = GREATEST(g.last_seen_at, excluded.last_seen_at) \
                 WHERE excluded.firing <> 0 OR excluded.untriaged <> 0 \
                    OR excluded.last_seen_at > g.last_seen_at OR g.last_seen_at IS NULL; \
                 RETURN NULL; END $$"
            )
        })
        .collect()
}

/// PostgreSQL: the statement triggers calling [`postgres_functions`].
fn postgres_triggers() -> Vec<String> {
    POSTGRES_TRIGGERS
        .iter()
        .map(|(event, name, referencing)| {
            format!(
                "CREATE TRIGGER {name} AFTER {event} ON alerts REFERENCING {referencing} \
                 FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        })
        .collect()
}

/// The triggers, on either database: created (with their functions) when `create`,
/// else dropped.
fn triggers(backend: DbBackend, into: &Counts, create: bool) -> Vec<String> {
    match (backend, create) {
        (DbBackend::Sqlite, true) => sqlite_triggers(into),
        (DbBackend::Sqlite, false) => sqlite_trigger_names(into)
            .iter()
            .map(|t| format!("DROP TRIGGER {t}"))
            .collect(),
        (_, true) => postgres_functions(into)
            .into_iter()
            .chain(postgres_triggers())
            .collect(),
        (_, false) => POSTGRES_TRIGGERS
            .iter()
            .flat_map(|(_, name, _)| {
                [
                    format!("DROP TRIGGER {name} ON alerts"),
                    format!("DROP FUNCTION {name}()"),
                ]
            })
            .collect(),
    }
}

/// Indexes only the counting reads used, and the group's latest-alerts index that the
/// ordered one replaces: (name, columns).
const DROPPED: [(&str, &str); 3] = [
    (
        "idx_alerts_firing_groups",
        "status, source_id, service, incident_id",
    ),
    ("idx_alerts_seen", "last_seen_at"),
    (
        "idx_alerts_group_latest",
        "source_id, service, status, last_seen_at",
    ),
];
/// A group's latest alerts, firing first, in the order they are shown.
const ORDERED: (&str, &str) = (
    "idx_alerts_group_ordered",
    "source_id, service, status, last_seen_at, id",
);

/// Raw DDL, written the same on both databases. (Dropping the old index and creating
/// one under the same name failed on SQLite, in the migrator only, with "index already
/// exists" after the drop had taken effect; the cause was not found, so the new index
/// has a new name.)
pub(crate) async fn run(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(sql)
        .await
        .map(|_| ())
}

async fn create_index(
    manager: &SchemaManager<'_>,
    (name, columns): (&str, &str),
) -> Result<(), DbErr> {
    run(
        manager,
        &format!("CREATE INDEX {name} ON alerts ({columns})"),
    )
    .await
}

/// Points the triggers from one table of counts to another: SQLite's triggers are made
/// anew, PostgreSQL's functions replaced in place (its triggers call them by name).
pub(crate) fn retarget(backend: DbBackend, from: &Counts, into: &Counts) -> Vec<String> {
    match backend {
        DbBackend::Sqlite => triggers(backend, from, false)
            .into_iter()
            .chain(sqlite_triggers(into))
            .collect(),
        _ => postgres_functions(into),
    }
}

/// Creates a table of feed-group counts named `table`: a row per source and service,
/// and per stripe when `stripe` is given (its column).
pub(crate) async fn create_counts(
    manager: &SchemaManager<'_>,
    table: &str,
    stripe: Option<ColumnDef>,
) -> Result<(), DbErr> {
    use AlertGroups as G;
    let count = |name: G| {
        ColumnDef::new(name)
            .big_integer()
            .not_null()
            .default(0)
            .to_owned()
    };
    let mut create = Table::create();
    let mut key = Index::create();
    create
        .table(Alias::new(table))
        .col(ColumnDef::new(G::SourceId).big_integer().not_null())
        .col(ColumnDef::new(G::Service).string_len(64).not_null());
    key.col(G::SourceId).col(G::Service);
    if let Some(stripe) = stripe {
        key.col(Alias::new(stripe.get_column_name()));
        create.col(stripe);
    }
    create
        .col(count(G::Firing))
        .col(count(G::Untriaged))
        .col(
            ColumnDef::new(G::LastSeenAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .primary_key(&mut key)
        .foreign_key(
            ForeignKey::create()
                .from(Alias::new(table), G::SourceId)
                .to(AlertSources::Table, AlertSources::Id),
        );
    manager.create_table(create).await
}

/// Creates the per-group table and fills it with the counts as they stand.
pub(crate) async fn create_per_group(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    create_counts(manager, PER_GROUP.table, None).await?;
    run(
        manager,
        &format!(
            "INSERT INTO alert_groups (source_id, service, firing, untriaged, last_seen_at) {COUNT_FROM_ALERTS}"
        ),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_per_group(manager).await?;
        for statement in triggers(manager.get_database_backend(), &PER_GROUP, true) {
            run(manager, &statement).await?;
        }
        create_index(manager, ORDERED).await?;
        for (name, _) in DROPPED {
            run(manager, &format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in DROPPED {
            create_index(manager, index).await?;
        }
        run(manager, &format!("DROP INDEX {}", ORDERED.0)).await?;
        for statement in triggers(manager.get_database_backend(), &PER_GROUP, false) {
            run(manager, &statement).await?;
        }
        manager
            .drop_table(Table::drop().table(AlertGroups::Table).to_owned())
            .await
    }
}
