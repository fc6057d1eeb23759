//! Where a row's agency is, and its quality flags: the row's own location, else the
//! gazetteer's answer, in the published vocabulary with its attribution.

use crate::domain::{AgencyType, JurisdictionType, LocationBasis, LocationPrecision, QualityFlag};
use crate::import::atlas::{AtlasRow, Located};
use crate::import::geocode::{self, Basis, Gazetteer, GeocodeHit, GeocodeQuery, Precision};

/// Where a row's agency is and what its record's quality flags are.
pub(crate) struct Placement {
    pub location: Option<Located>,
    /// Sorted, without repeats.
    pub flags: Vec<QualityFlag>,
}

/// Where a row's agency is: the location the row carries (the shipped dataset's, geocoded
/// when it was made), else the gazetteer's answer. Its quality flags are the row's own
/// (`Quality Flags`), else the gazetteer's checks of the row's city and county against its
/// state, with the fallback its location's precision implies.
pub(crate) fn placed(
    gazetteer: &Gazetteer,
    row: &AtlasRow,
    agency_type: AgencyType,
    jurisdiction_type: JurisdictionType,
) -> Placement {
    let county_level = agency_type == AgencyType::Sheriff
        || matches!(
            jurisdiction_type,
            JurisdictionType::County | JurisdictionType::Parish
        );
    if let (Some(l), Some(flags)) = (&row.location, &row.quality_flags) {
        return Placement {
            location: Some(l.clone()),
            flags: flags.clone(),
        };
    }
    let hit = gazetteer.geocode(&GeocodeQuery {
        agency_name: &row.agency,
        city: row.city.as_deref(),
        county: row.county.as_deref(),
        state: row.state.as_str(),
        county_level,
    });
    let location = row.location.clone().or_else(|| {
        hit.as_ref().map(|hit| Located {
            latitude: hit.latitude,
            longitude: hit.longitude,
            precision: location_precision(hit.precision),
            basis: Some(location_basis(&hit.basis)),
            source: Some(location_source(hit)),
        })
    });
    let flags = match &row.quality_flags {
        Some(flags) => flags.clone(),
        None => {
            let fallbacks = [
                QualityFlag::LocationCountyFallback,
                QualityFlag::LocationStateFallback,
            ];
            let mut flags: Vec<QualityFlag> = hit
                .map(|h| h.flags)
                .unwrap_or_default()
                .into_iter()
                .filter(|f| !fallbacks.contains(f))
                .collect();
            if let Some(l) = &location {
                let precision = match l.precision {
                    LocationPrecision::Address | LocationPrecision::Place => Precision::Place,
                    LocationPrecision::County => Precision::County,
                    LocationPrecision::State => Precision::State,
                };
                flags.extend(geocode::fallback_flags(precision, county_level));
            }
            flags.sort();
            flags.dedup();
            flags
        }
    };
    Placement { location, flags }
}

fn location_precision(p: Precision) -> LocationPrecision {
    match p {
        Precision::Place => LocationPrecision::Place,
        Precision::County => LocationPrecision::County,
        Precision::State => LocationPrecision::State,
    }
}

/// The geocoder's basis in the published vocabulary.
fn location_basis(basis: &Basis) -> LocationBasis {
    match basis {
        Basis::Place => LocationBasis::GeonamesPlace,
        Basis::CountyPlace(_) => LocationBasis::CountyPlace,
        Basis::CountyCentroid => LocationBasis::CountyCentroid,
        Basis::CountyPole => LocationBasis::CountyPole,
        Basis::CountyInterior => LocationBasis::CountyInterior,
        Basis::StateInterior => LocationBasis::StateInterior,
    }
}

/// Where the point came from, with the attribution its licence asks for: what the
/// coordinates are, which for a county is usually a town inside it, never the county's own
/// geometric point.
fn location_source(hit: &GeocodeHit) -> String {
    let what = hit
        .matched
        .rsplit_once(" (")
        .map(|(name, _)| name)
        .unwrap_or(&hit.matched);
    match &hit.basis {
        Basis::Place => format!("GeoNames gazetteer (CC BY 4.0): {what}"),
        Basis::CountyPlace(place) => {
            let state = what.rsplit_once(", ").map_or("", |(_, s)| s);
            format!(
                "GeoNames place (CC BY 4.0) nearest the US Census interior point of {what}: {place}, {state}"
            )
        }
        Basis::CountyCentroid => format!("US Census county centroid: {what}"),
        Basis::CountyPole => {
            format!("US Census county interior point (pole of inaccessibility): {what}")
        }
        Basis::CountyInterior => format!("US Census county interior point: {what}"),
        Basis::StateInterior => format!("US Census state interior point: {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_source_says_what_the_point_is() {
        let g = Gazetteer::embedded();
        let source = |agency: &str, city: &str, county: &str, state: &str, county_level| {
            let hit = g
                .geocode(&GeocodeQuery {
                    agency_name: agency,
                    city: Some(city).filter(|c| !c.is_empty()),
                    county: Some(county).filter(|c| !c.is_empty()),
                    state,
                    county_level,
                })
                .unwrap();
            (hit.latitude, hit.longitude, location_source(&hit))
        };
        // A sheriff at its county's point, which is the town of Santa Paula: said so.
        let (lat, lon, text) = source("Ventura County Sheriff", "", "Ventura County", "CA", true);
        assert_eq!(
            text,
            "GeoNames place (CC BY 4.0) nearest the US Census interior point of Ventura County, CA: Santa Paula, CA"
        );
        let (town_lat, town_lon, town) = source("Police", "Santa Paula", "", "CA", false);
        assert_eq!((lat, lon), (town_lat, town_lon), "the same point");
        assert_eq!(town, "GeoNames gazetteer (CC BY 4.0): Santa Paula, CA");
        let (_, _, text) = source("Nome Police", "", "Nome Census Area", "AK", true);
        assert_eq!(text, "US Census county centroid: Nome Census Area, AK");
        let (_, _, text) = source("Nowhere PD", "", "", "NH", false);
        assert_eq!(text, "US Census state interior point: New Hampshire");
    }
}
