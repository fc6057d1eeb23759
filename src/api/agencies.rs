//! `/agencies`: list with filters, sorting and paging; one agency with its partnerships and
//! citations.

use super::dto::{self, AgencyList, ListMeta};
use super::exports::{self, GeoJson};
use super::fast::{self, Fast};
use super::geojson::{AgencyFeatureCollection, Format};
use super::query_echo::{QueryEcho, geo_warnings};
use super::vocab::{Given, Values, texts};
use super::{ApiTags, geo_filter, link_header, list_error, parse_all};
use crate::domain::{EntityKind, StateCode};
use crate::error::ApiError;
use crate::export::tables::AgencyRow;
use crate::service::export_rows;
use crate::service::listing::{self, AGENCY_SORTS, AgencyFilter, AgencySortField};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Object, OpenApi};
use std::collections::BTreeMap;

super::resource::api_struct!(AgenciesApi);

super::resource::list_response! {
/// A page of agencies as JSON; or every matching agency (a page with `limit` or `cursor`)
/// as a GeoJSON FeatureCollection, CSV or NDJSON.
AgencyListBody(Fast<AgencyList>, geo AgencyFeatureCollection);
/// A page of agencies. `Link` has the next page, when there is one.
AgencyListResponse;
}

super::search_body! {
/// Search agencies with a body: every filter of `GET /agencies`, plus `within`, a GeoJSON
/// Polygon or MultiPolygon too large for a URL.
pub struct AgencySearch {
    /// A GeoJSON Polygon or MultiPolygon (or a Feature holding one), lon/lat; only agencies
    /// inside it (its boundary included). At most 10,000 positions over all its rings,
    /// closing ones included, by default (`MAX_POLYGON_VERTICES`); more is a 400
    /// `invalid_body`.
    pub within: Option<serde_json::Value>,
    /// USPS state codes.
    #[oai(default)]
    pub state: Vec<String>,
    #[oai(default)]
    pub agency_type: Vec<String>,
    #[oai(default)]
    pub jurisdiction_type: Vec<String>,
    /// Only agencies carrying at least one of these quality flags.
    #[oai(default)]
    pub quality_flag: Vec<String>,
    pub ori: Option<String>,
}
}

/// An agency with its partnerships and the citations that support it.
#[derive(Object, Clone, Debug)]
pub struct AgencyDetail {
    #[oai(flatten)]
    pub agency: dto::Agency,
    /// The agency's partnerships.
    pub partnerships: Vec<dto::Partnership>,
    /// Sources that support this record.
    pub citations: Vec<dto::Citation>,
}

