//! The dataset the project ships: the Ring partnerships of the EFF Atlas of Surveillance
//! export of 2020-10-07, as this project's importer reads them, in `data/atlas-2020-10-07/`.
//!
//! It holds facts only: the row ids, agencies, places and types, each row's start at its own
//! precision, its links (URL, archived copy, publisher, kind, date) and the location our
//! gazetteer gives the agency, with its basis, and the agency's quality flags. The Atlas's `Summary` column is left empty:
//! its sentences are the Atlas's prose, so we keep only what we derive from them (the start
//! month or year, in `Start`). The file is in the importer's own format (the Atlas's 25
//! columns plus the optional ones, see `import::atlas`), so loading it goes through the same
//! plan as an Atlas import and an Atlas import over it changes nothing it holds.
//!
//! `ring-partnerships import atlas FILE --write-seed data/atlas-2020-10-07` writes it; a test
//! fails when the committed file differs from what that command makes.

use super::Dataset;
use super::import::placement::placed;
use super::import::{self, ImportError, ImportOptions, Profile};
use crate::import::atlas::{
    self, AtlasError, AtlasFile, COLUMNS, OPTIONAL_COLUMNS, agency_type, canonical_url,
    jurisdiction_type, source_kind,
};
use crate::import::geocode::Gazetteer;
use crate::import::ori::OriIndex;

/// Where the shipped dataset lives in the repository.
pub const SHIPPED_DIR: &str = "data/atlas-2020-10-07";

/// The shipped partnerships, embedded in the binary so a fresh database anywhere has them.
pub const SHIPPED_CSV: &str = include_str!("../../data/atlas-2020-10-07/partnerships.csv");

/// The day of Ring's map the Atlas export reflects: the newest evidence the shipped rows have.
pub const SHIPPED_AS_OF: &str = "2020-10-07";

/// The shipped dataset: its rows are Atlas rows (`external_ids.aos`), each citing the Atlas.
pub const SHIPPED: Profile = Profile {
    key: "aos",
    actor: "import:shipped",
    note: "Loaded from the project's shipped dataset (data/atlas-2020-10-07/), derived from the EFF Atlas of Surveillance export of 2020-10-07",
    cite_atlas: true,
};

/// The shipped file, parsed.
pub fn shipped_file() -> Result<AtlasFile, AtlasError> {
    atlas::read(SHIPPED_CSV.as_bytes(), atlas::RING_TECHNOLOGY)
}

/// Loads the shipped dataset when the database has no partnerships yet. Returns whether it
/// wrote anything.
pub async fn load_shipped_if_empty(dataset: &Dataset) -> Result<bool, ImportError> {
    dataset.sync().await?;
    if !dataset.read().partnerships.is_empty() {
        return Ok(false);
    }
    let file = shipped_file()?;
    let report = import::import_file(dataset, &file, SHIPPED, ImportOptions::default()).await?;
    Ok(report.revisions > 0)
}

/// The shipped file's text for an Atlas export: one row per Ring row, in file order, with
/// everything the importer derives written out (start, canonical URLs, source kinds, ORI,
/// location) and the `Summary` left empty.
pub fn shipped_csv(file: &AtlasFile, ori: Option<&OriIndex>) -> std::io::Result<String> {
    let gazetteer = Gazetteer::embedded();
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let header: Vec<&str> = COLUMNS
        .iter()
        .chain(OPTIONAL_COLUMNS.iter())
        .copied()
        .collect();
    let io = std::io::Error::other;
    out.write_record(&header).map_err(io)?;
    for row in &file.rows {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut fields: Vec<String> = vec![
            row.id.clone(),
            opt(&row.city),
            opt(&row.county),
            row.state.as_str().to_string(),
            row.agency.clone(),
            row.lea_type.clone(),
            // The Atlas's prose is not copied: `Start` holds what we derive from it.
            String::new(),
            row.jurisdiction.clone(),
            atlas::RING_TECHNOLOGY.to_string(),
            opt(&row.vendor),
        ];
        let mut titles = Vec::new();
        for n in 0..3 {
            match row.links.get(n) {
                Some(link) => {
                    fields.push(canonical_url(&link.url));
                    fields.push(opt(&link.snapshot));
                    fields.push(opt(&link.publisher));
                    fields.push(source_kind(link, row).as_str().to_string());
                    fields.push(link.date.map(|d| d.to_string()).unwrap_or_default());
                    titles.push(opt(&link.title));
                }
                None => {
                    fields.extend(std::iter::repeat_n(String::new(), 5));
                    titles.push(String::new());
                }
            }
        }
        fields.push(
            row.status
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        );
        fields.push(row.start.map(|d| d.to_string()).unwrap_or_default());
        fields.push(opt(&row.notes));
        fields.extend(titles);
        let ori = row.ori.clone().or_else(|| {
            ori.and_then(|idx| idx.lookup(row.state.as_str(), &row.agency))
                .map(str::to_string)
        });
        fields.push(ori.unwrap_or_default());
        let placement = placed(
            gazetteer,
            row,
            agency_type(&row.lea_type),
            jurisdiction_type(&row.jurisdiction),
        );
        let basis = placement.location.as_ref().and_then(|p| p.basis);
        match placement.location {
            Some(p) => {
                fields.push(p.latitude.to_string());
                fields.push(p.longitude.to_string());
                fields.push(p.precision.as_str().to_string());
                fields.push(p.source.unwrap_or_default());
            }
            None => fields.extend(std::iter::repeat_n(String::new(), 4)),
        }
        let flags: Vec<&str> = placement.flags.iter().map(|f| f.as_str()).collect();
        fields.push(flags.join(";"));
        fields.push(basis.map(|b| b.as_str().to_string()).unwrap_or_default());
        out.write_record(&fields).map_err(io)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses_and_carries_no_summary_prose() {
        let file = shipped_file().unwrap();
        assert!(file.rows.len() >= 1490, "{}", file.rows.len());
        for row in &file.rows {
            assert!(row.summary.is_empty(), "line {}", row.line);
            assert!(row.id.starts_with("AOS"), "line {}", row.line);
            assert!(!row.links.is_empty(), "line {}", row.line);
        }
    }

    #[test]
    fn writing_the_shipped_file_from_itself_gives_it_back() {
        // The derived fields are written out, so deriving them again changes nothing.
        let file = shipped_file().unwrap();
        assert_eq!(shipped_csv(&file, None).unwrap(), SHIPPED_CSV);
    }
}
