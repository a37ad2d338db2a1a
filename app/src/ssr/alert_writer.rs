//! The alert writer. Webhook requests hand their delivery over and wait; a writer task
//! commits whatever has queued up meanwhile in one transaction (group commit), then
//! answers them all. So every accepted delivery is committed before its 2xx, and a
//! burst of thousands costs a handful of commits instead of thousands, and never holds
//! the database from the people using it for longer than one batch.
//!
//! On PostgreSQL several writers may share the queue (`ALERT_WRITERS`): while one waits
//! on its round trips and its commit, the next gathers what arrived meanwhile and
//! starts. Batches touching the
//! same keys are serialised by the keys' locks (`alerts::write_batch`), whichever
//! process wrote them, and within a process they are written in the order they were
//! queued ([`Turns`]): a resolve that arrives just after its fire is not overtaken by
//! it. SQLite allows one write transaction at a time, so it gets one writer.
//!
//! A second task tells open pages how the feed groups the writer touched now stand: at
//! once for a group quiet until then, and at most every [`FEED_EVERY`] for a group in a
//! storm, all such groups together in one event per tick (a thousand streams each sent
//! one event per group per tick was the live path's cost), without ever holding up the
//! writer.

use super::{
    live::Hub,
    services::alerts::{self, GroupKey, Job, Receipt},
};
use crate::domain::{AppError, Delivery};
use chrono::Utc;
use sea_orm::{DatabaseConnection, DbBackend};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::{
    sync::{mpsc, oneshot, watch, Mutex},
    time::Instant,
};

/// Deliveries waiting for the writer before new ones wait to join the queue.
const QUEUE: usize = 8192;
/// Alerts per transaction, at most (a generic delivery may carry a thousand).
const ALERTS_PER_COMMIT: usize = 2000;
/// A feed group is published at most this often.
pub const FEED_EVERY: Duration = Duration::from_millis(250);

#[derive(Clone)]
pub struct AlertWriter {
    queue: mpsc::Sender<Pending>,
}

struct Pending {
    job: Job,
    reply: oneshot::Sender<Result<Receipt, AppError>>,
}

impl Pending {
    fn weight(&self) -> usize {
        match &self.job.delivery {
            Delivery::Alerts(alerts) => alerts.len().max(1),
            _ => 1,
        }
    }
}

impl AlertWriter {
    /// Starts the writers (`writers` on PostgreSQL, one on SQLite) and the feed's
    /// publisher; they end when every handle is dropped.
    pub fn start(db: DatabaseConnection, hub: Hub, writers: usize) -> Self {
        let (queue, pending) = mpsc::channel(QUEUE);
        let (changed, groups) = mpsc::unbounded_channel();
        let writers = match db.get_database_backend() {
            DbBackend::Postgres => writers.max(1),
            _ => 1,
        };
        let (pending, turns) = (Arc::new(Mutex::new(pending)), Arc::new(Turns::default()));
        for _ in 0..writers {
            let (pending, turns, changed) = (pending.clone(), turns.clone(), changed.clone());
            tokio::spawn(write(db.clone(), hub.clone(), pending, turns, changed));
        }
        tokio::spawn(publish(db, hub, groups));
        Self { queue }
    }

    /// Records a delivery; resolves once it is committed.
    pub async fn submit(&self, job: Job) -> Result<Receipt, AppError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { job, reply })
            .await
            .map_err(|_| AppError::Internal)?;
        answer.await.map_err(|_| AppError::Internal)?
    }
}

/// The next batch: the first delivery to arrive and whatever queued behind it, up to
/// [`ALERTS_PER_COMMIT`] alerts, with its turn among batches of the same keys; `None`
/// once every handle is dropped. A writer holds the queue only while it gathers, never
/// while it commits.
async fn next_batch<'t>(
    pending: &Mutex<mpsc::Receiver<Pending>>,
    turns: &'t Turns,
) -> Option<(Vec<Pending>, Turn<'t>)> {
    let mut pending = pending.lock().await;
    let first = pending.recv().await?;
    let mut weight = first.weight();
    let mut batch = vec![first];
    while weight < ALERTS_PER_COMMIT {
        match pending.try_recv() {
            Ok(next) => {
                weight += next.weight();
                batch.push(next);
            }
            Err(_) => break,
        }
    }
    let turn = turns.take(batch.iter().flat_map(|p| p.job.keys()));
    Some((batch, turn))
}

