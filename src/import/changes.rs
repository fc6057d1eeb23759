//! The changes file: one cited change a row, as a newsroom's data desk keeps corrections in
//! a spreadsheet (`import changes`). Pure: this reads and checks the file; the service
//! applies it. The format is documented in `docs/examples/changes.md` with an example file.
//!
//! Columns (a header row names them, in any order):
//! - `record`: what changes: `partnership/12`, `agency/us-wi-greenfield-police-department`;
//!   for a new record just its kind (`agency`, `partnership`) and `kind` = `created`.
//! - `set`: the fields it sets, a JSON object (as the API's `PATCH` body: `null` clears).
//! - `kind`: the change kind (`correction`, `ended`, `new_evidence`, `created`, ...).
//! - `note`: what changed and why.
//! - `source_url`, `source_title`, `source_publisher`, `source_date`: the evidence. A URL
//!   that is already a source cites it; a new URL makes a source (its title required).

use crate::domain::{ChangeKind, EntityKind, PartialDate};
use serde_json::{Map, Value};
use std::io::Read;

/// Where in the file a problem is, and what it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column `{column}`: {message}")]
pub struct ChangesFileError {
    /// The file's line (1 is the header), as a spreadsheet numbers its rows.
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// The evidence a row cites.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceCell {
    pub url: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<PartialDate>,
}

/// One row, checked for form (whether it applies is the service's question).
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeRow {
    pub line: u64,
    pub kind: EntityKind,
    /// `None` for a new record.
    pub id: Option<String>,
    pub set: Map<String, Value>,
    pub change: ChangeKind,
    pub note: String,
    pub source: SourceCell,
}

impl ChangeRow {
    /// The record as the file names it (`partnership/12`, or `agency` for a new one).
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("{}/{id}", self.kind),
            None => format!("{} (new)", self.kind),
        }
    }
}

const REQUIRED: &[&str] = &["record", "set", "kind", "note", "source_url"];
const OPTIONAL: &[&str] = &["source_title", "source_publisher", "source_date"];

/// Kinds of record a row may change. Sources and citations come from the `source_*` columns.
const KINDS: &[EntityKind] = &[
    EntityKind::Agency,
    EntityKind::Partnership,
    EntityKind::Program,
    EntityKind::Phase,
];

