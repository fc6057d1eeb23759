//! Reader for the EFF Atlas of Surveillance CSV export (25 columns, every field quoted).
//!
//! Reading is all-or-nothing: [`read`] checks the whole file (header, quoting, field counts,
//! and the dates, states and statuses of the rows it keeps) before anything is written, and
//! every error names the line it was found on.
//!
//! Besides the 25 Atlas columns, a file may carry these optional columns after them (the
//! shipped sample in `data/sample/` uses them; the Atlas export has none):
//! - `Status`: the partnership's status (`active`, `announced`, `ended`, `cancelled`); empty
//!   means `active`.
//! - `Start`: the partnership's start as `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (or `M/D/YY`).
//!   When the column exists it is authoritative, and empty means unknown. Without it the start
//!   is `Link 1 Date` (Ring's map date in the Atlas), else the month or year the `Summary`
//!   names.
//! - `Notes`: a note kept on the partnership.
//! - `Link 1 Title` … `Link 3 Title`: the title of each link's source.
//! - `ORI`: the agency's FBI ORI code.
//! - `Latitude`, `Longitude`, `Location Precision` (`place`, `county`, `state`), `Location
//!   Source`: where the agency is, already geocoded (the shipped dataset in
//!   `data/atlas-2020-10-07/` carries them); a row with them is not geocoded again.
//! - `Quality Flags`: the agency's quality flags (`QualityFlag` values, `;`-separated, e.g.
//!   `county_not_in_state;location_state_fallback`), as the importer found them when it
//!   geocoded the row. When the column exists it is authoritative (empty means none);
//!   without it the importer computes them from the gazetteer.
//! - `Location Basis`: what the point is (`LocationBasis`: `geonames_place`, `county_place`,
//!   `county_centroid`, `state_interior`, ...), beside the location columns; empty means
//!   unknown.
//!
//! Every field is cleaned first (`import::text`): invisible and control characters removed,
//! special spaces made plain, whitespace trimmed and collapsed, and spreadsheet artefacts
//! such as `#N/A` read as empty. [`AtlasFile::repairs`] counts what was repaired in the rows
//! kept.

mod dates;
mod vocab;

pub use dates::{date_in_text, parse_date};
pub use vocab::{agency_type, canonical_url, jurisdiction_type, source_kind};

use super::text::{self, Repairs};
use crate::domain::{
    LocationBasis, LocationPrecision, PartialDate, QualityFlag, StateCode, Status,
};
use std::io::Read;

/// The Atlas export's columns, in order.
pub const COLUMNS: [&str; 25] = [
    "AOSNUMBER",
    "City",
    "County",
    "State",
    "Agency",
    "Type of LEA",
    "Summary",
    "Type of Juris",
    "Technology",
    "Vendor",
    "Link 1",
    "Link 1 Snapshot",
    "Link 1 Source",
    "Link 1 Type",
    "Link 1 Date",
    "Link 2",
    "Link 2 Snapshot",
    "Link 2 Source",
    "Link 2 Type",
    "Link 2 Date",
    "Link 3",
    "Link 3 Snapshot",
    "Link 3 Source",
    "Link 3 Type",
    "Link 3 Date",
];

/// Columns a file may add after the Atlas ones (see the module documentation).
pub const OPTIONAL_COLUMNS: [&str; 13] = [
    "Status",
    "Start",
    "Notes",
    "Link 1 Title",
    "Link 2 Title",
    "Link 3 Title",
    "ORI",
    "Latitude",
    "Longitude",
    "Location Precision",
    "Location Source",
    "Quality Flags",
    "Location Basis",
];

/// The `Technology` of the rows this project imports.
pub const RING_TECHNOLOGY: &str = "Ring/Neighbors Partnership";

#[derive(Debug, thiserror::Error)]
pub enum AtlasError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("line 1: the header is not the Atlas of Surveillance format: {0}")]
    Header(String),
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("line {line}, column `{column}`: {message}")]
    Field {
        line: u64,
        column: &'static str,
        message: String,
    },
}

/// One link of a row: a source that backs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub url: String,
    pub snapshot: Option<String>,
    /// Who published it (`Link N Source`).
    pub publisher: Option<String>,
    /// `Link N Type`, as written.
    pub kind: Option<String>,
    pub date: Option<PartialDate>,
    pub title: Option<String>,
}

/// Where a row's start date came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartFrom {
    /// The `Start` column.
    StartColumn,
    /// `Link 1 Date`: the activation date on Ring's map, in the Atlas.
    Link1Date,
    /// The month or year named in the `Summary`.
    Summary,
    Unknown,
}

