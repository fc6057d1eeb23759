//! History: every version of a record, what changed between two, the change feed, and the
//! dataset as it stood at a past time.

use super::catalog::Catalog;
use super::{Dataset, ServiceError};
use crate::domain::EntityKind;
use crate::store::StoredRevision;
use serde_json::Value;
use std::sync::Arc;
use time::OffsetDateTime;

/// A revision with the sources its change cites.
#[derive(Clone, Debug)]
pub struct Cited {
    pub revision: StoredRevision,
    pub sources: Vec<i64>,
}

/// One field that differs between two versions. A missing value is null.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// Bookkeeping that changes with every version; a diff leaves it out.
const BOOKKEEPING: &[&str] = &["version", "created_at", "updated_at"];

/// The fields whose values differ between two versions of a record, in field order.
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !BOOKKEEPING.contains(&f.as_str()))
        .filter_map(|f| {
            let o = old.get(f).cloned().unwrap_or(Value::Null);
            let n = new.get(f).cloned().unwrap_or(Value::Null);
            (o != n).then(|| FieldChange {
                field: f.clone(),
                old: o,
                new: n,
            })
        })
        .collect()
}

/// How many past catalogs to keep: enough for a client paging through one `as_of` list.
const AS_OF_CACHE: usize = 4;

impl Dataset {
    async fn with_sources(
        &self,
        revisions: Vec<StoredRevision>,
    ) -> Result<Vec<Cited>, ServiceError> {
        let seqs: Vec<i64> = revisions.iter().map(|r| r.seq).collect();
        let mut sources = self.store().cited_sources(&seqs).await?;
        Ok(revisions
            .into_iter()
            .map(|revision| Cited {
                sources: sources.remove(&revision.seq).unwrap_or_default(),
                revision,
            })
            .collect())
    }

    /// Every version of a record, newest first. Empty when the id was never used.
    pub async fn history(&self, kind: EntityKind, id: &str) -> Result<Vec<Cited>, ServiceError> {
        self.guarded(async {
            let revisions = self.store().revisions_of(kind, id).await?;
            self.with_sources(revisions).await
        })
        .await
    }

    /// Revisions after `since`, in sequence order, at most `limit`, with their sources. Only
    /// what this process has folded in is served, so a page never runs ahead of a commit that
    /// is still in flight (sequence numbers commit in order).
    pub async fn changes(&self, since: i64, limit: u64) -> Result<Vec<Cited>, ServiceError> {
        let head = self.read().seq();
        self.guarded(async {
            let mut revisions = self.store().revisions_since(since, limit).await?;
            revisions.retain(|r| r.seq <= head);
            self.with_sources(revisions).await
        })
        .await
    }

    /// The catalog as it stood at `t` (transaction time): the version of the newest revision
    /// recorded by then, replayed from the checkpoint before it (see [`super::Checkpoints`]),
    /// so any past time costs at most a checkpoint interval of revisions. The last few are
    /// kept, keyed by that version: every request about the same moment (say, the pages of
    /// one list) shares one rebuild.
    pub async fn catalog_at(&self, t: OffsetDateTime) -> Result<Arc<Catalog>, ServiceError> {
        let seq = self.store().head_at(t).await?;
        if let Some(c) = self.cached(seq) {
            return Ok(c);
        }
        let catalog = Arc::new(self.at_version(seq).await?);
        // Revisions after `t` may have committed between the two reads; the catalog then
        // reflects a later version and must not be cached under `seq`.
        if catalog.seq() == seq {
            let mut cache = self.as_of_cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.retain(|(s, _)| *s != seq);
            cache.push_back((seq, catalog.clone()));
            while cache.len() > AS_OF_CACHE {
                cache.pop_front();
            }
        }
        Ok(catalog)
    }

    fn cached(&self, seq: i64) -> Option<Arc<Catalog>> {
        let cache = self.as_of_cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .iter()
            .find(|(s, _)| *s == seq)
            .map(|(_, c)| c.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_diff_lists_changed_fields_and_ignores_bookkeeping() {
        let old = json!({"status": "active", "end": null, "notes": "x", "version": 1});
        let new = json!({"status": "ended", "end": "2024-01", "notes": "x", "version": 2});
        let d = diff(&old, &new);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["end", "status"]);
        assert_eq!(d[0].new, json!("2024-01"));
        assert_eq!(d[1].old, json!("active"));
    }
}
