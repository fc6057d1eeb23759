//! `/agencies`: list with filters, sorting and paging; one agency with its partnerships and
//! citations.

use super::dto::{self, AgencyList, ListMeta};
use super::{ApiTags, AppState, link_header, list_error, page_request, parse_all, parse_sort};
use crate::domain::{EntityKind, StateCode};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::service::listing::{self, AGENCY_SORTS, AgencyFilter, AgencySortField};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

pub struct AgenciesApi {
    state: AppState,
}

impl AgenciesApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
pub enum AgencyListResponse {
    /// A page of agencies. `Link` has the next page, when there is one.
    #[oai(status = 200)]
    Ok(Json<AgencyList>, #[oai(header = "Link")] Option<String>),
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
    /// The agency.
    #[oai(status = 200)]
    Ok(Json<AgencyDetail>),
}

/// Turns the shared text filters into an agency filter.
pub fn agency_filter(
    state: &[String],
    agency_type: &[String],
    jurisdiction_type: &[String],
    ori: Option<String>,
    q: Option<String>,
) -> Result<AgencyFilter, ApiError> {
    Ok(AgencyFilter {
        states: parse_all::<StateCode>("state", state)?,
        agency_types: parse_all("agency_type", agency_type)?,
        jurisdiction_types: parse_all("jurisdiction_type", jurisdiction_type)?,
        ori: ori.filter(|o| !o.is_empty()),
        q: q.map(|q| listing::fold(&q)).filter(|q| !q.is_empty()),
    })
}

#[OpenApi(tag = "ApiTags::Agencies")]
impl AgenciesApi {
    /// List agencies
    ///
    /// Agencies that partner (or partnered) with Ring, filtered, sorted and paged with a
    /// cursor. Multi-valued filters take repeated or comma-separated values
    /// (`state=WI,MN` or `state=WI&state=MN`).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/agencies", method = "get", operation_id = "list_agencies")]
    async fn list_agencies(
        &self,
        req: &Request,
        /// Only agencies in these states (USPS codes, e.g. `WI`).
        #[oai(example = "super::example_states")]
        state: Query<Option<Vec<String>>>,
        /// Only these agency types: police, sheriff, constable, district_attorney, fire, other.
        agency_type: Query<Option<Vec<String>>>,
        /// Only these jurisdiction types: municipal, county, parish, regional, state, tribal,
        /// university, other.
        jurisdiction_type: Query<Option<Vec<String>>>,
        /// Only the agency with this FBI ORI code.
        ori: Query<Option<String>>,
        /// Text search in the agency's name and city (case and accents ignored).
        #[oai(example = "super::example_q")]
        q: Query<Option<String>>,
        /// Sort order: id, name, state, city or updated_at; prefix `-` for descending.
        sort: Query<Option<String>>,
        /// Page size, 1 to 1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        cursor: Query<Option<String>>,
        /// Include `total`, the number of matching records.
        count: Query<Option<bool>>,
    ) -> Result<AgencyListResponse, ApiError> {
        let filter = agency_filter(
            state.0.as_deref().unwrap_or_default(),
            agency_type.0.as_deref().unwrap_or_default(),
            jurisdiction_type.0.as_deref().unwrap_or_default(),
            ori.0,
            q.0,
        )?;
        let sort = parse_sort(sort.0.as_deref(), AGENCY_SORTS, AgencySortField::Id)?;
        let page_req = page_request(limit.0, cursor.0, count.0);
        let catalog = self.state.dataset.read();
        let page = listing::agencies(&catalog, &filter, sort, &page_req).map_err(list_error)?;
        let link = link_header(req, page.next.as_deref());
        let body = AgencyList {
            data: page.items.into_iter().map(dto::Agency::from).collect(),
            next: page.next,
            total: page.total.map(|t| t as u64),
            meta: ListMeta::of(&catalog),
        };
        Ok(AgencyListResponse::Ok(Json(body), link))
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
    ) -> Result<AgencyResponse, ApiError> {
        let catalog = self.state.dataset.read();
        let Some(agency) = catalog.agencies.get(&id.0) else {
            return Err(missing(&catalog, EntityKind::Agency, "agencies", &id.0));
        };
        let detail = AgencyDetail {
            agency: dto::Agency::from(agency),
            partnerships: catalog
                .partnerships_of(&agency.id)
                .into_iter()
                .map(|p| dto::Partnership::build(p, &catalog))
                .collect(),
            citations: dto::citations(&catalog, EntityKind::Agency, &agency.id),
        };
        Ok(AgencyResponse::Ok(Json(detail)))
    }
}

/// 410 for a deleted record (with a link to its history), 404 for an id never seen.
pub fn missing(
    catalog: &crate::service::catalog::Catalog,
    kind: EntityKind,
    collection: &str,
    id: &str,
) -> ApiError {
    match catalog.tombstone(kind, id) {
        Some(_) => {
            let mut p = Problem::new(ErrorCode::Gone, format!("{kind} `{id}` was deleted"))
                .with_parameter("id");
            p.history = Some(format!("/{collection}/{id}/history"));
            ApiError::from_problem(p)
        }
        None => ApiError::not_found(kind.as_str(), id),
    }
}
