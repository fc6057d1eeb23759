//! HTTP only: one file per resource, their DTOs, and the pieces they share. No queries here:
//! handlers parse parameters into service types, call the service, and convert the result.

pub mod agencies;
pub mod caching;
pub mod citations;
pub mod downloads;
pub mod dto;

pub mod etag;
pub mod exports;
pub mod fast;
pub mod fast_partnerships;
pub mod features;
pub mod geojson;
pub mod history;
pub mod meta;
pub mod ogc;
pub mod partnerships;
pub mod phases;
pub mod programs;
pub mod query_echo;
pub mod reports;
pub mod resource;
pub mod sources;
pub mod spec;
pub mod stats;
pub mod vocab;
pub mod write;

use crate::error::ApiError;
use crate::service::Dataset;
use crate::service::listing::{self, DEFAULT_LIMIT, ListError, PageRequest, Sort};
use poem_openapi::{OpenApiService, Tags};

pub const TITLE: &str = "Ring partnerships API";
pub use crate::export::datapackage::{ATTRIBUTION, LICENSE_NAME, LICENSE_URL};

#[derive(Tags)]
pub enum ApiTags {
    /// Police, sheriff and other public safety agencies.
    Agencies,
    /// An agency's enrolment in a vendor program, with dates at their known precision.
    Partnerships,
    /// Vendor programs and their dated phases.
    Programs,
    /// The evidence every record cites.
    Sources,
    /// Every version of every record, and the change feed.
    History,
    /// Service metadata: landing page, health, error types.
    Meta,
    /// OGC API - Features (Core, GeoJSON): agencies and partnerships as layers for GIS
    /// clients.
    Features,
    /// The whole dataset as files: CSV tables, GeoJSON layers and a zip with a Frictionless
    /// Data Package descriptor.
    Downloads,
    /// Counts and a timeline of partnerships.
    Statistics,
    /// Public correction reports: anyone reports, editors triage; a report changes no data.
    Reports,
}

/// Shared state handed to every resource.
#[derive(Clone)]
pub struct AppState {
    pub dataset: Dataset,
    /// Permits for exports and other large streamed answers (`Limits::export_concurrency`):
    /// each holds one while it streams, so a few clients cannot keep every core busy. Take
    /// one with [`AppState::export_permit`].
    pub export_permits: std::sync::Arc<tokio::sync::Semaphore>,
    /// Most vertices of a search polygon (`Limits::max_polygon_vertices`).
    pub max_polygon_vertices: usize,
    /// Where absolute URLs point: every absolute URL is built by [`AppState::absolute`].
    pub public_url: std::sync::Arc<crate::web::base_url::PublicUrl>,
    /// `/stats` answers, each computed once per dataset version (`service::stats`).
    pub stats_cache: std::sync::Arc<crate::service::stats::StatsCache>,
    /// What list pages keep per dataset version: the totals of counted pages and the orders
    /// of sorted ones (`service::list_cache`).
    pub lists: std::sync::Arc<crate::service::list_cache::ListCache>,
    /// The catalog's extent (OGC collections), found once per dataset version.
    pub extents:
        std::sync::Arc<crate::service::per_version::PerVersion<crate::service::catalog::Extent>>,
}

impl AppState {
    pub fn new(dataset: Dataset, limits: &crate::config::Limits) -> Self {
        Self {
            dataset,
            export_permits: std::sync::Arc::new(tokio::sync::Semaphore::new(
                limits.export_concurrency.max(1),
            )),
            // The smallest ring has four positions; below that no polygon could pass.
            max_polygon_vertices: limits.max_polygon_vertices.max(4),
            public_url: Default::default(),
            stats_cache: Default::default(),
            lists: Default::default(),
            extents: std::sync::Arc::new(crate::service::per_version::PerVersion::new(2)),
        }
    }

    /// `path` as an absolute URL for the client of `req` (see `web::base_url`).
    pub fn absolute(&self, req: &poem::Request, path: &str) -> String {
        self.public_url.absolute(req, path)
    }

