//! The catalog: every current record, held in memory and built by folding the revision log.
//! Each revision carries its record's full state, so applying one is an upsert (or, for a
//! delete, a removal that leaves a tombstone). The same fold over the log up to a time `T`
//! gives the dataset as it stood at `T`.

use crate::domain::{
    Agency, ChangeKind, Citation, EntityKind, Partnership, Phase, Program, Record, Source,
};
use crate::geo::{LatLon, SpatialIndex};
use crate::store::StoredRevision;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

/// A tombstone: what a deleted record's id answers with.
#[derive(Clone, Debug)]
pub struct Tombstone {
    pub seq: i64,
    pub at: OffsetDateTime,
}

#[derive(Debug, Default)]
pub struct Catalog {
    seq: i64,
    last_modified: Option<OffsetDateTime>,
    /// Shared with the spatial index, so a nearest-first walk reads agencies straight from
    /// the index instead of looking each one up.
    pub agencies: BTreeMap<String, Arc<Agency>>,
    pub programs: BTreeMap<String, Program>,
    pub phases: BTreeMap<String, Phase>,
    /// `Arc`s, like agencies, so an export can take a consistent snapshot under the lock and
    /// serialise it after releasing it.
    pub partnerships: BTreeMap<i64, Arc<Partnership>>,
    pub sources: BTreeMap<i64, Source>,
    pub citations: BTreeMap<i64, Arc<Citation>>,
    citations_by_record: HashMap<(EntityKind, String), BTreeSet<i64>>,
    partnerships_by_agency: HashMap<String, BTreeSet<i64>>,
    deleted: HashMap<(EntityKind, String), Tombstone>,
    /// Agencies by position (those that have one).
    agency_index: SpatialIndex<Arc<Agency>>,
    /// While a whole log is folded in, the index is left alone and bulk-loaded at the end.
    index_deferred: bool,
}

/// An agency's position, when it has a valid one.
pub fn position(a: &Agency) -> Option<LatLon> {
    LatLon::new(a.latitude?, a.longitude?)
}

impl Catalog {
    pub fn from_revisions(
        revisions: impl IntoIterator<Item = StoredRevision>,
    ) -> Result<Self, ApplyError> {
        let mut c = Catalog {
            index_deferred: true,
            ..Default::default()
        };
        for rev in revisions {
            c.apply(&rev)?;
        }
        c.agency_index = SpatialIndex::bulk(
            c.agencies
                .values()
                .filter_map(|a| Some((a.clone(), position(a)?))),
        );
        c.index_deferred = false;
        Ok(c)
    }

    /// The sequence number of the newest revision folded in: the dataset's version.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    pub fn last_modified(&self) -> Option<OffsetDateTime> {
        self.last_modified
    }

    /// Folds one revision in. All-or-nothing: a revision that does not parse changes nothing.
    pub fn apply(&mut self, rev: &StoredRevision) -> Result<(), ApplyError> {
        let record =
            Record::from_json(rev.entity_kind, rev.data.clone()).map_err(|e| ApplyError {
                seq: rev.seq,
                kind: rev.entity_kind,
                id: rev.entity_id.clone(),
                reason: e.to_string(),
            })?;
        let key = (rev.entity_kind, rev.entity_id.clone());
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
                let a = Arc::new(a);
                if let Some(at) = position(&a)
                    && !self.index_deferred
                {
                    self.agency_index.insert(a.clone(), at);
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
                self.partnerships_by_agency
                    .entry(p.agency_id.clone())
                    .or_default()
                    .insert(p.id);
                self.partnerships.insert(p.id, Arc::new(p));
            }
            Record::Source(s) => {
                self.sources.insert(s.id, s);
            }
            Record::Citation(c) => {
                self.citations_by_record
                    .entry((c.entity_kind, c.entity_id.clone()))
                    .or_default()
                    .insert(c.id);
                self.citations.insert(c.id, Arc::new(c));
            }
        }
    }

    /// Removes the current state of the record with this record's id, with its index entries.
    fn remove(&mut self, record: &Record) {
        match record {
            Record::Agency(a) => {
                if let Some(old) = self.agencies.remove(&a.id)
                    && let Some(at) = position(&old)
                    && !self.index_deferred
                {
                    self.agency_index.remove(&old, at);
                }
            }
            Record::Program(p) => {
                self.programs.remove(&p.id);
            }
            Record::Phase(p) => {
                self.phases.remove(&p.id);
            }
            Record::Partnership(p) => {
                if let Some(old) = self.partnerships.remove(&p.id)
                    && let Some(set) = self.partnerships_by_agency.get_mut(&old.agency_id)
                {
                    set.remove(&old.id);
                }
            }
            Record::Source(s) => {
                self.sources.remove(&s.id);
            }
            Record::Citation(c) => {
                if let Some(old) = self.citations.remove(&c.id)
                    && let Some(set) = self
                        .citations_by_record
                        .get_mut(&(old.entity_kind, old.entity_id.clone()))
                {
                    set.remove(&old.id);
                }
            }
        }
    }

    /// The citations of a record, oldest first.
    pub fn citations_of(&self, kind: EntityKind, id: &str) -> Vec<&Citation> {
        self.citations_by_record
            .get(&(kind, id.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|cid| self.citations.get(cid).map(|c| &**c))
            .collect()
    }

    pub fn partnerships_of(&self, agency_id: &str) -> Vec<&Partnership> {
        self.partnerships_by_agency
            .get(agency_id)
            .into_iter()
            .flatten()
            .filter_map(|pid| self.partnerships.get(pid).map(|p| &**p))
            .collect()
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

    pub fn agency_index(&self) -> &SpatialIndex<Arc<Agency>> {
        &self.agency_index
    }

    /// When the record was deleted, if it was.
    pub fn tombstone(&self, kind: EntityKind, id: &str) -> Option<&Tombstone> {
        self.deleted.get(&(kind, id.to_string()))
    }
}
