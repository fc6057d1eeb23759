//! `/citations`: every "source S supports record R" statement, as records of their own, so
//! a client can ask which records a source supports or page through all the evidence.

use super::dto::{self, CitationList, CitationRecord, ListMeta};
use super::exports;
use super::geojson::{TableFormat, negotiate_table};
use super::vocab::{Given, Values};
use super::{ApiTags, link_header, list_error, parse_sort};
use crate::domain::EntityKind;
use crate::error::ApiError;
use crate::service::catalog::Catalog;
use crate::service::export_rows;
use crate::service::listing::{self, CitationFilter};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Object, OpenApi};

super::resource::api_struct!(CitationsApi);

super::resource::list_response! {
/// A page of citations as JSON; or every matching citation as CSV or NDJSON.
CitationListBody(Json<CitationList>);
/// A page of citations. `Link` has the next page, when there is one.
CitationListResponse;
}

#[derive(ApiResponse)]
pub enum CitationResponse {
    /// The citation. `ETag` is its version, for `If-Match` on writes; `Link` has its
    /// history (`rel="version-history"`), its source and the record that cites it.
    #[oai(status = 200)]
    Ok(
        Json<CitationRecord>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Link")] String,
    ),
}

/// The only order: by id (`id`, or `-id` for descending).
pub const CITATION_SORTS: &[(&str, ())] = &[("id", ())];

/// The filter, once every source named is known to exist (an unknown one is a 400).
fn filter(
    catalog: &Catalog,
    sources: Vec<i64>,
    record_kinds: Vec<EntityKind>,
    record_id: Option<String>,
) -> Result<CitationFilter, ApiError> {
    if let Some(unknown) = sources.iter().find(|id| !catalog.sources.contains_key(*id)) {
        return Err(ApiError::invalid(
            "source",
            format!("no source has the id {unknown} (see /sources)"),
        ));
    }
    Ok(CitationFilter {
        sources,
        record_kinds,
        record_id: record_id.filter(|id| !id.is_empty()),
    })
}

/// A citation's fields. On create `source_id`, `entity_kind` and `entity_id` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct CitationFields {
    pub source_id: MaybeUndefined<i64>,
    /// agency, program, phase, partnership or source.
    pub entity_kind: MaybeUndefined<Given<EntityKind>>,
    pub entity_id: MaybeUndefined<String>,
    /// The field the source supports; absent when it supports the whole record.
    pub field: MaybeUndefined<String>,
    pub quote: MaybeUndefined<String>,
}

impl Example for CitationFields {
    fn example() -> Self {
        Self {
            source_id: MaybeUndefined::Value(3),
            entity_kind: MaybeUndefined::Value(Given::Known(EntityKind::Partnership)),
            entity_id: MaybeUndefined::Value("1".into()),
            field: MaybeUndefined::Value("end".into()),
            quote: MaybeUndefined::Value("The department left the app on January 31.".into()),
        }
    }
}

super::write::edit_body!(
    CitationEdit,
    CitationFields,
    "A new citation, or changes to one."
);

