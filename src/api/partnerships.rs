//! `/partnerships`: list with filters, sorting and paging; one partnership with its citations.

use super::dto::{self, ListMeta, PartnershipList};
use super::exports::{self, GeoJson};
use super::fast::Fast;
use super::features::PartnershipProperties;
use super::geojson::{Format, PartnershipFeatureCollection};
use super::query_echo::{QueryEcho, geo_warnings};
use super::vocab::{Given, Values, texts};
use super::{ApiTags, geo_filter, link_header, list_error, parse_all};
use crate::domain::{DatePrecision, EntityKind, PartialDate, StateCode};
use crate::error::ApiError;
use crate::export::tables::PartnershipRow;
use crate::service::export_rows;
use crate::service::listing::{self, PARTNERSHIP_SORTS, PartnershipFilter, PartnershipSortField};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Object, OpenApi};
use std::collections::BTreeMap;

super::resource::api_struct!(PartnershipsApi);

super::resource::list_response! {
/// A page of partnerships as JSON; or every matching partnership (a page with `limit` or
/// `cursor`) as a GeoJSON FeatureCollection, CSV or NDJSON.
PartnershipListBody(Fast<PartnershipList>, geo PartnershipFeatureCollection);
/// A page of partnerships. `Link` has the next page, when there is one.
PartnershipListResponse;
}

super::search_body! {
/// Search partnerships with a body: every filter of `GET /partnerships`, plus `within`, a
/// GeoJSON Polygon or MultiPolygon too large for a URL.
pub struct PartnershipSearch {
    /// A GeoJSON Polygon or MultiPolygon (or a Feature holding one), lon/lat; only
    /// partnerships whose agency is inside it (its boundary included). At most 10,000
    /// positions over all its rings, closing ones included, by default
    /// (`MAX_POLYGON_VERTICES`); more is a 400 `invalid_body`.
    pub within: Option<serde_json::Value>,
    /// Agency id.
    pub agency: Option<String>,
    /// USPS state codes.
    #[oai(default)]
    pub state: Vec<String>,
    #[oai(default)]
    pub agency_type: Vec<String>,
    /// Only partnerships whose agency carries at least one of these quality flags.
    #[oai(default)]
    pub quality_flag: Vec<String>,
    /// Program ids.
    #[oai(default)]
    pub program: Vec<String>,
    #[oai(default)]
    pub status: Vec<String>,
    /// A day, month or year (`2019-02-14`, `2019-02`, `2019`): started on or after its
    /// first day.
    pub started_after: Option<String>,
    /// A day, month or year: started before its first day.
    pub started_before: Option<String>,
}
then {
    /// A day (YYYY-MM-DD): only partnerships active that day; a month or a year: possibly
    /// active on some day of it.
    pub active_on: Option<String>,
    /// With `active_on`: whether the agency could ask for footage that day.
    pub footage_requests: Option<bool>,
}
}

/// A partnership with the citations that support it.
#[derive(Object, Clone, Debug)]
pub struct PartnershipDetail {
    #[oai(flatten)]
    pub partnership: dto::Partnership,
    /// Sources that support this record.
    pub citations: Vec<dto::Citation>,
}

#[derive(ApiResponse)]
pub enum PartnershipResponse {
    /// The partnership. `ETag` is its version, for `If-Match` on writes.
    #[oai(status = 200)]
    Ok(Json<PartnershipDetail>, #[oai(header = "ETag")] String),
}

/// A date filter at any precision the API writes: `2019`, `2019-02` or `2019-02-14`.
fn filter_date(name: &str, value: Option<&str>) -> Result<Option<PartialDate>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<PartialDate>().map_err(|_| {
                ApiError::invalid(
                    name,
                    format!(
                        "`{v}` is not a date: use YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2019-02-14, 2019-02, 2019), as the API writes dates"
                    ),
                )
            })
        })
        .transpose()
}

/// One day: what a partnership was is shown for a day, never a month or a year.
fn one_day(name: &str, value: Option<&str>) -> Result<Option<time::Date>, ApiError> {
    match filter_date(name, value)? {
        None => Ok(None),
        Some(d) if d.precision() == DatePrecision::Day => Ok(Some(d.earliest())),
        Some(d) => Err(ApiError::invalid(
            name,
            format!(
                "`{d}` is a {}: what a partnership was is shown for one day; use YYYY-MM-DD (the list's `active_on` takes a month or a year too)",
                match d.precision() {
                    DatePrecision::Month => "month",
                    _ => "year",
                }
            ),
        )),
    }
}

