//! OGC API - Features, Part 1 (Core, GeoJSON) over the same data, so GIS clients (QGIS,
//! ArcGIS, GDAL's OAPIF driver) can add agencies and partnerships as layers. The landing page
//! is the API's own (`/`); this module serves `/conformance` and `/collections/...`.

//!
//! The handlers are here; the documents they answer with in `documents`, a collection's
//! description and schemas in `collections`, a page of features in `items`, and the
//! `datetime` parameter in `datetime`.

mod collections;
mod datetime;
mod documents;
mod items;

use collections::{collection, json_link, schema_document};

pub use collections::SCHEMA_JSON;
pub use datetime::parse_datetime;
pub use documents::{
    AnyFeature, AnyFeatureCollection, Collection, CollectionResponse, Collections,
    CollectionsResponse, Conformance, ConformanceResponse, Extent, ItemBody, ItemResponse,
    ItemsBody, ItemsResponse, SchemaBody, SchemaResponse, SpatialExtent, TemporalExtent,
};

use super::ApiTags;
use super::features::{AgencyProperties, PartnershipProperties};
use super::geojson::{AgencyFeature, Link, PartnershipFeature};
use crate::domain::{AgencyType, JurisdictionType, StateCode, Status};
use crate::error::ApiError;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
];

/// OGC clients ask for pages of up to 10,000; larger asks are clamped, as the standard says.
const OGC_MAX_LIMIT: u32 = 10_000;

const OGC_DEFAULT_LIMIT: u32 = 10;

crate::api::resource::api_struct!(OgcApi);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Agencies,
    Partnerships,
}

pub(super) fn kind(collection_id: &str) -> Result<Kind, ApiError> {
    match collection_id {
        "agencies" => Ok(Kind::Agencies),
        "partnerships" => Ok(Kind::Partnerships),
        other => Err(ApiError::not_found("collection", other)),
    }
}