#[derive(ApiResponse)]
pub enum AgencyResponse {
    /// The agency. `ETag` is its version, for `If-Match` on writes.
    #[oai(status = 200)]
    Ok(Json<AgencyDetail>, #[oai(header = "ETag")] String),
}

/// Turns the shared text filters into an agency filter.
pub fn agency_filter(
    state: &[String],
    agency_type: &[String],
    jurisdiction_type: &[String],
    quality_flag: &[String],
    ori: Option<String>,
    q: Option<String>,
) -> Result<AgencyFilter, ApiError> {
    Ok(AgencyFilter {
        states: parse_all::<StateCode>("state", state)?,
        agency_types: parse_all("agency_type", agency_type)?,
        jurisdiction_types: parse_all("jurisdiction_type", jurisdiction_type)?,
        quality_flags: parse_all("quality_flag", quality_flag)?,
        ori: ori.filter(|o| !o.is_empty()),
        q: q.map(|q| listing::fold(&q)).filter(|q| !q.is_empty()),
        geo: Default::default(),
        period: None,
    })
}

impl AgenciesApi {
    async fn search(
        &self,
        req: &Request,
        search: AgencySearch,
        link_base: Option<&Request>,
    ) -> Result<AgencyListResponse, ApiError> {
        let mut filter = agency_filter(
            &search.state,
            &search.agency_type,
            &search.jurisdiction_type,
            &search.quality_flag,
            search.ori.clone(),
            search.q.clone(),
        )?;
        filter.geo = geo_filter(
            search.near.as_deref(),
            search.radius.as_deref(),
            search.bbox.as_deref(),
            search.within.as_ref(),
            self.state.max_polygon_vertices,
        )?;
        let plan = search.plan::<AgencySortField>(req, filter.geo.near.is_some())?;
        if plan.format != Format::Json {
            return self.export(&search.as_of, &filter, plan, link_base).await;
        }
        let (sort, page_req) = (plan.sort, plan.page);
        let catalog = super::view(&self.state, search.as_of.as_deref()).await?;
        let page = self
            .state
            .lists
            .agencies(&catalog, &filter, sort, &page_req)
            .map_err(list_error)?;
        let link = link_base.and_then(|r| link_header(r, page.next.as_deref()));
        // Written straight from the catalog's records: see `fast`.
        let meta = ListMeta::of(&catalog).with_query(
            QueryEcho::agencies(&filter, sort, AGENCY_SORTS, &page_req),
            geo_warnings(&catalog, filter.geo.near.as_ref(), search.radius.as_deref()),
        );
        let hits: Vec<_> = page.items.iter().map(|h| (h.item, h.distance_m)).collect();
        let body = AgencyListBody::Json(fast::agency_page(
            &hits,
            page.next.as_deref(),
            page.total.map(|t| t as u64),
            &meta,
        ));
        Ok(AgencyListResponse::Ok(body, link))
    }

    /// CSV, NDJSON or GeoJSON: every matching row (or the page asked for), streamed from a
    /// shared copy of the catalog (see `exports`).
    async fn export(
        &self,
        as_of: &Option<String>,
        filter: &AgencyFilter,
        plan: super::SearchPlan<AgencySortField>,
        link_base: Option<&Request>,
    ) -> Result<AgencyListResponse, ApiError> {
        let super::SearchPlan { sort, format, page } = plan;
        let page_req = &page;
        let permit = self.state.admit_export(as_of.as_deref(), page_req)?;
        let echo = QueryEcho::agencies(filter, sort, AGENCY_SORTS, page_req);
        let rows = exports::fetch(
            &self.state,
            as_of.as_deref(),
            page_req,
            echo,
            |_| Ok(()),
            |catalog| export_rows::agency_batches(catalog, filter.clone(), sort),
            |catalog| export_rows::agencies(catalog, filter, sort, page_req),
        )
        .await?;
        let next_href = rows.next_href(link_base);
        let link = exports::link_header(next_href.as_ref().map(|h| format!("<{h}>; rel=\"next\"")));
        let body = match format {
            Format::Csv => AgencyListBody::Csv(exports::csv(rows.rows, permit)),
            Format::Ndjson => {
                AgencyListBody::Ndjson(exports::ndjson(rows.rows, permit, |r: &AgencyRow| {
                    dto::Agency {
                        distance_m: r.distance_m,
                        ..dto::Agency::from(&*r.agency)
                    }
                }))
            }
            Format::Geojson | Format::Json => AgencyListBody::GeoJson(GeoJson::Stream(
                exports::geojson(rows, permit, next_href, |r: &AgencyRow| {
                    let a = super::features::AgencyProperties::from_row(r);
                    (a.id.clone(), r.agency.latitude.zip(r.agency.longitude), a)
                }),
            )),
        };
        Ok(AgencyListResponse::Ok(body, link))
    }
}

/// An agency's fields. On create `name`, `agency_type`, `jurisdiction_type` and `state` are
/// required; `id` defaults to `us-<state>-<slug of name>` and `country` to `US`.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct AgencyFields {
    /// Create only: the slug id (never changes).
    pub id: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    /// police, sheriff, constable, district_attorney, fire or other.
    pub agency_type: MaybeUndefined<Given<crate::domain::AgencyType>>,
    /// municipal, county, parish, regional, state, tribal, university or other.
    pub jurisdiction_type: MaybeUndefined<Given<crate::domain::JurisdictionType>>,
    pub ori: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub county: MaybeUndefined<String>,
    /// USPS code.
    pub state: MaybeUndefined<Given<crate::domain::StateCode>>,
    pub country: MaybeUndefined<String>,
    pub latitude: MaybeUndefined<f64>,
    pub longitude: MaybeUndefined<f64>,
    /// address, place, county or state.
    pub location_precision: MaybeUndefined<Given<crate::domain::LocationPrecision>>,
    /// What the point is (a `LocationBasis` value).
    pub location_basis: MaybeUndefined<Given<crate::domain::LocationBasis>>,
    pub location_source: MaybeUndefined<String>,
    /// The agency's quality flags (`QualityFlag` values), replacing them all; `null` or
    /// `[]` clears them. Absent: kept.
    pub quality_flags: MaybeUndefined<Vec<Given<crate::domain::QualityFlag>>>,
    pub external_ids: MaybeUndefined<BTreeMap<String, String>>,
    pub notes: MaybeUndefined<String>,
}

