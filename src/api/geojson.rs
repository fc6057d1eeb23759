//! GeoJSON (RFC 7946) views of the lists, and how a client chooses them: `Accept:
//! application/geo+json`, `format=geojson`, or a `.geojson` suffix on the path.

use super::dto::ListMeta;
use super::features::{AgencyProperties, PartnershipProperties};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use poem_openapi::{Enum, Object};

pub const GEOJSON: &str = "application/geo+json";

/// Output formats of the located lists (agencies, partnerships). `json` is a page; `csv`,
/// `ndjson` and `geojson` are exports of every matching row unless `limit` or `cursor` asks
/// for a page.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum Format {
    Json,
    Geojson,
    Csv,
    Ndjson,
}

/// Output formats of the lists without a position (programs, sources).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum TableFormat {
    Json,
    Csv,
    Ndjson,
}

/// The format a request asks for: `format` wins, then `Accept`.
pub fn negotiate(req: &Request, format: Option<Format>) -> Format {
    if let Some(f) = format {
        return f;
    }
    let accept = req
        .header("accept")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if accept.contains(GEOJSON) {
        Format::Geojson
    } else if accept.contains("text/csv") {
        Format::Csv
    } else if accept.contains(super::exports::NDJSON) {
        Format::Ndjson
    } else {
        Format::Json
    }
}

/// The format a request for a list without positions asks for: `format`, then `Accept`.
pub fn negotiate_table(req: &Request, format: Option<TableFormat>) -> TableFormat {
    if let Some(f) = format {
        return f;
    }
    match negotiate(req, None) {
        Format::Csv => TableFormat::Csv,
        Format::Ndjson => TableFormat::Ndjson,
        Format::Json | Format::Geojson => TableFormat::Json,
    }
}

/// Whether a list in this format and with these paging parameters is an export of every row.
pub fn is_export(limit: Option<u32>, cursor: Option<&str>) -> bool {
    limit.is_none() && cursor.is_none_or(str::is_empty)
}

#[derive(serde::Serialize, Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureCollectionType {
    FeatureCollection,
}

#[derive(serde::Serialize, Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureType {
    Feature,
}

#[derive(serde::Serialize, Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointType {
    Point,
}

/// A GeoJSON Point: `[longitude, latitude]`.
#[derive(serde::Serialize, Object, Clone, Debug)]
pub struct PointGeometry {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub type_: PointType,
    /// `[longitude, latitude]` in WGS 84.
    pub coordinates: Vec<f64>,
}

pub fn point(lat: Option<f64>, lon: Option<f64>) -> Option<PointGeometry> {
    Some(PointGeometry {
        type_: PointType::Point,
        coordinates: vec![lon?, lat?],
    })
}

/// A link, as OGC API and GeoJSON clients expect.
#[derive(serde::Serialize, Object, Clone, Debug)]
pub struct Link {
    pub href: String,
    pub rel: String,
    #[oai(rename = "type", skip_serializing_if_is_none)]
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Link {
    /// Each link given as a path (`/collections`) made absolute under `base` (the public
    /// base URL, see `web::base_url`): OGC API clients resolve links as they are given.
    pub fn absolute_all(links: &mut [Link], base: &str) {
        for l in links {
            if l.href.starts_with('/') {
                l.href = format!("{base}{}", l.href);
            }
        }
    }

    pub fn new(
        href: impl Into<String>,
        rel: &str,
        type_: Option<&str>,
        title: Option<&str>,
    ) -> Self {
        Self {
            href: href.into(),
            rel: rel.into(),
            type_: type_.map(str::to_string),
            title: title.map(str::to_string),
        }
    }
}

macro_rules! feature_types {
    ($feature:ident, $collection:ident, $props:ty, $id:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(serde::Serialize, Object, Clone, Debug)]
        pub struct $feature {
            #[oai(rename = "type")]
            #[serde(rename = "type")]
            pub type_: FeatureType,
            pub id: $id,
            /// Null when the record has no position yet.
            pub geometry: Option<PointGeometry>,
            /// Flat, typed properties: the columns of the record's CSV table.
            pub properties: $props,
        }

        /// A GeoJSON FeatureCollection page; paging as in the JSON list.
        #[derive(serde::Serialize, Object, Clone, Debug)]
        pub struct $collection {
            #[oai(rename = "type")]
            #[serde(rename = "type")]
            pub type_: FeatureCollectionType,
            pub features: Vec<$feature>,
            /// Opaque cursor of the next page; null on the last page.
            pub next: Option<String>,
            /// How many features match in all, when counted (`count=true`, or OGC items).
            #[oai(rename = "numberMatched", skip_serializing_if_is_none)]
            #[serde(rename = "numberMatched", skip_serializing_if = "Option::is_none")]
            pub number_matched: Option<u64>,
            /// How many features this page holds.
            #[oai(rename = "numberReturned")]
            #[serde(rename = "numberReturned")]
            pub number_returned: u64,
            pub links: Vec<Link>,
            pub meta: ListMeta,
        }
    };
}

feature_types!(
    AgencyFeature,
    AgencyFeatureCollection,
    AgencyProperties,
    String,
    "An agency as a GeoJSON Feature."
);
feature_types!(
    PartnershipFeature,
    PartnershipFeatureCollection,
    PartnershipProperties,
    i64,
    "A partnership as a GeoJSON Feature, at its agency's position."
);

impl From<AgencyProperties> for AgencyFeature {
    fn from(a: AgencyProperties) -> Self {
        Self {
            type_: FeatureType::Feature,
            id: a.id.clone(),
            geometry: point(a.latitude, a.longitude),
            properties: a,
        }
    }
}

impl From<PartnershipProperties> for PartnershipFeature {
    fn from(p: PartnershipProperties) -> Self {
        Self {
            type_: FeatureType::Feature,
            id: p.id,
            geometry: point(p.latitude, p.longitude),
            properties: p,
        }
    }
}

/// Rewrites `/agencies.geojson` (`.csv`, `.ndjson`) to `/agencies` with `format=geojson`,
/// so the suffix works on every list without a second set of routes. Files under
/// `/downloads/` keep their names.
pub struct SuffixFormats;

/// The URI as the client sent it, before [`SuffixFormats`] turned its suffix into `format=`:
/// what the parameter check judges (the client never sent that `format`).
#[derive(Clone)]
pub struct SuffixedUri(pub poem::http::Uri);

impl<E: Endpoint> Middleware<E> for SuffixFormats {
    type Output = SuffixFormatsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        SuffixFormatsEndpoint { inner: ep }
    }
}

pub struct SuffixFormatsEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for SuffixFormatsEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        let path = req.uri().path();
        let suffixed = ["geojson", "csv", "ndjson"].into_iter().find_map(|ext| {
            path.strip_suffix(ext)
                .and_then(|p| p.strip_suffix('.'))
                .map(|base| (base.to_string(), ext))
        });
        if let Some((base, ext)) = suffixed.filter(|_| !path.starts_with("/downloads/")) {
            let query = match req.uri().query() {
                Some(q) if !q.is_empty() => format!("{q}&format={ext}"),
                _ => format!("format={ext}"),
            };
            if let Ok(uri) = format!("{base}?{query}").parse() {
                let original = std::mem::replace(req.uri_mut(), uri);
                req.extensions_mut().insert(SuffixedUri(original));
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
