//! `/partnerships`: list with filters, sorting and paging; one partnership with its citations.

use super::agencies::missing;
use super::dto::{self, ListMeta, PartnershipList};
use super::{ApiTags, AppState, link_header, list_error, page_request, parse_all, parse_sort};
use crate::domain::{EntityKind, StateCode, dates::parse_day};
use crate::error::ApiError;
use crate::service::listing::{self, PARTNERSHIP_SORTS, PartnershipFilter, PartnershipSortField};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

pub struct PartnershipsApi {
    state: AppState,
}

impl PartnershipsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
pub enum PartnershipListResponse {
    /// A page of partnerships. `Link` has the next page, when there is one.
    #[oai(status = 200)]
    Ok(
        Json<PartnershipList>,
        #[oai(header = "Link")] Option<String>,
    ),
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
    /// The partnership.
    #[oai(status = 200)]
    Ok(Json<PartnershipDetail>),
}

fn day(name: &str, value: Option<String>) -> Result<Option<time::Date>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| parse_day(&v).map_err(|e| ApiError::invalid(name, e.to_string())))
        .transpose()
}

#[OpenApi(tag = "ApiTags::Partnerships")]
impl PartnershipsApi {
    /// List partnerships
    ///
    /// Agencies' enrolments in Ring's programs, filtered, sorted and paged with a cursor.
    /// Dates keep their known precision; `started_after` and `started_before` compare the
    /// first day a start date can mean (a start known as `2019-03` counts as 2019-03-01).
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/partnerships",
        method = "get",
        operation_id = "list_partnerships"
    )]
    async fn list_partnerships(
        &self,
        req: &Request,
        /// Only partnerships of this agency (its id).
        agency: Query<Option<String>>,
        /// Only agencies in these states (USPS codes, e.g. `WI`).
        #[oai(example = "super::example_states")]
        state: Query<Option<Vec<String>>>,
        /// Only these agency types: police, sheriff, constable, district_attorney, fire, other.
        agency_type: Query<Option<Vec<String>>>,
        /// Only these programs (program ids).
        program: Query<Option<Vec<String>>>,
        /// Only these statuses: active, ended, announced, cancelled.
        status: Query<Option<Vec<String>>>,
        /// Only partnerships that started on or after this day (YYYY-MM-DD).
        started_after: Query<Option<String>>,
        /// Only partnerships that started before this day (YYYY-MM-DD).
        started_before: Query<Option<String>>,
        /// Text search in the agency's name and city (case and accents ignored).
        q: Query<Option<String>>,
        /// Sort order: id, start, agency_name, state or updated_at; prefix `-` for descending.
        sort: Query<Option<String>>,
        /// Page size, 1 to 1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        cursor: Query<Option<String>>,
        /// Include `total`, the number of matching records.
        count: Query<Option<bool>>,
    ) -> Result<PartnershipListResponse, ApiError> {
        let filter = PartnershipFilter {
            agency: agency.0.filter(|a| !a.is_empty()),
            states: parse_all::<StateCode>("state", state.0.as_deref().unwrap_or_default())?,
            agency_types: parse_all("agency_type", agency_type.0.as_deref().unwrap_or_default())?,
            programs: super::split_values(program.0.as_deref().unwrap_or_default())
                .map(str::to_string)
                .collect(),
            statuses: parse_all("status", status.0.as_deref().unwrap_or_default())?,
            started_after: day("started_after", started_after.0)?,
            started_before: day("started_before", started_before.0)?,
            q: q.0.map(|q| listing::fold(&q)).filter(|q| !q.is_empty()),
        };
        let sort = parse_sort(
            sort.0.as_deref(),
            PARTNERSHIP_SORTS,
            PartnershipSortField::Id,
        )?;
        let page_req = page_request(limit.0, cursor.0, count.0);
        let catalog = self.state.dataset.read();
        let page = listing::partnerships(&catalog, &filter, sort, &page_req).map_err(list_error)?;
        let link = link_header(req, page.next.as_deref());
        let body = PartnershipList {
            data: page
                .items
                .into_iter()
                .map(|p| dto::Partnership::build(p, &catalog))
                .collect(),
            next: page.next,
            total: page.total.map(|t| t as u64),
            meta: ListMeta::of(&catalog),
        };
        Ok(PartnershipListResponse::Ok(Json(body), link))
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
    ) -> Result<PartnershipResponse, ApiError> {
        let catalog = self.state.dataset.read();
        let key = id.0;
        let found = key
            .parse::<i64>()
            .ok()
            .and_then(|n| catalog.partnerships.get(&n));
        let Some(p) = found else {
            return Err(missing(
                &catalog,
                EntityKind::Partnership,
                "partnerships",
                &key,
            ));
        };
        Ok(PartnershipResponse::Ok(Json(PartnershipDetail {
            partnership: dto::Partnership::build(p, &catalog),
            citations: dto::citations(&catalog, EntityKind::Partnership, &key),
        })))
    }
}
