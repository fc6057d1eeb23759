//! Edits made by people through the API: create, update (a JSON merge patch) and delete, each
//! with a note and at least one cited source, in one transaction.
//!
//! Every edit takes the writer's lock first (`Dataset::begin`), then brings the catalog up to
//! date with the log (`Dataset::sync`), and only then checks the caller's `If-Match` version
//! and the record's references. No other writer can commit while the lock is held, so what is
//! checked is what is written over: two editors racing with the same version cannot both win.

use super::catalog::Catalog;
use super::writer::{Reason, Writer};
use super::{Dataset, ServiceError};
use crate::domain::ids::{agency_slug, is_slug};
use crate::domain::{ChangeKind, EntityKind, PartialDate, Record, StateCode};
use serde_json::{Map, Value};

/// Why a change is made, as an editor states it.
#[derive(Clone, Debug)]
pub struct ChangeRequest {
    pub kind: ChangeKind,
    pub note: String,
    /// Existing sources the change cites.
    pub sources: Vec<i64>,
    /// Sources to create in the same transaction and cite (their fields, as for a source).
    pub new_sources: Vec<Map<String, Value>>,
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
    #[error("no {0} has the id `{1}`")]
    NotFound(EntityKind, String),
    #[error("{0} `{1}` was deleted")]
    Gone(EntityKind, String),
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

/// Change kinds an editor may give. `updated`, `import` and `seed` belong to the system.
const EDITOR_KINDS: &[ChangeKind] = &[
    ChangeKind::Created,
    ChangeKind::Started,
    ChangeKind::Ended,
    ChangeKind::Amended,
    ChangeKind::Correction,
    ChangeKind::Retraction,
    ChangeKind::NewEvidence,
    ChangeKind::Deleted,
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Update,
    Delete,
}

fn check_change(change: &ChangeRequest, op: Op) -> Result<(), EditError> {
    reject_nul("change.note", &Value::from(change.note.as_str()))?;
    if change.note.trim().is_empty() {
        return Err(invalid(
            Some("change.note"),
            "every change needs a note saying what changed and why",
        ));
    }
    if change.sources.is_empty() && change.new_sources.is_empty() {
        return Err(invalid(
            Some("change.sources"),
            "every change cites at least one source: `sources` (ids) or `new_sources`",
        ));
    }
    let allowed = match op {
        Op::Create => {
            !matches!(change.kind, ChangeKind::Deleted) && EDITOR_KINDS.contains(&change.kind)
        }
        Op::Update => {
            !matches!(change.kind, ChangeKind::Deleted | ChangeKind::Created)
                && EDITOR_KINDS.contains(&change.kind)
        }
        Op::Delete => matches!(
            change.kind,
            ChangeKind::Deleted
                | ChangeKind::Retraction
                | ChangeKind::Correction
                | ChangeKind::Ended
        ),
    };
    if !allowed {
        let hint = match op {
            Op::Create => "created, started, amended, correction, new_evidence",
            Op::Update => "started, ended, amended, correction, retraction, new_evidence",
            Op::Delete => "deleted, retraction, correction, ended",
        };
        return Err(invalid(
            Some("change.kind"),
            format!(
                "`{}` is not a change kind for this write: use {hint}",
                change.kind
            ),
        ));
    }
    Ok(())
}

/// RFC 7396 JSON merge patch: members present replace, `null` removes the member (an optional
/// field reads back as null, a required one makes the record invalid), objects merge.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

const BOOKKEEPING: &[&str] = &["version", "created_at", "updated_at"];

fn is_numeric(kind: EntityKind) -> bool {
    matches!(
        kind,
        EntityKind::Partnership | EntityKind::Source | EntityKind::Citation
    )
}

/// Builds a record from fields, with placeholder bookkeeping (the writer sets the real one).
/// Text may not hold NUL: PostgreSQL cannot store it, and no real name or note has one.
fn reject_nul(field: &str, value: &Value) -> Result<(), EditError> {
    let bad = match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => return items.iter().try_for_each(|v| reject_nul(field, v)),
        Value::Object(m) => {
            return m.iter().try_for_each(|(k, v)| {
                if k.contains('\0') {
                    Err(invalid(Some(field), "text may not contain NUL characters"))
                } else {
                    reject_nul(field, v)
                }
            });
        }
        _ => false,
    };
    if bad {
        Err(invalid(Some(field), "text may not contain NUL characters"))
    } else {
        Ok(())
    }
}