impl Example for AgencyFields {
    fn example() -> Self {
        Self {
            name: MaybeUndefined::Value("Greenfield Police Department".into()),
            agency_type: MaybeUndefined::Value(Given::Known(crate::domain::AgencyType::Police)),
            jurisdiction_type: MaybeUndefined::Value(Given::Known(
                crate::domain::JurisdictionType::Municipal,
            )),
            city: MaybeUndefined::Value("Greenfield".into()),
            state: MaybeUndefined::Value(Given::Known("WI".parse().expect("a state"))),
            latitude: MaybeUndefined::Value(42.9614),
            longitude: MaybeUndefined::Value(-88.01259),
            ..Default::default()
        }
    }
}

super::write::edit_body!(AgencyEdit, AgencyFields, "A new agency, or changes to one.");

super::resource::resource_api! {
#[OpenApi(tag = "ApiTags::Agencies")]
impl AgenciesApi {
    /// List agencies
    ///
    /// Agencies that partner (or partnered) with Ring, filtered, sorted and paged with a
    /// cursor. Multi-valued filters take repeated or comma-separated values
    /// (`state=WI,MN` or `state=WI&state=MN`). With `near`, each agency carries `distance_m`
    /// and the default order is nearest first; `near` with `limit=k` and no `radius` gives the
    /// k nearest. Answers GeoJSON with `Accept: application/geo+json`, `format=geojson` or
    /// `/agencies.geojson`.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/agencies", method = "get", operation_id = "list_agencies")]
    geo_list list_agencies(
        &self,
        req,
        /// Only agencies in these states (USPS codes, e.g. `WI`).
        #[oai(example = "super::example_states")]
        state: Query<Option<Values<crate::domain::StateCode>>>,
        /// Only these agency types: police, sheriff, constable, district_attorney, fire, other.
        agency_type: Query<Option<Values<crate::domain::AgencyType>>>,
        /// Only these jurisdiction types: municipal, county, parish, regional, state, tribal,
        /// university, other.
        jurisdiction_type: Query<Option<Values<crate::domain::JurisdictionType>>>,
        /// Only agencies carrying at least one of these quality flags (see `QualityFlag`):
        /// county_not_in_state, county_not_found, place_not_found_in_state,
        /// place_outside_listed_counties, location_county_fallback, location_state_fallback.
        quality_flag: Query<Option<Values<crate::domain::QualityFlag>>>,
        /// Only the agency with this FBI ORI code.
        ori: Query<Option<String>>,
    )
        q:
        #[oai(example = "super::example_q")]
        ;
        then {
            /// With `near`: only agencies within this great-circle distance, in metres or with a
            /// unit (`25km`, `10mi`, `500m`); at most 20,015 km.
            radius: Query<Option<String>>,
            /// Only agencies inside `minLon,minLat,maxLon,maxLat` (RFC 7946 order); a box whose
            /// minLon is greater than its maxLon crosses the antimeridian.
            bbox: Query<Option<String>>,
            /// Sort order: id, name, state, city, updated_at or distance (needs `near`); prefix
            /// `-` for descending. Default: distance with `near`, else id.
            sort: Query<Option<String>>,
        }
        as_of:
        /// `2020-10`, `2020`.
        ;
        after {}
        -> AgencyListResponse |paging| {
        let search = AgencySearch {
            within: None,
            state: texts(state.0),
            agency_type: texts(agency_type.0),
            jurisdiction_type: texts(jurisdiction_type.0),
            quality_flag: texts(quality_flag.0),
            ori: ori.0,
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
        };
        let link_base = Some(req);
        self.search(req, search, link_base).await
    }
    reads {

    /// Search agencies
    ///
    /// The same as `GET /agencies`, with the filters in a JSON body and one more: `within`,
    /// a GeoJSON Polygon or MultiPolygon that is too large for a URL. Page with the `next`
    /// cursor in the next request's body.
    #[oai(
        path = "/agencies/search",
        method = "post",
        operation_id = "search_agencies"
    )]
    async fn search_agencies(
        &self,
        req: &Request,
        body: Json<AgencySearch>,
    ) -> Result<AgencyListResponse, ApiError> {
        self.search(req, body.0, None).await
    }

    /// Get an agency
    ///
    /// One agency by its id, with its partnerships and the citations that support it.
    #[oai(path = "/agencies/:id", method = "get", operation_id = "get_agency")]
    async fn get_agency(
        &self,
        /// The agency's id, e.g. `us-wi-greenfield-police-department`.
        #[oai(example = "super::example_agency_id")]
        id: Path<String>,
        /// What the dataset said at this time (RFC 3339, transaction time), e.g.
        /// `2026-12-01T09:30:00Z`; or at the end of a day, month or year (UTC): `2020-10-07`,
        /// `2020-10`, `2020`.
        #[oai(example = "super::example_as_of")]
        as_of: Query<Option<String>>,
    ) -> Result<AgencyResponse, ApiError> {
        let catalog = super::view(&self.state, as_of.0.as_deref()).await?;
        let agency = catalog.agency(&id.0).map_err(super::read_error)?;
        let detail = AgencyDetail {
            agency: dto::Agency::from(&**agency),
            partnerships: catalog
                .partnerships_of(&agency.id)
                .into_iter()
                .map(|p| dto::Partnership::build(p, &catalog))
                .collect(),
            citations: dto::citations(&catalog, EntityKind::Agency, &agency.id),
        };
        let tag = super::etag::record(agency.meta.version);
        Ok(AgencyResponse::Ok(Json(detail), tag))
    }
    }
}
writes EntityKind::Agency, AgencyEdit {
    /// Create an agency
    ///
    /// Needs an `editor` or `admin` token. The id defaults to `us-<state>-<slug of name>`;
    /// a taken id is a 409.
    #[oai(path = "/agencies", method = "post", operation_id = "create_agency")]
    create create_agency;
    /// Update an agency
    ///
    /// A JSON merge patch of its fields (present replace, `null` clears, absent keep), with
    /// `If-Match` set to the `ETag` read. Needs an `editor` or `admin` token.
    #[oai(
        path = "/agencies/:id",
        method = "patch",
        operation_id = "update_agency"
    )]
    update update_agency(
        /// The agency's id.
        #[oai(example = "super::example_agency_id")]
        id,
        /// The `ETag` of the version read, e.g. `"v3"`. Required.
        if_match,
    );
    /// Delete an agency
    ///
    /// Needs an `admin` token and `If-Match`. An agency with partnerships cannot be deleted
    /// (409). The id answers 410 afterwards; its history remains.
    #[oai(
        path = "/agencies/:id",
        method = "delete",
        operation_id = "delete_agency"
    )]
    delete delete_agency(
        /// The agency's id.
        #[oai(example = "super::example_agency_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
}
}
