//! Applying a changes file (`import changes`): every row through the same path as an API
//! edit (the same checks, history and citations), all rows in ONE transaction.
//!
//! Each row is checked against the catalog as the rows before it left it (a scratch copy the
//! writer's revisions are folded into), so a file can add an agency and then its
//! partnership. The first row that fails names its line and column, and nothing is written.
//! A row that would change nothing (its record already holds what it sets, or the record it
//! creates exists as it would be created) writes nothing, so re-applying a file is a no-op.
//! A dry run does every check and write inside the transaction, then rolls it back.

use super::catalog::Catalog;
use super::edit::{
    self, ChangeRequest, EditError, Precondition, content, prepare_create, prepare_update,
    write_create, write_update,
};
use super::{Dataset, ServiceError};
use crate::domain::{ChangeKind, Record};
use crate::import::changes::{ChangeRow, ChangesFileError};
use serde_json::{Map, Value};
use std::fmt;

/// The actor revisions written by a changes file record.
pub const ACTOR: &str = "import:changes";

#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    #[error("{0}")]
    File(#[from] ChangesFileError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

fn at(line: u64, column: &str, message: impl Into<String>) -> ChangesError {
    ChangesError::File(ChangesFileError {
        line,
        column: column.to_string(),
        message: message.into(),
    })
}

/// What a row did (or, in a dry run, would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created(String),
    Updated,
    Unchanged,
}

/// One field's old and new value, as JSON text (`-` when absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDiff {
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug)]
pub struct RowReport {
    pub line: u64,
    pub record: String,
    pub change: ChangeKind,
    pub outcome: Outcome,
    pub diff: Vec<FieldDiff>,
}

#[derive(Clone, Debug, Default)]
pub struct ChangesReport {
    pub dry_run: bool,
    pub rows: Vec<RowReport>,
    /// Revisions written (0 in a dry run, and when nothing changed).
    pub revisions: usize,
    /// The dataset version after the import (unchanged when nothing was written).
    pub seq: i64,
}

impl fmt::Display for ChangesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        for r in &self.rows {
            let what = match &r.outcome {
                Outcome::Created(id) => format!("created {id}"),
                Outcome::Updated => "updated".into(),
                Outcome::Unchanged => "unchanged".into(),
            };
            writeln!(f, "line {} {} ({}): {what}", r.line, r.record, r.change)?;
            for d in &r.diff {
                writeln!(f, "    {}: {} -> {}", d.field, d.old, d.new)?;
            }
        }
        let count = |o: fn(&Outcome) -> bool| self.rows.iter().filter(|r| o(&r.outcome)).count();
        write!(
            f,
            "rows: {} created, {} updated, {} unchanged; revisions: {}",
            count(|o| matches!(o, Outcome::Created(_))),
            count(|o| matches!(o, Outcome::Updated)),
            count(|o| matches!(o, Outcome::Unchanged)),
            self.revisions
        )
    }
}

fn diff(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<FieldDiff> {
    let text = |v: Option<&Value>| v.map_or("-".to_string(), Value::to_string);
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| FieldDiff {
            field: k.clone(),
            old: text(old.get(k)),
            new: text(new.get(k)),
        })
        .collect()
}

/// Which column an edit's complaint is about.
fn column_of(field: Option<&str>) -> String {
    match field {
        Some("change.note") => "note".into(),
        Some("change.kind") => "kind".into(),
        Some(f) if f.starts_with("change.") => "source_url".into(),
        Some(f) => format!("set.{f}"),
        None => "set".into(),
    }
}

fn row_error(row: &ChangeRow, e: EditError) -> ChangesError {
    match e {
        EditError::Invalid { field, message } => {
            at(row.line, &column_of(field.as_deref()), message)
        }
        EditError::Missing(_) => at(row.line, "record", e.to_string()),
        EditError::Conflict(m) => at(row.line, "record", m),
        EditError::PreconditionRequired | EditError::PreconditionFailed { .. } => {
            at(row.line, "record", e.to_string())
        }
        EditError::Service(s) => ChangesError::Service(s),
    }
}

