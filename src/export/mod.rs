//! Pure writers for exports and bulk files: CSV (RFC 4180, via the `csv` crate), NDJSON and
//! GeoJSON, and the Frictionless Data Package that describes the bulk files. No poem, no
//! sea-orm: rows are built from domain records and DTOs are only ever seen through serde.
//!
//! Every CSV table declares its columns explicitly, in a stable order, with a type and a
//! description ([`Column`]); the same list documents the bulk files (`datapackage.json`). A
//! test in `api::exports` fails when a field of a read view is neither exported as a column
//! nor deliberately left out with a reason ([`Field`]).

pub mod atom;
pub mod datapackage;
pub mod schema;
pub mod tables;

use serde::Serialize;
use std::io::Write;

/// How many rows go into one chunk of a streamed export: large enough that per-chunk costs
/// vanish, small enough that a chunk is a few hundred kilobytes at most.
pub const CHUNK_ROWS: usize = 512;

/// The type of a column, as Frictionless Table Schema names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    String,
    Integer,
    Number,
    Boolean,
    /// RFC 3339 date-time.
    Datetime,
    /// A day, `YYYY-MM-DD`.
    Date,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Boolean => "boolean",
            ColumnType::Datetime => "datetime",
            ColumnType::Date => "date",
        }
    }
}

/// One column of a CSV table.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnType,
    pub description: &'static str,
    /// The values the column may hold (a vocabulary), or empty for any value of its type.
    pub values: &'static [&'static str],
}

pub const fn col(name: &'static str, kind: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        kind,
        description,
        values: &[],
    }
}

impl Column {
    /// The same column, holding only `values` (empty cells aside).
    pub const fn one_of(self, values: &'static [&'static str]) -> Column {
        Column { values, ..self }
    }
}

/// Where a field of a read view (a dotted path in its JSON) goes in the CSV table.
#[derive(Clone, Copy, Debug)]
pub enum Field {
    /// Exported as this column.
    Column(&'static str),
    /// Deliberately not a column, and why.
    Omitted(&'static str),
}

/// A record type that can be written as a CSV row.
pub trait Table {
    /// The columns, in the order written.
    const COLUMNS: &'static [Column];
    /// Writes this row's cells, one per column, in order.
    fn cells(&self, row: &mut Row<'_>);
}

/// A borrowed row is written as the row.
impl<T: Table + ?Sized> Table for &T {
    const COLUMNS: &'static [Column] = T::COLUMNS;

    fn cells(&self, row: &mut Row<'_>) {
        (**self).cells(row)
    }
}

/// Collects one row's cells into a reused record.
pub struct Row<'a> {
    record: &'a mut csv::ByteRecord,
    buf: String,
}

impl Row<'_> {
    pub fn text(&mut self, v: &str) {
        self.record.push_field(v.as_bytes());
    }

    pub fn opt(&mut self, v: Option<&str>) {
        self.text(v.unwrap_or(""));
    }

    pub fn int(&mut self, v: i64) {
        self.display(v);
    }

    pub fn num(&mut self, v: Option<f64>) {
        match v {
            // Rust prints the shortest text that reads back as the same f64.
            Some(v) if v.is_finite() => self.display(v),
            _ => self.text(""),
        }
    }

    pub fn boolean(&mut self, v: bool) {
        self.text(if v { "true" } else { "false" });
    }

    pub fn display(&mut self, v: impl std::fmt::Display) {
        use std::fmt::Write as _;
        self.buf.clear();
        let _ = write!(self.buf, "{v}");
        self.record.push_field(self.buf.as_bytes());
    }

    pub fn opt_display(&mut self, v: Option<impl std::fmt::Display>) {
        match v {
            Some(v) => self.display(v),
            None => self.text(""),
        }
    }

    pub fn datetime(&mut self, t: time::OffsetDateTime) {
        let text = t
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        self.text(&text);
    }

    /// A value as compact JSON text (nested lists and maps in one cell).
    pub fn json(&mut self, v: &impl Serialize) {
        let text = serde_json::to_string(v).unwrap_or_default();
        self.text(&text);
    }
}

/// Writes CSV: a header, then rows, each chunk into the caller's buffer.
pub struct CsvWriter {
    writer: csv::Writer<Vec<u8>>,
    record: csv::ByteRecord,
}

// RFC 4180: CRLF line ends, quotes doubled, fields quoted only when needed.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(64 * 1024))
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvWriter {
    pub fn new() -> Self {
        Self {
            writer: csv_writer(),
            record: csv::ByteRecord::new(),
        }
    }

    pub fn header(&mut self, columns: &[Column]) {
        let _ = self.writer.write_record(columns.iter().map(|c| c.name));
    }

    pub fn row<T: Table + ?Sized>(&mut self, row: &T) {
        self.record.clear();
        let mut cells = Row {
            record: &mut self.record,
            buf: String::new(),
        };
        row.cells(&mut cells);
        debug_assert_eq!(self.record.len(), T::COLUMNS.len());
        let _ = self.writer.write_byte_record(&self.record);
    }

    /// Takes what was written since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        let done = std::mem::replace(&mut self.writer, csv_writer());
        done.into_inner().unwrap_or_default()
    }
}

/// The whole table as CSV, in one buffer (tests and small tables).
pub fn csv<T: Table>(rows: &[T]) -> Vec<u8> {
    let mut w = CsvWriter::new();
    w.header(T::COLUMNS);
    for r in rows {
        w.row(r);
    }
    w.take()
}