#[OpenApi(tag = "ApiTags::Features")]
impl OgcApi {
    /// OGC conformance classes
    ///
    /// The OGC API - Features conformance classes this API implements: Core, GeoJSON and
    /// OpenAPI 3.0.
    #[oai(
        path = "/conformance",
        method = "get",
        operation_id = "get_conformance"
    )]
    async fn conformance(
        &self,
        /// Output format: only `json` is offered.
        #[oai(name = "f")]
        _f: Query<Option<OgcFormat>>,
    ) -> Result<ConformanceResponse, ApiError> {
        Ok(ConformanceResponse::Ok(Json(Conformance {
            conforms_to: CONFORMANCE.iter().map(|c| c.to_string()).collect(),
        })))
    }

    /// List feature collections
    ///
    /// The collections GIS clients can add as layers: `agencies` and `partnerships`.
    #[oai(
        path = "/collections",
        method = "get",
        operation_id = "list_collections"
    )]
    async fn collections(
        &self,
        req: &Request,
        /// Output format: only `json` is offered.
        #[oai(name = "f")]
        _f: Query<Option<OgcFormat>>,
    ) -> Result<CollectionsResponse, ApiError> {
        let base = self.state.public_url.base_url(req);
        let catalog = self.state.dataset.read();
        let mut body = Collections {
            links: vec![json_link("/collections".into(), "self", "Collections")],
            collections: vec![
                collection(Kind::Agencies, &catalog, &self.state.extents),
                collection(Kind::Partnerships, &catalog, &self.state.extents),
            ],
        };
        Link::absolute_all(&mut body.links, &base);
        for c in &mut body.collections {
            Link::absolute_all(&mut c.links, &base);
        }
        Ok(CollectionsResponse::Ok(Json(body)))
    }

    /// Get a feature collection
    ///
    /// One collection's description, extent and links.
    #[oai(
        path = "/collections/:collection_id",
        method = "get",
        operation_id = "get_collection"
    )]
    async fn collection(
        &self,
        req: &Request,
        /// `agencies` or `partnerships`.
        #[oai(example = "example_collection")]
        collection_id: Path<String>,
        /// Output format: only `json` is offered.
        #[oai(name = "f")]
        _f: Query<Option<OgcFormat>>,
    ) -> Result<CollectionResponse, ApiError> {
        let kind = kind(&collection_id.0)?;
        let base = self.state.public_url.base_url(req);
        let catalog = self.state.dataset.read();
        let mut body = collection(kind, &catalog, &self.state.extents);
        Link::absolute_all(&mut body.links, &base);
        Ok(CollectionResponse::Ok(Json(body)))
    }

    /// Get the schema of a collection's features
    ///
    /// A JSON Schema of one feature: its `properties` are flat and typed (days have `format:
    /// date`), the columns of the collection's CSV table. GIS clients (GDAL's OAPIF driver,
    /// QGIS) type their fields from it. A property whose value is unknown is left out.
    #[oai(
        path = "/collections/:collection_id/schema",
        method = "get",
        operation_id = "get_collection_schema"
    )]
    async fn schema(
        &self,
        req: &Request,
        /// `agencies` or `partnerships`.
        #[oai(example = "example_collection")]
        collection_id: Path<String>,
        /// Output format: only `json` is offered.
        #[oai(name = "f")]
        _f: Query<Option<OgcFormat>>,
    ) -> Result<SchemaResponse, ApiError> {
        let kind = kind(&collection_id.0)?;
        let base = self.state.public_url.base_url(req);
        Ok(SchemaResponse::Ok(SchemaBody::Schema(Json(
            schema_document(kind, &base, false),
        ))))
    }

    /// Get the queryables of a collection
    ///
    /// The properties its items can be filtered by, each as a `property=value` parameter of
    /// `/collections/{collection_id}/items` (OGC API - Features, Part 3).
    #[oai(
        path = "/collections/:collection_id/queryables",
        method = "get",
        operation_id = "get_queryables"
    )]
    async fn queryables(
        &self,
        req: &Request,
        /// `agencies` or `partnerships`.
        #[oai(example = "example_collection")]
        collection_id: Path<String>,
        /// Output format: only `json` is offered.
        #[oai(name = "f")]
        _f: Query<Option<OgcFormat>>,
    ) -> Result<SchemaResponse, ApiError> {
        let kind = kind(&collection_id.0)?;
        let base = self.state.public_url.base_url(req);
        Ok(SchemaResponse::Ok(SchemaBody::Schema(Json(
            schema_document(kind, &base, true),
        ))))
    }

    /// Get features
    ///
    /// A page of a collection's features as GeoJSON, with `numberMatched`,
    /// `numberReturned` and a `next` link. `limit` above 10,000 is refused; above 1,000 it is
    /// served as 1,000.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/collections/:collection_id/items",
        method = "get",
        operation_id = "get_features"
    )]
    async fn items(
        &self,
        req: &Request,
        /// `agencies` or `partnerships`.
        #[oai(example = "example_collection")]
        collection_id: Path<String>,
        /// `minLon,minLat,maxLon,maxLat` in CRS84; minLon > maxLon crosses the antimeridian.
        bbox: Query<Option<String>>,
        /// An instant (`2019-06-01`, `2019-06-01T12:00:00Z`) or an interval
        /// (`2019-01-01/2019-12-31`, `../2019-01-01`, `2020-01-01/..`): partnerships whose
        /// period meets it (for `agencies`: agencies with such a partnership).
        datetime: Query<Option<String>>,
        /// Page size, 1 to 10,000 (default 10; served pages hold at most 1,000).
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
        limit: Query<Option<u32>>,
        /// The cursor from the previous page's `next` link.
        cursor: Query<Option<String>>,
        /// A queryable: only features whose agency is in this state (USPS code).
        state: Query<Option<StateCode>>,
        /// A queryable: only features whose agency is of this type.
        agency_type: Query<Option<AgencyType>>,
        /// A queryable of `agencies`: only agencies of this jurisdiction type.
        jurisdiction_type: Query<Option<JurisdictionType>>,
        /// A queryable of `partnerships`: only partnerships in this program (its id).
        program_id: Query<Option<String>>,
        /// A queryable of `partnerships`: only partnerships of this status.
        status: Query<Option<Status>>,
        /// Output format: only `json` (GeoJSON) is offered.
        #[oai(name = "f")]
        _f: Query<Option<OgcFormat>>,
    ) -> Result<ItemsResponse, ApiError> {
        let kind = kind(&collection_id.0)?;
        let query = items::ItemsQuery {
            bbox: bbox.0,
            datetime: datetime.0,
            limit: limit.0,
            cursor: cursor.0,
            state: state.0,
            agency_type: agency_type.0,
            jurisdiction_type: jurisdiction_type.0,
            program_id: program_id.0,
            status: status.0,
        };
        let body = items::page(&self.state, req, kind, collection_id.0, query)?;
        Ok(ItemsResponse::Ok(ItemsBody::GeoJson(
            crate::api::fast::Fast::of(body),
        )))
    }

    /// Get a feature
    ///
    /// One feature of a collection by its id.
    #[oai(
        path = "/collections/:collection_id/items/:feature_id",
        method = "get",
        operation_id = "get_feature"
    )]
    async fn item(
        &self,
        /// `agencies` or `partnerships`.
        #[oai(example = "example_collection")]
        collection_id: Path<String>,
        /// The record's id.
        feature_id: Path<String>,
        /// Output format: only `json` (GeoJSON) is offered.
        #[oai(name = "f")]
        _f: Query<Option<OgcFormat>>,
    ) -> Result<ItemResponse, ApiError> {
        let kind = kind(&collection_id.0)?;
        let catalog = self.state.dataset.read();
        let id = feature_id.0;
        let feature = match kind {
            Kind::Agencies => catalog
                .agencies
                .get(&id)
                .map(|a| AnyFeature::Agency(AgencyFeature::from(AgencyProperties::of(a, None)))),
            Kind::Partnerships => id
                .parse::<i64>()
                .ok()
                .and_then(|n| catalog.partnerships.get(&n))
                .map(|p| {
                    AnyFeature::Partnership(PartnershipFeature::from(PartnershipProperties::build(
                        p, &catalog,
                    )))
                }),
        };
        feature
            .map(|f| ItemResponse::Ok(ItemBody::GeoJson(Json(f))))
            .ok_or_else(|| ApiError::not_found("feature", &id))
    }
}

/// The formats OGC clients may ask for with `f`: JSON (GeoJSON for features) is the only
/// one, under either name. Anything else is a 400 naming `f`.
#[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum OgcFormat {
    Json,
    Geojson,
}

fn example_collection() -> String {
    "partnerships".into()
}