    /// A permit to stream an export, or at once 503 `too_many_exports` (with `Retry-After`)
    /// when every permit is held. Refusing rather than queueing: a held permit lasts as long
    /// as its client takes to read the export, so a queue could hold requests (and their
    /// connections) without bound; a refusal lets the client choose when to come back.
    /// An export's admission: what it can check without the catalog (`as_of`, the cursor's
    /// integrity) is a 400 as usual, then it takes a permit *before* it reads the catalog
    /// (rebuilding a past version for `as_of` costs time and memory): a burst of exports
    /// beyond the limit is refused without doing any of that. (A valid cursor of another
    /// query is found with the page: a 400 then, or a 503 first when every permit is held.)
    pub fn admit_export(
        &self,
        as_of: Option<&str>,
        page_req: &crate::service::listing::PageRequest,
    ) -> Result<exports::ExportPermit, ApiError> {
        parse_as_of(as_of)?;
        crate::service::listing::check_cursor(page_req).map_err(list_error)?;
        self.export_permit()
    }

    fn export_permit(&self) -> Result<exports::ExportPermit, ApiError> {
        match self.export_permits.clone().try_acquire_owned() {
            Ok(permit) => Ok(exports::ExportPermit::new(permit)),
            // The semaphore is never closed: no permit free is the only failure.
            Err(_) => Err(ApiError::from_problem(crate::error::Problem::new(
                crate::error::ErrorCode::TooManyExports,
                format!(
                    "as many exports as this server streams at once are streaming; retry in {} s",
                    crate::error::EXPORT_RETRY_AFTER_SECS
                ),
            ))),
        }
    }
}

pub type Api = (
    meta::MetaApi,
    agencies::AgenciesApi,
    partnerships::PartnershipsApi,
    programs::ProgramsApi,
    sources::SourcesApi,
    phases::PhasesApi,
    citations::CitationsApi,
    ogc::OgcApi,
    history::HistoryApi,
    downloads::DownloadsApi,
    stats::StatsApi,
    reports::ReportsApi,
);

/// The OpenAPI service: the routes and the spec they generate.
pub fn service(state: AppState) -> OpenApiService<Api, ()> {
    let description = format!(
        "Which US police and other public safety agencies partner with Amazon Ring, through which programs, from when to when, and on what evidence. Every record cites its sources.\n\n{ATTRIBUTION}\n\n{LIMITS}"
    );
    OpenApiService::new(
        (
            meta::MetaApi::new(state.clone()),
            agencies::AgenciesApi::new(state.clone()),
            partnerships::PartnershipsApi::new(state.clone()),
            programs::ProgramsApi::new(state.clone()),
            sources::SourcesApi::new(state.clone()),
            phases::PhasesApi::new(state.clone()),
            citations::CitationsApi::new(state.clone()),
            ogc::OgcApi::new(state.clone()),
            history::HistoryApi::new(state.clone()),
            downloads::DownloadsApi::new(state.clone()),
            stats::StatsApi::new(state.clone()),
            reports::ReportsApi::new(state),
        ),
        TITLE,
        env!("CARGO_PKG_VERSION"),
    )
    .description(description)
    .license(poem_openapi::LicenseObject::new(LICENSE_NAME).url(LICENSE_URL))
    .extra_response_header::<String, _>(
        poem_openapi::ExtraHeader::new(crate::web::REQUEST_ID)
            .description("The request's id: the client's own `X-Request-Id` when sane (1–64 of `A-Za-z0-9-_.`), else a new one. Logged with the request."),
    )
    .extra_response_header::<Option<u64>, _>(
        poem_openapi::ExtraHeader::new(crate::web::RATELIMIT_LIMIT)
            .description("Requests allowed per minute for this client (reads: per address; writes: per token). Absent when rate limiting is off."),
    )
    .extra_response_header::<Option<u64>, _>(
        poem_openapi::ExtraHeader::new(crate::web::RATELIMIT_REMAINING)
            .description("Requests left in this client's bucket."),
    )
    .extra_response_header::<Option<u64>, _>(
        poem_openapi::ExtraHeader::new(crate::web::RATELIMIT_RESET)
            .description("Seconds until this client's bucket is full again."),
    )
}