/// Reads a whole changes file; the first problem found is the error, naming line and column.
pub fn read(input: impl Read) -> Result<Vec<ChangeRow>, ChangesFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        // Spreadsheets drop trailing empty cells; more cells than columns is refused below.
        .flexible(true)
        .from_reader(input);
    let at = |line: u64, column: &str, message: String| ChangesFileError {
        line,
        column: column.to_string(),
        message,
    };
    let header = reader
        .headers()
        .map_err(|e| at(1, "", format!("cannot read the header: {e}")))?
        .clone();
    let mut index = std::collections::HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if !REQUIRED.contains(&name) && !OPTIONAL.contains(&name) {
            return Err(at(
                1,
                name,
                format!(
                    "unknown column; the columns are {}",
                    [REQUIRED, OPTIONAL].concat().join(", ")
                ),
            ));
        }
        if index.insert(name.to_string(), i).is_some() {
            return Err(at(1, name, "the column appears twice".into()));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !index.contains_key(**c)) {
        return Err(at(1, missing, "this column is required".into()));
    }

    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line().max(2);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                return Err(at(line, "", format!("not a valid CSV row: {e}")));
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > header.len() {
            return Err(at(
                line,
                "",
                format!(
                    "{} cells but {} columns: quote cells that hold commas",
                    record.len(),
                    header.len()
                ),
            ));
        }
        let cell = |name: &str| -> Option<String> {
            let i = *index.get(name)?;
            // Cleaned as every imported field is (`import::text`); notes and JSON may span
            // lines.
            let v = super::text::clean(record.get(i)?, true).0;
            (!v.is_empty()).then(|| v.into_owned())
        };
        let required = |name: &str| {
            cell(name).ok_or_else(|| at(line, name, "this cell may not be empty".into()))
        };

        let target = required("record")?;
        let (kind_text, id) = match target.split_once('/') {
            Some((k, id)) => (k, Some(id.trim().to_string())),
            None => (target.as_str(), None),
        };
        let kind: EntityKind = kind_text.parse().map_err(|_| {
            at(
                line,
                "record",
                format!("`{target}` does not name a record: use agency/ID, partnership/ID, program/ID or phase/ID"),
            )
        })?;
        if !KINDS.contains(&kind) {
            return Err(at(
                line,
                "record",
                format!(
                    "a {kind} is not changed by this file: sources come from the source_* columns"
                ),
            ));
        }
        if id.as_deref() == Some("") {
            return Err(at(
                line,
                "record",
                format!("`{target}` has no id after `/`"),
            ));
        }

        let set = match cell("set") {
            None => Map::new(),
            Some(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    return Err(at(
                        line,
                        "set",
                        "the fields to set are a JSON object, e.g. {\"status\": \"ended\"}".into(),
                    ));
                }
                Err(e) => return Err(at(line, "set", format!("not valid JSON: {e}"))),
            },
        };

        let change: ChangeKind = required("kind")?
            .parse()
            .map_err(|e: crate::domain::vocab::UnknownValue| at(line, "kind", e.to_string()))?;
        match (change, &id) {
            (ChangeKind::Created, Some(_)) if kind != EntityKind::Agency => {
                return Err(at(
                    line,
                    "record",
                    format!("a new {kind} gets its id from the database: write `{kind}`"),
                ));
            }
            (ChangeKind::Created, _) => {}
            (_, None) => {
                return Err(at(
                    line,
                    "record",
                    format!("`{change}` changes an existing record: write `{kind}/ID`"),
                ));
            }
            _ => {}
        }
        if set.is_empty() {
            return Err(at(line, "set", "a change sets at least one field".into()));
        }
        let mut set = set;
        if change == ChangeKind::Created
            && kind == EntityKind::Agency
            && let Some(id) = &id
        {
            set.insert("id".into(), Value::from(id.clone()));
        }

        let note = required("note")?;
        let url = required("source_url")?;
        let published = cell("source_date")
            .map(|t| t.parse::<PartialDate>())
            .transpose()
            .map_err(|e| at(line, "source_date", e.to_string()))?;
        rows.push(ChangeRow {
            line,
            kind,
            id,
            set,
            change,
            note,
            source: SourceCell {
                url,
                title: cell("source_title"),
                publisher: cell("source_publisher"),
                published,
            },
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "record,set,kind,note,source_url,source_title,source_publisher,source_date\n";

    fn one(row: &str) -> Result<Vec<ChangeRow>, ChangesFileError> {
        read(format!("{HEADER}{row}\n").as_bytes())
    }

    #[test]
    fn a_good_row_reads_into_its_parts() {
        let rows = one(r#"partnership/12,"{""status"": ""ended"", ""end"": ""2021-03""}",ended,Left the program,https://example.org/a,A story,Example Times,2021-03-04"#).unwrap();
        let r = &rows[0];
        assert_eq!(r.line, 2);
        assert_eq!(
            (r.kind, r.id.as_deref()),
            (EntityKind::Partnership, Some("12"))
        );
        assert_eq!(r.set["status"], "ended");
        assert_eq!(r.change, ChangeKind::Ended);
        assert_eq!(r.source.published.unwrap().to_string(), "2021-03-04");
    }

    #[test]
    fn each_bad_cell_is_named_by_line_and_column() {
        let cases = [
            (
                r#"partnership/12,"{""status"": 1",ended,n,https://x.org/"#,
                "set",
            ),
            (r#"partnership/12,"[1]",ended,n,https://x.org/"#, "set"),
            (r#"partnership/12,{},ended,n,https://x.org/"#, "set"),
            (r#"widget/12,"{""a"":1}",ended,n,https://x.org/"#, "record"),
            (
                r#"source/3,"{""a"":1}",correction,n,https://x.org/"#,
                "record",
            ),
            (
                r#"partnership,"{""a"":1}",ended,n,https://x.org/"#,
                "record",
            ),
            (
                r#"partnership/4,"{""a"":1}",created,n,https://x.org/"#,
                "record",
            ),
            (
                r#"partnership/12,"{""a"":1}",ending,n,https://x.org/"#,
                "kind",
            ),
            (
                r#"partnership/12,"{""a"":1}",ended,,https://x.org/"#,
                "note",
            ),
            (r#"partnership/12,"{""a"":1}",ended,n,"#, "source_url"),
            (
                r#"partnership/12,"{""a"":1}",ended,n,https://x.org/,t,p,March"#,
                "source_date",
            ),
        ];
        for (row, column) in cases {
            let e = one(row).expect_err(row);
            assert_eq!((e.line, e.column.as_str()), (2, column), "{row}: {e}");
        }
    }

    #[test]
    fn unknown_and_missing_columns_are_refused_at_the_header() {
        let e = read("record,set,kind,note,source_url,colour\n".as_bytes()).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (1, "colour"));
        let e = read("record,set,kind,source_url\n".as_bytes()).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (1, "note"));
    }

    #[test]
    fn the_documented_example_reads() {
        let rows = read(include_str!("../../docs/examples/changes.csv").as_bytes()).unwrap();
        assert!(rows.len() >= 3);
    }
}
