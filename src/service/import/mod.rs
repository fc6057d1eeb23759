//! Importing partnerships from files in the Atlas of Surveillance format: the EFF export
//! (`import atlas`) and the hand-made sample that ships in `data/sample/`.
//!
//! An import is planned against the current catalog and written in ONE transaction, so it
//! lands whole or not at all. Planning compares the record each row would give with the
//! current one (ignoring bookkeeping), so importing the same file twice writes nothing the
//! second time, and a changed row writes one `import` revision.
//!
//! Rules worth knowing:
//! - An agency's id is `agency_slug(state, name)`. Rows naming the same agency twice (the
//!   Atlas has three such pairs) are merged: one agency, one partnership starting at the
//!   earlier date, both row ids kept as `external_ids.aos = "AOS3909;AOS4183"` (file order,
//!   `;`-separated), and a note saying so.
//! - A partnership is matched by agency, program and a shared row id; failing that, by the
//!   agency's only partnership in the program that has no row id of this kind yet.
//! - The import owns the fields it reads. It keeps what it does not know: an ORI it found no
//!   match for, notes, an end date, video-request counts, other external ids, and an `ended`
//!   or `cancelled` status unless the file gives a status itself.
//! - Sources are matched by URL and an existing one is reused as it stands (the seeded Atlas
//!   source, for one). Links to Ring's Google My Maps are reduced to the map's id, so the
//!   171 spellings of the map's URL in the Atlas are one source. The map's `Link 1 Date` is
//!   the agency's date on the map, not the map's publication date, so it is not `published`.
//! - Each agency and partnership cites its row's sources and the file's own source (the
//!   Atlas); the partnership's citation of the Atlas quotes the row's Summary.

//!
//! The steps: `plan` (pure, against the catalog) groups the rows by agency and plans each
//! group's sources (`sources`), agency (placed by `placement`), partnership and
//! citations; `write` writes the plan; `report` says what was done.

pub(crate) mod placement;
mod plan;
mod report;
mod sources;
mod write;

pub use report::{ImportReport, Skipped, Tally};

use super::{Dataset, ServiceError};
use crate::import::atlas::{self, AtlasError, AtlasFile, RING_TECHNOLOGY};
use crate::import::ori::{OriError, OriIndex};
use crate::store::StoreError;
use plan::plan;
use std::path::Path;
use write::execute;

/// The sample dataset written for this project (see `data/sample/README.md`).
pub const SAMPLE_CSV: &str = include_str!("../../../data/sample/partnerships.csv");

/// The Atlas of Surveillance itself, cited by every record an Atlas import writes.
pub const ATLAS_URL: &str = "https://atlasofsurveillance.org/";

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: AtlasError,
    },
    #[error(transparent)]
    Format(#[from] AtlasError),
    #[error(transparent)]
    Ori(#[from] OriError),
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the program `{0}` does not exist yet: open the database with `serve` first")]
    ProgramMissing(&'static str),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Service(ServiceError::Store(e))
    }
}

/// What kind of file is imported: how its rows are identified and what it cites.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    /// The `external_ids` key that holds the row ids (`aos`).
    pub key: &'static str,
    pub actor: &'static str,
    /// The note on every revision the import writes.
    pub note: &'static str,
    /// Whether every record cites the Atlas itself (quoting the Summary).
    pub cite_atlas: bool,
}

/// The EFF Atlas of Surveillance export.
pub const ATLAS: Profile = Profile {
    key: "aos",
    actor: "import:atlas",
    note: "Imported from the EFF Atlas of Surveillance export",
    cite_atlas: true,
};

/// The project's own sample (`data/sample/`).
pub const SAMPLE: Profile = Profile {
    key: "sample",
    actor: "import:sample",
    note: "Loaded from the project's sample dataset (data/sample/)",
    cite_atlas: false,
};

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions<'a> {
    /// Plan and report, write nothing.
    pub dry_run: bool,
    /// FBI agency list for ORI codes.
    pub ori: Option<&'a OriIndex>,
}

/// Reads, checks and imports an Atlas export. Nothing is written when the file has an error.
pub async fn import_atlas_path(
    dataset: &Dataset,
    path: &Path,
    options: ImportOptions<'_>,
) -> Result<ImportReport, ImportError> {
    let file = read_atlas_path(path)?;
    import_file(dataset, &file, ATLAS, options).await
}

/// Reads and checks an Atlas export's Ring rows.
pub fn read_atlas_path(path: &Path) -> Result<AtlasFile, ImportError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ImportError::Open {
        path: shown.clone(),
        source,
    })?;
    atlas::read(std::io::BufReader::new(file), RING_TECHNOLOGY).map_err(|source| {
        ImportError::Read {
            path: shown,
            source,
        }
    })
}

/// The shipped sample, parsed.
pub fn sample_file() -> Result<AtlasFile, AtlasError> {
    atlas::read(SAMPLE_CSV.as_bytes(), RING_TECHNOLOGY)
}

/// Imports the shipped sample when the database has no partnerships yet. Returns whether it
/// wrote anything.
pub async fn load_sample_if_empty(dataset: &Dataset) -> Result<bool, ImportError> {
    dataset.sync().await?;
    if !dataset.read().partnerships.is_empty() {
        return Ok(false);
    }
    let file = sample_file()?;
    let report = import_file(dataset, &file, SAMPLE, ImportOptions::default()).await?;
    Ok(report.revisions > 0)
}

/// Imports checked rows. Takes the writer's lock first, then plans against a catalog brought
/// up to date, so no other writer can slip in between planning and writing.
pub async fn import_file(
    dataset: &Dataset,
    file: &AtlasFile,
    profile: Profile,
    options: ImportOptions<'_>,
) -> Result<ImportReport, ImportError> {
    if options.dry_run {
        dataset.sync().await?;
        let plan = plan(&dataset.read(), file, profile, options)?;
        return Ok(plan.report);
    }
    let mut writer = dataset.begin(profile.actor).await?;
    dataset.sync().await?;
    let plan = plan(&dataset.read(), file, profile, options)?;
    if !plan.report.changes() {
        // Dropping the writer rolls back: not even the lock leaves a trace.
        return Ok(plan.report);
    }
    let mut report = plan.report.clone();
    report.revisions = execute(&mut writer, plan, profile).await?;
    dataset.commit(writer).await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_parses_and_every_row_has_a_source() {
        let file = sample_file().unwrap();
        assert!((20..=40).contains(&file.rows.len()), "{}", file.rows.len());
        for row in &file.rows {
            assert!(!row.links.is_empty(), "line {}", row.line);
            assert!(row.links[0].title.is_some(), "line {}", row.line);
        }
    }
}