/// Newline-delimited JSON: one compact JSON object per line, `\n` after each.
pub fn ndjson_line(out: &mut Vec<u8>, item: &impl Serialize) {
    if serde_json::to_writer(&mut *out, item).is_ok() {
        out.push(b'\n');
    }
}

/// A GeoJSON FeatureCollection written in pieces: [`geojson_head`], features separated by
/// commas ([`geojson_feature`]), then [`geojson_tail`].
pub fn geojson_head(out: &mut Vec<u8>, meta: &impl Serialize, links: &impl Serialize) {
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"meta\":");
    let _ = serde_json::to_writer(&mut *out, meta);
    out.extend_from_slice(b",\"links\":");
    let _ = serde_json::to_writer(&mut *out, links);
    out.extend_from_slice(b",\"features\":[");
}

/// One Feature: a Point at `[lon, lat]` (null geometry when unplaced) with the properties.
pub fn geojson_feature(
    out: &mut Vec<u8>,
    first: bool,
    id: &impl Serialize,
    lat_lon: Option<(f64, f64)>,
    properties: &impl Serialize,
) {
    if !first {
        out.push(b',');
    }
    out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":");
    let _ = serde_json::to_writer(&mut *out, id);
    match lat_lon {
        Some((lat, lon)) if lat.is_finite() && lon.is_finite() => {
            let _ = write!(
                out,
                ",\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{lon:?},{lat:?}]}}"
            );
        }
        _ => out.extend_from_slice(b",\"geometry\":null"),
    }
    out.extend_from_slice(b",\"properties\":");
    let _ = serde_json::to_writer(&mut *out, properties);
    out.push(b'}');
}

/// Closes the collection; `next` is the next page's cursor, when the export is a page.
pub fn geojson_tail(out: &mut Vec<u8>, returned: u64, next: Option<&str>) {
    out.extend_from_slice(b"],\"next\":");
    let _ = serde_json::to_writer(&mut *out, &next);
    let _ = write!(out, ",\"numberReturned\":{returned}}}");
}

/// Writes a CSV table of `rows` to `out`, `CHUNK_ROWS` rows at a time; stops at the first
/// error.
pub fn write_csv_rows<T: Table>(
    out: &mut impl Write,
    rows: impl IntoIterator<Item = std::io::Result<T>>,
) -> std::io::Result<()> {
    let mut w = CsvWriter::new();
    w.header(T::COLUMNS);
    for (i, r) in rows.into_iter().enumerate() {
        w.row(&r?);
        if (i + 1) % CHUNK_ROWS == 0 {
            out.write_all(&w.take())?;
        }
    }
    out.write_all(&w.take())
}

/// Writes a GeoJSON FeatureCollection of `rows`; `feature` gives each one's id, position and
/// properties. Stops at the first error.
pub fn write_feature_collection<T, I: Serialize, V: Serialize>(
    out: &mut impl Write,
    meta: &impl Serialize,
    rows: impl IntoIterator<Item = std::io::Result<T>>,
    feature: impl Fn(&T) -> (I, Option<(f64, f64)>, V),
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    geojson_head(&mut buf, meta, &[(); 0]);
    let mut count = 0u64;
    for r in rows {
        let (id, at, props) = feature(&r?);
        geojson_feature(&mut buf, count == 0, &id, at, &props);
        count += 1;
        if count.is_multiple_of(CHUNK_ROWS as u64) {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    geojson_tail(&mut buf, count, None);
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair(&'static str, i64);

    impl Table for Pair {
        const COLUMNS: &'static [Column] = &[
            col("name", ColumnType::String, "a name"),
            col("n", ColumnType::Integer, "a number"),
        ];
        fn cells(&self, row: &mut Row<'_>) {
            row.text(self.0);
            row.int(self.1);
        }
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines_per_rfc_4180() {
        let out = csv(&[
            Pair("plain", 1),
            Pair("with, comma", 2),
            Pair("say \"hi\"", 3),
            Pair("two\nlines", 4),
            Pair("Cañon", 5),
        ]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,n\r\nplain,1\r\n\"with, comma\",2\r\n\"say \"\"hi\"\"\",3\r\n\"two\nlines\",4\r\nCañon,5\r\n"
        );
    }

    #[test]
    fn geojson_pieces_make_one_valid_feature_collection() {
        let mut out = vec![];
        geojson_head(&mut out, &serde_json::json!({"v": 1}), &Vec::<u8>::new());
        geojson_feature(
            &mut out,
            true,
            &1,
            Some((43.5, -88.25)),
            &serde_json::json!({"a": 1}),
        );
        geojson_feature(&mut out, false, &"x", None, &serde_json::json!({}));
        geojson_tail(&mut out, 2, None);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        assert_eq!(
            v["features"][0]["geometry"]["coordinates"],
            serde_json::json!([-88.25, 43.5])
        );
        assert!(v["features"][1]["geometry"].is_null());
        assert_eq!(v["numberReturned"], 2);
        assert!(v["next"].is_null());
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let mut out = vec![];
        ndjson_line(&mut out, &serde_json::json!({"a": "x\ny"}));
        ndjson_line(&mut out, &serde_json::json!({"a": 2}));
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));
    }
}
