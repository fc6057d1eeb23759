//! `meta.query` and `meta.warnings` of every list: how the server understood the query
//! (parsed values, units made explicit: `{"near": {"lat": 43, "lon": -88}, "radius_m": 25}`)
//! and hints for likely mistakes, so a wrong answer to a mistyped query is visible in the
//! answer itself. Built from the parsed filters, never from the raw text, so it shows what
//! the filter really does. `as_of` is not echoed: an `as_of` answer is byte for byte what
//! was served at that time, `meta` included (`meta.dataset_version` says which version).

use crate::geo::{LatLon, Near};
use crate::service::catalog::Catalog;
use crate::service::listing::{AgencyFilter, GeoFilter, PageRequest, PartnershipFilter, Sort};
use poem_openapi::{Enum, Object};

/// A point as understood: latitude and longitude in decimal degrees (WGS 84).
#[derive(serde::Serialize, Object, Clone, Copy, Debug, PartialEq)]
#[oai(rename = "QueryPoint")]
pub struct EchoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A bounding box as understood (RFC 7946 order: west, south, east, north).
#[derive(serde::Serialize, Object, Clone, Copy, Debug, PartialEq)]
#[oai(rename = "QueryBbox")]
pub struct EchoBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

/// A span of days, both ends included.
#[derive(serde::Serialize, Object, Clone, Debug, PartialEq)]
#[oai(rename = "QueryPeriod")]
pub struct EchoPeriod {
    pub from: Option<String>,
    pub to: Option<String>,
}

macro_rules! echo_struct {
    ($(#[$doc:meta] $name:ident: $ty:ty,)*) => {
        /// How the server understood a list's query: each filter as parsed, with its unit.
        /// Only what the request set (or what a default made of it, like the sort order).
        #[derive(serde::Serialize, Object, Clone, Debug, Default, PartialEq)]
        #[oai(rename = "QueryEcho")]
        pub struct QueryEcho {
            $(
                #[$doc]
                #[oai(skip_serializing_if_is_none)]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $name: Option<$ty>,
            )*
        }
    };
}

echo_struct! {
    /// `near`, read as latitude then longitude.
    near: EchoPoint,
    /// `radius`, in metres.
    radius_m: f64,
    /// `bbox`.
    bbox: EchoBox,
    /// Positions in the `within` polygon (all rings, closing ones included).
    within_vertices: u64,
    /// `agency`.
    agency: String,
    /// `state`.
    state: Vec<String>,
    /// `agency_type`.
    agency_type: Vec<String>,
    /// `jurisdiction_type`.
    jurisdiction_type: Vec<String>,
    /// `quality_flag`.
    quality_flag: Vec<String>,
    /// `program`.
    program: Vec<String>,
    /// `status`.
    status: Vec<String>,
    /// `kind`.
    kind: Vec<String>,
    /// `ori`.
    ori: String,
    /// `q`, folded as it is compared (lower case, accents removed).
    q: String,
    /// `started_after`: on or after this day.
    started_on_or_after: String,
    /// `started_before`: before this day.
    started_before: String,
    /// `active_on` with a day.
    active_on: String,
    /// `active_on` with a month or year: possibly active on some day of this span.
    active_during: EchoPeriod,
    /// `footage_requests`.
    footage_requests: bool,
    /// The order: a field, `-` before it for descending.
    sort: String,
    /// Page size.
    limit: u64,
    /// Whether a cursor continued an earlier page.
    cursor: bool,
    /// `count`.
    count: bool,
    /// `since`: revisions after this sequence number (the change feed).
    since: i64,
}

/// What a warning is about.
#[derive(serde::Serialize, Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case", rename = "QueryWarningCode")]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// Nothing is within 1,000 km of `near`, but something is of the point with latitude
    /// and longitude swapped: `near` is `lat,lon` (unlike `bbox`, which is `lon,lat`).
    NearMaybeSwapped,
    /// `radius` under 100 with no unit is read as metres; `25km` or `10mi` name a unit.
    RadiusWithoutUnit,
}

/// A hint about a likely mistake in the query. The answer is still what was asked.
#[derive(serde::Serialize, Object, Clone, Debug, PartialEq)]
#[oai(rename = "QueryWarning")]
pub struct QueryWarning {
    pub code: WarningCode,
    /// The parameter it is about.
    pub parameter: String,
    /// What looks wrong and what to write instead.
    pub detail: String,
}

/// How far the nearest agency may be before `near` looks like a mistake.
pub const SWAP_CHECK_M: f64 = 1_000_000.0;

