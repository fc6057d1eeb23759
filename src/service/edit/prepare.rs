//! The record a write would write, before anything is written: fields with placeholder
//! bookkeeping, a merge patch over the current record, both checked against the catalog.

use super::patch::{Field, RecordPatch};
use super::rules::{check_precondition, live, reject_nul, validate};
use super::{EditError, Precondition, invalid};
use crate::domain::ids::agency_slug;
use crate::domain::{EntityKind, Meta, Record, StateCode};
use crate::service::catalog::Catalog;
use serde_json::{Map, Value};

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

/// A record's bookkeeping, which the writer sets (see `Meta::KEYS`).
const BOOKKEEPING: &[&str] = crate::domain::Meta::KEYS;

pub(super) fn is_numeric(kind: EntityKind) -> bool {
    matches!(
        kind,
        EntityKind::Partnership | EntityKind::Source | EntityKind::Citation
    )
}

/// Builds a record from fields, with placeholder bookkeeping (the writer sets the real one).
pub(super) fn record_from_fields(
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

/// Builds a record from typed fields, with placeholder bookkeeping (the writer sets the real
/// one): refused as [`record_from_fields`] refuses the same fields as JSON.
pub(super) fn record_from_patch(
    patch: RecordPatch,
    at: time::OffsetDateTime,
) -> Result<Record, EditError> {
    if let Some(field) = patch.nul_field() {
        return Err(invalid(Some(field), "text may not contain NUL characters"));
    }
    patch.build(Meta::new(at))
}

pub(super) fn existing(catalog: &Catalog, kind: EntityKind, id: &str) -> Result<Record, EditError> {
    Ok(catalog.record(kind, id)?)
}

/// The record a create would write, before any check against other records.
pub(in crate::service) fn prepare_fields(
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
    record_from_fields(kind, fields, crate::service::writer::now())
}

/// The record a create of typed fields would write, before any check against other records:
/// an agency's `country` defaults to `US` and its id to `us-<state>-<slug of name>`.
fn prepare_patch(mut patch: RecordPatch) -> Result<Record, EditError> {
    if let RecordPatch::Agency(a) = &mut patch {
        if a.country.is_absent() {
            a.country = Field::Value("US".into());
        }
        if let (Field::Absent | Field::Null, Field::Value(state), Field::Value(name)) =
            (&a.id, &a.state, &a.name)
        {
            a.id = Field::Value(agency_slug(*state, name));
        }
    }
    record_from_patch(patch, crate::service::writer::now())
}

/// The record a create would write, checked against `catalog`; nothing is written.
pub(in crate::service) fn prepare_create(
    catalog: &Catalog,
    kind: EntityKind,
    fields: Map<String, Value>,
) -> Result<Record, EditError> {
    admit(catalog, prepare_fields(catalog, kind, fields)?)
}

/// The record a create of typed fields would write, checked against `catalog`; nothing is
/// written.
pub(in crate::service) fn prepare_create_patch(
    catalog: &Catalog,
    patch: RecordPatch,
) -> Result<Record, EditError> {
    admit(catalog, prepare_patch(patch)?)
}

/// A new record, if its id is free (never used) and it keeps the rules against `catalog`.
fn admit(catalog: &Catalog, record: Record) -> Result<Record, EditError> {
    let kind = record.kind();
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
pub(in crate::service) fn prepare_update(
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

/// [`prepare_update`] of typed fields: the current record and the one they make of it.
pub(in crate::service) fn prepare_update_patch(
    catalog: &Catalog,
    id: &str,
    pre: &Precondition,
    patch: RecordPatch,
) -> Result<(Record, Record), EditError> {
    if patch.sets_id() {
        return Err(invalid(Some("id"), "`id` cannot be changed"));
    }
    let old = existing(catalog, patch.kind(), id)?;
    check_precondition(pre, old.meta().version)?;
    if patch.nul_field().is_some() {
        return Err(invalid(
            Some("record"),
            "text may not contain NUL characters",
        ));
    }
    let record = patch
        .apply(&old)
        .expect("the current record is of the patch's kind")?;
    validate(&record, catalog)?;
    Ok((old, record))
}

/// A record's fields without its bookkeeping (and, for numeric ids, without its id): what
/// two versions are compared by to tell whether a change changes anything.
pub(in crate::service) fn content(record: &Record) -> Map<String, Value> {
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
}