/// The limits, as the spec's description states them (defaults; operators may change them).
const LIMITS: &str = "Limits (defaults; see the README): request bodies up to 1 MiB (413 `payload_too_large`), path and query up to 8 KiB (414 `uri_too_long`), headers up to 16 KiB (431 `headers_too_large`), `limit` 1–1000, polygons (`within`) up to 10,000 vertices (400 `invalid_body`), 30 s per request (503 `request_timeout`), idle connections closed after 60 s, 4 exports (CSV, NDJSON, GeoJSON) streaming at once (503 `too_many_exports` with `Retry-After`). Correction reports (`POST /reports`): bodies up to 8 KiB and 10 reports an hour per client address. Rate limits: 600 reads a minute per client address and 60 writes a minute per token, answered with 429 `rate_limited` and `Retry-After`; every response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.";

/// The spec as served and committed: poem-openapi's, finished (see `spec`).
pub fn spec_text(service: &OpenApiService<Api, ()>) -> String {
    spec::finish(&service.spec()).expect("poem-openapi writes JSON with each key once")
}

/// The spec as committed in `openapi/openapi.json`. It does not depend on the data, so it is
/// built against an empty in-memory database: `cargo run -- openapi` works anywhere.
pub async fn offline_spec() -> Result<String, crate::store::StoreError> {
    let store = crate::store::Store::connect("sqlite::memory:").await?;
    let dataset = Dataset::empty(store);
    let state = AppState::new(dataset, &crate::config::Limits::default());
    Ok(format!("{}\n", spec_text(&service(state))))
}

/// The body of a geo list's search (`POST /agencies/search`, `POST /partnerships/search`):
/// the resource's own filters, then the fields every geo list shares (`q`, `near`, `radius`,
/// `bbox`, `sort`, paging, `format`, `as_of`), then any the resource adds after them.
macro_rules! search_body {
    (
        $(#[$attr:meta])*
        pub struct $name:ident { $($own:tt)* }
        $(then { $($after:tt)* })?
    ) => {
        $(#[$attr])*
        #[derive(::poem_openapi::Object, Clone, Debug, Default)]
        #[oai(deny_unknown_fields)]
        pub struct $name {
            $($own)*
            pub q: Option<String>,
            /// `lat,lon`.
            pub near: Option<String>,
            /// Metres, or with a unit: `25km`, `10mi`.
            pub radius: Option<String>,
            /// `minLon,minLat,maxLon,maxLat`.
            pub bbox: Option<String>,
            pub sort: Option<String>,
            /// 1 to 1000 (default 100).
            #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
            pub limit: Option<u32>,
            /// The `next` cursor of the previous page (of the same search).
            pub cursor: Option<String>,
            pub count: Option<bool>,
            pub format: Option<$crate::api::geojson::Format>,
            /// RFC 3339 time, or a date (`2020-10-07`, `2020-10`, `2020`: the end of that day, month or year, UTC): the dataset as it stood then.
            pub as_of: Option<String>,
            $($($after)*)?
        }

        impl $name {
            /// How the search answers: its sort (by distance first with `near`), its format
            /// (`format`, else `Accept`) and the page it asks for (every row for an export
            /// without `limit` or `cursor`).
            pub fn plan<F: $crate::api::GeoSort>(
                &self,
                req: &::poem::Request,
                has_near: bool,
            ) -> Result<$crate::api::SearchPlan<F>, $crate::error::ApiError> {
                $crate::api::SearchPlan::of(
                    req,
                    self.sort.as_deref(),
                    self.format,
                    (self.limit, self.cursor.clone(), self.count),
                    has_near,
                )
            }
        }
    };
}
pub(crate) use search_body;

/// A geo list's sort fields: every one by name, the default and the distance from `near`.
pub trait GeoSort: Copy + PartialEq + 'static {
    const SORTS: &'static [(&'static str, Self)];
    const ID: Self;
    const DISTANCE: Self;
}