/// The order of a process's batches that share keys: each batch waits until every
/// batch taken from the queue before it with one of its keys has finished.
#[derive(Default)]
struct Turns {
    /// Key → the last batch taken with it: its number, and what ends when it finishes.
    last: std::sync::Mutex<HashMap<(i64, String), (u64, watch::Receiver<()>)>>,
    taken: std::sync::atomic::AtomicU64,
}

/// A batch's place in [`Turns`]: it is finished when this is dropped.
struct Turn<'a> {
    turns: &'a Turns,
    number: u64,
    keys: Vec<(i64, String)>,
    before: Vec<watch::Receiver<()>>,
    _finished: watch::Sender<()>,
}

impl Turns {
    /// Called in queue order (under the queue's lock).
    fn take<'k>(&self, keys: impl Iterator<Item = (i64, &'k str)>) -> Turn<'_> {
        let number = self
            .taken
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (finished, when) = watch::channel(());
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let mut turn = Turn {
            turns: self,
            number,
            keys: Vec::new(),
            before: Vec::new(),
            _finished: finished,
        };
        for (source, key) in keys {
            let key = (source, key.to_string());
            if let Some((earlier, before)) = last.insert(key.clone(), (number, when.clone())) {
                if earlier != number {
                    turn.before.push(before);
                }
            }
            turn.keys.push(key);
        }
        turn
    }
}

impl Turn<'_> {
    /// Resolves once every earlier batch with one of these keys has finished.
    async fn ready(&mut self) {
        for before in &mut self.before {
            // Never sent to: it resolves (with an error) when the sender is dropped.
            let _ = before.changed().await;
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut last = self.turns.last.lock().unwrap_or_else(|e| e.into_inner());
        for key in self.keys.drain(..) {
            if last
                .get(&key)
                .is_some_and(|(number, _)| *number == self.number)
            {
                last.remove(&key);
            }
        }
    }
}

async fn write(
    db: DatabaseConnection,
    hub: Hub,
    pending: Arc<Mutex<mpsc::Receiver<Pending>>>,
    turns: Arc<Turns>,
    changed: mpsc::UnboundedSender<GroupKey>,
) {
    let tell = |groups: std::collections::BTreeSet<GroupKey>| {
        for group in groups {
            let _ = changed.send(group);
        }
    };
    while let Some((batch, mut turn)) = next_batch(&pending, &turns).await {
        turn.ready().await;
        let (jobs, replies): (Vec<Job>, Vec<_>) =
            batch.into_iter().map(|p| (p.job, p.reply)).unzip();
        match commit(&db, &jobs).await {
            Ok(done) => {
                hub.wake();
                for (reply, receipt) in replies.into_iter().zip(done.receipts) {
                    let _ = reply.send(Ok(receipt));
                }
                tell(done.groups);
            }
            Err(err) if jobs.len() > 1 => {
                // One delivery that cannot be written (or a deadlock with another
                // transaction over the feed groups' counts) must not sink the others:
                // each goes again alone.
                tracing::warn!(error = %err, deliveries = jobs.len(), "batch failed; writing one by one");
                for (job, reply) in jobs.into_iter().zip(replies) {
                    let result = commit(&db, std::slice::from_ref(&job)).await;
                    let _ = reply.send(result.map(|mut done| {
                        tell(std::mem::take(&mut done.groups));
                        done.receipts.remove(0)
                    }));
                }
                hub.wake();
            }
            Err(err) => {
                for reply in replies {
                    let _ = reply.send(Err(err.clone()));
                }
            }
        }
    }
}

/// Publishes the groups the writer changed, each at most every [`FEED_EVERY`].
async fn publish(db: DatabaseConnection, hub: Hub, mut changed: mpsc::UnboundedReceiver<GroupKey>) {
    let mut feed = Feed::default();
    loop {
        tokio::select! {
            group = changed.recv() => match group {
                Some(group) => {
                    feed.changed([group]);
                    while let Ok(group) = changed.try_recv() {
                        feed.changed([group]);
                    }
                }
                None => return,
            },
            _ = feed.next_due() => {}
        }
        feed.publish(&db, &hub).await;
    }
}

async fn commit(db: &DatabaseConnection, jobs: &[Job]) -> Result<alerts::Written, AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    let done = alerts::write_batch(&txn, jobs, Utc::now()).await?;
    txn.commit().await?;
    Ok(done)
}

/// Which feed groups wait to be published, and when each may be.
struct Feed {
    /// Group → when it was last published.
    published: HashMap<GroupKey, Instant>,
    /// Group → when it is due.
    due: HashMap<GroupKey, Instant>,
    /// Where the ticks of groups held back are counted from.
    epoch: Instant,
}

