//! The bulk download's files: each table as CSV, agencies and partnerships as GeoJSON, and a
//! zip of every CSV with its Frictionless `datapackage.json`, a README and the licence.
//!
//! A file is built from a shared copy of the catalog (one version, read without the lock), a
//! batch of rows at a time, into a file on disk (`built_files`), once per dataset version:
//! the first download after a write builds it, every later one opens it. Memory stays flat
//! however large the dataset. `api/downloads.rs` serves the files over HTTP.

use super::Dataset;
use super::built_files::BuiltFiles;
use super::catalog::Catalog;
use super::export_rows;
use super::listing::{AgencySortField, PartnershipSortField, Sort};
use crate::export;
use crate::export::datapackage::{CSV_RESOURCES, CoverageLine, descriptor, license_text, readme};
use crate::export::tables::{AgencyRow, PartnershipRow};
use serde::Serialize;
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

/// What only the API knows of a file: its GeoJSON features' flat properties and the list
/// `meta` a FeatureCollection carries.
pub trait Features: 'static {
    type Meta: Serialize + Send + Sync + 'static;
    /// The `meta` of a FeatureCollection of `c`, and the coverage the README and the Data
    /// Package state.
    fn meta(c: &Catalog) -> Meta<Self::Meta>;
    type Agency: Serialize;
    type Partnership: Serialize;
    fn agency(r: &AgencyRow) -> Self::Agency;
    fn partnership(r: &PartnershipRow) -> Self::Partnership;
}

/// A version's `meta` and coverage.
pub struct Meta<M> {
    pub json: M,
    pub coverage: Vec<CoverageLine>,
}