/// Turns the text filters of a partnership search into a filter; `within` may have at most
/// `max_polygon_vertices` vertices.
pub fn partnership_filter(
    search: &PartnershipSearch,
    max_polygon_vertices: usize,
) -> Result<PartnershipFilter, ApiError> {
    // A day: active that day. A month or a year: possibly active on some day of it (as the
    // OGC `datetime` interval), without the per-day answer a day gives.
    let (active_on, period) = match filter_date("active_on", search.active_on.as_deref())? {
        None => (None, None),
        Some(d) if d.precision() == DatePrecision::Day => (Some(d.earliest()), None),
        Some(d) => (
            None,
            Some(listing::Period {
                from: Some(d.earliest()),
                to: Some(d.latest()),
            }),
        ),
    };
    if search.footage_requests.is_some() && active_on.is_none() {
        return Err(ApiError::invalid(
            "footage_requests",
            "`footage_requests` needs `active_on` with a day (YYYY-MM-DD): it depends on the day",
        ));
    }
    // Both compare the first day a date can mean: `started_after=2019` is "started in 2019
    // or later", `started_before=2019` "started before 2019".
    let first_day = |name: &str, v: &Option<String>| {
        filter_date(name, v.as_deref()).map(|d| d.map(|d| d.earliest()))
    };
    Ok(PartnershipFilter {
        agency: search.agency.clone().filter(|a| !a.is_empty()),
        states: parse_all::<StateCode>("state", &search.state)?,
        agency_types: parse_all("agency_type", &search.agency_type)?,
        agency_quality_flags: parse_all("quality_flag", &search.quality_flag)?,
        programs: super::split_values(&search.program)
            .map(str::to_string)
            .collect(),
        statuses: parse_all("status", &search.status)?,
        started_after: first_day("started_after", &search.started_after)?,
        started_before: first_day("started_before", &search.started_before)?,
        q: search
            .q
            .as_deref()
            .map(listing::fold)
            .filter(|q| !q.is_empty()),
        geo: geo_filter(
            search.near.as_deref(),
            search.radius.as_deref(),
            search.bbox.as_deref(),
            search.within.as_ref(),
            max_polygon_vertices,
        )?,
        period,
        active_on,
        footage_requests: search.footage_requests,
    })
}

/// A filter value that names no record is a 400, never an empty answer (see
/// `listing::check_names`).
pub fn check_names(
    catalog: &crate::service::catalog::Catalog,
    filter: &PartnershipFilter,
) -> Result<(), ApiError> {
    listing::check_names(catalog, filter)
        .map_err(|e| ApiError::invalid(e.parameter(), e.to_string()))
}

impl PartnershipsApi {
    async fn search(
        &self,
        req: &Request,
        search: PartnershipSearch,
        link_base: Option<&Request>,
    ) -> Result<PartnershipListResponse, ApiError> {
        let filter = partnership_filter(&search, self.state.max_polygon_vertices)?;
        let plan = search.plan::<PartnershipSortField>(req, filter.geo.near.is_some())?;
        if plan.format != Format::Json {
            return self.export(&search.as_of, &filter, plan, link_base).await;
        }
        let (sort, page_req) = (plan.sort, plan.page);
        let catalog = super::view(&self.state, search.as_of.as_deref()).await?;
        check_names(&catalog, &filter)?;
        let page = self
            .state
            .lists
            .partnerships(&catalog, &filter, sort, &page_req)
            .map_err(list_error)?;
        let meta = ListMeta::of(&catalog).with_query(
            QueryEcho::partnerships(&filter, Some((sort, PARTNERSHIP_SORTS)), Some(&page_req)),
            geo_warnings(&catalog, filter.geo.near.as_ref(), search.radius.as_deref()),
        );
        let link = link_base.and_then(|r| link_header(r, page.next.as_deref()));
        let hits: Vec<_> = page
            .items
            .iter()
            .map(|hit| (hit.item, hit.distance_m))
            .collect();
        let body = PartnershipListBody::Json(super::fast_partnerships::partnership_page(
            &catalog,
            &hits,
            filter.active_on,
            page.next.as_deref(),
            page.total.map(|t| t as u64),
            &meta,
        ));
        Ok(PartnershipListResponse::Ok(body, link))
    }

