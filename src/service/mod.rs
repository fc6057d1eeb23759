//! Use cases. The service owns transactions and writes history; reads are answered from an
//! in-memory catalog that is a fold of the revision log (see `catalog`).

pub mod catalog;
pub mod edit;
pub mod history;
pub mod import;
pub mod listing;
pub mod paging;
pub mod seed;
pub mod shipped;
pub mod snapshot;
pub mod stats;
pub mod synthetic;
pub mod tokens;
pub mod writer;

#[cfg(test)]
pub(crate) mod geo_tests;

use crate::store::{Store, StoreError};
use catalog::{ApplyError, Catalog};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use time::OffsetDateTime;

pub use writer::Writer;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("revision log: {0}")]
    Log(#[from] ApplyError),
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
}

type AsOfCache = std::collections::VecDeque<(i64, Arc<Catalog>)>;

impl Dataset {
    /// Loads the current catalog from the revision log.
    pub async fn open(store: Store) -> Result<Self, ServiceError> {
        let catalog = load(&store, None).await?;
        Ok(Self {
            store,
            catalog: Arc::new(RwLock::new(catalog)),
            sync_lock: Arc::new(tokio::sync::Mutex::new(())),
            as_of_cache: Default::default(),
        })
    }

    /// A dataset with an empty catalog, for work that never reads data (building the spec).
    pub fn empty(store: Store) -> Self {
        Self {
            store,
            catalog: Arc::new(RwLock::new(Catalog::default())),
            sync_lock: Arc::new(tokio::sync::Mutex::new(())),
            as_of_cache: Default::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
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

    /// The catalog as the dataset stood at `t` (transaction time), rebuilt from the log.
    pub async fn as_of(&self, t: OffsetDateTime) -> Result<Catalog, ServiceError> {
        load(&self.store, Some(t)).await
    }

    /// Applies every revision committed since the catalog's sequence number, by this process
    /// or any other sharing the database. Returns the new head.
    pub async fn sync(&self) -> Result<i64, ServiceError> {
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
            }
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self, actor: &str) -> Result<Writer, ServiceError> {
        Ok(Writer::new(self.store.begin().await?, actor))
    }

    /// Commits a write and brings this process's catalog up to date with it.
    pub async fn commit(&self, writer: Writer) -> Result<i64, ServiceError> {
        writer.commit().await?;
        self.sync().await
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
