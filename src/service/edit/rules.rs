//! What an edit must say (a note, a source, a change kind that fits the write), the version
//! it must replace, and the rules every record must keep against the catalog.

use super::{ChangeRequest, EditError, Precondition, invalid};
use crate::domain::ids::is_slug;
use crate::domain::{ChangeKind, EntityKind, PartialDate, Record};
use crate::service::catalog::Catalog;
use serde_json::Value;

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
pub(super) enum Op {
    Create,
    Update,
    Delete,
}

pub(super) fn check_change(change: &ChangeRequest, op: Op) -> Result<(), EditError> {
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

/// Checks a change an editor states for a write of this kind: a note, a source, a kind that
/// fits (`deleted` only deletes, `created` only creates).
pub(in crate::service) fn check_create_change(change: &ChangeRequest) -> Result<(), EditError> {
    check_change(change, Op::Create)
}

/// See [`check_create_change`].
pub(in crate::service) fn check_update_change(change: &ChangeRequest) -> Result<(), EditError> {
    check_change(change, Op::Update)
}

pub(super) fn check_precondition(pre: &Precondition, version: i32) -> Result<(), EditError> {
    match pre {
        Precondition::Missing => Err(EditError::PreconditionRequired),
        Precondition::Any => Ok(()),
        Precondition::Versions(v) if v.contains(&version) => Ok(()),
        Precondition::Versions(_) => Err(EditError::PreconditionFailed { current: version }),
    }
}

/// Text may not hold NUL: PostgreSQL cannot store it, and no real name or note has one.
pub(super) fn reject_nul(field: &str, value: &Value) -> Result<(), EditError> {
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

pub(super) fn live(catalog: &Catalog, kind: EntityKind, id: &str) -> bool {
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

/// The rules every record must keep, checked against the catalog it is written into.
pub(super) fn validate(record: &Record, catalog: &Catalog) -> Result<(), EditError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
