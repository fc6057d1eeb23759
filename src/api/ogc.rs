//! OGC API - Features, Part 1 (Core, GeoJSON) over the same data, so GIS clients (QGIS,
//! ArcGIS, GDAL's OAPIF driver) can add agencies and partnerships as layers. The landing page
//! is the API's own (`/`); this module serves `/conformance` and `/collections/...`.

use super::dto::ListMeta;
use super::features::{AgencyProperties, PartnershipProperties};
use super::geojson::{
    AgencyFeature, AgencyFeatureCollection, FeatureCollectionType, GEOJSON, Link,
    PartnershipFeature, PartnershipFeatureCollection,
};
use super::query_echo::{EchoPeriod, QueryEcho};
use super::{ApiTags, AppState, list_error, next_link};
use crate::domain::dates::parse_day;
use crate::domain::{AgencyType, JurisdictionType, StateCode, Status};
use crate::error::ApiError;
use crate::service::catalog::{self, Catalog};
use crate::service::listing::{
    AgencyFilter, AgencySortField, PageRequest, PartnershipFilter, PartnershipSortField, Period,
    Sort,
};
use crate::service::per_version::PerVersion;
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, ResponseContent, Union};
use time::Date;

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
];

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const GREGORIAN: &str = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian";
/// OGC clients ask for pages of up to 10,000; larger asks are clamped, as the standard says.
const OGC_MAX_LIMIT: u32 = 10_000;
const OGC_DEFAULT_LIMIT: u32 = 10;

pub struct OgcApi {
    state: AppState,
}

impl OgcApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// The conformance classes this API implements.
#[derive(Object, Clone, Debug)]
pub struct Conformance {
    #[oai(rename = "conformsTo")]
    pub conforms_to: Vec<String>,
}

#[derive(Object, Clone, Debug)]
pub struct SpatialExtent {
    /// `[minLon, minLat, maxLon, maxLat]` boxes.
    pub bbox: Vec<Vec<f64>>,
    pub crs: String,
}

#[derive(Object, Clone, Debug)]
pub struct TemporalExtent {
    /// `[start, end]` intervals; null is open.
    pub interval: Vec<Vec<Option<String>>>,
    pub trs: String,
}

#[derive(Object, Clone, Debug)]
pub struct Extent {
    pub spatial: SpatialExtent,
    pub temporal: TemporalExtent,
}

/// A feature collection offered to OGC clients.
#[derive(Object, Clone, Debug)]
#[oai(rename = "OgcCollection")]
pub struct Collection {
    pub id: String,
    pub title: String,
    pub description: String,
    pub extent: Extent,
    #[oai(rename = "itemType")]
    pub item_type: String,
    pub crs: Vec<String>,
    pub links: Vec<Link>,
}

#[derive(Object, Clone, Debug)]
#[oai(rename = "OgcCollections")]
pub struct Collections {
    pub links: Vec<Link>,
    pub collections: Vec<Collection>,
}

#[derive(ApiResponse)]
pub enum ConformanceResponse {
    /// The conformance classes.
    #[oai(status = 200)]
    Ok(Json<Conformance>),
}

#[derive(ApiResponse)]
pub enum CollectionsResponse {
    /// The collections.
    #[oai(status = 200)]
    Ok(Json<Collections>),
}

#[derive(ApiResponse)]
pub enum CollectionResponse {
    /// The collection.
    #[oai(status = 200)]
    Ok(Json<Collection>),
}

/// A page of features of either collection.
#[derive(Union, Clone, Debug)]
pub enum AnyFeatureCollection {
    Agencies(AgencyFeatureCollection),
    Partnerships(PartnershipFeatureCollection),
}

/// One feature of either collection.
// One is built per request and moved straight into the response: boxing the larger variant
// would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Union, Clone, Debug)]
pub enum AnyFeature {
    Agency(AgencyFeature),
    Partnership(PartnershipFeature),
}

#[derive(ResponseContent)]
pub enum ItemsBody {
    #[oai(content_type = "application/geo+json")]
    GeoJson(Json<AnyFeatureCollection>),
}

#[derive(ApiResponse)]
pub enum ItemsResponse {
    /// A page of features; `links` has `next` when there are more.
    #[oai(status = 200)]
    Ok(ItemsBody),
}

