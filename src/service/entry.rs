//! A record as the catalog holds it: the record, and beside it the API's JSON of this
//! version (`api::fast`), written by the first reader that needs it.
//!
//! A change to the record replaces its entry, so the JSON can never go stale while the entry
//! lives. A clone is another handle on the same entry (two reference counts): the spatial
//! index holds clones of agencies, so the JSON written for a walk of the index is the one the
//! map's readers see. Readers of the record use it through `Deref` (`entry.name`) or
//! [`Entry::record`].
//!
//! What the JSON holds is the writer's choice and only the record's own fields: an agency's
//! whole object, a partnership's fields after its agency and program (which change on their
//! own and are written per request).

use crate::domain::{Agency, Partnership};
use std::sync::{Arc, OnceLock};

#[derive(PartialEq)]
pub struct Entry<T> {
    record: Arc<T>,
    memo: Arc<Memo>,
}

/// The JSON kept beside a record: its own object (or fields), and for an agency the brief
/// that partnerships embed. One allocation for both.
#[derive(Default, PartialEq)]
struct Memo {
    json: OnceLock<Box<[u8]>>,
    brief: OnceLock<Box<[u8]>>,
}

pub type AgencyEntry = Entry<Agency>;
pub type PartnershipEntry = Entry<Partnership>;

impl<T> Entry<T> {
    pub fn new(record: T) -> Self {
        Self {
            record: Arc::new(record),
            memo: Arc::default(),
        }
    }

    /// The record, shared (export rows hold it after the catalog has moved on).
    pub fn record(&self) -> &Arc<T> {
        &self.record
    }

    /// The JSON of this version, written by `render` on first use and then kept.
    pub fn json(&self, render: impl FnOnce(&T) -> Vec<u8>) -> &[u8] {
        self.memo
            .json
            .get_or_init(|| render(&self.record).into_boxed_slice())
    }

    /// The record in brief as other records embed it, written by `render` on first use.
    pub fn brief(&self, render: impl FnOnce(&T) -> Vec<u8>) -> &[u8] {
        self.memo
            .brief
            .get_or_init(|| render(&self.record).into_boxed_slice())
    }
}

// Not derived: a clone is another handle whatever `T` is.
impl<T> Clone for Entry<T> {
    fn clone(&self) -> Self {
        Self {
            record: self.record.clone(),
            memo: self.memo.clone(),
        }
    }
}

impl<T> std::ops::Deref for Entry<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.record
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Entry<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("record", &self.record)
            .field("json_written", &self.memo.json.get().is_some())
            .finish()
    }
}

/// An agency as the spatial index holds it: its entry and its partnerships' entries in id
/// order (handles on the catalog's), so a walk of the index finds an agency's partnerships
/// without looking them up. A partnership's change replaces its agency's `Placed`.
#[derive(Clone, Debug)]
pub struct Placed {
    pub agency: AgencyEntry,
    /// Each partnership's id beside its entry: a walk sorts and pages by id without reading
    /// the records. One list, so the index's entries stay small (the index's bulk load
    /// copies them level by level).
    pub partnerships: Arc<[(i64, PartnershipEntry)]>,
}

impl Placed {
    /// The agency without its partnerships: enough to find its place in the index.
    pub fn alone(agency: AgencyEntry) -> Self {
        Self {
            agency,
            partnerships: Arc::new([]),
        }
    }
}

// By id: the index holds one `Placed` per agency, so an agency's entry is found (to be
// removed) without its partnerships.
impl PartialEq for Placed {
    fn eq(&self, other: &Self) -> bool {
        self.agency.id == other.agency.id
    }
}
