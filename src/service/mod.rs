//! Use cases. The service owns transactions and writes history; reads are answered from an
//! in-memory catalog that is a fold of the revision log (see `catalog`).

pub mod built_files;
pub mod catalog;
pub mod changes;
#[cfg(test)]
mod count_tests;
pub mod downloads;
pub mod edit;
pub mod entry;
pub mod export_rows;
pub mod history;
pub mod import;
pub mod list_cache;
pub mod listing;
pub mod paging;
pub mod per_version;
pub mod read;
pub mod reports;
pub mod ringmap;
pub mod seed;
pub mod shipped;
pub mod stats;
pub mod synthetic;
pub mod tags;
pub mod tokens;
pub mod writer;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod fold_tests;

use crate::domain::Record;
use crate::store::{FoldedRevision, LogReader, Store, StoreError};
use catalog::{ApplyError, Catalog};
use per_version::PerVersion;
use std::sync::{Arc, RwLock, RwLockReadGuard};
use time::OffsetDateTime;

pub use writer::Writer;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("revision log: {0}")]
    Log(#[from] ApplyError),
    /// The database was found out of reach moments ago; not tried again yet.
    #[error("the database is unavailable")]
    Unavailable,
}

impl ServiceError {
    /// Whether the database refused a write for breaking a unique constraint.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            ServiceError::Store(e)
                if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
        )
    }

    /// Whether the database is out of reach (a 503 to retry, not a bug).
    pub fn is_unavailable(&self) -> bool {
        match self {
            ServiceError::Store(e) => crate::store::is_unavailable(e),
            ServiceError::Unavailable => true,
            ServiceError::Log(_) => false,
        }
    }
}

/// How long after finding the database out of reach requests fail at once instead of
/// trying it again: one request (or the follower) per interval waits for it.
const PROBE_INTERVAL_MS: u64 = 1_000;

/// Whether the database answered lately. While it is out of reach, requests that need it
/// fail at once with [`ServiceError::Unavailable`], except one per [`PROBE_INTERVAL_MS`]
/// that tries it; the first success (a write, a health check, the follower) clears it.
#[derive(Debug, Default)]
struct Reachability {
    /// Milliseconds since the Unix epoch when it was found out of reach; 0 while reachable.
    down_since: std::sync::atomic::AtomicU64,
    last_try: std::sync::atomic::AtomicU64,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Reachability {
    fn admit(&self) -> Result<(), ServiceError> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.down_since.load(Relaxed) == 0 {
            return Ok(());
        }
        let now = now_ms();
        let last = self.last_try.load(Relaxed);
        if now.saturating_sub(last) >= PROBE_INTERVAL_MS
            && self
                .last_try
                .compare_exchange(last, now, Relaxed, Relaxed)
                .is_ok()
        {
            return Ok(());
        }
        Err(ServiceError::Unavailable)
    }

    fn observe<T>(&self, r: Result<T, ServiceError>) -> Result<T, ServiceError> {
        use std::sync::atomic::Ordering::Relaxed;
        match &r {
            Err(e) if e.is_unavailable() => {
                let now = now_ms();
                self.last_try.store(now, Relaxed);
                if self
                    .down_since
                    .compare_exchange(0, now, Relaxed, Relaxed)
                    .is_ok()
                {
                    tracing::warn!(error = %e, "database out of reach: writes answer 503");
                }
            }
            Ok(_) => {
                let since = self.down_since.swap(0, Relaxed);
                if since != 0 {
                    tracing::info!(
                        down_ms = now_ms().saturating_sub(since),
                        "database reachable again"
                    );
                }
            }
            Err(_) => {}
        }
        r
    }
}

/// Folds the log as it stood at `as_of` (now when `None`) into a catalog, a revision at a
/// time as the database sends them: memory is the catalog's, never the whole log's as well.
async fn load(store: &Store, as_of: Option<OffsetDateTime>) -> Result<Catalog, ServiceError> {
    use futures_util::StreamExt;
    let mut catalog = Catalog::loading();
    let mut revisions = std::pin::pin!(store.latest_revisions(as_of).await?);
    while let Some(rev) = revisions.next().await {
        catalog.apply(&rev?)?;
    }
    Ok(catalog.loaded())
}