/// One row, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct AtlasRow {
    /// The line the record starts on (the header is line 1).
    pub line: u64,
    /// `AOSNUMBER`; may be empty in hand-made files.
    pub id: String,
    pub city: Option<String>,
    pub county: Option<String>,
    pub state: StateCode,
    pub agency: String,
    pub lea_type: String,
    pub summary: String,
    pub jurisdiction: String,
    pub vendor: Option<String>,
    pub links: Vec<Link>,
    pub status: Option<Status>,
    pub start: Option<PartialDate>,
    pub start_from: StartFrom,
    pub notes: Option<String>,
    /// The `ORI` column.
    pub ori: Option<String>,
    /// The location columns, when the row carries them.
    pub location: Option<Located>,
    /// The `Quality Flags` column, when the file has it (sorted, without repeats).
    pub quality_flags: Option<Vec<QualityFlag>>,
}

/// A location a file gives for its row's agency.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub latitude: f64,
    pub longitude: f64,
    pub precision: LocationPrecision,
    /// What the point is, when known.
    pub basis: Option<LocationBasis>,
    pub source: Option<String>,
}

/// A checked file: the kept rows and what was left out.
#[derive(Clone, Debug, Default)]
pub struct AtlasFile {
    /// Data rows in the file (all technologies).
    pub rows_read: usize,
    /// Rows of the wanted technology, in file order.
    pub rows: Vec<AtlasRow>,
    /// The repairs cleaning made to the fields of the rows kept.
    pub repairs: Repairs,
}

/// Reads and checks a whole file, keeping the rows whose `Technology` is `technology`.
/// Other rows are checked for CSV shape only.
pub fn read(input: impl Read, technology: &str) -> Result<AtlasFile, AtlasError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let header = reader.headers().map_err(|e| csv_error(&e, 1))?.clone();
    let extra = check_header(&header)?;

    let mut file = AtlasFile::default();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&e, reader.position().line())),
        }
        file.rows_read += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.get(8).map(|t| text::clean(t, false).0) != Some(technology.into()) {
            continue;
        }
        let (fields, repairs) = clean_record(&record, &extra);
        file.repairs.merge(&repairs);
        file.rows.push(parse_row(&fields, line, &extra)?);
    }
    Ok(file)
}

/// Positions of the optional columns present, by their index in [`OPTIONAL_COLUMNS`].
type Extra = [Option<usize>; OPTIONAL_COLUMNS.len()];

fn check_header(header: &csv::StringRecord) -> Result<Extra, AtlasError> {
    let names: Vec<&str> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}'))
        .collect();
    for (i, want) in COLUMNS.iter().enumerate() {
        match names.get(i) {
            Some(got) if got == want => {}
            Some(got) => {
                return Err(AtlasError::Header(format!(
                    "column {} is `{got}`, expected `{want}`",
                    i + 1
                )));
            }
            None => {
                return Err(AtlasError::Header(format!(
                    "missing column `{want}` (found {} columns, expected {})",
                    names.len(),
                    COLUMNS.len()
                )));
            }
        }
    }
    let mut extra: Extra = Default::default();
    for (i, name) in names.iter().enumerate().skip(COLUMNS.len()) {
        let slot = OPTIONAL_COLUMNS
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| {
                AtlasError::Header(format!(
                    "unknown column `{name}` (optional columns: {})",
                    OPTIONAL_COLUMNS.join(", ")
                ))
            })?;
        if extra[slot].replace(i).is_some() {
            return Err(AtlasError::Header(format!("column `{name}` appears twice")));
        }
    }
    Ok(extra)
}

fn csv_error(e: &csv::Error, fallback_line: u64) -> AtlasError {
    let line = e.position().map(|p| p.line()).unwrap_or(fallback_line);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "the record has {len} fields, expected {expected_len} (a broken quote or a missing or extra column)"
        ),
        csv::ErrorKind::Utf8 { .. } => "the record is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    AtlasError::Csv { line, message }
}

/// Columns that may hold several lines: prose.
fn multiline(i: usize, extra: &Extra) -> bool {
    i == 6 || extra[2] == Some(i)
}

/// Every field of a record, cleaned, and the repairs made.
fn clean_record(record: &csv::StringRecord, extra: &Extra) -> (Vec<String>, Repairs) {
    let mut repairs = Repairs::default();
    let fields = record
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let (value, kinds) = text::clean(raw, multiline(i, extra));
            repairs.add(&kinds);
            value.into_owned()
        })
        .collect();
    (fields, repairs)
}

