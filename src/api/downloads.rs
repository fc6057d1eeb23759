//! `/downloads`: the whole dataset as files, one per table (CSV), the agencies and
//! partnerships as GeoJSON, and a zip of every CSV with its Frictionless `datapackage.json`.
//!
//! Files are built from one snapshot of the catalog (taken under its lock as `Arc`s, then
//! serialised outside it) and kept in memory for the dataset version they describe: the
//! first download after a write builds a file, the rest are copies of the same bytes. Each
//! is tagged with the dataset version (`"ds-1234-partnerships.csv"`) and named after it.

use super::dto::ListMeta;
use super::{ApiTags, AppState};
use crate::error::ApiError;
use crate::export::datapackage::{CSV_RESOURCES, descriptor};
use crate::export::{self, CsvWriter, Table};
use crate::service::catalog::Catalog;
use crate::service::snapshot::{self, Everything};
use bytes::Bytes;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

fn csv_of<T: Table>(rows: &[T]) -> Vec<u8> {
    let mut w = CsvWriter::new();
    w.header(T::COLUMNS);
    let mut out = w.take();
    for chunk in rows.chunks(export::CHUNK_ROWS) {
        for r in chunk {
            w.row(r);
        }
        out.extend_from_slice(&w.take());
    }
    out
}

fn csv_table(all: &Everything, table: &str) -> Vec<u8> {
    match table {
        "agencies" => csv_of(&all.agencies),
        "partnerships" => csv_of(&all.partnerships),
        "programs" => {
            let programs: Vec<&crate::domain::Program> =
                all.programs.iter().map(|p| &p.program).collect();
            let mut w = CsvWriter::new();
            w.header(<crate::domain::Program as Table>::COLUMNS);
            for p in programs {
                w.row(p);
            }
            w.take()
        }
        "phases" => csv_of(&all.phases),
        "sources" => csv_of(&all.sources),
        "citations" => csv_of(&all.citations),
        _ => Vec::new(),
    }
}

fn geojson_table(all: &Everything, table: &str, meta: &ListMeta) -> Vec<u8> {
    let mut out = Vec::new();
    export::geojson_head(&mut out, meta, &Vec::<super::geojson::Link>::new());
    let count = match table {
        "agencies" => {
            for (i, r) in all.agencies.iter().enumerate() {
                let a = super::dto::Agency::from(&*r.agency);
                let at = r.agency.latitude.zip(r.agency.longitude);
                export::geojson_feature(&mut out, i == 0, &a.id, at, &a);
            }
            all.agencies.len()
        }
        _ => {
            for (i, r) in all.partnerships.iter().enumerate() {
                let at = r.agency.as_ref().and_then(|a| a.latitude.zip(a.longitude));
                let p = super::dto::Partnership::from_row(r);
                export::geojson_feature(&mut out, i == 0, &r.partnership.id, at, &p);
            }
            all.partnerships.len()
        }
    };
    export::geojson_tail(&mut out, count as u64, None);
    out
}

const README: &str = "Ring partnerships: the bulk download\n\
====================================\n\n\
Which US police and other public safety agencies partner with Amazon Ring, through which\n\
programs, from when to when, and on what evidence.\n\n\
Files: agencies.csv, partnerships.csv, programs.csv, phases.csv, sources.csv and\n\
citations.csv (RFC 4180, UTF-8, header row), described column by column in\n\
datapackage.json (Frictionless Data Package). Dates keep their known precision:\n\
start_date is YYYY-MM-DD, YYYY-MM or YYYY, and start_precision says which.\n\n";

fn readme(version: i64) -> String {
    format!(
        "{README}Dataset version: {version}.\n\nLicence: {} ({}). See LICENSE.\n\n{}\n",
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

/// Built files of one dataset version.
#[derive(Default)]
struct Built {
    version: i64,
    files: HashMap<String, Bytes>,
}

/// The files of the newest version built so far.
#[derive(Clone, Default)]
pub struct DownloadCache(Arc<Mutex<Built>>);

impl DownloadCache {
    fn get(&self, version: i64, name: &str) -> Option<Bytes> {
        let built = self.0.lock().ok()?;
        (built.version == version)
            .then(|| built.files.get(name).cloned())
            .flatten()
    }

    fn put(&self, version: i64, name: String, bytes: Bytes) {
        if let Ok(mut built) = self.0.lock() {
            if built.version != version {
                if built.version > version {
                    return;
                }
                *built = Built {
                    version,
                    files: HashMap::new(),
                };
            }
            built.files.insert(name, bytes);
        }
    }
}

/// Builds `kind` from `all` (blocking: call off the runtime), using and filling `cache`.
fn build(cache: &DownloadCache, all: &Everything, meta: &ListMeta, kind: Kind) -> Bytes {
    let version = all.version;
    let name = kind.name(version);
    if let Some(b) = cache.get(version, &name) {
        return b;
    }
    let bytes = match kind {
        Kind::Csv(t) => Bytes::from(csv_table(all, t)),
        Kind::GeoJson(t) => Bytes::from(geojson_table(all, t, meta)),
        Kind::Zip => {
            use std::io::Write;
            use zip::write::SimpleFileOptions;
            let options =
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let created = all
                .last_modified
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default();
            let package = descriptor(version, &created, &[]);
            let mut entries: Vec<(String, Bytes)> = vec![(
                "datapackage.json".into(),
                Bytes::from(serde_json::to_vec_pretty(&package).unwrap_or_default()),
            )];
            for r in CSV_RESOURCES {
                entries.push((
                    format!("{}.csv", r.name),
                    build(cache, all, meta, Kind::Csv(r.name)),
                ));
            }
            entries.push(("README.txt".into(), Bytes::from(readme(version))));
            entries.push(("LICENSE.txt".into(), Bytes::from(license_text())));
            for (path, data) in entries {
                if zip.start_file(path, options).is_ok() {
                    let _ = zip.write_all(&data);
                }
            }
            Bytes::from(zip.finish().map(|c| c.into_inner()).unwrap_or_default())
        }
    };
    cache.put(version, name, bytes.clone());
    bytes
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

/// A file of the bulk download.
pub struct FileBody(pub Bytes);

impl Payload for FileBody {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn schema_ref() -> MetaSchemaRef {
        super::exports::binary_schema()
    }
}

impl poem::IntoResponse for FileBody {
    fn into_response(self) -> poem::Response {
        poem::Response::builder().body(self.0)
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
    cache: DownloadCache,
}

impl DownloadsApi {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            cache: DownloadCache::default(),
        }
    }
}

fn etag(version: i64, name: &str) -> String {
    format!("\"ds-{version}-{name}\"")
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
        if super::caching::none_match(
            req.header("if-none-match"),
            &etag(version, &kind.name(version)),
        ) {
            return Ok(DownloadResponse::NotModified(
                etag(version, &kind.name(version)),
                cache,
            ));
        }
        let (version, last_modified, bytes) = match self.cache.get(version, &kind.name(version)) {
            Some(b) => (version, last_modified, b),
            None => {
                let (all, meta) = {
                    let c = self.state.dataset.read();
                    (snapshot::everything(&c), ListMeta::of(&c))
                };
                // The snapshot may be newer than the version read above: the bytes are tagged
                // with the version they hold.
                let (version, last_modified) = (all.version, all.last_modified);
                let cache = self.cache.clone();
                let bytes = tokio::task::spawn_blocking(move || build(&cache, &all, &meta, kind))
                    .await
                    .map_err(ApiError::internal)?;
                (version, last_modified, bytes)
            }
        };
        let tag = etag(version, &kind.name(version));
        let body = FileBody(bytes);
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