/// How many parsed revisions go to the folding thread at a time.
const FOLD_BATCH: usize = 1_024;

/// A revision read for the fold and its record parsed from its text.
type Parsed = (FoldedRevision, serde_json::Result<Record>);

/// Folds the whole log in order, keeping a checkpoint every `checkpoints.every` revisions.
/// Two at once: the store's read parses each revision's JSON where it reads it, and a
/// thread of its own folds the records in, in order, batches between them.
async fn load_with_checkpoints(
    store: &Store,
    checkpoints: &mut Checkpoints,
) -> Result<Catalog, ServiceError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(8);
    let mut kept = std::mem::take(checkpoints);
    let fold = std::thread::spawn(move || {
        let mut catalog = Catalog::loading();
        for batch in rx {
            for (rev, record) in batch {
                catalog.apply_parsed(&rev, record)?;
                kept.after(&catalog);
            }
        }
        Ok::<_, ApplyError>((catalog.loaded(), kept))
    });
    let read = store.read_log(Batches::new(tx)).await;
    // The last batch, part-full; then the channel closes (the reader goes) and the fold ends.
    // On an error the reader went already.
    let read = read.map(|mut rest| {
        rest.send();
    });
    let folded = fold
        .join()
        .map_err(|_| ServiceError::Store(StoreError::Custom("the fold panicked".into())))?;
    read?;
    let (catalog, kept) = folded?;
    *checkpoints = kept;
    Ok(catalog)
}

/// The reading side of the fold: parses each revision's record and sends them to the
/// folding thread a batch at a time.
struct Batches {
    tx: std::sync::mpsc::SyncSender<Vec<Parsed>>,
    batch: Vec<Parsed>,
}

impl Batches {
    fn new(tx: std::sync::mpsc::SyncSender<Vec<Parsed>>) -> Self {
        Self {
            tx,
            batch: Vec::with_capacity(FOLD_BATCH),
        }
    }

    /// Sends what is gathered; `false` once the folding thread has stopped (at a revision
    /// it could not apply: its error says why).
    fn send(&mut self) -> bool {
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(FOLD_BATCH));
        self.tx.send(full).is_ok()
    }
}

impl LogReader for Batches {
    fn revision(&mut self, head: FoldedRevision, data: &str) -> bool {
        let record = Record::from_json_text(head.entity_kind, data);
        self.batch.push((head, record));
        self.batch.len() < FOLD_BATCH || self.send()
    }
}

/// Past versions of the catalog every `every` revisions, so the dataset at any past version
/// is a checkpoint plus at most `every` revisions replayed. The catalog's maps are
/// persistent, so a checkpoint shares every node its neighbours did not change: it costs
/// what changed since the one before. At most [`MAX_CHECKPOINTS`] are kept; past that,
/// every other one goes and the interval doubles, so memory stays bounded however long the
/// log grows and replay grows with the log over that bound only.
#[derive(Debug)]
pub struct Checkpoints {
    every: i64,
    kept: Vec<(i64, Arc<Catalog>)>,
}

/// The interval between checkpoints of a young log, in revisions.
pub const CHECKPOINT_EVERY: i64 = 1_000;
/// The most checkpoints kept.
pub const MAX_CHECKPOINTS: usize = 128;

impl Default for Checkpoints {
    fn default() -> Self {
        Self {
            every: CHECKPOINT_EVERY,
            kept: Vec::new(),
        }
    }
}

impl Checkpoints {
    /// Called after each revision is folded into `catalog`.
    fn after(&mut self, catalog: &Catalog) {
        let seq = catalog.seq();
        if seq % self.every != 0 || self.kept.last().is_some_and(|(s, _)| *s >= seq) {
            return;
        }
        self.kept.push((seq, Arc::new(catalog.shared_copy())));
        if self.kept.len() > MAX_CHECKPOINTS {
            self.every *= 2;
            let every = self.every;
            self.kept.retain(|(s, _)| s % every == 0);
        }
    }

    /// The newest checkpoint at or before `seq`.
    fn at_or_before(&self, seq: i64) -> Option<Arc<Catalog>> {
        let i = self.kept.partition_point(|(s, _)| *s <= seq);
        i.checked_sub(1).map(|i| self.kept[i].1.clone())
    }