impl Default for Feed {
    fn default() -> Self {
        Self {
            published: HashMap::new(),
            due: HashMap::new(),
            epoch: Instant::now(),
        }
    }
}

impl Feed {
    /// A group quiet until now is due at once; one published less than [`FEED_EVERY`]
    /// ago waits for the first tick of the process's [`FEED_EVERY`] clock after that,
    /// so every group of a storm comes due on the same tick and goes out in one live
    /// event, instead of one event per group.
    fn changed(&mut self, groups: impl IntoIterator<Item = GroupKey>) {
        let now = Instant::now();
        for group in groups {
            let at = match self.published.get(&group) {
                Some(last) if now < *last + FEED_EVERY => self.tick_at_or_after(*last + FEED_EVERY),
                _ => now,
            };
            self.due.entry(group).or_insert(at);
        }
    }

    fn tick_at_or_after(&self, at: Instant) -> Instant {
        let every = FEED_EVERY.as_nanos();
        let since = at.duration_since(self.epoch).as_nanos();
        let ticks = since.div_ceil(every);
        self.epoch + Duration::from_nanos(u64::try_from(ticks * every).unwrap_or(u64::MAX))
    }

    /// Resolves when the earliest waiting group is due (never, when none waits).
    async fn next_due(&self) {
        match self.due.values().min() {
            Some(at) => tokio::time::sleep_until(*at).await,
            None => std::future::pending().await,
        }
    }

    /// Publishes every group that is due, in one live event.
    async fn publish(&mut self, db: &DatabaseConnection, hub: &Hub) {
        let now = Instant::now();
        let ready: Vec<GroupKey> = self
            .due
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(group, _)| group.clone())
            .collect();
        if ready.is_empty() {
            return;
        }
        for group in &ready {
            self.due.remove(group);
            self.published.insert(group.clone(), now);
        }
        // Forget groups long quiet, so the map stays the size of what is active.
        self.published
            .retain(|_, at| now.duration_since(*at) < FEED_EVERY * 40);
        match alerts::publish_groups(db, ready.clone()).await {
            Ok(()) => hub.wake(),
            Err(err) => {
                tracing::warn!(error = %err, "feed groups not published; retrying");
                for group in ready {
                    self.due.insert(group, now + FEED_EVERY);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the turn comes within 50 ms.
    async fn wait(turn: &mut Turn<'_>) -> bool {
        tokio::time::timeout(Duration::from_millis(50), turn.ready())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn a_batch_waits_for_the_earlier_batches_of_its_keys_only() {
        let turns = Turns::default();
        let fire = turns.take([(1, "db-down")].into_iter());
        let mut resolve = turns.take([(1, "db-down"), (1, "api-slow")].into_iter());
        let mut other_source = turns.take([(2, "db-down")].into_iter());
        let mut after_resolve = turns.take([(1, "api-slow")].into_iter());
        assert!(!wait(&mut resolve).await, "the resolve waits for the fire");
        assert!(
            wait(&mut other_source).await,
            "another source's key does not wait"
        );
        drop(fire);
        assert!(
            wait(&mut resolve).await,
            "the fire is written: the resolve goes"
        );
        assert!(
            !wait(&mut after_resolve).await,
            "its follower still waits for it"
        );
        drop(resolve);
        assert!(wait(&mut after_resolve).await);
        drop((other_source, after_resolve));
        assert!(
            turns.last.lock().unwrap().is_empty(),
            "finished batches leave nothing behind"
        );
    }

    #[test]
    fn groups_held_back_in_a_storm_come_due_on_one_tick() {
        let mut feed = Feed::default();
        let start = feed.epoch;
        let ms = Duration::from_millis;
        let (a, b, quiet): (GroupKey, GroupKey, GroupKey) =
            ((1, "a".into()), (1, "b".into()), (2, "quiet".into()));
        feed.published.insert(a.clone(), start + ms(10));
        feed.published.insert(b.clone(), start + ms(120));
        feed.changed([a.clone(), b.clone(), quiet.clone()]);
        assert_eq!(
            feed.due[&a],
            start + ms(500),
            "the first tick after 10 + 250 ms"
        );
        assert_eq!(feed.due[&a], feed.due[&b], "both on one tick, in one event");
        assert!(
            feed.due[&quiet] <= Instant::now(),
            "a quiet group goes at once"
        );
    }
}