impl GeoSort for listing::AgencySortField {
    const SORTS: &'static [(&'static str, Self)] = listing::AGENCY_SORTS;
    const ID: Self = Self::Id;
    const DISTANCE: Self = Self::Distance;
}

impl GeoSort for listing::PartnershipSortField {
    const SORTS: &'static [(&'static str, Self)] = listing::PARTNERSHIP_SORTS;
    const ID: Self = Self::Id;
    const DISTANCE: Self = Self::Distance;
}

/// How a geo search answers (see `search_body!`'s `plan`).
pub struct SearchPlan<F> {
    pub sort: Sort<F>,
    pub format: geojson::Format,
    pub page: PageRequest,
}

impl<F: GeoSort> SearchPlan<F> {
    /// The plan of a search with these fields: `sort` (by distance first with `near`),
    /// `format` (else `Accept`) and the paging fields (every row for an export without
    /// `limit` or `cursor`).
    pub fn of(
        req: &poem::Request,
        sort: Option<&str>,
        format: Option<geojson::Format>,
        (limit, cursor, count): (Option<u32>, Option<String>, Option<bool>),
        has_near: bool,
    ) -> Result<Self, ApiError> {
        let sort = sort_with_distance(sort, F::SORTS, F::ID, F::DISTANCE, has_near)?;
        let format = geojson::negotiate(req, format);
        let page = resource::page_request(format != geojson::Format::Json, limit, cursor, count);
        Ok(Self { sort, format, page })
    }
}

/// Turns the shared paging parameters into a page request.
pub fn page_request(
    limit: Option<u32>,
    cursor: Option<String>,
    count: Option<bool>,
) -> PageRequest {
    PageRequest {
        limit: limit.map_or(DEFAULT_LIMIT, |l| l as usize),
        cursor: cursor.filter(|c| !c.is_empty()),
        count: count.unwrap_or(false),
        unbounded: false,
    }
}

pub fn list_error(e: ListError) -> ApiError {
    use crate::error::{ErrorCode, Problem};
    ApiError::from_problem(
        Problem::new(ErrorCode::InvalidCursor, e.to_string()).with_parameter("cursor"),
    )
}

pub fn parse_sort<F: Copy>(
    text: Option<&str>,
    fields: &[(&str, F)],
    default: F,
) -> Result<Sort<F>, ApiError> {
    match text {
        None | Some("") => Ok(Sort {
            field: default,
            descending: false,
        }),
        Some(t) => listing::parse_sort(t, fields).ok_or_else(|| {
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            ApiError::invalid(
                "sort",
                format!(
                    "`{t}` is not a sort order: use one of {}, with `-` before it for descending",
                    names.join(", ")
                ),
            )
        }),
    }
}

/// Splits each value on commas, so `state=WI,MN` and `state=WI&state=MN` mean the same.
pub fn split_values(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Parses every value of a multi-valued parameter, naming the parameter on failure.
pub fn parse_all<T: std::str::FromStr>(name: &str, values: &[String]) -> Result<Vec<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    split_values(values)
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| ApiError::invalid(name, e.to_string()))
        })
        .collect()
}

/// The same request with its cursor replaced: the `next` link of a page.
pub fn next_link(req: &poem::Request, cursor: &str) -> String {
    let mut query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "cursor")
            .collect();
    query.push(("cursor".into(), cursor.into()));
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    format!("{}?{}", req.uri().path(), encoded)
}

/// A record id as one path segment: every byte outside the unreserved set percent-encoded,
/// so a link built from an id always resolves to that id.
pub fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `Link` header of a page that has a next one.
pub fn link_header(req: &poem::Request, next: Option<&str>) -> Option<String> {
    next.map(|c| format!("<{}>; rel=\"next\"", next_link(req, c)))
}