    /// How many are kept, and the interval between them.
    pub fn stats(&self) -> (usize, i64) {
        (self.kept.len(), self.every)
    }
}

/// A catalog to read from: the live one (hold briefly) or one rebuilt for a past time.
pub enum View<'a> {
    Live(RwLockReadGuard<'a, Catalog>),
    Past(Arc<Catalog>),
}

impl std::ops::Deref for View<'_> {
    type Target = Catalog;

    fn deref(&self) -> &Catalog {
        match self {
            View::Live(c) => c,
            View::Past(c) => c,
        }
    }
}

/// The dataset: a store for writes and history, and the current catalog for reads.
#[derive(Clone)]
pub struct Dataset {
    store: Store,
    catalog: Arc<RwLock<Catalog>>,
    /// Serialises catch-up so each revision is applied exactly once, in order.
    sync_lock: Arc<tokio::sync::Mutex<()>>,
    /// The last few catalogs rebuilt for `as_of`, by the dataset version they reflect.
    as_of_cache: Arc<std::sync::Mutex<AsOfCache>>,
    /// Past versions to replay `as_of` from.
    checkpoints: Arc<std::sync::Mutex<Checkpoints>>,
    /// The change feed's newest pages, by the dataset version they were read at.
    changes_cache: Arc<PerVersion<Vec<history::Cited>>>,
    reachability: Arc<Reachability>,
}

/// How many pages of the change feed are kept (a poller's page and the Atom feed's two
/// reads are the common ones).
const CACHED_CHANGE_PAGES: usize = 16;

type AsOfCache = std::collections::VecDeque<(i64, Arc<Catalog>)>;

impl Dataset {
    /// Loads the current catalog from the revision log.
    pub async fn open(store: Store) -> Result<Self, ServiceError> {
        let mut checkpoints = Checkpoints::default();
        let catalog = load_with_checkpoints(&store, &mut checkpoints).await?;
        Ok(Self {
            store,
            catalog: Arc::new(RwLock::new(catalog)),
            sync_lock: Arc::new(tokio::sync::Mutex::new(())),
            as_of_cache: Default::default(),
            checkpoints: Arc::new(std::sync::Mutex::new(checkpoints)),
            changes_cache: Arc::new(PerVersion::new(CACHED_CHANGE_PAGES)),
            reachability: Default::default(),
        })
    }