    /// CSV, NDJSON or GeoJSON: every matching row (or the page asked for), streamed from a
    /// shared copy of the catalog (see `exports`).
    async fn export(
        &self,
        as_of: &Option<String>,
        filter: &PartnershipFilter,
        plan: super::SearchPlan<PartnershipSortField>,
        link_base: Option<&Request>,
    ) -> Result<PartnershipListResponse, ApiError> {
        let super::SearchPlan { sort, format, page } = plan;
        let page_req = &page;
        let permit = self.state.admit_export(as_of.as_deref(), page_req)?;
        let echo = QueryEcho::partnerships(filter, Some((sort, PARTNERSHIP_SORTS)), Some(page_req));
        let rows = exports::fetch(
            &self.state,
            as_of.as_deref(),
            page_req,
            echo,
            |catalog| check_names(catalog, filter),
            |catalog| export_rows::partnership_batches(catalog, filter.clone(), sort),
            |catalog| export_rows::partnerships(catalog, filter, sort, page_req),
        )
        .await?;
        let next_href = rows.next_href(link_base);
        let link = exports::link_header(next_href.as_ref().map(|h| format!("<{h}>; rel=\"next\"")));
        let body = match format {
            Format::Csv => PartnershipListBody::Csv(exports::csv(rows.rows, permit)),
            Format::Ndjson => PartnershipListBody::Ndjson(exports::ndjson(
                rows.rows,
                permit,
                dto::Partnership::from_row,
            )),
            Format::Geojson | Format::Json => PartnershipListBody::GeoJson(GeoJson::Stream(
                exports::geojson(rows, permit, next_href, |r: &PartnershipRow| {
                    let at = r.agency.as_ref().and_then(|a| a.latitude.zip(a.longitude));
                    (r.partnership.id, at, PartnershipProperties::from_row(r))
                }),
            )),
        };
        Ok(PartnershipListResponse::Ok(body, link))
    }
}

/// A count of video requests over a period.
#[derive(Object, Clone, Debug)]
#[oai(deny_unknown_fields)]
pub struct VideoRequestCountIn {
    pub from: String,
    pub to: Option<String>,
    pub count: u32,
}

/// A partnership's fields. On create `agency_id`, `program_id` and `status` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct PartnershipFields {
    pub agency_id: MaybeUndefined<String>,
    pub program_id: MaybeUndefined<String>,
    /// active, ended, announced or cancelled.
    pub status: MaybeUndefined<Given<crate::domain::Status>>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub start: MaybeUndefined<String>,
    /// Last day, at its known precision; not before `start`.
    pub end: MaybeUndefined<String>,
    pub video_requests: MaybeUndefined<Vec<VideoRequestCountIn>>,
    pub external_ids: MaybeUndefined<BTreeMap<String, String>>,
    pub notes: MaybeUndefined<String>,
}

impl Example for PartnershipFields {
    fn example() -> Self {
        Self {
            status: MaybeUndefined::Value(Given::Known(crate::domain::Status::Ended)),
            end: MaybeUndefined::Value("2024-01-31".into()),
            ..Default::default()
        }
    }
}

super::write::edit_body!(
    PartnershipEdit,
    PartnershipFields,
    "A new partnership, or changes to one."
);

