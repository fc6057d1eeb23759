//! `/downloads`: the whole dataset as files, one per table (CSV), the agencies and
//! partnerships as GeoJSON, and a zip of every CSV with its Frictionless `datapackage.json`.
//!
//! A file is built from a snapshot of the catalog (`Catalog::snapshot`: one version, read
//! without the lock), a batch of rows at a time, into a file on disk (`service::built_files`), once per dataset
//! version: the first download after a write builds it, every download streams it from disk
//! a chunk at a time. Memory stays flat however large the dataset. Each file is tagged with
//! the dataset version (`"ds-1234-partnerships.csv"`) and named after it.

use super::dto::ListMeta;
use super::{ApiTags, AppState};
use crate::error::ApiError;
use crate::export::datapackage::{CSV_RESOURCES, descriptor};
use crate::export::tables::{AgencyRow, PartnershipRow};
use crate::export::{self, CsvWriter, Table};
use crate::service::built_files::BuiltFiles;
use crate::service::catalog::Catalog;
use crate::service::listing::{AgencySortField, PartnershipSortField, Sort};
use crate::service::snapshot;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent};
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

pub const DOWNLOAD_CACHE: &str = "public, max-age=300";
pub const ZIP: &str = "application/zip";

/// What a download is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Csv(&'static str),
    GeoJson(&'static str),
    Zip,
}

/// Every file but the zip, in the order listed.
const FILES: &[Kind] = &[
    Kind::Csv("agencies"),
    Kind::Csv("partnerships"),
    Kind::Csv("programs"),
    Kind::Csv("phases"),
    Kind::Csv("sources"),
    Kind::Csv("citations"),
    Kind::GeoJson("agencies"),
    Kind::GeoJson("partnerships"),
];

impl Kind {
    /// The name under `/downloads/`.
    fn name(self, version: i64) -> String {
        match self {
            Kind::Csv(t) => format!("{t}.csv"),
            Kind::GeoJson(t) => format!("{t}.geojson"),
            Kind::Zip => format!("ring-partnerships-{version}.zip"),
        }
    }

    /// The name to save it as: with the dataset version.
    fn filename(self, version: i64) -> String {
        match self {
            Kind::Zip => self.name(version),
            _ => format!("ring-partnerships-{version}-{}", self.name(version)),
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Kind::Csv(_) => super::exports::CSV,
            Kind::GeoJson(_) => super::geojson::GEOJSON,
            Kind::Zip => ZIP,
        }
    }

    fn parse(name: &str, version: i64) -> Option<Kind> {
        if name == "ring-partnerships.zip" || name == Kind::Zip.name(version) {
            return Some(Kind::Zip);
        }
        FILES.iter().copied().find(|k| k.name(version) == name)
    }

    /// Rows (features) in the file; for the zip, in all its tables.
    fn rows(self, c: &Catalog) -> u64 {
        let n = match self {
            Kind::Csv("agencies") | Kind::GeoJson("agencies") => c.agencies.len(),
            Kind::Csv("partnerships") | Kind::GeoJson("partnerships") => c.partnerships.len(),
            Kind::Csv("programs") => c.programs.len(),
            Kind::Csv("phases") => c.phases.len(),
            Kind::Csv("sources") => c.sources.len(),
            Kind::Csv("citations") => c.citations.len(),
            Kind::Zip => CSV_RESOURCES
                .iter()
                .map(|r| Kind::Csv(r.name).rows(c) as usize)
                .sum(),
            _ => 0,
        };
        n as u64
    }
}

/// Writes a CSV table of `rows` to `out`, `CHUNK_ROWS` rows at a time; stops at the first
/// error.
fn write_csv<T: Table>(
    out: &mut impl Write,
    rows: impl IntoIterator<Item = io::Result<T>>,
) -> io::Result<()> {
    let mut w = CsvWriter::new();
    w.header(T::COLUMNS);
    for (i, r) in rows.into_iter().enumerate() {
        w.row(&r?);
        if (i + 1) % export::CHUNK_ROWS == 0 {
            out.write_all(&w.take())?;
        }
    }
    out.write_all(&w.take())
}

