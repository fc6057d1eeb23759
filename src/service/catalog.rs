//! The catalog: every current record, held in memory and built by folding the revision log.
//! Each revision carries its record's full state, so applying one is an upsert (or, for a
//! delete, a removal that leaves a tombstone). The same fold over the log up to a time `T`
//! gives the dataset as it stood at `T`.

pub use super::entry::{AgencyEntry, Entry, PartnershipEntry, Placed};
use super::tags::{Tag, TagIndex};
use crate::domain::{
    Agency, ChangeKind, Citation, EntityKind, Partnership, Phase, Program, Record, Source,
};
use crate::geo::{LatLon, SpatialIndex};
use crate::store::{FoldedRevision, StoredRevision};
use imbl::{OrdMap, OrdSet};
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
#[error("revision {seq} ({kind} {id}) does not hold a valid record: {reason}")]
pub struct ApplyError {
    pub seq: i64,
    pub kind: EntityKind,
    pub id: String,
    pub reason: String,
}

/// What folding a revision in reads besides its record.
struct Head<'a> {
    seq: i64,
    entity_kind: EntityKind,
    entity_id: &'a str,
    change_kind: ChangeKind,
    recorded_at: OffsetDateTime,
}

/// The [`Head`] of a revision of either kind the fold reads (`StoredRevision`,
/// `FoldedRevision`): the same fields.
macro_rules! head {
    ($rev:expr) => {
        Head {
            seq: $rev.seq,
            entity_kind: $rev.entity_kind,
            entity_id: &$rev.entity_id,
            change_kind: $rev.change_kind,
            recorded_at: $rev.recorded_at,
        }
    };
}

/// A tombstone: what a deleted record's id answers with.
#[derive(Clone, Debug)]
pub struct Tombstone {
    pub seq: i64,
    pub at: OffsetDateTime,
}

/// Ids of the records that belong to another (a record's citations, an agency's
/// partnerships), in ascending order. Few per owner: a change rebuilds the list.
type Ids = Arc<[i64]>;

/// Every map is persistent (`imbl`: a B-tree whose nodes are shared between copies and
/// copied on write), so [`Catalog::shared_copy`] is a handful of reference-count increments
/// however many records there are: an export reads a consistent version of the dataset for
/// as long as it streams, without holding the lock and without copying a row.
#[derive(Debug)]
pub struct Catalog {
    seq: i64,
    last_modified: Option<OffsetDateTime>,
    /// Shared with the spatial index, so a nearest-first walk reads agencies straight from
    /// the index instead of looking each one up.
    pub agencies: OrdMap<String, AgencyEntry>,
    pub programs: OrdMap<String, Program>,
    pub phases: OrdMap<String, Phase>,
    pub partnerships: OrdMap<i64, PartnershipEntry>,
    pub sources: OrdMap<i64, Source>,
    pub citations: OrdMap<i64, Arc<Citation>>,
    citations_by_record: OrdMap<(EntityKind, String), Ids>,
    partnerships_by_agency: OrdMap<String, Ids>,
    /// How many partnerships have each (`last_confirmed_source`, `last_confirmed`): a few
    /// entries, kept in step with every change, so `coverage` never walks the partnerships.
    confirmations: OrdMap<(Option<i64>, Option<time::Date>), u64>,
    /// `(source id, citation id)` of every citation: a source's citations in id order, found
    /// in O(log n + what is read), kept in step with every change.
    citations_by_source: OrdSet<(i64, i64)>,
    /// How many citations cite each source.
    cited_by_counts: OrdMap<i64, u64>,
    /// How many partnerships each program has.
    program_counts: OrdMap<String, u64>,
    /// Agency and partnership ids by state and quality flag (`service::tags`), kept in step
    /// with every change, or built at the end of a fold.
    tags: TagIndex,
    deleted: OrdMap<(EntityKind, String), Tombstone>,
    /// Agencies by position (those that have one), each with its partnerships. `None` in a
    /// shared copy: the index is not
    /// persistent (copying it would cost O(records)), and listing without it walks the maps
    /// instead: by id from the cursor, or a scan per batch in any other order.
    agency_index: Option<SpatialIndex<Placed>>,
    /// While a whole log is folded in, the index is left alone and bulk-loaded at the end.
    index_deferred: bool,
}

/// Where and since when the catalog's records are (OGC collections' `extent`).
#[derive(Clone, Debug, PartialEq)]
pub struct Extent {
    /// `[min_lon, min_lat, max_lon, max_lat]` of the placed agencies; `None` when none is.
    pub bbox: Option<[f64; 4]>,
    /// The earliest first day of a partnership's start.
    pub first_start: Option<time::Date>,
}

