//! `/phases`: the dated phases of vendor programs (what enrolled agencies could do when), as
//! a list of their own beside the programs that embed them.

use super::dto::{self, ListMeta, PhaseList};
use super::exports;
use super::geojson::{TableFormat, negotiate_table};
use super::vocab::{Given, Values};
use super::{ApiTags, link_header, list_error, parse_sort};
use crate::domain::{EntityKind, Status};
use crate::error::ApiError;
use crate::service::export_rows;
use crate::service::listing::{self, PHASE_SORTS, PhaseFilter, PhaseSortField};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Object, OpenApi};

super::resource::api_struct!(PhasesApi);

super::resource::list_response! {
/// A page of phases as JSON; or every matching phase as CSV or NDJSON.
PhaseListBody(Json<PhaseList>);
/// A page of phases. `Link` has the next page, when there is one.
PhaseListResponse;
}

/// A phase with the citations that support it.
#[derive(Object, Clone, Debug)]
pub struct PhaseDetail {
    #[oai(flatten)]
    pub phase: dto::Phase,
    /// Sources that support this record.
    pub citations: Vec<dto::Citation>,
}

#[derive(ApiResponse)]
pub enum PhaseResponse {
    /// The phase. `ETag` is its version, for `If-Match` on writes; `Link` has its history
    /// (`rel="version-history"`) and its program (`rel="up"`).
    #[oai(status = 200)]
    Ok(
        Json<PhaseDetail>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Link")] String,
    ),
}

/// Checks that every program named exists: an unknown one names nothing (a 400, never an
/// empty answer).
fn known_programs(
    catalog: &crate::service::catalog::Catalog,
    ids: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    if let Some(unknown) = ids.iter().find(|id| !catalog.programs.contains_key(*id)) {
        return Err(ApiError::invalid(
            "program",
            format!("no program has the id `{unknown}` (see /programs)"),
        ));
    }
    Ok(ids)
}

/// A phase's fields. On create `id`, `program_id`, `name`, `status` and
/// `footage_requests` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct PhaseFields {
    /// Create only: the slug id.
    pub id: MaybeUndefined<String>,
    pub program_id: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    /// active, ended, announced or cancelled.
    pub status: MaybeUndefined<Given<crate::domain::Status>>,
    pub start: MaybeUndefined<String>,
    pub end: MaybeUndefined<String>,
    pub footage_requests: MaybeUndefined<bool>,
    pub footage_condition: MaybeUndefined<String>,
}

impl Example for PhaseFields {
    fn example() -> Self {
        Self {
            status: MaybeUndefined::Value(Given::Known(crate::domain::Status::Ended)),
            end: MaybeUndefined::Value("2026-02-13".into()),
            ..Default::default()
        }
    }
}

super::write::edit_body!(
    PhaseEdit,
    PhaseFields,
    "A new program phase, or changes to one."
);

