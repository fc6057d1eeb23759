//! Offline geocoder for US law-enforcement agencies.
//!
//! Agencies come with a free-text city, one or more county names and a USPS
//! state code, never coordinates. This module turns those into a point using
//! the gazetteer shipped in `data/gazetteer/` (built by
//! `tools/gazetteer/build.py` from GeoNames and Census data), so imports work
//! without any network access and give the same answer on every machine.
//!
//! Resolution order:
//! 1. county-level agencies (sheriffs, county police): the county point of the
//!    county named in the agency name, else of the `county` field;
//! 2. the `city` field as a place in the state, disambiguated by the listed
//!    counties and then by population;
//! 3. the agency name with its "Police Department"-style suffix removed;
//! 4. the first listed county that resolves, then a county named in the
//!    agency name;
//! 5. an interior point of the state.
//!
//! Each hit says what its point is ([`Basis`]: a county's point is usually the GeoNames place
//! nearest its interior point, and is labelled as that place) and carries the quality flags
//! of the query (`QualityFlag`): listed counties that are not the state's, a city that is not
//! a place of the state or lies outside the listed counties, and the fallback taken (a local
//! agency at a county point, anyone at a state point).
//!
//! Lookups never leave the query's state: places carry GeoNames' own state
//! code, and county and state points were computed inside their polygons
//! (the tests check them against Census 1:500k state outlines).

//!
//! The gazetteer and its lookups are in `gazetteer`; how names are normalised and reduced
//! to lookup keys in `names`; the query and the hit here.

mod gazetteer;
mod names;

pub use gazetteer::Gazetteer;
pub use names::normalize;

use crate::domain::QualityFlag;

/// How exact a [`GeocodeHit`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    /// A GeoNames populated place (city, town, village, CDP).
    Place,
    /// An interior point of a county or county equivalent.
    County,
    /// An interior point of the state: the location is essentially unknown.
    State,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Place => "place",
            Precision::County => "county",
            Precision::State => "state",
        }
    }
}

/// What is known about an agency's location.
#[derive(Debug, Clone, Copy, Default)]
pub struct GeocodeQuery<'a> {
    /// Full agency name, e.g. "Greenfield Police Department".
    pub agency_name: &'a str,
    pub city: Option<&'a str>,
    /// One or several counties: "DeKalb County, Fulton County".
    pub county: Option<&'a str>,
    /// USPS code ("WI"); a full state name is accepted too.
    pub state: &'a str,
    /// Sheriffs and other county-wide agencies: prefer the county point.
    pub county_level: bool,
}

/// Where a hit's coordinates come from: what the point itself is, which is not always what
/// was matched (a county's point is usually a town inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The GeoNames place that was matched.
    Place,
    /// The county was matched; its point is the GeoNames place (this name, in the county's
    /// state) nearest the county's interior point (see `tools/gazetteer/README.md`).
    CountyPlace(String),
    /// The county's centroid (US Census outline).
    CountyCentroid,
    /// The county's pole of inaccessibility (US Census outline): its centroid lay too near
    /// its edge.
    CountyPole,
    /// An interior point of the county, how it was found not recorded (a gazetteer without
    /// the `basis` column).
    CountyInterior,
    /// The state's interior point (US Census outline).
    StateInterior,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GeocodeHit {
    pub latitude: f64,
    pub longitude: f64,
    pub precision: Precision,
    /// Human-readable description of what was matched, for provenance.
    pub matched: String,
    /// What the coordinates are.
    pub basis: Basis,
    /// 5-digit county FIPS of the matched place or county, when known.
    pub county_fips: Option<String>,
    /// What the query and the gazetteer disagree on, and the fallbacks taken, sorted.
    pub flags: Vec<QualityFlag>,
}

/// The flags a location's precision implies: a state point is a fallback for everyone, a
/// county point for an agency that is not county-wide.
pub fn fallback_flags(precision: Precision, county_level: bool) -> Vec<QualityFlag> {
    match precision {
        Precision::Place => vec![],
        Precision::County if county_level => vec![],
        Precision::County => vec![QualityFlag::LocationCountyFallback],
        Precision::State => vec![QualityFlag::LocationStateFallback],
    }
}