/// One line of [`Catalog::coverage`].
#[derive(Clone, Debug)]
pub struct Coverage<'c> {
    pub source_id: Option<i64>,
    pub source: Option<&'c Source>,
    pub last_confirmed: Option<time::Date>,
    pub partnerships: u64,
}

impl Default for Catalog {
    /// An empty catalog, with an empty spatial index.
    fn default() -> Self {
        Catalog {
            seq: 0,
            last_modified: None,
            agencies: OrdMap::new(),
            programs: OrdMap::new(),
            phases: OrdMap::new(),
            partnerships: OrdMap::new(),
            sources: OrdMap::new(),
            citations: OrdMap::new(),
            citations_by_record: OrdMap::new(),
            partnerships_by_agency: OrdMap::new(),
            confirmations: OrdMap::new(),
            citations_by_source: OrdSet::new(),
            cited_by_counts: OrdMap::new(),
            program_counts: OrdMap::new(),
            tags: TagIndex::default(),
            deleted: OrdMap::new(),
            agency_index: Some(SpatialIndex::default()),
            index_deferred: false,
        }
    }
}

/// Adds `delta` to `key`'s count, forgetting a count that comes to zero.
fn add<K: Ord + Clone>(counts: &mut OrdMap<K, u64>, key: K, delta: i64) {
    let n = counts
        .get(&key)
        .copied()
        .unwrap_or(0)
        .saturating_add_signed(delta);
    if n == 0 {
        counts.remove(&key);
    } else {
        counts.insert(key, n);
    }
}

fn with_id(ids: Option<&Ids>, id: i64) -> Ids {
    let mut v: Vec<i64> = ids.map(|i| i.to_vec()).unwrap_or_default();
    if let Err(at) = v.binary_search(&id) {
        v.insert(at, id);
    }
    v.into()
}

/// The list without `id`, or `None` when nothing is left.
fn without_id(ids: &Ids, id: i64) -> Option<Ids> {
    let v: Vec<i64> = ids.iter().copied().filter(|&i| i != id).collect();
    (!v.is_empty()).then(|| v.into())
}

/// An agency's position, when it has a valid one.
pub fn position(a: &Agency) -> Option<LatLon> {
    LatLon::new(a.latitude?, a.longitude?)
}

impl Catalog {
    /// The catalog that folding `revisions` (a whole log, in order) gives.
    pub fn from_revisions(
        revisions: impl IntoIterator<Item = StoredRevision>,
    ) -> Result<Self, ApplyError> {
        let mut c = Catalog::loading();
        for rev in revisions {
            c.apply(&rev)?;
        }
        Ok(c.loaded())
    }

    /// An empty catalog to fold a whole log into with `apply`, then finish with `loaded`: the
    /// spatial index and the ids by tag are left alone meanwhile and built once at the end.
    pub fn loading() -> Self {
        Catalog {
            index_deferred: true,
            ..Default::default()
        }
    }

    /// Ends `loading`: builds the spatial index and the ids by tag.
    pub fn loaded(mut self) -> Self {
        self.tags = TagIndex::build(
            self.agencies.values().map(|a| &**a),
            self.partnerships.values().filter_map(|p| {
                let a = self.agencies.get(&p.agency_id)?;
                Some((p.id, &**a))
            }),
        );
        self.agency_index = Some(SpatialIndex::bulk(self.all_placed()));
        self.index_deferred = false;
        self
    }

    /// A copy of this version of the catalog, to keep for as long as it is needed or to
    /// change apart from this one: in O(1), since every map is shared until one side changes
    /// it (then only the changed paths are copied). The copy has no spatial index: readers
    /// that would use it scan instead.
    pub fn shared_copy(&self) -> Catalog {
        Catalog {
            seq: self.seq,
            last_modified: self.last_modified,
            agencies: self.agencies.clone(),
            programs: self.programs.clone(),
            phases: self.phases.clone(),
            partnerships: self.partnerships.clone(),
            sources: self.sources.clone(),
            citations: self.citations.clone(),
            citations_by_record: self.citations_by_record.clone(),
            partnerships_by_agency: self.partnerships_by_agency.clone(),
            confirmations: self.confirmations.clone(),
            citations_by_source: self.citations_by_source.clone(),
            cited_by_counts: self.cited_by_counts.clone(),
            program_counts: self.program_counts.clone(),
            tags: self.tags.clone(),
            deleted: self.deleted.clone(),
            agency_index: None,
            index_deferred: false,
        }
    }