super::resource::resource_api! {
#[OpenApi(tag = "ApiTags::Sources")]
impl CitationsApi {
    /// List citations
    ///
    /// Every citation: which source supports which record (or one field of it), with the
    /// supporting quote. Filter by source, by the kind of the citing record, and by its id.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/citations", method = "get", operation_id = "list_citations")]
    table_list list_citations(
        &self,
        req,
        /// Only citations of these sources (ids; repeat or separate with commas).
        source: Query<Option<Values<i64>>>,
        /// Only citations by records of these kinds (repeat or separate with commas).
        record_kind: Query<Option<Values<EntityKind>>>,
        /// Only citations by the record with this id (with `record_kind`, of those kinds).
        #[oai(example = "example_record_id")]
        record_id: Query<Option<String>>,
        /// Sort order: `id`, or `-id` for descending.
        sort: Query<Option<String>>,
    )
        count:
        /// Include `total`, the number of matching records.
        ;
        format:
        /// `json` (a page; default), or an export of every matching citation: `csv` or
        /// `ndjson` (a page only when `limit` or `cursor` is given). Overrides `Accept`; the
        /// suffixes `.csv` and `.ndjson` do the same.
        ;
        -> CitationListResponse |paging| {
        let descending = parse_sort(sort.0.as_deref(), CITATION_SORTS, ())?.descending;
        let format = negotiate_table(req, paging.format);
        let page_req = paging.page(format != TableFormat::Json);
        let (sources, kinds) = (Values::of(source.0), Values::of(record_kind.0));
        if format != TableFormat::Json {
            let permit = self.state.admit_export(paging.as_of.as_deref(), &page_req)?;
            // Every row: batches from a shared copy. A page: taken at once.
            let (rows, next) = if page_req.unbounded {
                let catalog = super::shared_copy(&self.state, paging.as_of.as_deref()).await?;
                let filter = filter(&catalog, sources, kinds, record_id.0)?;
                (
                    export_rows::citation_batches(catalog, filter, descending),
                    None,
                )
            } else {
                let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
                let filter = filter(&catalog, sources, kinds, record_id.0)?;
                let row_page = export_rows::citations(&catalog, &filter, descending, &page_req)
                    .map_err(list_error)?;
                (exports::Batches::once(row_page.rows), row_page.next)
            };
            let link = exports::link_header(link_header(req, next.as_deref()));
            let body = exports::table(
                format,
                rows,
                permit,
                |c: &crate::domain::Citation| CitationRecord::from(c),
                CitationListBody::Csv,
                CitationListBody::Ndjson,
            );
            return Ok(CitationListResponse::Ok(body, link));
        }
        let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
        let filter = filter(&catalog, sources, kinds, record_id.0)?;
        let page =
            listing::citations(&catalog, &filter, descending, &page_req).map_err(list_error)?;
        let link = link_header(req, page.next.as_deref());
        let body = CitationList {
            data: page.items.into_iter().map(CitationRecord::from).collect(),
            next: page.next,
            total: page.total.map(|t| t as u64),
            meta: ListMeta::of(&catalog),
        };
        Ok(CitationListResponse::Ok(
            CitationListBody::Json(Json(body)),
            link,
        ))
    }
    reads {

    /// Get a citation
    ///
    /// One citation by its id. `Link` has its history, its source and the citing record.
    #[oai(path = "/citations/:id", method = "get", operation_id = "get_citation")]
    async fn get_citation(
        &self,
        /// The citation's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// What the dataset said at this time (RFC 3339, transaction time), e.g.
        /// `2026-12-01T09:30:00Z`; or at the end of a day, month or year (UTC): `2020-10-07`,
        /// `2020-10`, `2020`.
        #[oai(example = "super::example_as_of")]
        as_of: Query<Option<String>>,
    ) -> Result<CitationResponse, ApiError> {
        let catalog = super::view(&self.state, as_of.0.as_deref()).await?;
        let c = catalog.citation(&id.0).map_err(super::read_error)?;
        let link = format!(
            "</citations/{}/history>; rel=\"version-history\", </sources/{}>; rel=\"related\", </{}/{}>; rel=\"about\"",
            c.id,
            c.source_id,
            c.entity_kind.collection(),
            super::path_segment(&c.entity_id)
        );
        Ok(CitationResponse::Ok(
            Json(dto::CitationRecord::from(&**c)),
            super::etag::record(c.meta.version),
            link,
        ))
    }
    }
}
writes EntityKind::Citation, CitationEdit {
    /// Create a citation
    ///
    /// "This source supports this record (or its field)". Needs an `editor` or `admin` token;
    /// the source and the record must exist.
    #[oai(path = "/citations", method = "post", operation_id = "create_citation")]
    create create_citation;
    /// Update a citation
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(
        path = "/citations/:id",
        method = "patch",
        operation_id = "update_citation"
    )]
    update update_citation(
        /// The citation's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
    /// Delete a citation
    ///
    /// Needs an `admin` token and `If-Match`.
    #[oai(
        path = "/citations/:id",
        method = "delete",
        operation_id = "delete_citation"
    )]
    delete delete_citation(
        /// The citation's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
}
}

fn example_record_id() -> Option<String> {
    Some("1".into())
}
