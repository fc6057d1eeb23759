//! `/downloads`: the whole dataset as files, one per table (CSV), the agencies and
//! partnerships as GeoJSON, and a zip of every CSV with its Frictionless `datapackage.json`.
//!
//! The files are built once per dataset version in `service::downloads`; here they are
//! listed, tagged with the dataset version (`"ds-1234-partnerships.csv"`), named after it,
//! and streamed from disk a chunk at a time.

use super::dto::ListMeta;
use super::{ApiTags, AppState};
use crate::error::ApiError;
use crate::export::datapackage::CoverageLine;
use crate::export::tables::{AgencyRow, PartnershipRow};
use crate::service::built_files::BuiltFiles;
use crate::service::catalog::Catalog;
use crate::service::downloads::{Download, FILES, Features, Meta, Opened};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent};
use std::io;
use std::sync::Arc;

pub const DOWNLOAD_CACHE: &str = "public, max-age=300";
pub const ZIP: &str = "application/zip";

/// The media type a download is served as.
fn media_type(kind: Download) -> &'static str {
    match kind {
        Download::Csv(_) => super::exports::CSV,
        Download::GeoJson(_) => super::geojson::GEOJSON,
        Download::Zip => ZIP,
    }
}

/// The API's side of a built file: the GeoJSON properties of `api::features` and the list
/// `meta` of every other list.
struct ApiFeatures;

impl Features for ApiFeatures {
    type Meta = ListMeta;
    type Agency = super::features::AgencyProperties;
    type Partnership = super::features::PartnershipProperties;

    fn meta(c: &Catalog) -> Meta<ListMeta> {
        let json = ListMeta::of(c);
        let coverage = json
            .coverage
            .iter()
            .map(|c| CoverageLine {
                source_id: c.source_id,
                title: c.title.clone(),
                url: c.url.clone(),
                as_of: c.as_of.clone(),
                partnerships: c.partnerships,
            })
            .collect();
        Meta { json, coverage }
    }

    fn agency(r: &AgencyRow) -> Self::Agency {
        super::features::AgencyProperties::from_row(r)
    }

    fn partnership(r: &PartnershipRow) -> Self::Partnership {
        super::features::PartnershipProperties::from_row(r)
    }
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

    /// The file of `kind`, built if it is not yet for the newest version, as a body.
    async fn file(
        &self,
        version: i64,
        last_modified: Option<time::OffsetDateTime>,
        kind: Download,
    ) -> io::Result<(i64, Option<time::OffsetDateTime>, FileBody)> {
        let Opened {
            file,
            size,
            version,
            last_modified,
        } = self
            .state
            .dataset
            .download::<ApiFeatures>(&self.cache, version, last_modified, kind)
            .await?;
        Ok((version, last_modified, FileBody(file_body(file), size)))
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
            .chain([Download::Zip])
            .map(|k| DownloadFile {
                name: k.name(version),
                url: format!("/downloads/{}", k.name(version)),
                media_type: media_type(k).into(),
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
            (
                c.seq(),
                c.last_modified(),
                Download::parse(&file.0, c.seq()),
            )
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
            Download::Csv(_) => DownloadBody::Csv(body),
            Download::GeoJson(_) => DownloadBody::GeoJson(body),
            Download::Zip => DownloadBody::Zip(body),
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
