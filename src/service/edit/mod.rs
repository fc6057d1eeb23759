//! Edits made by people through the API: create, update (a JSON merge patch) and delete, each
//! with a note and at least one cited source, in one transaction.
//!
//! Every edit takes the writer's lock first (`Dataset::begin`), then brings the catalog up to
//! date with the log (`Dataset::sync`), and only then checks the caller's `If-Match` version
//! and the record's references. No other writer can commit while the lock is held, so what is
//! checked is what is written over: two editors racing with the same version cannot both win.

//!
//! The rules an edit and a record must keep are in `rules`; building the record a write
//! would write (merge patch, bookkeeping, the current record) in `prepare`; here the writes
//! themselves.

mod patch;
mod prepare;
mod rules;

pub use patch::{
    AgencyPatch, CitationPatch, Field, PartnershipPatch, PhasePatch, ProgramPatch, RecordPatch,
    SourcePatch,
};
pub use prepare::merge_patch;
pub(super) use prepare::{content, prepare_create, prepare_fields, prepare_update};
pub(super) use rules::{check_create_change, check_update_change};

use crate::domain::{ChangeKind, EntityKind, Record};
use crate::service::catalog::Catalog;
use crate::service::writer::{Reason, Writer};
use crate::service::{Dataset, ServiceError};
use prepare::{existing, prepare_create_patch, prepare_update_patch, record_from_patch};
use rules::{Op, check_change, check_precondition, validate};

/// Why a change is made, as an editor states it.
#[derive(Clone, Debug)]
pub struct ChangeRequest {
    pub kind: ChangeKind,
    pub note: String,
    /// Existing sources the change cites.
    pub sources: Vec<i64>,
    /// Sources to create in the same transaction and cite.
    pub new_sources: Vec<SourcePatch>,
}

/// The version a write expects to replace (`If-Match`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: refused, so no write can silently overwrite another.
    Missing,
    /// `If-Match: *`: whatever version is current.
    Any,
    /// One of these versions must be current.
    Versions(Vec<i32>),
}

/// A committed edit: the record as written and the revision that holds it.
#[derive(Clone, Debug)]
pub struct Saved {
    pub record: Record,
    pub seq: i64,
    /// For a delete: whether it is one.
    pub deleted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// No such record, or it was deleted.
    #[error(transparent)]
    Missing(#[from] crate::service::read::ReadError),
    #[error("send If-Match with the version you read (its ETag) to change a record")]
    PreconditionRequired,
    #[error("the record changed since you read it: it is now at version {current}")]
    PreconditionFailed { current: i32 },
    /// The body is well-formed but what it says cannot be recorded.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// It would clash with records that exist (a taken id, dependants).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for EditError {
    fn from(e: crate::store::StoreError) -> Self {
        EditError::Service(e.into())
    }
}

fn invalid(field: Option<&str>, message: impl Into<String>) -> EditError {
    EditError::Invalid {
        field: field.map(str::to_string),
        message: message.into(),
    }
}

impl Dataset {
    /// Takes the writer's lock and catches up with the log, so the catalog is exactly what the
    /// write will change.
    async fn begin_edit(&self, actor: &str) -> Result<Writer, EditError> {
        let w = self.begin(actor).await?;
        self.sync().await?;
        Ok(w)
    }

    /// Checks the cited sources and creates the new ones. Returns every source id to cite.
    pub(super) async fn cite(
        w: &mut Writer,
        catalog: &Catalog,
        change: &ChangeRequest,
    ) -> Result<Vec<i64>, EditError> {
        for id in &change.sources {
            if !catalog.sources.contains_key(id) {
                return Err(invalid(
                    Some("change.sources"),
                    format!("no source has the id `{id}` (or it was deleted)"),
                ));
            }
        }
        let mut ids = change.sources.clone();
        for fields in &change.new_sources {
            let record = record_from_patch(RecordPatch::Source(fields.clone()), w.at()).map_err(
                |e| match e {
                    EditError::Invalid { message, .. } => invalid(
                        Some("change.new_sources"),
                        format!("a new source: {message}"),
                    ),
                    other => other,
                },
            )?;
            validate(&record, catalog).map_err(|e| match e {
                EditError::Invalid { message, .. } => invalid(
                    Some("change.new_sources"),
                    format!("a new source: {message}"),
                ),
                other => other,
            })?;
            let Record::Source(s) = &record else {
                unreachable!("built as a source")
            };
            if catalog.sources.values().any(|x| x.url == s.url) {
                return Err(EditError::Conflict(format!(
                    "a source with the URL `{}` exists: cite it by id",
                    s.url
                )));
            }
            let why = Reason {
                kind: ChangeKind::Created,
                note: Some(&change.note),
                sources: &[],
            };
            let created = w.create(record, why).await?;
            if let Record::Source(s) = created {
                ids.push(s.id);
            }
        }
        Ok(ids)
    }

    /// Creates a record from its fields (as in the change feed's `data`, without bookkeeping).
    pub async fn create_record(
        &self,
        actor: &str,
        fields: RecordPatch,
        change: ChangeRequest,
    ) -> Result<Saved, EditError> {
        check_change(&change, Op::Create)?;
        let mut w = self.begin_edit(actor).await?;
        let catalog = self.read().shared_copy();
        let record = prepare_create_patch(&catalog, fields)?;
        let record = write_create(&mut w, &catalog, record, &change).await?;
        let seq = self.commit(w).await?;
        Ok(Saved {
            record,
            seq,
            deleted: false,
        })
    }