/// The change request of a row: its source cited by id when its URL is one, else created.
fn change_request(row: &ChangeRow, catalog: &Catalog) -> Result<ChangeRequest, ChangesError> {
    let existing = catalog
        .sources
        .values()
        .find(|s| s.url == row.source.url)
        .map(|s| s.id);
    let (sources, new_sources) = match existing {
        Some(id) => (vec![id], vec![]),
        None => {
            let Some(title) = &row.source.title else {
                return Err(at(
                    row.line,
                    "source_title",
                    format!("`{}` is not a source yet: give its title", row.source.url),
                ));
            };
            let source = edit::SourcePatch {
                url: edit::Field::Value(row.source.url.clone()),
                title: edit::Field::Value(title.clone()),
                publisher: row
                    .source
                    .publisher
                    .clone()
                    .map_or(edit::Field::Absent, edit::Field::Value),
                published: row
                    .source
                    .published
                    .map_or(edit::Field::Absent, edit::Field::Value),
                kind: edit::Field::Value(crate::domain::SourceKind::News),
                ..Default::default()
            };
            (vec![], vec![source])
        }
    };
    Ok(ChangeRequest {
        kind: row.change,
        note: row.note.clone(),
        sources,
        new_sources,
    })
}

/// The live record a create would duplicate: the agency of that id holding the same
/// fields, or a partnership of the same agency and program with the same fields.
fn same_as_existing(catalog: &Catalog, record: &Record) -> Option<String> {
    let wanted = content(record);
    match record {
        Record::Partnership(p) => catalog
            .partnerships_of(&p.agency_id)
            .into_iter()
            .find(|x| content(&Record::Partnership((***x).clone())) == wanted)
            .map(|x| x.id.to_string()),
        _ => catalog
            .record(record.kind(), &record.entity_id())
            .ok()
            .filter(|x| content(x) == wanted)
            .map(|x| x.entity_id()),
    }
}

/// Applies checked rows in one transaction (or, with `dry_run`, checks and rolls back).
pub async fn apply(
    dataset: &Dataset,
    rows: &[ChangeRow],
    dry_run: bool,
) -> Result<ChangesReport, ChangesError> {
    let mut w = dataset.begin(ACTOR).await?;
    dataset.sync().await?;
    let mut scratch = dataset.read().shared_copy();
    let mut report = ChangesReport {
        dry_run,
        ..Default::default()
    };
    for row in rows {
        let change = change_request(row, &scratch)?;
        let mut outcome = Outcome::Unchanged;
        let mut fields = Vec::new();
        if row.change == ChangeKind::Created {
            edit::check_create_change(&change).map_err(|e| row_error(row, e))?;
            let fresh = edit::prepare_fields(&scratch, row.kind, row.set.clone())
                .map_err(|e| row_error(row, e))?;
            match same_as_existing(&scratch, &fresh) {
                Some(_) => {}
                None => {
                    let record = prepare_create(&scratch, row.kind, row.set.clone())
                        .map_err(|e| row_error(row, e))?;
                    let written = write_create(&mut w, &scratch, record, &change)
                        .await
                        .map_err(|e| row_error(row, e))?;
                    fields = diff(&Map::new(), &content(&written));
                    outcome = Outcome::Created(format!("{}/{}", row.kind, written.entity_id()));
                }
            }
        } else {
            edit::check_update_change(&change).map_err(|e| row_error(row, e))?;
            let id = row.id.as_deref().unwrap_or_default();
            let (old, record) =
                prepare_update(&scratch, row.kind, id, &Precondition::Any, row.set.clone())
                    .map_err(|e| row_error(row, e))?;
            let (before, after) = (content(&old), content(&record));
            if before != after {
                write_update(&mut w, &scratch, &old, record, &change)
                    .await
                    .map_err(|e| row_error(row, e))?;
                fields = diff(&before, &after);
                outcome = Outcome::Updated;
            }
        }
        for rev in w.take_staged() {
            report.revisions += 1;
            scratch
                .apply(&rev)
                .map_err(|e| ChangesError::Service(e.into()))?;
        }
        report.rows.push(RowReport {
            line: row.line,
            record: row.label(),
            change: row.change,
            outcome,
            diff: fields,
        });
    }
    if dry_run || report.revisions == 0 {
        // Dropping the writer rolls back: not even the lock leaves a trace.
        report.seq = dataset.read().seq();
        if dry_run {
            report.revisions = 0;
        }
        return Ok(report);
    }
    report.seq = dataset.commit(w).await?;
    Ok(report)
}