fn record_from_fields(
    kind: EntityKind,
    mut fields: Map<String, Value>,
    at: time::OffsetDateTime,
) -> Result<Record, EditError> {
    for (k, v) in &fields {
        reject_nul(k, v)?;
    }
    let stamp = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    fields.insert("version".into(), Value::from(1));
    fields.insert("created_at".into(), Value::from(stamp.clone()));
    fields.insert("updated_at".into(), Value::from(stamp));
    Record::from_json(kind, Value::Object(fields)).map_err(|e| invalid(None, e.to_string()))
}

fn dates_in_order(
    start: Option<PartialDate>,
    end: Option<PartialDate>,
    what: &str,
) -> Result<(), EditError> {
    if let (Some(s), Some(e)) = (start, end)
        && e.latest() < s.earliest()
    {
        return Err(invalid(
            Some("end"),
            format!("the {what} ends ({e}) before it starts ({s})"),
        ));
    }
    Ok(())
}

fn live(catalog: &Catalog, kind: EntityKind, id: &str) -> bool {
    match kind {
        EntityKind::Agency => catalog.agencies.contains_key(id),
        EntityKind::Program => catalog.programs.contains_key(id),
        EntityKind::Phase => catalog.phases.contains_key(id),
        EntityKind::Partnership => id
            .parse::<i64>()
            .is_ok_and(|n| catalog.partnerships.contains_key(&n)),
        EntityKind::Source => id
            .parse::<i64>()
            .is_ok_and(|n| catalog.sources.contains_key(&n)),
        EntityKind::Citation => id
            .parse::<i64>()
            .is_ok_and(|n| catalog.citations.contains_key(&n)),
    }
}

/// The current record of this kind and id.
pub fn current(catalog: &Catalog, kind: EntityKind, id: &str) -> Option<Record> {
    let num = id.parse::<i64>().ok();
    match kind {
        EntityKind::Agency => catalog
            .agencies
            .get(id)
            .map(|a| Record::Agency((**a).clone())),
        EntityKind::Program => catalog.programs.get(id).cloned().map(Record::Program),
        EntityKind::Phase => catalog.phases.get(id).cloned().map(Record::Phase),
        EntityKind::Partnership => num
            .and_then(|n| catalog.partnerships.get(&n))
            .map(|p| Record::Partnership((**p).clone())),
        EntityKind::Source => num
            .and_then(|n| catalog.sources.get(&n))
            .cloned()
            .map(Record::Source),
        EntityKind::Citation => num
            .and_then(|n| catalog.citations.get(&n))
            .map(|c| Record::Citation((**c).clone())),
    }
}

/// The rules every record must keep, checked against the catalog it is written into.
fn validate(record: &Record, catalog: &Catalog) -> Result<(), EditError> {
    let must_live = |kind: EntityKind, id: &str, field: &str| {
        if live(catalog, kind, id) {
            Ok(())
        } else {
            Err(invalid(
                Some(field),
                format!("no {kind} has the id `{id}` (or it was deleted)"),
            ))
        }
    };
    let text = |value: &str, field: &str| {
        if value.trim().is_empty() {
            Err(invalid(Some(field), format!("`{field}` may not be empty")))
        } else {
            Ok(())
        }
    };
    match record {
        Record::Agency(a) => {
            if !is_slug(&a.id) {
                return Err(invalid(
                    Some("id"),
                    format!("`{}` is not a slug (lower-case words joined by `-`)", a.id),
                ));
            }
            text(&a.name, "name")?;
            match (a.latitude, a.longitude) {
                (None, None) => {}
                (Some(lat), Some(lon))
                    if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
                _ => {
                    return Err(invalid(
                        Some("latitude"),
                        "latitude (-90..90) and longitude (-180..180) go together",
                    ));
                }
            }
        }
        Record::Program(p) => {
            if !is_slug(&p.id) {
                return Err(invalid(Some("id"), format!("`{}` is not a slug", p.id)));
            }
            text(&p.name, "name")?;
            dates_in_order(p.start, p.end, "program")?;
        }
        Record::Phase(p) => {
            if !is_slug(&p.id) {
                return Err(invalid(Some("id"), format!("`{}` is not a slug", p.id)));
            }
            text(&p.name, "name")?;
            must_live(EntityKind::Program, &p.program_id, "program_id")?;
            dates_in_order(p.start, p.end, "phase")?;
        }
        Record::Partnership(p) => {
            must_live(EntityKind::Agency, &p.agency_id, "agency_id")?;
            must_live(EntityKind::Program, &p.program_id, "program_id")?;
            dates_in_order(p.start, p.end, "partnership")?;
        }
        Record::Source(s) => {
            text(&s.title, "title")?;
            let ok = url::Url::parse(&s.url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(invalid(
                    Some("url"),
                    format!("`{}` is not an http(s) URL", s.url),
                ));
            }
        }
        Record::Citation(c) => {
            must_live(EntityKind::Source, &c.source_id.to_string(), "source_id")?;
            must_live(c.entity_kind, &c.entity_id, "entity_id")?;
        }
    }
    Ok(())
}

