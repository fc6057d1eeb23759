//! `/sources`: the evidence records cite, and what each source supports.

use super::dto::{self, CitedRecord, ListMeta, SourceList};
use super::exports;
use super::geojson::{TableFormat, negotiate_table};
use super::vocab::{Given, Values};
use super::{ApiTags, link_header, list_error, parse_sort};
use crate::domain::EntityKind;
use crate::error::ApiError;
use crate::service::export_rows;
use crate::service::listing::{self, SOURCE_SORTS, SourceFilter, SourceSortField};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined};
use poem_openapi::{ApiResponse, Object, OpenApi};

super::resource::api_struct!(SourcesApi);

super::resource::list_response! {
/// A page of sources as JSON; or every matching source as CSV or NDJSON.
SourceListBody(Json<SourceList>);
/// A page of sources. `Link` has the next page, when there is one.
SourceListResponse;
}

/// A source with the records it supports.
#[derive(Object, Clone, Debug)]
pub struct SourceDetail {
    #[oai(flatten)]
    pub source: dto::Source,
    /// How many records cite this source.
    pub cited_by_count: u64,
    /// The records that cite this source (at most the first 1000).
    pub cited_by: Vec<CitedRecord>,
}

#[derive(ApiResponse)]
pub enum SourceResponse {
    /// The source. `ETag` is its version, for `If-Match` on writes.
    #[oai(status = 200)]
    Ok(Json<SourceDetail>, #[oai(header = "ETag")] String),
}

/// A source's fields. On create `url`, `title` and `kind` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct SourceFields {
    /// http(s) URL; one source per URL.
    pub url: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub publisher: MaybeUndefined<String>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub published: MaybeUndefined<String>,
    /// YYYY-MM-DD.
    pub accessed: MaybeUndefined<String>,
    pub archived_url: MaybeUndefined<String>,
    /// official_map, news, press_release, public_records, agency_post, dataset or other.
    pub kind: MaybeUndefined<Given<crate::domain::SourceKind>>,
}

impl Example for SourceFields {
    fn example() -> Self {
        Self {
            url: MaybeUndefined::Value("https://news.example/greenfield-leaves-ring".into()),
            title: MaybeUndefined::Value("Greenfield police leave Ring's Neighbors app".into()),
            publisher: MaybeUndefined::Value("Example News".into()),
            published: MaybeUndefined::Value("2024-02-01".into()),
            kind: MaybeUndefined::Value(Given::Known(crate::domain::SourceKind::News)),
            ..Default::default()
        }
    }
}

super::write::edit_body!(SourceEdit, SourceFields, "A new source, or changes to one.");

super::resource::resource_api! {
#[OpenApi(tag = "ApiTags::Sources")]
impl SourcesApi {
    /// List sources
    ///
    /// The public evidence that records cite: official maps, news, press releases, public
    /// records, agency posts and datasets.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/sources", method = "get", operation_id = "list_sources")]
    table_list list_sources(
        &self,
        req,
        /// Only these kinds: official_map, news, press_release, public_records, agency_post,
        /// dataset, other.
        kind: Query<Option<Values<crate::domain::SourceKind>>>,
        /// Text search in the title, publisher and URL.
        q: Query<Option<String>>,
        /// Sort order: id, published or title; prefix `-` for descending.
        sort: Query<Option<String>>,
    )
        count:
        /// Include `total`, the number of matching records.
        ;
        format:
        /// `json` (a page; default), or an export of every matching source: `csv` or
        /// `ndjson` (a page only when `limit` or `cursor` is given). Overrides `Accept`; the
        /// suffixes `.csv` and `.ndjson` do the same.
        ;
        -> SourceListResponse |paging| {
        let filter = SourceFilter {
            kinds: Values::of(kind.0),
            q: q.0.map(|q| listing::fold(&q)).filter(|q| !q.is_empty()),
        };
        let sort = parse_sort(sort.0.as_deref(), SOURCE_SORTS, SourceSortField::Id)?;
        let format = negotiate_table(req, paging.format);
        let page_req = paging.page(format != TableFormat::Json);
        if format != TableFormat::Json {
            let permit = self.state.admit_export(paging.as_of.as_deref(), &page_req)?;
            let row_page = {
                let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
                export_rows::sources(&catalog, &filter, sort, &page_req).map_err(list_error)?
            };
            let link = exports::link_header(link_header(req, row_page.next.as_deref()));
            let body = exports::table(
                format,
                exports::Batches::once(row_page.rows),
                permit,
                |s: &crate::domain::Source| dto::Source::from(s),
                SourceListBody::Csv,
                SourceListBody::Ndjson,
            );
            return Ok(SourceListResponse::Ok(body, link));
        }
        let echo = super::query_echo::QueryEcho::sources(
            &filter.kinds,
            filter.q.as_deref(),
            sort,
            SOURCE_SORTS,
            &page_req,
        );
        let catalog = super::view(&self.state, paging.as_of.as_deref()).await?;
        let page = listing::sources(&catalog, &filter, sort, &page_req).map_err(list_error)?;
        let link = link_header(req, page.next.as_deref());
        let body = SourceList {
            data: page.items.into_iter().map(dto::Source::from).collect(),
            next: page.next,
            total: page.total.map(|t| t as u64),
            meta: ListMeta::of(&catalog).with_query(echo, Vec::new()),
        };
        Ok(SourceListResponse::Ok(
            SourceListBody::Json(Json(body)),
            link,
        ))
    }
    reads {

    /// Get a source
    ///
    /// One source by its id, with the records that cite it.
    #[oai(path = "/sources/:id", method = "get", operation_id = "get_source")]
    async fn get_source(
        &self,
        /// The source's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// What the dataset said at this time (RFC 3339, transaction time), e.g.
        /// `2026-12-01T09:30:00Z`; or at the end of a day, month or year (UTC): `2020-10-07`,
        /// `2020-10`, `2020`.
        #[oai(example = "super::example_as_of")]
        as_of: Query<Option<String>>,
    ) -> Result<SourceResponse, ApiError> {
        let catalog = super::view(&self.state, as_of.0.as_deref()).await?;
        let s = catalog.source(&id.0).map_err(super::read_error)?;
        let (cited_by_count, citing) = catalog.cited_by(s.id, 1000);
        let tag = super::etag::record(s.meta.version);
        Ok(SourceResponse::Ok(
            Json(SourceDetail {
                source: dto::Source::from(s),
                cited_by_count,
                cited_by: citing
                    .into_iter()
                    .map(|c| CitedRecord {
                        kind: c.entity_kind,
                        id: c.entity_id.clone(),
                        field: c.field.clone(),
                    })
                    .collect(),
            }),
            tag,
        ))
    }
    }
}
writes EntityKind::Source, SourceEdit {
    /// Create a source
    ///
    /// Needs an `editor` or `admin` token. One source per URL (409 for a known URL).
    #[oai(path = "/sources", method = "post", operation_id = "create_source")]
    create create_source;
    /// Update a source
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(
        path = "/sources/:id",
        method = "patch",
        operation_id = "update_source"
    )]
    update update_source(
        /// The source's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
    /// Delete a source
    ///
    /// Needs an `admin` token and `If-Match`. A source that citations cite cannot be deleted
    /// (409).
    #[oai(
        path = "/sources/:id",
        method = "delete",
        operation_id = "delete_source"
    )]
    delete delete_source(
        /// The source's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id,
        /// The `ETag` of the version read. Required.
        if_match,
    );
}
}