    /// A dataset with an empty catalog, for work that never reads data (building the spec).
    pub fn empty(store: Store) -> Self {
        Self {
            store,
            catalog: Arc::new(RwLock::new(Catalog::default())),
            sync_lock: Arc::new(tokio::sync::Mutex::new(())),
            as_of_cache: Default::default(),
            checkpoints: Default::default(),
            changes_cache: Arc::new(PerVersion::new(CACHED_CHANGE_PAGES)),
            reachability: Default::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Which database engine holds the revision log: `sqlite` or `postgres`.
    pub fn backend_name(&self) -> String {
        format!("{:?}", self.store.backend()).to_lowercase()
    }

    /// Read access to the current catalog. Hold it briefly: writers wait for it.
    pub fn read(&self) -> RwLockReadGuard<'_, Catalog> {
        // A panic while holding the lock leaves a catalog that was fully applied up to some
        // revision (apply is all-or-nothing per revision), so the data is still sound.
        self.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The catalog now, or as it stood at `as_of` (transaction time).
    pub async fn view(&self, as_of: Option<OffsetDateTime>) -> Result<View<'_>, ServiceError> {
        Ok(match as_of {
            None => View::Live(self.read()),
            Some(t) => View::Past(self.catalog_at(t).await?),
        })
    }

    /// The catalog as the dataset stood at `t` (transaction time), folded from the whole log
    /// (the reference that checkpoint replay is tested against).
    pub async fn as_of(&self, t: OffsetDateTime) -> Result<Catalog, ServiceError> {
        load(&self.store, Some(t)).await
    }

    /// The catalog at version `seq`: the newest checkpoint at or before it, plus the
    /// revisions after it replayed (at most the checkpoint interval).
    pub async fn at_version(&self, seq: i64) -> Result<Catalog, ServiceError> {
        let base = self.checkpoints_lock().at_or_before(seq);
        let mut catalog = match base {
            Some(c) => c.shared_copy(),
            None => Catalog::loading().shared_copy(),
        };
        while catalog.seq() < seq {
            let from = catalog.seq();
            let batch = self
                .store
                .revisions_since(from, (seq - from).min(5_000) as u64)
                .await?;
            if batch.is_empty() {
                break;
            }
            for rev in batch.iter().filter(|r| r.seq <= seq) {
                catalog.apply(rev)?;
            }
            if catalog.seq() == from {
                break;
            }
        }
        Ok(catalog)
    }

    fn checkpoints_lock(&self) -> std::sync::MutexGuard<'_, Checkpoints> {
        self.checkpoints.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops the checkpoints and keeps one every `every` revisions from here on (tests use a
    /// short interval to replay across several).
    pub fn reset_checkpoints(&self, every: i64) {
        *self.checkpoints_lock() = Checkpoints {
            every: every.max(1),
            kept: Vec::new(),
        };
    }

    /// How many checkpoints are kept, and the interval between them (for metrics).
    pub fn checkpoint_stats(&self) -> (usize, i64) {
        self.checkpoints_lock().stats()
    }

    /// Runs `work` against the database unless it was found out of reach moments ago, and
    /// notes whether it answered.
    pub async fn guarded<T, F>(&self, work: F) -> Result<T, ServiceError>
    where
        F: std::future::Future<Output = Result<T, ServiceError>>,
    {
        self.reachability.admit()?;
        self.reachability.observe(work.await)
    }

    /// Whether the database answers a trivial query (and notes it).
    pub async fn ping(&self) -> Result<(), ServiceError> {
        self.reachability
            .observe(self.store.ping().await.map_err(ServiceError::from))
    }

    /// Applies every revision committed since the catalog's sequence number, by this process
    /// or any other sharing the database. Returns the new head.
    pub async fn sync(&self) -> Result<i64, ServiceError> {
        let r = self.sync_inner().await;
        self.reachability.observe(r)
    }

    async fn sync_inner(&self) -> Result<i64, ServiceError> {
        let _guard = self.sync_lock.lock().await;
        loop {
            let from = self.read().seq();
            let batch = self.store.revisions_since(from, 5_000).await?;
            if batch.is_empty() {
                return Ok(from);
            }
            let mut catalog = self.catalog.write().unwrap_or_else(|e| e.into_inner());
            for rev in &batch {
                // Sequence numbers commit in order with no gaps, so a hole means a writer
                // has not committed yet: stop and pick it up on the next round.
                if rev.seq != catalog.seq() + 1 {
                    return Ok(catalog.seq());
                }
                catalog.apply(rev)?;
                self.checkpoints_lock().after(&catalog);
            }
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self, actor: &str) -> Result<Writer, ServiceError> {
        let tx = self
            .guarded(async { Ok(self.store.begin().await?) })
            .await?;
        Ok(Writer::new(tx, actor))
    }

    /// Commits a write and brings this process's catalog up to date with it; returns the
    /// sequence number of the write's last revision (the head when it wrote none). Not the
    /// head after catching up: another writer (this process or another) may have committed
    /// since, and the answer would name its revision. Once the commit succeeded the write
    /// stands: if catching up fails (the database went away just after), the write is still
    /// acknowledged and the follower applies it later.
    pub async fn commit(&self, writer: Writer) -> Result<i64, ServiceError> {
        let last = writer.last_seq();
        self.reachability
            .observe(writer.commit().await.map_err(ServiceError::from))?;
        match self.sync().await {
            Ok(head) => Ok(if last > 0 { last } else { head }),
            Err(e) => {
                tracing::warn!(error = %e, seq = last, "committed; catching up failed");
                Ok(last)
            }
        }
    }

    /// Follows the revision log in the background so writes made by other processes show up.
    pub fn spawn_follower(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = this.sync().await {
                    tracing::warn!(error = %e, "following the revision log failed; retrying");
                }
            }
        })
    }
}
