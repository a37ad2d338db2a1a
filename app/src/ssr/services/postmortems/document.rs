//! The shared documents as the server holds them: the update log in the database is the
//! truth; each process keeps a copy of the documents it has read, brought up to date
//! from the log before every use, so a write costs one row rather than a replay.
//!
//! A write is serialised per document (a transaction-scoped advisory lock on
//! PostgreSQL, the single writer on SQLite), checked against a copy of the document
//! with the update applied ([`document::check`]), stored, and fanned out through the
//! live log (PostgreSQL NOTIFY reaches the other instances). Every
//! [`COMPACT_AFTER`] rows the log is compacted: one snapshot row replaces the rows it
//! was made from.

use crate::{
    domain::{postmortem::document, AppError},
    model::live::LiveChange,
    ssr::{
        entities::{postmortem, postmortem_update},
        live,
    },
};
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use yrs::Doc;

/// Rows of a document's log after which it is compacted into one snapshot.
pub const COMPACT_AFTER: usize = 200;
/// The advisory lock class of document writes (the key is the postmortem's id).
const WRITE_LOCK: i32 = 0x5707_d0c;

/// The process's copies of the documents it has read.
#[derive(Default)]
pub struct Documents {
    docs: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<Copy>>>>,
}

struct Copy {
    doc: Doc,
    /// The last log row applied.
    last: i64,
    /// Rows in the log as far as this copy knows (for compaction).
    rows: usize,
}

/// What a document's log holds now, in bytes and rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogSize {
    pub rows: u64,
    pub bytes: u64,
}

impl Documents {
    fn entry(&self, postmortem: i64) -> Arc<tokio::sync::Mutex<Copy>> {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        docs.entry(postmortem)
            .or_insert_with(|| {
                Arc::new(tokio::sync::Mutex::new(Copy {
                    doc: document::new_doc(Some(0)),
                    last: 0,
                    rows: 0,
                }))
            })
            .clone()
    }

    /// The document now: its whole state (one update) and its contents.
    pub async fn read(
        &self,
        db: &impl ConnectionTrait,
        postmortem: i64,
    ) -> Result<(Vec<u8>, document::Contents), AppError> {
        let entry = self.entry(postmortem);
        let mut copy = entry.lock().await;
        catch_up(db, postmortem, &mut copy).await?;
        Ok((document::state(&copy.doc), document::read(&copy.doc)))
    }

    /// Checks and stores one update from `author`, and tells the pages editing it.
    pub async fn write(
        &self,
        db: &(impl TransactionTrait + ConnectionTrait),
        postmortem: i64,
        incident: i64,
        author: i64,
        update: &[u8],
    ) -> Result<(), AppError> {
        let entry = self.entry(postmortem);
        let mut copy = entry.lock().await;
        let txn = begin_writing(db, postmortem).await?;
        catch_up(&txn, postmortem, &mut copy).await?;
        let trial = document::new_doc(Some(0));
        document::apply(&trial, &document::state(&copy.doc))?;
        document::apply(&trial, update)?;
        document::check(&trial)?;
        postmortem::Entity::update_many()
            .col_expr(
                postmortem::Column::SearchText,
                Expr::value(document::read(&trial).search_text()),
            )
            .filter(postmortem::Column::Id.eq(postmortem))
            .exec(&txn)
            .await?;
        let row = postmortem_update::ActiveModel {
            postmortem_id: Set(postmortem),
            data: Set(update.to_vec()),
            author_id: Set(Some(author)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        live::append(
            &txn,
            &[LiveChange::Postmortem {
                incident,
                update: STANDARD.encode(update),
            }],
        )
        .await?;
        let compact = copy.rows + 1 >= COMPACT_AFTER;
        if compact {
            compact_into(&txn, postmortem, &trial, row.id).await?;
        }
        txn.commit().await?;
        // Writes to this document are serialised, so nothing below `row.id` is unseen.
        document::apply(&copy.doc, update)?;
        copy.last = row.id.max(copy.last);
        copy.rows = if compact { 1 } else { copy.rows + 1 };
        Ok(())
    }

    /// Compacts a document's log now (the benchmark's before-and-after).
    pub async fn compact(
        &self,
        db: &(impl TransactionTrait + ConnectionTrait),
        postmortem: i64,
    ) -> Result<(), AppError> {
        let entry = self.entry(postmortem);
        let mut copy = entry.lock().await;
        let txn = begin_writing(db, postmortem).await?;
        catch_up(&txn, postmortem, &mut copy).await?;
        let last = copy.last;
        compact_into(&txn, postmortem, &copy.doc, last).await?;
        txn.commit().await?;
        copy.rows = 1;
        Ok(())
    }
}

/// A write transaction holding the document's write lock (until it ends) on PostgreSQL;
/// SQLite has one writer anyway.
async fn begin_writing<D: TransactionTrait>(
    db: &D,
    postmortem: i64,
) -> Result<D::Transaction, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({WRITE_LOCK}, {postmortem})"
        ))
        .await?;
    }
    Ok(txn)
}

/// Replaces the rows up to `through` with one snapshot of `doc` (which holds them all).
async fn compact_into(
    db: &impl ConnectionTrait,
    postmortem: i64,
    doc: &Doc,
    through: i64,
) -> Result<(), AppError> {
    postmortem_update::Entity::delete_many()
        .filter(postmortem_update::Column::PostmortemId.eq(postmortem))
        .filter(postmortem_update::Column::Id.lte(through))
        .exec(db)
        .await?;
    postmortem_update::ActiveModel {
        postmortem_id: Set(postmortem),
        data: Set(document::state(doc)),
        author_id: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Applies the log rows the copy has not seen.
async fn catch_up(
    db: &impl ConnectionTrait,
    postmortem: i64,
    copy: &mut Copy,
) -> Result<(), AppError> {
    let rows = postmortem_update::Entity::find()
        .filter(postmortem_update::Column::PostmortemId.eq(postmortem))
        .filter(postmortem_update::Column::Id.gt(copy.last))
        .order_by_asc(postmortem_update::Column::Id)
        .all(db)
        .await?;
    for row in rows {
        if let Err(err) = document::apply(&copy.doc, &row.data) {
            tracing::error!(postmortem, row = row.id, error = %err, "unreadable document row");
        }
        copy.last = row.id;
        copy.rows += 1;
    }
    Ok(())
}

/// A document's log as stored.
pub async fn log_size(db: &impl ConnectionTrait, postmortem: i64) -> Result<LogSize, AppError> {
    let rows = postmortem_update::Entity::find()
        .filter(postmortem_update::Column::PostmortemId.eq(postmortem))
        .all(db)
        .await?;
    Ok(LogSize {
        rows: rows.len() as u64,
        bytes: rows.iter().map(|r| r.data.len() as u64).sum(),
    })
}

/// An update as the browser sends it (base64), decoded; the error names it.
pub fn decode(update: &str) -> Result<Vec<u8>, AppError> {
    STANDARD
        .decode(update.trim())
        .map_err(|_| AppError::invalid("update", "That is not an update of a postmortem document."))
}

pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