// Examples shown in the spec and the docs for common parameters.

pub fn example_agency_id() -> String {
    "us-wi-greenfield-police-department".into()
}

pub fn example_program_id() -> String {
    "ring-neighbors-public-safety-service".into()
}

pub fn example_numeric_id() -> String {
    "1".into()
}

pub fn example_states() -> Option<vocab::Values<crate::domain::StateCode>> {
    Some(vocab::Values(vec!["WI".parse().expect("a state")]))
}

pub fn example_q() -> Option<String> {
    Some("greenfield".into())
}

/// A failure of the service: the database out of reach is a 503 `database_unavailable` with
/// `Retry-After` (reads from memory go on answering); anything else is a logged 500.
/// A read by id that found nothing: 404 for an id never seen, 410 for a deleted record (with
/// a link to its history, which remains). Reads and writes both answer through this.
pub fn read_error(e: crate::service::read::ReadError) -> ApiError {
    use crate::service::read::ReadError;
    match e {
        ReadError::NotFound(kind, id) => ApiError::not_found(kind.as_str(), &id),
        ReadError::Gone(kind, ref id) => {
            let mut p = crate::error::Problem::new(crate::error::ErrorCode::Gone, e.to_string())
                .with_parameter("id");
            p.history = Some(format!("/{}/{id}/history", kind.collection()));
            ApiError::from_problem(p)
        }
    }
}

pub fn service_error(e: crate::service::ServiceError) -> ApiError {
    if e.is_unavailable() {
        tracing::warn!(error = %e, "database unavailable");
        ApiError::from_problem(crate::error::Problem::new(
            crate::error::ErrorCode::DatabaseUnavailable,
            format!(
                "the database is out of reach (restarting or unreachable); reads still answer \
                 from memory. Retry after {} seconds",
                crate::error::DATABASE_RETRY_AFTER_SECS
            ),
        ))
    } else {
        ApiError::internal(e)
    }
}

/// A database failure outside the service's write path (history, downloads), as HTTP.
pub fn store_error(e: crate::store::StoreError) -> ApiError {
    service_error(e.into())
}

/// Parses the geographic parameters shared by lists. `radius` needs `near`; `within` may have
/// at most `max_polygon_vertices` vertices.
pub fn geo_filter(
    near: Option<&str>,
    radius: Option<&str>,
    bbox: Option<&str>,
    within: Option<&serde_json::Value>,
    max_polygon_vertices: usize,
) -> Result<crate::service::listing::GeoFilter, ApiError> {
    use crate::geo::{Near, parse_bbox, parse_point, parse_polygon, parse_radius};
    let near = near.filter(|t| !t.is_empty());
    let radius = radius.filter(|t| !t.is_empty());
    let center = near
        .map(parse_point)
        .transpose()
        .map_err(|e| ApiError::invalid("near", e.to_string()))?;
    let radius_m = radius
        .map(parse_radius)
        .transpose()
        .map_err(|e| ApiError::invalid("radius", e.to_string()))?;
    if radius_m.is_some() && center.is_none() {
        return Err(ApiError::invalid("radius", "`radius` needs `near=lat,lon`"));
    }
    Ok(crate::service::listing::GeoFilter {
        near: center.map(|center| Near { center, radius_m }),
        bbox: bbox
            .filter(|t| !t.is_empty())
            .map(parse_bbox)
            .transpose()
            .map_err(|e| ApiError::invalid("bbox", e.to_string()))?,
        within: within
            .map(|w| parse_polygon(w, max_polygon_vertices))
            .transpose()
            .map_err(|e| {
                ApiError::from_problem(
                    crate::error::Problem::new(crate::error::ErrorCode::InvalidBody, e.to_string())
                        .with_parameter("within"),
                )
            })?,
    })
}