/// Writes a GeoJSON FeatureCollection of `rows`; `feature` gives each one's id, position and
/// properties. Stops at the first error.
fn write_features<T, I: serde::Serialize, V: serde::Serialize>(
    out: &mut impl Write,
    meta: &ListMeta,
    rows: impl IntoIterator<Item = io::Result<T>>,
    feature: impl Fn(&T) -> (I, Option<(f64, f64)>, V),
) -> io::Result<()> {
    let mut buf = Vec::new();
    export::geojson_head(&mut buf, meta, &Vec::<super::geojson::Link>::new());
    let mut count = 0u64;
    for r in rows {
        let (id, at, props) = feature(&r?);
        export::geojson_feature(&mut buf, count == 0, &id, at, &props);
        count += 1;
        if count.is_multiple_of(export::CHUNK_ROWS as u64) {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    export::geojson_tail(&mut buf, count, None);
    out.write_all(&buf)
}

/// The rows of `batches`, one after another, then the error of a batch that failed.
fn rows_of<T>(batches: snapshot::Batches<T>) -> impl Iterator<Item = io::Result<T>> {
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
    rows_of(snapshot::agency_batches(
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
    rows_of(snapshot::partnership_batches(
        c.clone(),
        Default::default(),
        by_id,
    ))
}

/// Writes one table of `c` as CSV.
fn write_csv_table(out: &mut impl Write, c: &Arc<Catalog>, table: &str) -> io::Result<()> {
    match table {
        "agencies" => write_csv(out, agencies(c)),
        "partnerships" => write_csv(out, partnerships(c)),
        "programs" => write_csv(out, c.programs.values().map(Ok)),
        "phases" => {
            // Program by program, each one's phases oldest first.
            let phases = c.programs.keys().flat_map(|p| c.phases_of(p));
            let orphans = c
                .phases
                .values()
                .filter(|ph| !c.programs.contains_key(&ph.program_id));
            write_csv(out, phases.chain(orphans).map(Ok))
        }
        "sources" => write_csv(out, c.sources.values().map(Ok)),
        "citations" => write_csv(out, c.citations.values().map(|c| Ok(&**c))),
        _ => Err(io::Error::other(format!("no table `{table}`"))),
    }
}

/// Writes agencies or partnerships of `c` as a GeoJSON FeatureCollection.
fn write_geojson_table(
    out: &mut impl Write,
    c: &Arc<Catalog>,
    table: &str,
    meta: &ListMeta,
) -> io::Result<()> {
    match table {
        "agencies" => write_features(out, meta, agencies(c), |r| {
            let a = super::features::AgencyProperties::from_row(r);
            (a.id.clone(), r.agency.latitude.zip(r.agency.longitude), a)
        }),
        "partnerships" => write_features(out, meta, partnerships(c), |r| {
            let at = r.agency.as_ref().and_then(|a| a.latitude.zip(a.longitude));
            (
                r.partnership.id,
                at,
                super::features::PartnershipProperties::from_row(r),
            )
        }),
        _ => Err(io::Error::other(format!("no table `{table}`"))),
    }
}

const README: &str = "Ring partnerships: the bulk download\n\
====================================\n\n\
Which US police and other public safety agencies partner with Amazon Ring, through which\n\
programs, from when to when, and on what evidence.\n\n\
Files: agencies.csv, partnerships.csv, programs.csv, phases.csv, sources.csv and\n\
citations.csv (RFC 4180, UTF-8, header row), described column by column in\n\
datapackage.json (Frictionless Data Package). Dates keep their known precision:\n\
start_date is YYYY-MM-DD, YYYY-MM or YYYY, and start_precision says which;\n\
start_earliest and start_latest are the first and last day it can mean (plain ISO\n\
days every tool reads as dates), and the same holds for every other date.\n\n";

/// The meta's coverage as the datapackage's lines.
fn coverage_lines(meta: &ListMeta) -> Vec<crate::export::datapackage::CoverageLine> {
    meta.coverage
        .iter()
        .map(|c| crate::export::datapackage::CoverageLine {
            source_id: c.source_id,
            title: c.title.clone(),
            url: c.url.clone(),
            as_of: c.as_of.clone(),
            partnerships: c.partnerships,
        })
        .collect()
}

fn readme(version: i64, coverage: &[crate::export::datapackage::CoverageLine]) -> String {
    format!(
        "{README}{}\n\nDataset version: {version}.\n\nLicence: {} ({}). See LICENSE.\n\n{}\n",
        crate::export::datapackage::how_old(coverage),
        super::LICENSE_NAME,
        super::LICENSE_URL,
        super::ATTRIBUTION
    )
}

fn license_text() -> String {
    format!(
        "The data in this archive is licensed under the Creative Commons Attribution 4.0\n\
International licence (CC BY 4.0): {}\n\n\
You may share and adapt it for any purpose, provided you give appropriate credit.\n\
Attribution:\n\n{}\n",
        super::LICENSE_URL,
        super::ATTRIBUTION
    )
}

/// The file of `kind` built from `c` (blocking: call off the runtime): from `files` when
/// built already for this version.
fn build(files: &BuiltFiles, c: &Arc<Catalog>, meta: &ListMeta, kind: Kind) -> io::Result<PathBuf> {
    let version = c.seq();
    files.build(version, &kind.name(version), |out| match kind {
        Kind::Csv(t) => write_csv_table(out, c, t),
        Kind::GeoJson(t) => write_geojson_table(out, c, t, meta),
        Kind::Zip => write_zip(out, files, c, meta),
    })
}

/// The zip: `datapackage.json`, every CSV table (copied from its built file), a README and
/// the licence.
fn write_zip(
    out: &mut (impl Write + io::Seek),
    files: &BuiltFiles,
    c: &Arc<Catalog>,
    meta: &ListMeta,
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
    let coverage = coverage_lines(meta);
    let package = descriptor(version, &created, &coverage);
    zip.start_file("datapackage.json", options)?;
    zip.write_all(&serde_json::to_vec_pretty(&package).unwrap_or_default())?;
    for r in CSV_RESOURCES {
        let table = build(files, c, meta, Kind::Csv(r.name))?;
        zip.start_file(format!("{}.csv", r.name), options)?;
        io::copy(&mut File::open(table)?, &mut zip)?;
    }
    zip.start_file("README.txt", options)?;
    zip.write_all(readme(version, &coverage).as_bytes())?;
    zip.start_file("LICENSE.txt", options)?;
    zip.write_all(license_text().as_bytes())?;
    zip.finish()?;
    Ok(())
}

/// A file as a body, read a chunk at a time as the client takes it. Reads are async (tokio
/// hands each to its blocking pool for just that read), so a slow client holds no thread.
/// The time reading is the request's work, charged to its client's rate limit when the body
/// is done (`web::work`); the time waiting for the client is not.
fn file_body(file: tokio::fs::File) -> poem::Body {
    use tokio::io::AsyncReadExt;
    const CHUNK: usize = 256 * 1024;
    let meter = crate::web::work::current();
    poem::Body::from_bytes_stream(futures_util::stream::try_unfold(
        (file, meter),
        |(mut file, meter)| async move {
            let reading = std::time::Instant::now();
            let mut buf = bytes::BytesMut::with_capacity(CHUNK);
            while buf.len() < CHUNK {
                if file.read_buf(&mut buf).await? == 0 {
                    break;
                }
            }
            if let Some(m) = &meter {
                m.add(reading.elapsed());
            }
            Ok::<_, io::Error>((!buf.is_empty()).then(|| (buf.freeze(), (file, meter))))
        },
    ))
}

/// One downloadable file.
#[derive(Object, Clone, Debug)]
pub struct DownloadFile {
    /// The file's name under `/downloads/`.
    pub name: String,
    /// Where to get it.
    pub url: String,
    /// Its media type.
    pub media_type: String,
    /// The name it is saved as (`Content-Disposition`), with the dataset version.
    pub filename: String,
    /// The dataset version it holds.
    pub dataset_version: i64,
    /// Rows (features) in it; for the zip, in all its tables.
    pub rows: u64,
}

/// The files of the bulk download.
#[derive(Object, Clone, Debug)]
pub struct DownloadList {
    pub data: Vec<DownloadFile>,
    pub meta: ListMeta,
}

/// A file of the bulk download, streamed from disk, and its size in bytes.
pub struct FileBody(pub poem::Body, pub u64);

impl Payload for FileBody {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn schema_ref() -> MetaSchemaRef {
        super::exports::binary_schema()
    }
}

impl poem::IntoResponse for FileBody {
    /// With `Content-Length`, so clients can show progress and check the size (the
    /// compression middleware drops it when it compresses).
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .header(poem::http::header::CONTENT_LENGTH, self.1)
            .body(self.0)
    }
}

/// The file, in the media type of its name.
#[derive(ResponseContent)]
pub enum DownloadBody {
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(FileBody),
    #[oai(content_type = "application/geo+json")]
    GeoJson(FileBody),
    #[oai(content_type = "application/zip")]
    Zip(FileBody),
}

#[derive(ApiResponse)]
pub enum DownloadResponse {
    /// The file, tagged and named with the dataset version.
    #[oai(status = 200)]
    Ok(
        DownloadBody,
        #[oai(header = "ETag")] String,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Last-Modified")] Option<String>,
        #[oai(header = "Link")] String,
    ),
    /// Unchanged since the `ETag` in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

pub struct DownloadsApi {
    state: AppState,
    cache: Arc<BuiltFiles>,
}

impl DownloadsApi {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            cache: Arc::new(BuiltFiles::default()),
        }
    }

    /// The file of `kind` at the newest version, built if it is not yet, and the version and
    /// time of the last change it holds (the dataset may have moved on since `version`).
    async fn file(
        &self,
        version: i64,
        last_modified: Option<time::OffsetDateTime>,
        kind: Kind,
    ) -> io::Result<(i64, Option<time::OffsetDateTime>, FileBody)> {
        // A file removed since (a newer version was built) is built again, below.
        if let Some(path) = self.cache.get(version, &kind.name(version))
            && let Ok(file) = tokio::fs::File::open(path).await
        {
            let size = file.metadata().await?.len();
            return Ok((version, last_modified, FileBody(file_body(file), size)));
        }
        let one_build = self.cache.one_build().await;
        let (catalog, meta) = {
            let c = self.state.dataset.read();
            (Arc::new(c.snapshot()), ListMeta::of(&c))
        };
        let (version, last_modified) = (catalog.seq(), catalog.last_modified());
        let cache = self.cache.clone();
        // The build owns the lock and opens the file before giving it up: a build that
        // outlives this request (cancelled, timed out) still finishes alone, and no newer
        // build can remove the file before it is open.
        let file = tokio::task::spawn_blocking(move || {
            let _one_build = one_build;
            File::open(build(&cache, &catalog, &meta, kind)?)
        })
        .await
        .map_err(io::Error::other)??;
        let size = file.metadata()?.len();
        let body = file_body(tokio::fs::File::from_std(file));
        Ok((version, last_modified, FileBody(body, size)))
    }
}

#[OpenApi(tag = "ApiTags::Downloads")]
impl DownloadsApi {
    /// List the bulk downloads
    ///
    /// Every file of the whole dataset at its current version: each table as CSV, agencies
    /// and partnerships as GeoJSON, and a zip of every CSV with `datapackage.json` (a
    /// Frictionless Data Package describing every column), a README and the licence.
    #[oai(path = "/downloads", method = "get", operation_id = "list_downloads")]
    async fn list_downloads(&self) -> Json<DownloadList> {
        let c = self.state.dataset.read();
        let version = c.seq();
        let data = FILES
            .iter()
            .copied()
            .chain([Kind::Zip])
            .map(|k| DownloadFile {
                name: k.name(version),
                url: format!("/downloads/{}", k.name(version)),
                media_type: k.media_type().into(),
                filename: k.filename(version),
                dataset_version: version,
                rows: k.rows(&c),
            })
            .collect();
        Json(DownloadList {
            data,
            meta: ListMeta::of(&c),
        })
    }

    /// Download a file
    ///
    /// One file of the bulk download, as listed by `GET /downloads`: `agencies.csv`,
    /// `partnerships.csv`, `programs.csv`, `phases.csv`, `sources.csv`, `citations.csv`,
    /// `agencies.geojson`, `partnerships.geojson` or `ring-partnerships-<version>.zip`
    /// (`ring-partnerships.zip` is the newest). `ETag` and the saved name carry the dataset
    /// version; `If-None-Match` answers 304; `Accept-Encoding` compresses.
    #[oai(
        path = "/downloads/:file",
        method = "get",
        operation_id = "get_download"
    )]
    async fn get_download(
        &self,
        req: &Request,
        /// The file's name, e.g. `partnerships.csv`.
        file: Path<String>,
    ) -> Result<DownloadResponse, ApiError> {
        let (version, last_modified, kind) = {
            let c = self.state.dataset.read();
            (c.seq(), c.last_modified(), Kind::parse(&file.0, c.seq()))
        };
        let Some(kind) = kind else {
            return Err(ApiError::not_found("download", &file.0));
        };
        let cache = DOWNLOAD_CACHE.to_string();
        let tag = super::etag::download(version, &kind.name(version));
        if super::etag::none_match(req.header("if-none-match"), &tag) {
            return Ok(DownloadResponse::NotModified(tag, cache));
        }
        let (version, last_modified, body) = self
            .file(version, last_modified, kind)
            .await
            .map_err(ApiError::internal)?;
        let tag = super::etag::download(version, &kind.name(version));
        let body = match kind {
            Kind::Csv(_) => DownloadBody::Csv(body),
            Kind::GeoJson(_) => DownloadBody::GeoJson(body),
            Kind::Zip => DownloadBody::Zip(body),
        };
        Ok(DownloadResponse::Ok(
            body,
            tag,
            format!("attachment; filename=\"{}\"", kind.filename(version)),
            cache,
            last_modified.map(super::caching::http_date),
            super::exports::LICENSE_LINK.to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChangeKind, Record};
    use crate::service::fixtures::{agency, catalog, revision};
    use std::io::Read;

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
        let v1 = Arc::new(live.snapshot());
        let meta = ListMeta::of(&v1);
        let agencies = build(&cache, &v1, &meta, Kind::Csv("agencies")).unwrap();
        // A header and 31 agencies (one without a position).
        assert_eq!(lines(&agencies), 32);
        let again = build(&cache, &v1, &meta, Kind::Csv("agencies")).unwrap();
        assert_eq!(again, agencies);
        let zip = build(&cache, &v1, &meta, Kind::Zip).unwrap();
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
        let v2 = Arc::new(live.snapshot());
        let newer = build(&cache, &v2, &meta, Kind::Csv("agencies")).unwrap();
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