#[derive(ResponseContent)]
pub enum ItemBody {
    #[oai(content_type = "application/geo+json")]
    GeoJson(Json<AnyFeature>),
}

#[derive(ApiResponse)]
pub enum ItemResponse {
    /// The feature.
    #[oai(status = 200)]
    Ok(ItemBody),
}

#[derive(ResponseContent)]
pub enum SchemaBody {
    #[oai(content_type = "application/schema+json")]
    Schema(Json<serde_json::Value>),
}

#[derive(ApiResponse)]
pub enum SchemaResponse {
    /// A JSON Schema (draft 2020-12).
    #[oai(status = 200)]
    Ok(SchemaBody),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Agencies,
    Partnerships,
}

fn kind(collection_id: &str) -> Result<Kind, ApiError> {
    match collection_id {
        "agencies" => Ok(Kind::Agencies),
        "partnerships" => Ok(Kind::Partnerships),
        other => Err(ApiError::not_found("collection", other)),
    }
}

fn json_link(href: String, rel: &str, title: &str) -> Link {
    Link::new(href, rel, Some("application/json"), Some(title))
}

/// `extents`: the catalog's extent, found once per dataset version.
fn collection(kind: Kind, catalog: &Catalog, extents: &PerVersion<catalog::Extent>) -> Collection {
    let (id, title, description) = match kind {
        Kind::Agencies => (
            "agencies",
            "Agencies",
            "Police, sheriff and other public safety agencies that partner or partnered with Ring, at their located position.",
        ),
        Kind::Partnerships => (
            "partnerships",
            "Partnerships",
            "Agencies' enrolments in Ring's programs, at their agency's position. `datetime` selects partnerships whose period (start to end, at their known precision) meets the given instant or interval.",
        ),
    };
    let extent = extents.get_or(catalog.seq(), String::new(), || catalog.extent());
    let bbox = extent.bbox.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    let first_start = extent.first_start.map(|d| format!("{d}T00:00:00Z"));
    Collection {
        id: id.into(),
        title: title.into(),
        description: description.into(),
        extent: Extent {
            spatial: SpatialExtent {
                bbox: vec![bbox.to_vec()],
                crs: CRS84.into(),
            },
            temporal: TemporalExtent {
                interval: vec![vec![first_start, None]],
                trs: GREGORIAN.into(),
            },
        },
        item_type: "feature".into(),
        crs: vec![CRS84.into()],
        links: vec![
            json_link(format!("/collections/{id}"), "self", title),
            Link::new(
                format!("/collections/{id}/items"),
                "items",
                Some(GEOJSON),
                Some(title),
            ),
            // `describedby` as RFC 8288 spells it; `describedBy` as GDAL's OAPIF driver looks
            // for it (relation types are case-insensitive, so both name the same relation).
            Link::new(
                format!("/collections/{id}/schema"),
                "describedby",
                Some(SCHEMA_JSON),
                Some("JSON Schema of the features"),
            ),
            Link::new(
                format!("/collections/{id}/schema"),
                "describedBy",
                Some(SCHEMA_JSON),
                Some("JSON Schema of the features"),
            ),
            Link::new(
                format!("/collections/{id}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                Some(SCHEMA_JSON),
                Some("The properties the items can be filtered by"),
            ),
        ],
    }
}

pub const SCHEMA_JSON: &str = "application/schema+json";

/// The properties of a collection's items can be filtered by (`property=value`).
const AGENCY_QUERYABLES: &[&str] = &["state", "agency_type", "jurisdiction_type"];
const PARTNERSHIP_QUERYABLES: &[&str] = &["state", "agency_type", "program_id", "status"];

/// The JSON Schema of a collection's features (`schema`) or of its queryables.
fn schema_document(kind: Kind, base: &str, queryables: bool) -> serde_json::Value {
    use crate::export::Table;
    use crate::export::schema;
    use crate::export::tables::{AgencyRow, PartnershipRow};
    let (id, title, columns, required, names, id_type) = match kind {
        Kind::Agencies => (
            "agencies",
            "Agencies",
            AgencyRow::COLUMNS,
            AgencyProperties::REQUIRED,
            AGENCY_QUERYABLES,
            "string",
        ),
        Kind::Partnerships => (
            "partnerships",
            "Partnerships",
            PartnershipRow::COLUMNS,
            PartnershipProperties::REQUIRED,
            PARTNERSHIP_QUERYABLES,
            "integer",
        ),
    };
    if queryables {
        schema::queryables(
            &format!("{base}/collections/{id}/queryables"),
            title,
            columns,
            names,
        )
    } else {
        schema::feature(
            &format!("{base}/collections/{id}/schema"),
            title,
            columns,
            required,
            id_type,
        )
    }
}

/// One end of an OGC `datetime`: a date or an RFC 3339 date-time (taken as its UTC day);
/// `..` or empty is open.
fn instant(text: &str) -> Result<Option<Date>, String> {
    let t = text.trim();
    if t.is_empty() || t == ".." {
        return Ok(None);
    }
    if let Ok(d) = parse_day(t) {
        return Ok(Some(d));
    }
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map(|dt| Some(dt.to_offset(time::UtcOffset::UTC).date()))
        .map_err(|_| format!("`{t}` is not a date (YYYY-MM-DD), an RFC 3339 date-time, or `..`"))
}

/// OGC `datetime`: an instant, or an interval `start/end` with `..` for an open end.
pub fn parse_datetime(text: &str) -> Result<Period, String> {
    match text.split_once('/') {
        None => {
            let day = instant(text)?.ok_or("an instant cannot be open (`..`)")?;
            Ok(Period {
                from: Some(day),
                to: Some(day),
            })
        }
        Some((a, b)) => {
            let period = Period {
                from: instant(a)?,
                to: instant(b)?,
            };
            if let (Some(from), Some(to)) = (period.from, period.to)
                && from > to
            {
                return Err("the interval ends before it starts".into());
            }
            Ok(period)
        }
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
        let queryables = match kind {
            Kind::Agencies => AGENCY_QUERYABLES,
            Kind::Partnerships => PARTNERSHIP_QUERYABLES,
        };
        let given = [
            ("state", state.0.is_some()),
            ("agency_type", agency_type.0.is_some()),
            ("jurisdiction_type", jurisdiction_type.0.is_some()),
            ("program_id", program_id.0.is_some()),
            ("status", status.0.is_some()),
        ];
        let foreign = given
            .iter()
            .find(|(name, given)| *given && !queryables.contains(name));
        if let Some((name, _)) = foreign {
            return Err(ApiError::invalid(
                name,
                format!(
                    "`{name}` is not a queryable of `{}` (see /collections/{}/queryables)",
                    collection_id.0, collection_id.0
                ),
            ));
        }
        let geo = super::geo_filter(
            None,
            None,
            bbox.0.as_deref(),
            None,
            self.state.max_polygon_vertices,
        )?;
        let period = datetime
            .0
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(parse_datetime)
            .transpose()
            .map_err(|e| ApiError::invalid("datetime", e))?;
        let page_req = PageRequest {
            // Up to 10,000 may be asked; a page holds at most `paging::MAX_LIMIT`.
            limit: (limit.0.unwrap_or(OGC_DEFAULT_LIMIT).min(OGC_MAX_LIMIT) as usize)
                .min(crate::service::paging::MAX_LIMIT),
            cursor: cursor.0.filter(|c| !c.is_empty()),
            count: true,
            unbounded: false,
        };
        let catalog = self.state.dataset.read();
        let collection_id = collection_id.0;
        let base = self.state.public_url.base_url(req);
        let links = |next: Option<&str>| {
            let mut links = vec![Link::new(
                req.uri().to_string(),
                "self",
                Some(GEOJSON),
                Some("This page"),
            )];
            if let Some(c) = next {
                links.push(Link::new(
                    next_link(req, c),
                    "next",
                    Some(GEOJSON),
                    Some("Next page"),
                ));
            }
            links.push(json_link(
                format!("/collections/{collection_id}"),
                "collection",
                "The collection",
            ));
            Link::absolute_all(&mut links, &base);
            links
        };
        let body = match kind {
            Kind::Agencies => {
                let filter = AgencyFilter {
                    geo,
                    period,
                    states: state.0.into_iter().collect(),
                    agency_types: agency_type.0.into_iter().collect(),
                    jurisdiction_types: jurisdiction_type.0.into_iter().collect(),
                    ..Default::default()
                };
                let sort = Sort {
                    field: AgencySortField::Id,
                    descending: false,
                };
                let page = self
                    .state
                    .totals
                    .agencies(&catalog, &filter, sort, &page_req)
                    .map_err(list_error)?;
                let mut echo =
                    QueryEcho::agencies(&filter, sort, &[("id", AgencySortField::Id)], &page_req);
                echo.active_during = echo_period(filter.period.as_ref());
                let features: Vec<AgencyFeature> = page
                    .items
                    .into_iter()
                    .map(|h| AgencyFeature::from(AgencyProperties::of(h.item, None)))
                    .collect();
                AnyFeatureCollection::Agencies(AgencyFeatureCollection {
                    type_: FeatureCollectionType::FeatureCollection,
                    number_returned: features.len() as u64,
                    features,
                    links: links(page.next.as_deref()),
                    next: page.next,
                    number_matched: page.total.map(|t| t as u64),
                    meta: ListMeta::of(&catalog).with_query(echo, Vec::new()),
                })
            }
            Kind::Partnerships => {
                let filter = PartnershipFilter {
                    geo,
                    period,
                    states: state.0.into_iter().collect(),
                    agency_types: agency_type.0.into_iter().collect(),
                    programs: program_id.0.into_iter().collect(),
                    statuses: status.0.into_iter().collect(),
                    ..Default::default()
                };
                if let Some(p) = filter
                    .programs
                    .iter()
                    .find(|p| !catalog.programs.contains_key(p.as_str()))
                {
                    return Err(ApiError::invalid(
                        "program_id",
                        format!("`{p}` is not a program id (see /programs)"),
                    ));
                }
                let sort = Sort {
                    field: PartnershipSortField::Id,
                    descending: false,
                };
                let page = self
                    .state
                    .totals
                    .partnerships(&catalog, &filter, sort, &page_req)
                    .map_err(list_error)?;
                let echo = QueryEcho::partnerships(
                    &filter,
                    Some((sort, &[("id", PartnershipSortField::Id)][..])),
                    Some(&page_req),
                );
                let features: Vec<PartnershipFeature> = page
                    .items
                    .into_iter()
                    .map(|h| {
                        PartnershipFeature::from(PartnershipProperties::build(h.item, &catalog))
                    })
                    .collect();
                AnyFeatureCollection::Partnerships(PartnershipFeatureCollection {
                    type_: FeatureCollectionType::FeatureCollection,
                    number_returned: features.len() as u64,
                    features,
                    links: links(page.next.as_deref()),
                    next: page.next,
                    number_matched: page.total.map(|t| t as u64),
                    meta: ListMeta::of(&catalog).with_query(echo, Vec::new()),
                })
            }
        };
        Ok(ItemsResponse::Ok(ItemsBody::GeoJson(Json(body))))
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

/// `datetime` as understood: the span of days it selects.
fn echo_period(period: Option<&crate::service::listing::Period>) -> Option<EchoPeriod> {
    period.map(|p| EchoPeriod {
        from: p.from.map(|d| d.to_string()),
        to: p.to.map(|d| d.to_string()),
    })
}

fn example_collection() -> String {
    "partnerships".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn datetime_instants_and_intervals() {
        let p = parse_datetime("2019-06-01").unwrap();
        assert_eq!(
            (p.from, p.to),
            (Some(date!(2019 - 06 - 01)), Some(date!(2019 - 06 - 01)))
        );
        let p = parse_datetime("2019-06-01T23:30:00-05:00").unwrap();
        assert_eq!(p.from, Some(date!(2019 - 06 - 02)));
        let p = parse_datetime("../2020-01-01").unwrap();
        assert_eq!((p.from, p.to), (None, Some(date!(2020 - 01 - 01))));
        let p = parse_datetime("2020-01-01/..").unwrap();
        assert_eq!((p.from, p.to), (Some(date!(2020 - 01 - 01)), None));
        for bad in [
            "",
            "..",
            "2020-13-01",
            "2020-02-01/2020-01-01",
            "soon",
            "2020/",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
    }
}