fn parse_row(record: &[String], line: u64, extra: &Extra) -> Result<AtlasRow, AtlasError> {
    let col = |i: usize| record.get(i).map(String::as_str).unwrap_or("");
    let opt = |i: usize| Some(col(i)).filter(|s| !s.is_empty()).map(str::to_string);
    let extra_col = |slot: usize| extra[slot].map(col).filter(|s| !s.is_empty());
    let field_err = |column: &'static str, message: String| AtlasError::Field {
        line,
        column,
        message,
    };

    let agency = col(4);
    if agency.is_empty() {
        return Err(field_err("Agency", "is empty".into()));
    }
    let state: StateCode = col(3)
        .parse()
        .map_err(|e: crate::domain::ids::UnknownState| field_err("State", e.to_string()))?;

    let mut links = Vec::new();
    for n in 0..3 {
        let base = 10 + n * 5;
        let url = col(base);
        let date_column = COLUMNS[base + 4];
        let date = match col(base + 4) {
            "" => None,
            text => Some(parse_date(text).map_err(|m| field_err(date_column, m))?),
        };
        if url.is_empty() {
            continue;
        }
        links.push(Link {
            url: url.to_string(),
            snapshot: opt(base + 1),
            publisher: opt(base + 2),
            kind: opt(base + 3),
            date,
            title: extra_col(3 + n).map(str::to_string),
        });
    }

    let status = match extra_col(0) {
        None => None,
        Some(s) => Some(
            s.to_ascii_lowercase()
                .parse::<Status>()
                .map_err(|e| field_err("Status", e.to_string()))?,
        ),
    };

    let summary = col(6).to_string();
    let (start, start_from) = if extra[1].is_some() {
        match extra_col(1) {
            Some(text) => (
                Some(parse_date(text).map_err(|m| field_err("Start", m))?),
                StartFrom::StartColumn,
            ),
            None => (None, StartFrom::Unknown),
        }
    } else {
        let link1_date = match col(14) {
            "" => None,
            text => Some(parse_date(text).map_err(|m| field_err("Link 1 Date", m))?),
        };
        match (link1_date, date_in_text(&summary)) {
            (Some(d), _) => (Some(d), StartFrom::Link1Date),
            (None, Some(d)) => (Some(d), StartFrom::Summary),
            (None, None) => (None, StartFrom::Unknown),
        }
    };

    let location = match (extra_col(7), extra_col(8)) {
        (None, None) => None,
        (Some(lat), Some(lon)) => {
            let coord = |text: &str, column: &'static str, max: f64| {
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && v.abs() <= max)
                    .ok_or_else(|| field_err(column, format!("`{text}` is not a coordinate")))
            };
            let precision = extra_col(9)
                .ok_or_else(|| field_err("Location Precision", "is empty".into()))?
                .parse::<LocationPrecision>()
                .map_err(|e| field_err("Location Precision", e.to_string()))?;
            Some(Located {
                latitude: coord(lat, "Latitude", 90.0)?,
                longitude: coord(lon, "Longitude", 180.0)?,
                precision,
                basis: extra_col(12)
                    .map(|b| {
                        b.parse::<LocationBasis>()
                            .map_err(|e| field_err("Location Basis", e.to_string()))
                    })
                    .transpose()?,
                source: extra_col(10).map(str::to_string),
            })
        }
        (Some(_), None) => return Err(field_err("Longitude", "is empty".into())),
        (None, Some(_)) => return Err(field_err("Latitude", "is empty".into())),
    };

    let quality_flags = match extra[11] {
        None => None,
        Some(_) => {
            let mut flags = extra_col(11)
                .unwrap_or("")
                .split(';')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(|f| {
                    f.parse::<QualityFlag>()
                        .map_err(|e| field_err("Quality Flags", e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            flags.sort();
            flags.dedup();
            Some(flags)
        }
    };

    Ok(AtlasRow {
        line,
        id: col(0).to_string(),
        city: opt(1),
        county: opt(2),
        state,
        agency: agency.to_string(),
        lea_type: col(5).to_string(),
        summary,
        jurisdiction: col(7).to_string(),
        vendor: opt(9),
        links,
        status,
        start,
        start_from,
        notes: extra_col(2).map(str::to_string),
        ori: extra_col(6).map(str::to_string),
        location,
        quality_flags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        COLUMNS
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn row(id: &str, agency: &str, link1_date: &str, summary: &str) -> String {
        let mut f = vec![
            id.to_string(),
            "Greenfield".into(),
            "Milwaukee County".into(),
            "WI".into(),
            agency.into(),
            "Police".into(),
            summary.into(),
            "Municipal".into(),
            RING_TECHNOLOGY.into(),
            "Ring".into(),
            "https://www.google.com/maps/d/viewer?mid=x".into(),
            String::new(),
            "Ring".into(),
            String::new(),
            link1_date.into(),
        ];
        f.resize(25, String::new());
        f.iter()
            .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn only_rows_of_the_technology_are_kept_with_their_start() {
        let csv = format!(
            "{}\n{}\n{}\n",
            header(),
            row("AOS1", "Greenfield Police Department", "3/22/18", "in 2018"),
            row("AOS2", "Other PD", "", "in June 2020").replace(RING_TECHNOLOGY, "Drones"),
        );
        let file = read(csv.as_bytes(), RING_TECHNOLOGY).unwrap();
        assert_eq!(file.rows_read, 2);
        assert_eq!(file.rows.len(), 1);
        let r = &file.rows[0];
        assert_eq!(r.line, 2);
        assert_eq!(r.start.unwrap().to_string(), "2018-03-22");
        assert_eq!(r.start_from, StartFrom::Link1Date);
    }

    #[test]
    fn a_bad_date_names_its_line_and_column() {
        let csv = format!(
            "{}\n{}\n{}\n",
            header(),
            row("AOS1", "A PD", "3/22/18", ""),
            row("AOS2", "B PD", "31/31/19", ""),
        );
        let err = read(csv.as_bytes(), RING_TECHNOLOGY)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 3, column `Link 1 Date`"), "{err}");
    }

    #[test]
    fn a_broken_quote_or_short_record_names_its_line() {
        let good = row("AOS1", "A PD", "3/22/18", "");
        let short = good.rsplit_once(',').unwrap().0.to_string();
        let csv = format!("{}\n{good}\n{short}\n{good}\n", header());
        let err = read(csv.as_bytes(), RING_TECHNOLOGY)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 3:"), "{err}");
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let csv = header().replace("\"State\"", "\"Province\"");
        let err = read(csv.as_bytes(), RING_TECHNOLOGY)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`Province`, expected `State`"), "{err}");
        let err = read("\"AOSNUMBER\",\"City\"\n".as_bytes(), RING_TECHNOLOGY).unwrap_err();
        assert!(err.to_string().contains("missing column `County`"));
    }

    #[test]
    fn the_start_column_is_authoritative_and_status_is_read() {
        let csv = format!(
            "{},\"Status\",\"Start\"\n{},\"announced\",\"2019-08\"\n{},\"\",\"\"\n",
            header(),
            row("S1", "A PD", "8/16/19", "in 2019"),
            row("S2", "B PD", "8/16/19", "in 2019"),
        );
        let file = read(csv.as_bytes(), RING_TECHNOLOGY).unwrap();
        assert_eq!(file.rows[0].status, Some(Status::Announced));
        assert_eq!(file.rows[0].start.unwrap().to_string(), "2019-08");
        assert_eq!(file.rows[1].start, None);
        assert_eq!(file.rows[1].status, None);
    }

    #[test]
    fn fields_are_cleaned_and_each_repair_is_counted() {
        let dirty = row(
            "AOS1",
            "Houston\u{a0}Police  Department",
            "1/10/19",
            " in 2019 ",
        )
        .replace(
            "Milwaukee County",
            "\u{200e}Montgomery County, \u{200e}Harris County\u{200e}",
        )
        .replace("\"Greenfield\"", "\"#N/A\"");
        let csv = format!("{}\n{dirty}\n", header());
        let file = read(csv.as_bytes(), RING_TECHNOLOGY).unwrap();
        let r = &file.rows[0];
        assert_eq!(r.agency, "Houston Police Department");
        assert_eq!(
            r.county.as_deref(),
            Some("Montgomery County, Harris County")
        );
        assert_eq!(r.city, None, "#N/A is no city");
        assert_eq!(r.summary, "in 2019");
        let counts = file.repairs.by_name();
        assert_eq!(counts["invisible_character_removed"], 1);
        assert_eq!(counts["spreadsheet_artefact_emptied"], 1);
        assert_eq!(counts["special_space_normalised"], 1);
        assert_eq!(counts["whitespace_collapsed"], 1);
        assert_eq!(counts["whitespace_trimmed"], 1);
        assert_eq!(
            r.quality_flags, None,
            "no column: the importer computes them"
        );
    }

    #[test]
    fn the_quality_flags_column_is_read_sorted_and_checked() {
        let csv = format!(
            "{},\"Quality Flags\"\n{},\"location_state_fallback;county_not_in_state\"\n{},\"\"\n",
            header(),
            row("Q1", "A PD", "8/16/19", ""),
            row("Q2", "B PD", "8/16/19", ""),
        );
        let file = read(csv.as_bytes(), RING_TECHNOLOGY).unwrap();
        assert_eq!(
            file.rows[0].quality_flags,
            Some(vec![
                QualityFlag::CountyNotInState,
                QualityFlag::LocationStateFallback
            ])
        );
        assert_eq!(file.rows[1].quality_flags, Some(vec![]));
        let bad = csv.replace("county_not_in_state", "wrong_county");
        let err = read(bad.as_bytes(), RING_TECHNOLOGY)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 2, column `Quality Flags`"), "{err}");
    }
}