super::resource::resource_api! {
#[OpenApi(tag = "ApiTags::Programs")]
impl PhasesApi {
    /// List program phases
    ///
    /// The dated phases of every program: what enrolled agencies could do when (such as ask
    /// residents for footage through the vendor). Filter by program and status.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/phases", method = "get", operation_id = "list_phases")]
    table_list list_phases(
        &self,
        req,
        /// Only phases of these programs (ids; repeat or separate with commas).
        #[oai(example = "example_programs")]
        program: Query<Option<Values<String>>>,
        /// Only phases with these statuses (repeat or separate with commas).
        status: Query<Option<Values<Status>>>,
        /// Sort order: id, start or name; prefix `-` for descending.
        sort: Query<Option<String>>,
    )
        count:
        /// Include `total`, the number of matching records.
        ;
        format:
        /// `json` (a page; default), or an export of every matching phase: `csv` or
        /// `ndjson` (a page only when `limit` or `cursor` is given). Overrides `Accept`; the
        /// suffixes `.csv` and `.ndjson` do the same.
        ;
        -> PhaseListResponse |paging| {
        let sort = parse_sort(sort.0.as_deref(), PHASE_SORTS, PhaseSortField::Id)?;
        let format = negotiate_table(req, paging.format);
        let page_req = paging.page(format != TableFormat::Json);
        let programs = Values::of(program.0);
        let statuses = Values::of(status.0);
        if format != TableFormat::Json {
            let permit = self.state.admit_export(paging.as_of.as_deref(), &page_req)?;
            let row_page = {
                let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
                let filter = PhaseFilter {
                    programs: known_programs(&catalog, programs)?,
                    statuses,
                };
                export_rows::phases(&catalog, &filter, sort, &page_req).map_err(list_error)?
            };
            let link = exports::link_header(link_header(req, row_page.next.as_deref()));
            let body = exports::table(
                format,
                exports::Batches::once(row_page.rows),
                permit,
                |p: &crate::domain::Phase| dto::Phase::from(p),
                PhaseListBody::Csv,
                PhaseListBody::Ndjson,
            );
            return Ok(PhaseListResponse::Ok(body, link));
        }
        let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
        let filter = PhaseFilter {
            programs: known_programs(&catalog, programs)?,
            statuses,
        };
        let page = listing::phases(&catalog, &filter, sort, &page_req).map_err(list_error)?;
        let link = link_header(req, page.next.as_deref());
        let body = PhaseList {
            data: page.items.into_iter().map(dto::Phase::from).collect(),
            next: page.next,
            total: page.total.map(|t| t as u64),
            meta: ListMeta::of(&catalog),
        };
        Ok(PhaseListResponse::Ok(PhaseListBody::Json(Json(body)), link))
    }
    reads {

    /// Get a program phase
    ///
    /// One phase by its id, with its citations. `Link` has its history and its program.
    #[oai(path = "/phases/:id", method = "get", operation_id = "get_phase")]
    async fn get_phase(
        &self,
        /// The phase's id, e.g. `ring-nps-request-for-assistance`.
        #[oai(example = "example_phase_id")]
        id: Path<String>,
        /// What the dataset said at this time (RFC 3339, transaction time), e.g.
        /// `2026-12-01T09:30:00Z`; or at the end of a day, month or year (UTC): `2020-10-07`,
        /// `2020-10`, `2020`.
        #[oai(example = "super::example_as_of")]
        as_of: Query<Option<String>>,
    ) -> Result<PhaseResponse, ApiError> {
        let catalog = super::view(&self.state, as_of.0.as_deref()).await?;
        let p = catalog.phase(&id.0).map_err(super::read_error)?;
        let link = format!(
            "</phases/{}/history>; rel=\"version-history\", </programs/{}>; rel=\"up\"",
            super::path_segment(&p.id),
            super::path_segment(&p.program_id)
        );
        Ok(PhaseResponse::Ok(
            Json(PhaseDetail {
                phase: dto::Phase::from(p),
                citations: dto::citations(&catalog, EntityKind::Phase, &p.id),
            }),
            super::etag::record(p.meta.version),
            link,
        ))
    }
    }
}
writes EntityKind::Phase, PhaseEdit {
    /// Create a program phase
    ///
    /// Needs an `editor` or `admin` token. The program must exist.
    #[oai(path = "/phases", method = "post", operation_id = "create_phase")]
    create create_phase;
    /// Update a program phase
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(path = "/phases/:id", method = "patch", operation_id = "update_phase")]
    update update_phase(
        /// The phase's id, e.g. `ring-nps-posts-only`.
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
    /// Delete a program phase
    ///
    /// Needs an `admin` token and `If-Match`.
    #[oai(path = "/phases/:id", method = "delete", operation_id = "delete_phase")]
    delete delete_phase(
        /// The phase's id.
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
}
}

fn example_programs() -> Option<Values<String>> {
    Some(Values(vec![super::example_program_id()]))
}

fn example_phase_id() -> String {
    "ring-nps-request-for-assistance".into()
}