super::resource::resource_api! {
#[OpenApi(tag = "ApiTags::Partnerships")]
impl PartnershipsApi {
    /// List partnerships
    ///
    /// Agencies' enrolments in Ring's programs, filtered, sorted and paged with a cursor.
    /// Dates keep their known precision; `started_after` and `started_before` compare the
    /// first day a start date can mean (a start known as `2019-03` counts as 2019-03-01).
    /// Geographic filters apply to the partnership's agency; with `near`, each row carries
    /// `distance_m` and the default order is nearest first. Answers GeoJSON with `Accept:
    /// application/geo+json`, `format=geojson` or `/partnerships.geojson`.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/partnerships",
        method = "get",
        operation_id = "list_partnerships"
    )]
    geo_list list_partnerships(
        &self,
        req,
        /// Only partnerships of this agency (its id).
        agency: Query<Option<String>>,
        /// Only agencies in these states (USPS codes, e.g. `WI`).
        #[oai(example = "super::example_states")]
        state: Query<Option<Values<crate::domain::StateCode>>>,
        /// Only these agency types: police, sheriff, constable, district_attorney, fire, other.
        agency_type: Query<Option<Values<crate::domain::AgencyType>>>,
        /// Only partnerships whose agency carries at least one of these quality flags (see
        /// `QualityFlag`).
        quality_flag: Query<Option<Values<crate::domain::QualityFlag>>>,
        /// Only these programs (program ids).
        program: Query<Option<Values<String>>>,
        /// Only these statuses: active, ended, announced, cancelled.
        status: Query<Option<Values<crate::domain::Status>>>,
        /// Only partnerships that started on or after this date: a day, month or year
        /// (`2019-02-14`, `2019-02`, `2019`), from its first day, so `2019` means "in 2019 or
        /// later". A start known only to the month or year counts as its first day.
        started_after: Query<Option<String>>,
        /// Only partnerships that started before this date (a day, month or year), i.e.
        /// before its first day: `2019` means "before 2019". With `started_after=2019`,
        /// `started_before=2020` is "started in 2019".
        started_before: Query<Option<String>>,
    )
        q:
        ;
        then {
            /// With `near`: only partnerships whose agency is within this great-circle distance,
            /// in metres or with a unit (`25km`, `10mi`, `500m`); at most 20,015 km.
            radius: Query<Option<String>>,
            /// Only partnerships whose agency is inside `minLon,minLat,maxLon,maxLat` (RFC 7946
            /// order); a box whose minLon is greater than its maxLon crosses the antimeridian.
            bbox: Query<Option<String>>,
            /// Sort order: id, start, agency_name, state, updated_at or distance (needs `near`);
            /// prefix `-` for descending. Default: distance with `near`, else id.
            sort: Query<Option<String>>,
        }
        as_of:
        /// `2020-10`, `2020`. Combines with every other parameter.
        ;
        after {
            /// Only partnerships active on this day (YYYY-MM-DD, valid time). A month or a year
            /// (`2019-02`, `2019`) means possibly active on some day of it, without the per-day
            /// fields below (and `footage_requests` needs a day). A day: started by then
            /// (`start.earliest <= day`) and not ended before (`day <= end.latest`; an open end
            /// is active; `announced` and `cancelled` never are; the program's end ends every
            /// enrolment). Each row then says `active_on_certainty` (`certain`, or `possible`
            /// when imprecise dates leave it open), the `phase` in force and `footage_requests`.
            active_on: Query<Option<String>>,
            /// With `active_on`: only partnerships whose agency could (`true`) or could not
            /// (`false`) ask residents for footage through the program that day, by the program
            /// phases in force. A phase limited to some agencies (Axon Evidence users) counts as
            /// `possible`.
            footage_requests: Query<Option<bool>>,
        }
        -> PartnershipListResponse |paging| {
        let search = PartnershipSearch {
            within: None,
            agency: agency.0,
            state: texts(state.0),
            agency_type: texts(agency_type.0),
            quality_flag: texts(quality_flag.0),
            program: texts(program.0),
            status: texts(status.0),
            started_after: started_after.0,
            started_before: started_before.0,
            q: paging.q,
            near: paging.near,
            radius: radius.0,
            bbox: bbox.0,
            sort: sort.0,
            limit: paging.limit,
            cursor: paging.cursor,
            count: paging.count,
            format: paging.format,
            as_of: paging.as_of,
            active_on: active_on.0,
            footage_requests: footage_requests.0,
        };
        self.search(req, search, Some(req)).await
    }
    reads {

    /// Search partnerships
    ///
    /// The same as `GET /partnerships`, with the filters in a JSON body and one more:
    /// `within`, a GeoJSON Polygon or MultiPolygon that is too large for a URL. Page with the
    /// `next` cursor in the next request's body.
    #[oai(
        path = "/partnerships/search",
        method = "post",
        operation_id = "search_partnerships"
    )]
    async fn search_partnerships(
        &self,
        req: &Request,
        body: Json<PartnershipSearch>,
    ) -> Result<PartnershipListResponse, ApiError> {
        self.search(req, body.0, None).await
    }

    /// Get a partnership
    ///
    /// One partnership by its id, with its agency and program in brief and its citations.
    #[oai(
        path = "/partnerships/:id",
        method = "get",
        operation_id = "get_partnership"
    )]
    async fn get_partnership(
        &self,
        /// The partnership's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// What the dataset said at this time (RFC 3339, transaction time).
        as_of: Query<Option<String>>,
        /// Show what the partnership was on this day (YYYY-MM-DD; a month or a year is a 400
        /// here, since the answer is per day): `active_on_certainty`, the `phase` in force
        /// and `footage_requests`.
        active_on: Query<Option<String>>,
    ) -> Result<PartnershipResponse, ApiError> {
        let active_on = one_day("active_on", active_on.0.as_deref())?;
        let catalog = super::view(&self.state, as_of.0.as_deref()).await?;
        let key = id.0;
        let p = catalog.partnership(&key).map_err(super::read_error)?;
        Ok(PartnershipResponse::Ok(
            Json(PartnershipDetail {
                partnership: match active_on {
                    Some(d) => dto::Partnership::build(p, &catalog).on_day(p, &catalog, d),
                    None => dto::Partnership::build(p, &catalog),
                },
                citations: dto::citations(&catalog, EntityKind::Partnership, &key),
            }),
            super::etag::record(p.meta.version),
        ))
    }
    }
}
writes EntityKind::Partnership, PartnershipEdit {
    /// Create a partnership
    ///
    /// Needs an `editor` or `admin` token. The agency and program must exist; `end` may not
    /// come before `start`.
    #[oai(
        path = "/partnerships",
        method = "post",
        operation_id = "create_partnership"
    )]
    create create_partnership;
    /// Update a partnership
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(
        path = "/partnerships/:id",
        method = "patch",
        operation_id = "update_partnership"
    )]
    update update_partnership(
        /// The partnership's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
    /// Delete a partnership
    ///
    /// Needs an `admin` token and `If-Match`. Its citations are deleted with it.
    #[oai(
        path = "/partnerships/:id",
        method = "delete",
        operation_id = "delete_partnership"
    )]
    delete delete_partnership(
        /// The partnership's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
}
}