fn check_precondition(pre: &Precondition, version: i32) -> Result<(), EditError> {
    match pre {
        Precondition::Missing => Err(EditError::PreconditionRequired),
        Precondition::Any => Ok(()),
        Precondition::Versions(v) if v.contains(&version) => Ok(()),
        Precondition::Versions(_) => Err(EditError::PreconditionFailed { current: version }),
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
            let mut fields = fields.clone();
            fields.insert("id".into(), Value::from(0));
            let record =
                record_from_fields(EntityKind::Source, fields, w.at()).map_err(|e| match e {
                    EditError::Invalid { message, .. } => invalid(
                        Some("change.new_sources"),
                        format!("a new source: {message}"),
                    ),
                    other => other,
                })?;
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
        kind: EntityKind,
        fields: Map<String, Value>,
        change: ChangeRequest,
    ) -> Result<Saved, EditError> {
        check_change(&change, Op::Create)?;
        let mut w = self.begin_edit(actor).await?;
        let catalog = self.read().snapshot();
        let record = prepare_create(&catalog, kind, fields)?;
        let record = write_create(&mut w, &catalog, record, &change).await?;
        let seq = self.commit(w).await?;
        Ok(Saved {
            record,
            seq,
            deleted: false,
        })
    }

    /// Applies a JSON merge patch to a record: fields present replace, `null` clears, absent
    /// fields keep their value. Ids and bookkeeping cannot be patched.
    pub async fn update_record(
        &self,
        actor: &str,
        kind: EntityKind,
        id: &str,
        pre: Precondition,
        patch: Map<String, Value>,
        change: ChangeRequest,
    ) -> Result<Saved, EditError> {
        if pre == Precondition::Missing {
            return Err(EditError::PreconditionRequired);
        }
        check_change(&change, Op::Update)?;
        let mut w = self.begin_edit(actor).await?;
        let catalog = self.read().snapshot();
        let (old, record) = prepare_update(&catalog, kind, id, &pre, patch)?;
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
        let catalog = self.read().snapshot();
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

fn existing(catalog: &Catalog, kind: EntityKind, id: &str) -> Result<Record, EditError> {
    {
        match current(catalog, kind, id) {
            Some(r) => Ok(r),
            None if catalog.tombstone(kind, id).is_some() => {
                Err(EditError::Gone(kind, id.to_string()))
            }
            None => Err(EditError::NotFound(kind, id.to_string())),
        }
    }
}

/// Checks a change an editor states for a write of this kind: a note, a source, a kind that
/// fits (`deleted` only deletes, `created` only creates).
pub(super) fn check_create_change(change: &ChangeRequest) -> Result<(), EditError> {
    check_change(change, Op::Create)
}

/// See [`check_create_change`].
pub(super) fn check_update_change(change: &ChangeRequest) -> Result<(), EditError> {
    check_change(change, Op::Update)
}

/// The record a create would write, before any check against other records.
pub(super) fn prepare_fields(
    _catalog: &Catalog,
    kind: EntityKind,
    mut fields: Map<String, Value>,
) -> Result<Record, EditError> {
    for key in BOOKKEEPING {
        if fields.contains_key(*key) {
            return Err(invalid(Some(key), format!("`{key}` is set by the server")));
        }
    }
    if is_numeric(kind) {
        fields.insert("id".into(), Value::from(0));
    }
    if kind == EntityKind::Agency {
        fields.entry("country").or_insert_with(|| Value::from("US"));
        if fields.get("id").is_none_or(Value::is_null) {
            let state = fields.get("state").and_then(Value::as_str);
            let name = fields.get("name").and_then(Value::as_str);
            if let (Some(state), Some(name)) = (state, name)
                && let Ok(state) = state.parse::<StateCode>()
            {
                fields.insert("id".into(), Value::from(agency_slug(state, name)));
            }
        }
    }
    record_from_fields(kind, fields, super::writer::now())
}

/// The record a create would write, checked against `catalog`; nothing is written.
pub(super) fn prepare_create(
    catalog: &Catalog,
    kind: EntityKind,
    fields: Map<String, Value>,
) -> Result<Record, EditError> {
    let record = prepare_fields(catalog, kind, fields)?;
    if !is_numeric(kind) {
        let id = record.entity_id();
        if live(catalog, kind, &id) {
            return Err(EditError::Conflict(format!(
                "a {kind} with the id `{id}` exists"
            )));
        }
        if catalog.tombstone(kind, &id).is_some() {
            return Err(EditError::Conflict(format!(
                "a {kind} with the id `{id}` was deleted; ids are never reused"
            )));
        }
    }
    validate(&record, catalog)?;
    Ok(record)
}

/// The current record and the one a merge patch makes of it, checked against `catalog`;
/// nothing is written.
pub(super) fn prepare_update(
    catalog: &Catalog,
    kind: EntityKind,
    id: &str,
    pre: &Precondition,
    patch: Map<String, Value>,
) -> Result<(Record, Record), EditError> {
    for key in BOOKKEEPING.iter().chain(&["id"]) {
        if patch.contains_key(*key) {
            return Err(invalid(Some(key), format!("`{key}` cannot be changed")));
        }
    }
    let old = existing(catalog, kind, id)?;
    check_precondition(pre, old.meta().version)?;
    let mut json = old.to_json();
    merge_patch(&mut json, &Value::Object(patch));
    reject_nul("record", &json)?;
    let record = Record::from_json(kind, json).map_err(|e| invalid(None, e.to_string()))?;
    validate(&record, catalog)?;
    Ok((old, record))
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

/// A record's fields without its bookkeeping (and, for numeric ids, without its id): what
/// two versions are compared by to tell whether a change changes anything.
pub(super) fn content(record: &Record) -> Map<String, Value> {
    let Value::Object(mut m) = record.to_json() else {
        return Map::new();
    };
    for key in BOOKKEEPING {
        m.remove(*key);
    }
    if is_numeric(record.kind()) {
        m.remove("id");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_replaces_clears_and_keeps() {
        let mut doc = json!({"a": 1, "b": {"x": 1, "y": 2}, "c": "keep"});
        merge_patch(
            &mut doc,
            &json!({"a": 2, "b": {"x": null, "z": 3}, "d": null}),
        );
        assert_eq!(doc, json!({"a": 2, "b": {"y": 2, "z": 3}, "c": "keep"}));
    }

    #[test]
    fn a_change_needs_a_note_and_a_source() {
        let change = ChangeRequest {
            kind: ChangeKind::Correction,
            note: " ".into(),
            sources: vec![1],
            new_sources: vec![],
        };
        assert!(check_change(&change, Op::Update).is_err());
        let change = ChangeRequest {
            note: "fix".into(),
            sources: vec![],
            ..change
        };
        assert!(check_change(&change, Op::Update).is_err());
        let change = ChangeRequest {
            sources: vec![1],
            ..change
        };
        assert!(check_change(&change, Op::Update).is_ok());
        assert!(check_change(&change, Op::Delete).is_ok());
    }

    #[test]
    fn preconditions_compare_versions() {
        assert!(check_precondition(&Precondition::Versions(vec![3]), 3).is_ok());
        assert!(matches!(
            check_precondition(&Precondition::Versions(vec![2]), 3),
            Err(EditError::PreconditionFailed { current: 3 })
        ));
        assert!(check_precondition(&Precondition::Any, 3).is_ok());
    }
}