    /// How current the partnerships are, by the source of their newest evidence: for each,
    /// how many partnerships it confirms and the newest day it does (`None` source: those with
    /// no evidence date recorded). Costs the number of distinct confirmations, not of rows.
    pub fn coverage(&self) -> Vec<Coverage<'_>> {
        let mut out: Vec<Coverage<'_>> = Vec::new();
        for ((source, day), n) in self.confirmations.iter() {
            match out.last_mut() {
                Some(c) if c.source_id == *source => {
                    c.partnerships += n;
                    c.last_confirmed = c.last_confirmed.max(*day);
                }
                _ => out.push(Coverage {
                    source_id: *source,
                    source: source.and_then(|id| self.sources.get(&id)),
                    last_confirmed: *day,
                    partnerships: *n,
                }),
            }
        }
        out
    }

    /// The sequence number of the newest revision folded in: the dataset's version.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// The box of the placed agencies and the earliest start: a walk of every record (cache
    /// it per version, as `api::AppState::extents` does).
    pub fn extent(&self) -> Extent {
        let mut bbox: Option<[f64; 4]> = None;
        for at in self.agencies.values().filter_map(|a| position(a)) {
            let b = bbox.get_or_insert([at.lon(), at.lat(), at.lon(), at.lat()]);
            *b = [
                b[0].min(at.lon()),
                b[1].min(at.lat()),
                b[2].max(at.lon()),
                b[3].max(at.lat()),
            ];
        }
        let first_start = self
            .partnerships
            .values()
            .filter_map(|p| p.start.map(|d| d.earliest()))
            .min();
        Extent { bbox, first_start }
    }

    pub fn last_modified(&self) -> Option<OffsetDateTime> {
        self.last_modified
    }

    /// Folds one revision in. All-or-nothing: a revision that does not parse changes nothing.
    pub fn apply(&mut self, rev: &StoredRevision) -> Result<(), ApplyError> {
        let record = Record::from_json_ref(rev.entity_kind, &rev.data);
        self.apply_record(head!(rev), record)
    }

    /// [`Catalog::apply`] of a revision read for the fold, its record already parsed from its
    /// JSON text ([`Record::from_json_text`]; the fold parses on another thread).
    pub fn apply_parsed(
        &mut self,
        rev: &FoldedRevision,
        record: serde_json::Result<Record>,
    ) -> Result<(), ApplyError> {
        self.apply_record(head!(rev), record)
    }

    fn apply_record(
        &mut self,
        rev: Head<'_>,
        record: serde_json::Result<Record>,
    ) -> Result<(), ApplyError> {
        let record = record.map_err(|e| ApplyError {
            seq: rev.seq,
            kind: rev.entity_kind,
            id: rev.entity_id.to_string(),
            reason: e.to_string(),
        })?;
        let key = (rev.entity_kind, rev.entity_id.to_string());
        self.remove(&record);
        if rev.change_kind == ChangeKind::Deleted {
            self.deleted.insert(
                key,
                Tombstone {
                    seq: rev.seq,
                    at: rev.recorded_at,
                },
            );
        } else {
            self.deleted.remove(&key);
            self.insert(record);
        }
        self.seq = self.seq.max(rev.seq);
        self.last_modified = Some(match self.last_modified {
            Some(t) if t > rev.recorded_at => t,
            _ => rev.recorded_at,
        });
        Ok(())
    }

    fn insert(&mut self, record: Record) {
        match record {
            Record::Agency(a) => {
                let a = AgencyEntry::new(a);
                if !self.index_deferred {
                    let partnerships = self.partnerships_by_agency.get(&a.id);
                    self.tags
                        .add_agency(&a, partnerships.map_or(&[][..], |i| &i[..]));
                }
                if let Some(at) = position(&a)
                    && !self.index_deferred
                {
                    let placed = self.placed(&a);
                    if let Some(index) = &mut self.agency_index {
                        index.insert(placed, at);
                    }
                }
                self.agencies.insert(a.id.clone(), a);
            }
            Record::Program(p) => {
                self.programs.insert(p.id.clone(), p);
            }
            Record::Phase(p) => {
                self.phases.insert(p.id.clone(), p);
            }
            Record::Partnership(p) => {
                let key = (p.last_confirmed_source, p.last_confirmed);
                let n = self.confirmations.get(&key).copied().unwrap_or(0);
                self.confirmations.insert(key, n + 1);
                let ids = with_id(self.partnerships_by_agency.get(&p.agency_id), p.id);
                self.partnerships_by_agency.insert(p.agency_id.clone(), ids);
                if let Some(a) = self.agencies.get(&p.agency_id)
                    && !self.index_deferred
                {
                    self.tags.add_partnership(a, p.id);
                }
                add(&mut self.program_counts, p.program_id.clone(), 1);
                let agency_id = p.agency_id.clone();
                self.partnerships.insert(p.id, PartnershipEntry::new(p));
                self.replace_placed(&agency_id);
            }
            Record::Source(s) => {
                self.sources.insert(s.id, s);
            }
            Record::Citation(c) => {
                let key = (c.entity_kind, c.entity_id.clone());
                let ids = with_id(self.citations_by_record.get(&key), c.id);
                self.citations_by_record.insert(key, ids);
                self.citations_by_source.insert((c.source_id, c.id));
                add(&mut self.cited_by_counts, c.source_id, 1);
                self.citations.insert(c.id, Arc::new(c));
            }
        }
    }

    /// Removes the current state of the record with this record's id, with its index entries.
    fn remove(&mut self, record: &Record) {
        match record {
            Record::Agency(a) => {
                let Some(old) = self.agencies.remove(&a.id) else {
                    return;
                };
                if !self.index_deferred {
                    let partnerships = self.partnerships_by_agency.get(&old.id);
                    self.tags
                        .remove_agency(&old, partnerships.map_or(&[][..], |i| &i[..]));
                }
                if let Some(at) = position(&old)
                    && !self.index_deferred
                    && let Some(index) = &mut self.agency_index
                {
                    index.remove(&Placed::alone(old), at);
                }
            }
            Record::Program(p) => {
                self.programs.remove(&p.id);
            }
            Record::Phase(p) => {
                self.phases.remove(&p.id);
            }
            Record::Partnership(p) => {
                let old = self.partnerships.remove(&p.id);
                if let Some(old) = &old {
                    if let Some(a) = self.agencies.get(&old.agency_id)
                        && !self.index_deferred
                    {
                        self.tags.remove_partnership(a, old.id);
                    }
                    add(&mut self.program_counts, old.program_id.clone(), -1);
                    let key = (old.last_confirmed_source, old.last_confirmed);
                    match self.confirmations.get(&key).copied() {
                        Some(n) if n > 1 => {
                            self.confirmations.insert(key, n - 1);
                        }
                        _ => {
                            self.confirmations.remove(&key);
                        }
                    }
                }
                if let Some(old) = old
                    && let Some(ids) = self.partnerships_by_agency.get(&old.agency_id)
                {
                    match without_id(ids, old.id) {
                        Some(rest) => self
                            .partnerships_by_agency
                            .insert(old.agency_id.clone(), rest),
                        None => self.partnerships_by_agency.remove(&old.agency_id),
                    };
                    self.replace_placed(&old.agency_id);
                }
            }
            Record::Source(s) => {
                self.sources.remove(&s.id);
            }
            Record::Citation(c) => {
                if let Some(old) = self.citations.remove(&c.id) {
                    self.citations_by_source.remove(&(old.source_id, old.id));
                    add(&mut self.cited_by_counts, old.source_id, -1);
                    let key = (old.entity_kind, old.entity_id.clone());
                    if let Some(ids) = self.citations_by_record.get(&key) {
                        match without_id(ids, old.id) {
                            Some(rest) => self.citations_by_record.insert(key, rest),
                            None => self.citations_by_record.remove(&key),
                        };
                    }
                }
            }
        }
    }

    /// The citations of a record, oldest first.
    pub fn citations_of(&self, kind: EntityKind, id: &str) -> Vec<&Citation> {
        self.citations_by_record
            .get(&(kind, id.to_string()))
            .map(|ids| ids.iter())
            .into_iter()
            .flatten()
            .filter_map(|cid| self.citations.get(cid).map(|c| &**c))
            .collect()
    }

    /// The partnership's primary source: the first source cited for the whole record that is
    /// itself evidence (not a dataset that compiles others, such as the Atlas), else the first
    /// such source cited for a field, else the first source cited at all, else the source of
    /// its last confirmation.
    pub fn primary_source(&self, p: &Partnership) -> Option<&Source> {
        let cited = self.citations_of(EntityKind::Partnership, &p.id.to_string());
        let in_order = || {
            let whole = cited.iter().filter(|c| c.field.is_none());
            let fields = cited.iter().filter(|c| c.field.is_some());
            whole
                .chain(fields)
                .filter_map(|c| self.sources.get(&c.source_id))
        };
        in_order()
            .find(|s| s.kind != crate::domain::SourceKind::Dataset)
            .or_else(|| in_order().next())
            .or_else(|| p.last_confirmed_source.and_then(|id| self.sources.get(&id)))
    }

    /// The ids of the agencies with `tag` (in a state, or carrying a flag), in id order.
    pub fn agencies_tagged(&self, tag: Tag) -> Option<&OrdSet<String>> {
        self.tags.agencies(tag)
    }

    /// The ids of the partnerships whose agency has `tag`, in id order.
    pub fn partnerships_tagged(&self, tag: Tag) -> Option<&OrdSet<i64>> {
        self.tags.partnerships(tag)
    }

    pub fn partnerships_of(&self, agency_id: &str) -> Vec<&PartnershipEntry> {
        self.partnerships_by_agency
            .get(agency_id)
            .map(|ids| ids.iter())
            .into_iter()
            .flatten()
            .filter_map(|pid| self.partnerships.get(pid))
            .collect()
    }

    /// How many citations cite the source, and the first `limit` of them in id order: a
    /// lookup and a walk of what is returned, not of every citation.
    pub fn cited_by(&self, source_id: i64, limit: usize) -> (u64, Vec<&Citation>) {
        let count = self.cited_by_counts.get(&source_id).copied().unwrap_or(0);
        let first = self
            .citations_by_source
            .range((source_id, i64::MIN)..=(source_id, i64::MAX))
            .take(limit)
            .filter_map(|(_, cid)| self.citations.get(cid).map(|c| &**c))
            .collect();
        (count, first)
    }

    /// How many partnerships the program has (in O(log n)).
    pub fn partnership_count(&self, program_id: &str) -> u64 {
        self.program_counts.get(program_id).copied().unwrap_or(0)
    }

    pub fn phases_of(&self, program_id: &str) -> Vec<&Phase> {
        let mut phases: Vec<&Phase> = self
            .phases
            .values()
            .filter(|p| p.program_id == program_id)
            .collect();
        phases.sort_by_key(|p| (p.start.map(|d| d.earliest()), p.id.clone()));
        phases
    }

    /// The agency as the spatial index holds it, with its partnerships as they are now.
    fn placed(&self, a: &AgencyEntry) -> Placed {
        let ids = self.partnerships_by_agency.get(&a.id);
        self.place(a, ids)
    }

    /// `a` with the partnerships of `ids` (its own, in order).
    fn place(&self, a: &AgencyEntry, ids: Option<&Ids>) -> Placed {
        let ids = ids.iter().flat_map(|i| i.iter());
        Placed {
            agency: a.clone(),
            partnerships: ids
                .filter_map(|id| Some((*id, self.partnerships.get(id)?.clone())))
                .collect(),
        }
    }

    /// Every placed agency with its partnerships: the agencies and their partnerships' ids
    /// walked together in id order, not one look-up per agency.
    fn all_placed(&self) -> Vec<(Placed, LatLon)> {
        let mut owned = self.partnerships_by_agency.iter().peekable();
        let mut out = Vec::with_capacity(self.agencies.len());
        for a in self.agencies.values() {
            while owned
                .next_if(|(id, _)| id.as_str() < a.id.as_str())
                .is_some()
            {}
            let ids = owned.next_if(|(id, _)| **id == a.id).map(|(_, ids)| ids);
            if let Some(at) = position(a) {
                out.push((self.place(a, ids), at));
            }
        }
        out
    }

    /// After a change to an agency's partnerships: its place in the index holds them.
    fn replace_placed(&mut self, agency_id: &str) {
        if self.index_deferred {
            return;
        }
        let Some(a) = self.agencies.get(agency_id) else {
            return;
        };
        let Some(at) = position(a) else {
            return;
        };
        let placed = self.placed(a);
        if let Some(index) = &mut self.agency_index {
            index.remove(&placed, at);
            index.insert(placed, at);
        }
    }

    /// The spatial index; `None` in a shared copy.
    pub fn agency_index(&self) -> Option<&SpatialIndex<Placed>> {
        self.agency_index.as_ref()
    }

    /// When the record was deleted, if it was.
    pub fn tombstone(&self, kind: EntityKind, id: &str) -> Option<&Tombstone> {
        self.deleted.get(&(kind, id.to_string()))
    }
}

#[cfg(test)]
mod tests;
