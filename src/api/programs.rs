//! `/programs`: the vendor programs agencies enrol in, with their dated phases.

use super::dto::{self, ListMeta, ProgramList};
use super::exports;
use super::geojson::{TableFormat, negotiate_table};
use super::{ApiTags, link_header, list_error};
use crate::domain::EntityKind;
use crate::error::ApiError;
use crate::service::export_rows::{self, ProgramRow};
use crate::service::listing;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Object, OpenApi};

super::resource::api_struct!(ProgramsApi);

super::resource::list_response! {
/// A page of programs as JSON; or every program as CSV (without phases: they are a table of
/// their own in the bulk download) or NDJSON (with phases).
ProgramListBody(Json<ProgramList>);
/// A page of programs.
ProgramListResponse;
}

/// A program with its phases and the citations that support it.
#[derive(Object, Clone, Debug)]
pub struct ProgramDetail {
    #[oai(flatten)]
    pub program: dto::Program,
    /// How many partnerships the program has.
    pub partnership_count: u64,
    /// Sources that support this record.
    pub citations: Vec<dto::Citation>,
}

#[derive(ApiResponse)]
pub enum ProgramResponse {
    /// The program. `ETag` is its version, for `If-Match` on writes.
    #[oai(status = 200)]
    Ok(Json<ProgramDetail>, #[oai(header = "ETag")] String),
}

/// A program's fields. On create `id`, `vendor` and `name` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct ProgramFields {
    /// Create only: the slug id.
    pub id: MaybeUndefined<String>,
    pub vendor: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub start: MaybeUndefined<String>,
    /// Last day, at its known precision; ends every enrolment in the program.
    pub end: MaybeUndefined<String>,
}

impl Example for ProgramFields {
    fn example() -> Self {
        Self {
            end: MaybeUndefined::Value("2026-03".into()),
            ..Default::default()
        }
    }
}

super::write::edit_body!(
    ProgramEdit,
    ProgramFields,
    "A new program, or changes to one."
);

super::resource::resource_api! {
#[OpenApi(tag = "ApiTags::Programs")]
impl ProgramsApi {
    /// List programs
    ///
    /// Vendor programs agencies enrol in, each with its dated phases (what enrolled agencies
    /// could do when).
    #[oai(path = "/programs", method = "get", operation_id = "list_programs")]
    table_list list_programs(
        &self,
        req,
    )
        count:
        /// Include `total`, the number of records.
        ;
        format:
        /// `json` (a page; default), or an export of every program: `csv` or `ndjson` (a
        /// page only when `limit` or `cursor` is given). Overrides `Accept`; the suffixes
        /// `.csv` and `.ndjson` do the same.
        ;
        -> ProgramListResponse |paging| {
        let format = negotiate_table(req, paging.format);
        let page_req = paging.page(format != TableFormat::Json);
        if format != TableFormat::Json {
            let permit = self.state.admit_export(paging.as_of.as_deref(), &page_req)?;
            let row_page = {
                let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
                export_rows::programs(&catalog, &page_req).map_err(list_error)?
            };
            let link = exports::link_header(link_header(req, row_page.next.as_deref()));
            let body = exports::table(
                format,
                exports::Batches::once(row_page.rows),
                permit,
                |r: &ProgramRow| dto::Program::from_row(&r.program, &r.phases),
                ProgramListBody::Csv,
                ProgramListBody::Ndjson,
            );
            return Ok(ProgramListResponse::Ok(body, link));
        }
        let echo = super::query_echo::QueryEcho::page_only(&page_req);
        let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
        let page = listing::programs(&catalog, &page_req).map_err(list_error)?;
        let link = link_header(req, page.next.as_deref());
        let body = ProgramList {
            data: page
                .items
                .into_iter()
                .map(|p| dto::Program::build(p, &catalog))
                .collect(),
            next: page.next,
            total: page.total.map(|t| t as u64),
            meta: ListMeta::of(&catalog).with_query(echo, Vec::new()),
        };
        Ok(ProgramListResponse::Ok(
            ProgramListBody::Json(Json(body)),
            link,
        ))
    }
    reads {

    /// Get a program
    ///
    /// One program by its id, with its phases, its number of partnerships and its citations.
    #[oai(path = "/programs/:id", method = "get", operation_id = "get_program")]
    async fn get_program(
        &self,
        /// The program's id, e.g. `ring-neighbors-public-safety-service`.
        #[oai(example = "super::example_program_id")]
        id: Path<String>,
        /// What the dataset said at this time (RFC 3339, transaction time), e.g.
        /// `2026-12-01T09:30:00Z`; or at the end of a day, month or year (UTC): `2020-10-07`,
        /// `2020-10`, `2020`.
        #[oai(example = "super::example_as_of")]
        as_of: Query<Option<String>>,
    ) -> Result<ProgramResponse, ApiError> {
        let catalog = super::view(&self.state, as_of.0.as_deref()).await?;
        let p = catalog.program(&id.0).map_err(super::read_error)?;
        let partnership_count = catalog.partnership_count(&p.id);
        Ok(ProgramResponse::Ok(
            Json(ProgramDetail {
                program: dto::Program::build(p, &catalog),
                partnership_count,
                citations: dto::citations(&catalog, EntityKind::Program, &p.id),
            }),
            super::etag::record(p.meta.version),
        ))
    }
    }
}
writes EntityKind::Program, ProgramEdit {
    /// Create a program
    ///
    /// Needs an `editor` or `admin` token.
    #[oai(path = "/programs", method = "post", operation_id = "create_program")]
    create create_program;
    /// Update a program
    ///
    /// A JSON merge patch of its fields with `If-Match`. A program's `end` ends every
    /// enrolment in it. Needs an `editor` or `admin` token.
    #[oai(
        path = "/programs/:id",
        method = "patch",
        operation_id = "update_program"
    )]
    update update_program(
        /// The program's id.
        #[oai(example = "super::example_program_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
    /// Delete a program
    ///
    /// Needs an `admin` token and `If-Match`. A program with partnerships or phases cannot be
    /// deleted (409).
    #[oai(
        path = "/programs/:id",
        method = "delete",
        operation_id = "delete_program"
    )]
    delete delete_program(
        /// The program's id.
        #[oai(example = "super::example_program_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
}
}
