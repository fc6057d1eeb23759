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
const BOOKKEEPING: &[&str] = crate::domain::Meta::KEYS;

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
    /// is still in flight (sequence numbers commit in order). Revisions up to that version
    /// never change, so a page is read from the store once per version and kept (a feed
    /// polled by many readers, the Atom feed's newest page).
    pub async fn changes(&self, since: i64, limit: u64) -> Result<Arc<Vec<Cited>>, ServiceError> {
        let head = self.read().seq();
        // Past the head the page is empty whatever `since` is: one key for all of them.
        let key = format!("{}/{limit}", since.min(head));
        if let Some(page) = self.changes_cache.get(head, &key) {
            return Ok(page);
        }
        let page = self
            .guarded(async {
                let mut revisions = self.store().revisions_since(since, limit).await?;
                revisions.retain(|r| r.seq <= head);
                self.with_sources(revisions).await
            })
            .await?;
        Ok(self.changes_cache.put(head, key, page))
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

    /// The dataset version (sequence number) and last-modified time of the catalog
    /// `catalog_at(t)` would give, without rebuilding it: what the caching middleware needs
    /// for an `as_of` request's tags before the handler (and an export's permit) runs.
    pub async fn version_at(
        &self,
        t: OffsetDateTime,
    ) -> Result<(i64, Option<OffsetDateTime>), ServiceError> {
        Ok(self.store().version_at(t).await?)
    }

    fn cached(&self, seq: i64) -> Option<Arc<Catalog>> {
        let cache = self.as_of_cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .iter()
            .find(|(s, _)| *s == seq)
            .map(|(_, c)| c.clone())
    }
}

/// A revision told as a news headline: who or what it is about, then what happened.
/// "Greenfield Police Department (WI): partnership ended". Names come from the catalog
/// (the record as it is now) and else from the revision's own data, so a deleted record
/// still reads as itself.
pub fn headline(rev: &StoredRevision, catalog: &Catalog) -> String {
    use crate::domain::ChangeKind as C;
    let data = &rev.data;
    let subject = subject(rev.entity_kind, &rev.entity_id, data, catalog);
    if rev.entity_kind == EntityKind::Citation {
        let cited = text(data, "entity_kind")
            .and_then(|k| k.parse::<EntityKind>().ok())
            .map_or("record", noun);
        let what = match rev.change_kind {
            C::Deleted | C::Retraction => format!("a source withdrawn from the {cited}"),
            C::Created | C::Import | C::Seed | C::NewEvidence => {
                format!("new source for the {cited}")
            }
            _ => format!("a source for the {cited} amended"),
        };
        return format!("{subject}: {what}");
    }
    let thing = noun(rev.entity_kind);
    let status = text(data, "status");
    let what = match rev.change_kind {
        C::Started => format!("{thing} started"),
        C::Ended => format!("{thing} ended"),
        C::Amended => format!("{thing} amended"),
        C::Correction => format!("{thing} record corrected"),
        C::Retraction => format!("{thing} retracted"),
        C::NewEvidence => format!("new evidence on the {thing}"),
        C::Deleted => format!("{thing} removed"),
        C::Updated => format!("{thing} updated"),
        C::Created | C::Import | C::Seed => match (rev.entity_kind, status) {
            (EntityKind::Partnership, Some("ended")) => format!("{thing} ended"),
            (EntityKind::Partnership, Some("cancelled")) => format!("{thing} cancelled"),
            (EntityKind::Partnership, Some("announced")) => format!("{thing} announced"),
            (EntityKind::Partnership, _) => format!("{thing} started"),
            _ => format!("{thing} added"),
        },
    };
    format!("{subject}: {what}")
}

fn noun(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Agency => "agency",
        EntityKind::Program => "program",
        EntityKind::Phase => "program phase",
        EntityKind::Partnership => "partnership",
        EntityKind::Source => "source",
        EntityKind::Citation => "citation",
    }
}

fn text<'a>(data: &'a Value, field: &str) -> Option<&'a str> {
    data.get(field).and_then(Value::as_str)
}

/// "Name (ST)" for an agency; the record's own name for others; what a citation cites.
fn subject(kind: EntityKind, id: &str, data: &Value, catalog: &Catalog) -> String {
    let agency = |id: &str, data: Option<&Value>| match catalog.agencies.get(id) {
        Some(a) => format!("{} ({})", a.name, a.state.as_str()),
        None => match data.and_then(|d| text(d, "name")) {
            Some(name) => match data.and_then(|d| text(d, "state")) {
                Some(st) => format!("{name} ({st})"),
                None => name.to_string(),
            },
            None => id.to_string(),
        },
    };
    match kind {
        EntityKind::Agency => agency(id, Some(data)),
        EntityKind::Partnership => match text(data, "agency_id") {
            Some(a) => agency(a, None),
            None => format!("partnership {id}"),
        },
        EntityKind::Program => catalog
            .programs
            .get(id)
            .map(|p| p.name.clone())
            .or_else(|| text(data, "name").map(str::to_string))
            .unwrap_or_else(|| id.to_string()),
        EntityKind::Phase => {
            let name = text(data, "name").unwrap_or(id);
            match text(data, "program_id").and_then(|p| catalog.programs.get(p)) {
                Some(p) => format!("{} – {name}", p.name),
                None => name.to_string(),
            }
        }
        EntityKind::Source => text(data, "title").unwrap_or(id).to_string(),
        EntityKind::Citation => {
            let cited_kind = text(data, "entity_kind").and_then(|k| k.parse::<EntityKind>().ok());
            let cited_id = text(data, "entity_id");
            match (cited_kind, cited_id) {
                (Some(EntityKind::Citation), _) | (None, _) | (_, None) => format!("citation {id}"),
                (Some(k), Some(cid)) => {
                    let cited = cited_data(catalog, k, cid);
                    subject(k, cid, &cited, catalog)
                }
            }
        }
    }
}

/// What a headline needs of a cited record that the catalog holds (its agency, name).
fn cited_data(catalog: &Catalog, kind: EntityKind, id: &str) -> Value {
    match kind {
        EntityKind::Partnership => id
            .parse::<i64>()
            .ok()
            .and_then(|n| catalog.partnerships.get(&n))
            .map(|p| serde_json::json!({"agency_id": p.agency_id}))
            .unwrap_or(Value::Null),
        EntityKind::Phase => catalog
            .phases
            .get(id)
            .map(|p| serde_json::json!({"name": p.name, "program_id": p.program_id}))
            .unwrap_or(Value::Null),
        EntityKind::Source => id
            .parse::<i64>()
            .ok()
            .and_then(|n| catalog.sources.get(&n))
            .map(|s| serde_json::json!({"title": s.title}))
            .unwrap_or(Value::Null),
        _ => Value::Null,
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