    /// Applies a merge patch to a record of the patch's kind: fields present replace, `null`
    /// clears, absent fields keep their value. Ids and bookkeeping cannot be patched.
    pub async fn update_record(
        &self,
        actor: &str,
        id: &str,
        pre: Precondition,
        patch: RecordPatch,
        change: ChangeRequest,
    ) -> Result<Saved, EditError> {
        if pre == Precondition::Missing {
            return Err(EditError::PreconditionRequired);
        }
        check_change(&change, Op::Update)?;
        let mut w = self.begin_edit(actor).await?;
        let catalog = self.read().shared_copy();
        let (old, record) = prepare_update_patch(&catalog, id, &pre, patch)?;
        let record = write_update(&mut w, &catalog, &old, record, &change).await?;
        let seq = self.commit(w).await?;
        Ok(Saved {
            record,
            seq,
            deleted: false,
        })
    }

    /// Deletes a record, and the citations that point at it. The log keeps every version and
    /// the id answers 410 from then on. Records others depend on cannot be deleted.
    pub async fn delete_record(
        &self,
        actor: &str,
        kind: EntityKind,
        id: &str,
        pre: Precondition,
        change: ChangeRequest,
    ) -> Result<Saved, EditError> {
        if pre == Precondition::Missing {
            return Err(EditError::PreconditionRequired);
        }
        check_change(&change, Op::Delete)?;
        let mut w = self.begin_edit(actor).await?;
        let old = self.existing(kind, id)?;
        check_precondition(&pre, old.meta().version)?;
        let citations: Vec<Record> = {
            let catalog = self.read();
            let blocker = match &old {
                Record::Agency(a) => (!catalog.partnerships_of(&a.id).is_empty())
                    .then_some("the agency has partnerships: delete them first"),
                Record::Program(p) => (catalog.partnership_count(&p.id) > 0
                    || !catalog.phases_of(&p.id).is_empty())
                .then_some("the program has partnerships or phases: delete them first"),
                Record::Source(s) => (catalog.cited_by(s.id, 0).0 > 0)
                    .then_some("citations cite the source: delete them first"),
                _ => None,
            };
            if let Some(why) = blocker {
                return Err(EditError::Conflict(why.into()));
            }
            catalog
                .citations_of(kind, id)
                .into_iter()
                .cloned()
                .map(Record::Citation)
                .collect()
        };
        let catalog = self.read().shared_copy();
        let sources = Self::cite(&mut w, &catalog, &change).await?;
        // The log marks a delete with the `deleted` kind; any other reason the editor gave
        // is kept at the front of the note.
        let note = match change.kind {
            ChangeKind::Deleted => change.note.clone(),
            other => format!("[{other}] {}", change.note),
        };
        for c in citations {
            w.delete(c, Some(&note), &sources).await?;
        }
        let mut record = old.clone();
        *record.meta_mut() = old.meta().next(w.at());
        w.delete(old, Some(&note), &sources).await?;
        let seq = self.commit(w).await?;
        Ok(Saved {
            record,
            seq,
            deleted: true,
        })
    }

    fn existing(&self, kind: EntityKind, id: &str) -> Result<Record, EditError> {
        existing(&self.read(), kind, id)
    }
}

/// Writes a prepared create with its citations (creating the change's new sources).
pub(super) async fn write_create(
    w: &mut Writer,
    catalog: &Catalog,
    record: Record,
    change: &ChangeRequest,
) -> Result<Record, EditError> {
    let sources = Dataset::cite(w, catalog, change).await?;
    let why = Reason {
        kind: change.kind,
        note: Some(&change.note),
        sources: &sources,
    };
    Ok(w.create(record, why).await?)
}

/// Moves a partnership's `last_confirmed` forward for a `new_evidence` edit: to the newest
/// publication day among the cited sources (the first day of an imprecise one; for a
/// snapshot of Ring's map, `official_map`, the day it was taken, its `accessed` day), else to
/// the day of the edit, and never back.
fn confirm(
    catalog: &Catalog,
    p: &mut crate::domain::Partnership,
    sources: &[i64],
    today: time::Date,
) {
    let dated = sources
        .iter()
        .filter_map(|id| {
            let s = catalog.sources.get(id)?;
            let day = match (s.published, s.kind) {
                (Some(p), _) => p.earliest(),
                (None, crate::domain::SourceKind::OfficialMap) => s.accessed?,
                (None, _) => return None,
            };
            Some((day, *id))
        })
        .max_by_key(|(day, _)| *day);
    let candidate = dated.or_else(|| sources.first().map(|id| (today, *id)));
    let current = p.last_confirmed.map(|d| (d, p.last_confirmed_source));
    let candidate = candidate.map(|(d, id)| (d, Some(id)));
    if let Some((day, source)) = crate::domain::evidence::newer(current, candidate) {
        p.last_confirmed = Some(day);
        p.last_confirmed_source = source;
    }
}

/// Writes a prepared update over `old` with its citations.
pub(super) async fn write_update(
    w: &mut Writer,
    catalog: &Catalog,
    old: &Record,
    mut record: Record,
    change: &ChangeRequest,
) -> Result<Record, EditError> {
    let sources = Dataset::cite(w, catalog, change).await?;
    if change.kind == ChangeKind::NewEvidence
        && let Record::Partnership(p) = &mut record
    {
        confirm(catalog, p, &sources, w.at().date());
    }
    let why = Reason {
        kind: change.kind,
        note: Some(&change.note),
        sources: &sources,
    };
    Ok(w.update(old.meta(), record, why).await?)
}
