//! The documents OGC clients read: conformance, collections with their extents, and the
//! responses that carry them and the features.

use crate::api::geojson::{
    AgencyFeature, AgencyFeatureCollection, Link, PartnershipFeature, PartnershipFeatureCollection,
};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, ResponseContent, Union};

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
// Written with serde (`Fast`), as the page itself: poem-openapi's `Json` would build a tree
// of it first.
#[derive(serde::Serialize, Union, Clone, Debug)]
#[serde(untagged)]
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
    GeoJson(crate::api::fast::Fast<AnyFeatureCollection>),
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