/// A list's sort order with the names of the fields it may sort by.
pub type SortWithNames<'a, F> = (Sort<F>, &'a [(&'a str, F)]);

fn day(d: time::Date) -> String {
    d.to_string()
}

fn names<T: std::fmt::Display>(v: &[T]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.iter().map(ToString::to_string).collect())
}

fn sort_text<F: Copy + PartialEq>(sort: Sort<F>, fields: &[(&str, F)]) -> Option<String> {
    fields
        .iter()
        .find(|(_, f)| *f == sort.field)
        .map(|(n, _)| format!("{}{n}", if sort.descending { "-" } else { "" }))
}

impl QueryEcho {
    fn geo(&mut self, geo: &GeoFilter) {
        if let Some(n) = &geo.near {
            self.near = Some(EchoPoint {
                lat: n.center.lat(),
                lon: n.center.lon(),
            });
            self.radius_m = n.radius_m;
        }
        if let Some(b) = &geo.bbox {
            self.bbox = Some(EchoBox {
                min_lon: b.min_lon,
                min_lat: b.min_lat,
                max_lon: b.max_lon,
                max_lat: b.max_lat,
            });
        }
        if let Some(w) = &geo.within {
            self.within_vertices = Some(w.vertex_count() as u64);
        }
    }

    fn paging<F: Copy + PartialEq>(
        &mut self,
        sort: Sort<F>,
        fields: &[(&str, F)],
        page: &PageRequest,
    ) {
        self.sort = sort_text(sort, fields);
        if !page.unbounded {
            self.limit = Some(page.limit as u64);
        }
        self.cursor = page.cursor.as_ref().map(|_| true);
        self.count = page.count.then_some(true);
    }

    pub fn agencies<F: Copy + PartialEq>(
        filter: &AgencyFilter,
        sort: Sort<F>,
        fields: &[(&str, F)],
        page: &PageRequest,
    ) -> Self {
        let mut e = QueryEcho {
            state: names(&filter.states),
            agency_type: names(&filter.agency_types),
            jurisdiction_type: names(&filter.jurisdiction_types),
            quality_flag: names(&filter.quality_flags),
            ori: filter.ori.clone(),
            q: filter.q.clone(),
            ..Default::default()
        };
        e.geo(&filter.geo);
        e.paging(sort, fields, page);
        e
    }

    pub fn partnerships<F: Copy + PartialEq>(
        filter: &PartnershipFilter,
        sort: Option<SortWithNames<'_, F>>,
        page: Option<&PageRequest>,
    ) -> Self {
        let mut e = QueryEcho {
            agency: filter.agency.clone(),
            state: names(&filter.states),
            agency_type: names(&filter.agency_types),
            quality_flag: names(&filter.agency_quality_flags),
            program: names(&filter.programs),
            status: names(&filter.statuses),
            q: filter.q.clone(),
            started_on_or_after: filter.started_after.map(day),
            started_before: filter.started_before.map(day),
            active_on: filter.active_on.map(day),
            active_during: filter.period.map(|p| EchoPeriod {
                from: p.from.map(day),
                to: p.to.map(day),
            }),
            footage_requests: filter.footage_requests,
            ..Default::default()
        };
        e.geo(&filter.geo);
        if let (Some((sort, fields)), Some(page)) = (sort, page) {
            e.paging(sort, fields, page);
        }
        e
    }

    /// Sources: kinds and text, then the paging.
    pub fn sources<F: Copy + PartialEq, K: std::fmt::Display>(
        kinds: &[K],
        q: Option<&str>,
        sort: Sort<F>,
        fields: &[(&str, F)],
        page: &PageRequest,
    ) -> Self {
        let mut e = QueryEcho {
            kind: names(kinds),
            q: q.map(str::to_string),
            ..Default::default()
        };
        e.paging(sort, fields, page);
        e
    }

    /// A list with paging only (programs).
    pub fn page_only(page: &PageRequest) -> Self {
        let mut e = QueryEcho::default();
        if !page.unbounded {
            e.limit = Some(page.limit as u64);
        }
        e.cursor = page.cursor.as_ref().map(|_| true);
        e.count = page.count.then_some(true);
        e
    }
}

/// The distance from `at` to the nearest located agency: one nearest-neighbour look-up in
/// the spatial index, O(log n). `None` without an index (a shared copy) or agencies.
fn nearest_agency_m(catalog: &Catalog, at: LatLon) -> Option<f64> {
    let index = catalog.agency_index()?;
    index.nearest(at).next().map(|(_, p)| p.distance_m(&at))
}

/// Hints for the geographic parameters: a `near` that looks swapped, a `radius` that looks
/// like it meant kilometres.
pub fn geo_warnings(
    catalog: &Catalog,
    near: Option<&Near>,
    radius_text: Option<&str>,
) -> Vec<QueryWarning> {
    let mut out = Vec::new();
    if let Some(n) = near {
        let (lat, lon) = (n.center.lat(), n.center.lon());
        if let Some(swapped) = LatLon::new(lon, lat)
            && nearest_agency_m(catalog, n.center).is_some_and(|d| d > SWAP_CHECK_M)
            && nearest_agency_m(catalog, swapped).is_some_and(|d| d <= SWAP_CHECK_M)
        {
            out.push(QueryWarning {
                code: WarningCode::NearMaybeSwapped,
                parameter: "near".into(),
                detail: format!(
                    "`near` is latitude,longitude (unlike `bbox`, which is lon,lat): it was read as latitude {lat}, longitude {lon}, where nothing is within 1,000 km; did you mean `near={lon},{lat}`?"
                ),
            });
        }
    }
    if let Some(text) = radius_text.map(str::trim).filter(|t| !t.is_empty())
        && !text.bytes().any(|b| b.is_ascii_alphabetic())
        && let Ok(m) = text.parse::<f64>()
        && m < 100.0
    {
        out.push(QueryWarning {
            code: WarningCode::RadiusWithoutUnit,
            parameter: "radius".into(),
            detail: format!(
                "`radius={text}` has no unit and is read as {text} metres; write `{text}km` or `{text}mi` for kilometres or miles"
            ),
        });
    }
    out
}