/// What a download is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Download {
    Csv(&'static str),
    GeoJson(&'static str),
    Zip,
}

/// Every file but the zip, in the order listed.
pub const FILES: &[Download] = &[
    Download::Csv("agencies"),
    Download::Csv("partnerships"),
    Download::Csv("programs"),
    Download::Csv("phases"),
    Download::Csv("sources"),
    Download::Csv("citations"),
    Download::GeoJson("agencies"),
    Download::GeoJson("partnerships"),
];

impl Download {
    /// The name under `/downloads/`.
    pub fn name(self, version: i64) -> String {
        match self {
            Download::Csv(t) => format!("{t}.csv"),
            Download::GeoJson(t) => format!("{t}.geojson"),
            Download::Zip => format!("ring-partnerships-{version}.zip"),
        }
    }

    /// The name to save it as: with the dataset version.
    pub fn filename(self, version: i64) -> String {
        match self {
            Download::Zip => self.name(version),
            _ => format!("ring-partnerships-{version}-{}", self.name(version)),
        }
    }

    pub fn parse(name: &str, version: i64) -> Option<Download> {
        if name == "ring-partnerships.zip" || name == Download::Zip.name(version) {
            return Some(Download::Zip);
        }
        FILES.iter().copied().find(|k| k.name(version) == name)
    }

    /// Rows (features) in the file; for the zip, in all its tables.
    pub fn rows(self, c: &Catalog) -> u64 {
        let n = match self {
            Download::Csv("agencies") | Download::GeoJson("agencies") => c.agencies.len(),
            Download::Csv("partnerships") | Download::GeoJson("partnerships") => {
                c.partnerships.len()
            }
            Download::Csv("programs") => c.programs.len(),
            Download::Csv("phases") => c.phases.len(),
            Download::Csv("sources") => c.sources.len(),
            Download::Csv("citations") => c.citations.len(),
            Download::Zip => CSV_RESOURCES
                .iter()
                .map(|r| Download::Csv(r.name).rows(c) as usize)
                .sum(),
            _ => 0,
        };
        n as u64
    }
}

/// The rows of `batches`, one after another, then the error of a batch that failed.
fn rows_of<T>(batches: export_rows::Batches<T>) -> impl Iterator<Item = io::Result<T>> {
    batches.flat_map(|batch| {
        let (rows, error) = match batch {
            Ok(rows) => (rows, None),
            Err(e) => (Vec::new(), Some(io::Error::other(e.to_string()))),
        };
        rows.into_iter().map(Ok).chain(error.map(Err))
    })
}

/// Every agency of `c`, in id order, by batches.
fn agencies(c: &Arc<Catalog>) -> impl Iterator<Item = io::Result<AgencyRow>> {
    let by_id = Sort {
        field: AgencySortField::Id,
        descending: false,
    };
    rows_of(export_rows::agency_batches(
        c.clone(),
        Default::default(),
        by_id,
    ))
}

/// Every partnership of `c`, in id order, by batches.
fn partnerships(c: &Arc<Catalog>) -> impl Iterator<Item = io::Result<PartnershipRow>> {
    let by_id = Sort {
        field: PartnershipSortField::Id,
        descending: false,
    };
    rows_of(export_rows::partnership_batches(
        c.clone(),
        Default::default(),
        by_id,
    ))
}

/// Writes one table of `c` as CSV.
fn write_csv_table(out: &mut impl Write, c: &Arc<Catalog>, table: &str) -> io::Result<()> {
    match table {
        "agencies" => export::write_csv_rows(out, agencies(c)),
        "partnerships" => export::write_csv_rows(out, partnerships(c)),
        "programs" => export::write_csv_rows(out, c.programs.values().map(Ok)),
        "phases" => {
            // Program by program, each one's phases oldest first.
            let phases = c.programs.keys().flat_map(|p| c.phases_of(p));
            let orphans = c
                .phases
                .values()
                .filter(|ph| !c.programs.contains_key(&ph.program_id));
            export::write_csv_rows(out, phases.chain(orphans).map(Ok))
        }
        "sources" => export::write_csv_rows(out, c.sources.values().map(Ok)),
        "citations" => export::write_csv_rows(out, c.citations.values().map(|c| Ok(&**c))),
        _ => Err(io::Error::other(format!("no table `{table}`"))),
    }
}

/// Writes agencies or partnerships of `c` as a GeoJSON FeatureCollection.
fn write_geojson_table<F: Features>(
    out: &mut impl Write,
    c: &Arc<Catalog>,
    table: &str,
    meta: &impl Serialize,
) -> io::Result<()> {
    match table {
        "agencies" => export::write_feature_collection(out, meta, agencies(c), |r| {
            let at = r.agency.latitude.zip(r.agency.longitude);
            (r.agency.id.clone(), at, F::agency(r))
        }),
        "partnerships" => export::write_feature_collection(out, meta, partnerships(c), |r| {
            let at = r.agency.as_ref().and_then(|a| a.latitude.zip(a.longitude));
            (r.partnership.id, at, F::partnership(r))
        }),
        _ => Err(io::Error::other(format!("no table `{table}`"))),
    }
}

/// The file of `kind` built from `c` (blocking: call off the runtime): from `files` when
/// built already for this version.
fn build<F: Features>(
    files: &BuiltFiles,
    c: &Arc<Catalog>,
    meta: &Meta<F::Meta>,
    kind: Download,
) -> io::Result<PathBuf> {
    let version = c.seq();
    files.build(version, &kind.name(version), |out| match kind {
        Download::Csv(t) => write_csv_table(out, c, t),
        Download::GeoJson(t) => write_geojson_table::<F>(out, c, t, &meta.json),
        Download::Zip => write_zip::<F>(out, files, c, meta),
    })
}

/// The zip: `datapackage.json`, every CSV table (copied from its built file), a README and
/// the licence.
fn write_zip<F: Features>(
    out: &mut (impl Write + io::Seek),
    files: &BuiltFiles,
    c: &Arc<Catalog>,
    meta: &Meta<F::Meta>,
) -> io::Result<()> {
    use zip::write::SimpleFileOptions;
    let version = c.seq();
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(out);
    let created = c
        .last_modified()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let coverage = &meta.coverage;
    let package = descriptor(version, &created, coverage);
    zip.start_file("datapackage.json", options)?;
    zip.write_all(&serde_json::to_vec_pretty(&package).unwrap_or_default())?;
    for r in CSV_RESOURCES {
        let table = build::<F>(files, c, meta, Download::Csv(r.name))?;
        zip.start_file(format!("{}.csv", r.name), options)?;
        io::copy(&mut File::open(table)?, &mut zip)?;
    }
    zip.start_file("README.txt", options)?;
    zip.write_all(readme(version, coverage).as_bytes())?;
    zip.start_file("LICENSE.txt", options)?;
    zip.write_all(license_text().as_bytes())?;
    zip.finish()?;
    Ok(())
}

/// A built file, open, and the version and time of the last change it holds (the dataset
/// may have moved on since the version asked for).
pub struct Opened {
    pub file: tokio::fs::File,
    pub size: u64,
    pub version: i64,
    pub last_modified: Option<OffsetDateTime>,
}

impl Dataset {
    /// The file of `kind`: from `files` when built already for `version`, else built now
    /// from the newest version (off the runtime, one build at a time).
    pub async fn download<F: Features>(
        &self,
        files: &Arc<BuiltFiles>,
        version: i64,
        last_modified: Option<OffsetDateTime>,
        kind: Download,
    ) -> io::Result<Opened> {
        // A file removed since (a newer version was built) is built again, below.
        if let Some(path) = files.get(version, &kind.name(version))
            && let Ok(file) = tokio::fs::File::open(path).await
        {
            let size = file.metadata().await?.len();
            return Ok(Opened {
                file,
                size,
                version,
                last_modified,
            });
        }
        let one_build = files.one_build().await;
        let (catalog, meta) = {
            let c = self.read();
            (Arc::new(c.shared_copy()), F::meta(&c))
        };
        let (version, last_modified) = (catalog.seq(), catalog.last_modified());
        let files = files.clone();
        // The build owns the lock and opens the file before giving it up: a build that
        // outlives its request (cancelled, timed out) still finishes alone, and no newer
        // build can remove the file before it is open.
        let file = tokio::task::spawn_blocking(move || {
            let _one_build = one_build;
            File::open(build::<F>(&files, &catalog, &meta, kind)?)
        })
        .await
        .map_err(io::Error::other)??;
        let size = file.metadata()?.len();
        Ok(Opened {
            file: tokio::fs::File::from_std(file),
            size,
            version,
            last_modified,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChangeKind, Record};
    use crate::service::fixtures::{agency, catalog, revision};
    use std::io::Read;

    /// Features that are their ids, and no meta: enough to count what a file holds.
    struct Ids;

    impl Features for Ids {
        type Meta = ();
        type Agency = String;
        type Partnership = i64;

        fn meta(_: &Catalog) -> Meta<()> {
            Meta {
                json: (),
                coverage: Vec::new(),
            }
        }

        fn agency(r: &AgencyRow) -> String {
            r.agency.id.clone()
        }

        fn partnership(r: &PartnershipRow) -> i64 {
            r.partnership.id
        }
    }

    fn lines(path: &std::path::Path) -> usize {
        std::fs::read_to_string(path).unwrap().lines().count()
    }

    /// Files are built on disk once per version; building a newer version removes the older
    /// one's files, and the zip is made from the built tables.
    #[test]
    fn files_are_built_on_disk_once_per_version_and_old_versions_removed() {
        let points: Vec<(f64, f64)> = (0..30).map(|i| (40.0, -90.0 + i as f64 * 0.01)).collect();
        let mut live = catalog(&points);
        let cache = BuiltFiles::default();
        let v1 = Arc::new(live.shared_copy());
        let meta = Ids::meta(&v1);
        let agencies = build::<Ids>(&cache, &v1, &meta, Download::Csv("agencies")).unwrap();
        // A header and 31 agencies (one without a position).
        assert_eq!(lines(&agencies), 32);
        let again = build::<Ids>(&cache, &v1, &meta, Download::Csv("agencies")).unwrap();
        assert_eq!(again, agencies);
        let zip = build::<Ids>(&cache, &v1, &meta, Download::Zip).unwrap();
        let mut archive = zip::ZipArchive::new(File::open(&zip).unwrap()).unwrap();
        let mut csv = String::new();
        archive
            .by_name("partnerships.csv")
            .unwrap()
            .read_to_string(&mut csv)
            .unwrap();
        // Every other agency has two partnerships: 45, and the header.
        assert_eq!(csv.lines().count(), 46);
        assert!(
            cache
                .get(v1.seq(), "partnerships.csv")
                .is_some_and(|p| p.exists())
        );

        live.apply(&revision(
            live.seq() + 1,
            Record::Agency(agency(500, 41.0, -89.0, "WI")),
            ChangeKind::Created,
        ))
        .unwrap();
        let v2 = Arc::new(live.shared_copy());
        let newer = build::<Ids>(&cache, &v2, &meta, Download::Csv("agencies")).unwrap();
        assert_eq!(lines(&newer), 33);
        assert!(
            !agencies.exists() && !zip.exists(),
            "old version's files remain"
        );
        assert!(cache.get(v1.seq(), "agencies.csv").is_none());
        // No partial file is left behind.
        let dir = newer.parent().unwrap();
        let names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{}-agencies.csv", v2.seq())]);
    }
}
