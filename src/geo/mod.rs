//! Pure geometry: parsing points, radii, boxes and polygons from requests, distances on the
//! sphere, and the spatial index. Imports neither poem nor sea-orm.
//!
//! Distances are great-circle distances (haversine, mean Earth radius 6,371,008.8 m), the
//! same everywhere: in filters, in sorting and in each result's `distance_m`.

pub mod index;
pub mod rings;
pub mod shapes;

pub use index::SpatialIndex;
pub use shapes::{
    BBox, GeoError, Near, Region, parse_bbox, parse_point, parse_polygon, parse_radius,
};

use geo::{Distance, Haversine, Point};

/// Mean Earth radius used for every distance, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The largest radius a query may ask for: half the Earth's circumference, which already
/// covers the whole globe.
pub const MAX_RADIUS_M: f64 = std::f64::consts::PI * EARTH_RADIUS_M;

/// A WGS 84 position. Constructed only through [`LatLon::new`], so it is always valid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatLon {
    lat: f64,
    lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        (lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon))
        .then_some(Self { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    fn point(&self) -> Point<f64> {
        Point::new(self.lon, self.lat)
    }

    /// Great-circle distance in metres.
    pub fn distance_m(&self, other: &LatLon) -> f64 {
        Haversine.distance(self.point(), other.point())
    }

    /// The point on the unit sphere: chord length between two such points grows strictly with
    /// their great-circle distance, so a Euclidean index over them answers spherical queries
    /// exactly, across the antimeridian and at the poles alike.
    pub fn unit_vector(&self) -> [f64; 3] {
        let (lat, lon) = (self.lat.to_radians(), self.lon.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    }
}

/// The chord length on the unit sphere that spans `metres` of great-circle distance.
pub fn chord_for(metres: f64) -> f64 {
    let angle = (metres / EARTH_RADIUS_M).min(std::f64::consts::PI);
    2.0 * (angle / 2.0).sin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> LatLon {
        LatLon::new(lat, lon).unwrap()
    }

    #[test]
    fn out_of_range_and_non_finite_positions_are_refused() {
        for (lat, lon) in [
            (91.0, 0.0),
            (-90.1, 0.0),
            (0.0, 180.5),
            (f64::NAN, 0.0),
            (0.0, f64::INFINITY),
        ] {
            assert!(LatLon::new(lat, lon).is_none(), "{lat},{lon}");
        }
        assert!(LatLon::new(90.0, -180.0).is_some());
    }

    #[test]
    fn antimeridian_neighbours_are_close() {
        let d = p(52.0, 179.9).distance_m(&p(52.0, -179.9));
        assert!((d - 13_700.0).abs() < 200.0, "{d}");
    }

    #[test]
    fn pole_points_at_any_longitude_coincide() {
        assert!(p(90.0, 0.0).distance_m(&p(90.0, 123.0)) < 1e-6);
    }

    #[test]
    fn chord_order_matches_great_circle_order() {
        let a = p(43.0, -88.0);
        let mut prev = (0.0, 0.0);
        for i in 1..50 {
            let b = p(43.0 - i as f64 * 2.5, -88.0 + i as f64 * 5.0);
            let d = a.distance_m(&b);
            let u = a.unit_vector();
            let v = b.unit_vector();
            let chord =
                ((u[0] - v[0]).powi(2) + (u[1] - v[1]).powi(2) + (u[2] - v[2]).powi(2)).sqrt();
            assert!((chord - chord_for(d)).abs() < 1e-9);
            if d > prev.0 {
                assert!(chord > prev.1);
            }
            prev = (d, chord);
        }
    }
}