/// The sort order of a list: as asked, or nearest first when `near` is given. Sorting by
/// distance needs `near`.
pub fn sort_with_distance<F: Copy + PartialEq>(
    text: Option<&str>,
    fields: &[(&str, F)],
    default: F,
    distance: F,
    has_near: bool,
) -> Result<Sort<F>, ApiError> {
    let fallback = if has_near { distance } else { default };
    let sort = parse_sort(text, fields, fallback)?;
    if sort.field == distance && !has_near {
        return Err(ApiError::invalid(
            "sort",
            "sorting by distance needs `near=lat,lon`",
        ));
    }
    Ok(sort)
}

/// Parses `as_of`: an RFC 3339 time, or a date as the API writes dates (`2020-10-07`,
/// `2020-10`, `2020`), meaning the end of that day, month or year (UTC): everything
/// recorded by then. Not in the future; a date that includes today means now.
pub fn parse_as_of(text: Option<&str>) -> Result<Option<time::OffsetDateTime>, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let now = crate::service::writer::now();
    let t = match time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        Ok(t) => t,
        Err(_) => match text.parse::<crate::domain::PartialDate>() {
            Ok(d) if d.earliest() <= now.date() => {
                let end = d
                    .latest()
                    .next_day()
                    .map_or(time::PrimitiveDateTime::MAX.assume_utc(), |next| {
                        next.midnight().assume_utc() - time::Duration::nanoseconds(1)
                    });
                end.min(now)
            }
            Ok(_) => now + time::Duration::days(1),
            Err(_) => {
                return Err(ApiError::invalid(
                    "as_of",
                    format!(
                        "`{text}` is not an RFC 3339 time (e.g. 2026-12-01T09:30:00Z) or a date (2026-12-01, 2026-12, 2026)"
                    ),
                ));
            }
        },
    };
    if t > now {
        return Err(ApiError::invalid(
            "as_of",
            "`as_of` is in the future: the dataset can only be read as it was",
        ));
    }
    Ok(Some(t))
}

/// The catalog a read answers from: now, or as it stood at `as_of`.
pub async fn view<'a>(
    state: &'a AppState,
    as_of: Option<&str>,
) -> Result<crate::service::View<'a>, ApiError> {
    let t = parse_as_of(as_of)?;
    state.dataset.view(t).await.map_err(service_error)
}

/// The catalog to read after the handler has returned (an export's body), now or as it stood
/// at `as_of`: a shared copy (O(1), see `Catalog::shared_copy`), without a spatial index, so
/// a full export reads it in batches of bounded size whatever its order (an index walk
/// outwards from a point would grow with every batch).
pub async fn shared_copy(
    state: &AppState,
    as_of: Option<&str>,
) -> Result<std::sync::Arc<crate::service::catalog::Catalog>, ApiError> {
    Ok(std::sync::Arc::new(view(state, as_of).await?.shared_copy()))
}

pub fn example_as_of() -> Option<String> {
    Some("2026-12-01T09:30:00Z".into())
}

#[cfg(test)]
mod tests {
    use super::parse_as_of;
    use time::macros::datetime;

    #[test]
    fn as_of_takes_a_time_or_the_end_of_a_day_month_or_year() {
        let at = |t: &str| parse_as_of(Some(t)).unwrap().unwrap();
        assert_eq!(at("2020-10-07T12:00:00Z"), datetime!(2020-10-07 12:00 UTC));
        assert_eq!(
            at("2020-10-07"),
            datetime!(2020-10-07 23:59:59.999_999_999 UTC)
        );
        assert_eq!(
            at("2020-10"),
            datetime!(2020-10-31 23:59:59.999_999_999 UTC)
        );
        assert_eq!(at("2020"), datetime!(2020-12-31 23:59:59.999_999_999 UTC));
        // A date that includes today means now (never the future).
        let today = crate::service::writer::now().date().to_string();
        assert!(at(&today) <= crate::service::writer::now());
        assert!(parse_as_of(Some("2999-01-01")).is_err());
        assert!(parse_as_of(Some("2999")).is_err());
        assert!(parse_as_of(Some("soon")).is_err());
        assert_eq!(parse_as_of(Some("")).unwrap(), None);
    }
}
