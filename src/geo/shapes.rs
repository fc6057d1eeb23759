//! Request geometry: `near` points, radii with units, bounding boxes (which may cross the
//! antimeridian) and GeoJSON polygons, each parsed once into a value that is known valid.

use super::rings::{self, Loc, Locator, Ring, Shape};
use super::{LatLon, MAX_RADIUS_M};
use geo::Coord;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct GeoError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, GeoError> {
    Err(GeoError(msg.into()))
}

fn number(text: &str, what: &str) -> Result<f64, GeoError> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => err(format!("{what} `{t}` is not a finite number")),
    }
}

/// `lat,lon` in decimal degrees.
pub fn parse_point(text: &str) -> Result<LatLon, GeoError> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 2 {
        return err(format!(
            "`{text}` is not `lat,lon` (two numbers separated by a comma)"
        ));
    }
    let lat = number(parts[0], "latitude")?;
    let lon = number(parts[1], "longitude")?;
    if !(-90.0..=90.0).contains(&lat) {
        return err(format!("latitude {lat} is outside [-90, 90]"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return err(format!("longitude {lon} is outside [-180, 180]"));
    }
    LatLon::new(lat, lon).ok_or_else(|| GeoError(format!("`{text}` is not a position")))
}

/// A distance in metres, or with a unit: `m`, `km`, `mi`, `ft`. At most [`MAX_RADIUS_M`].
pub fn parse_radius(text: &str) -> Result<f64, GeoError> {
    let t = text.trim().to_ascii_lowercase();
    let (digits, factor) = [("km", 1000.0), ("mi", 1609.344), ("ft", 0.3048), ("m", 1.0)]
        .iter()
        .find_map(|(unit, f)| t.strip_suffix(unit).map(|d| (d.trim(), *f)))
        .unwrap_or((t.as_str(), 1.0));
    let value = number(digits, "radius")?;
    let metres = value * factor;
    if metres < 0.0 {
        return err(format!("radius `{text}` is negative"));
    }
    if metres > MAX_RADIUS_M {
        return err(format!(
            "radius `{text}` is over the cap of {:.0} m (half the Earth's circumference)",
            MAX_RADIUS_M
        ));
    }
    Ok(metres)
}

/// Distance filter: within `radius_m` of `center`, or (no radius) nearest first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Near {
    pub center: LatLon,
    pub radius_m: Option<f64>,
}

/// An RFC 7946 bounding box. When `min_lon > max_lon` it crosses the antimeridian.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    pub fn contains(&self, p: &LatLon) -> bool {
        let lat_ok = p.lat() >= self.min_lat && p.lat() <= self.max_lat;
        let lon_ok = if self.min_lon <= self.max_lon {
            p.lon() >= self.min_lon && p.lon() <= self.max_lon
        } else {
            p.lon() >= self.min_lon || p.lon() <= self.max_lon
        };
        lat_ok && lon_ok
    }
}

/// `minLon,minLat,maxLon,maxLat`.
pub fn parse_bbox(text: &str) -> Result<BBox, GeoError> {
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 4 {
        return err(format!(
            "`{text}` is not `minLon,minLat,maxLon,maxLat` (four numbers)"
        ));
    }
    let v: Vec<f64> = parts
        .iter()
        .zip(["minLon", "minLat", "maxLon", "maxLat"])
        .map(|(p, what)| number(p, what))
        .collect::<Result<_, _>>()?;
    let b = BBox {
        min_lon: v[0],
        min_lat: v[1],
        max_lon: v[2],
        max_lat: v[3],
    };
    for lon in [b.min_lon, b.max_lon] {
        if !(-180.0..=180.0).contains(&lon) {
            return err(format!("longitude {lon} is outside [-180, 180]"));
        }
    }
    for lat in [b.min_lat, b.max_lat] {
        if !(-90.0..=90.0).contains(&lat) {
            return err(format!("latitude {lat} is outside [-90, 90]"));
        }
    }
    if b.min_lat > b.max_lat {
        return err("minLat is greater than maxLat");
    }
    Ok(b)
}

/// A search area: a valid polygon or multipolygon in lon/lat. Points on the boundary count as
/// inside. Containment costs the edges crossing the point's parallel (see [`rings`]).
#[derive(Clone, Debug)]
pub struct Region {
    shape: Arc<Shape>,
    locator: Arc<Locator>,
}

impl PartialEq for Region {
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape
    }
}

impl Region {
    pub fn contains(&self, p: &LatLon) -> bool {
        self.locator.locate(Coord {
            x: p.lon(),
            y: p.lat(),
        }) != Loc::Outside
    }

    /// Positions over all its rings, closing ones included.
    pub fn vertex_count(&self) -> usize {
        self.shape.iter().flatten().map(Vec::len).sum()
    }
}

/// Vertices seen so far over every ring of a shape, and how many it may have.
struct Vertices {
    seen: usize,
    max: usize,
}

fn ring(value: &serde_json::Value, path: &str, vertices: &mut Vertices) -> Result<Ring, GeoError> {
    let Some(positions) = value.as_array() else {
        return err(format!("{path} is not an array of positions"));
    };
    if positions.len() < 4 {
        return err(format!(
            "{path} has {} positions; a linear ring needs at least 4",
            positions.len()
        ));
    }
    // Counted before any position is read: an oversized ring costs no more than its length.
    vertices.seen += positions.len();
    if vertices.seen > vertices.max {
        return err(format!(
            "the polygon has more than {} vertices, the most this server accepts",
            vertices.max
        ));
    }
    let mut coords = Vec::with_capacity(positions.len());
    for (i, pos) in positions.iter().enumerate() {
        let xy = pos.as_array().filter(|a| a.len() == 2 || a.len() == 3);
        let (Some(x), Some(y)) = (
            xy.and_then(|a| a[0].as_f64()),
            xy.and_then(|a| a[1].as_f64()),
        ) else {
            return err(format!("{path}[{i}] is not a position [lon, lat]"));
        };
        if LatLon::new(y, x).is_none() {
            return err(format!(
                "{path}[{i}] = [{x}, {y}] is outside lon [-180, 180], lat [-90, 90]"
            ));
        }
        coords.push(Coord { x, y });
    }
    if coords.first() != coords.last() {
        return err(format!(
            "{path} is not closed: its first and last positions differ"
        ));
    }
    Ok(rings::ring_from_closed(&coords))
}

fn polygon(
    value: &serde_json::Value,
    path: &str,
    vertices: &mut Vertices,
) -> Result<Vec<Ring>, GeoError> {
    let Some(rings) = value.as_array().filter(|r| !r.is_empty()) else {
        return err(format!("{path} is not a non-empty array of rings"));
    };
    rings
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{path}[{i}]"), vertices))
        .collect()
}

/// A GeoJSON `Polygon` or `MultiPolygon` geometry (a bare geometry, or a `Feature` holding
/// one). Rings must be closed and the shape valid (no self-intersections), with at most
/// `max_vertices` positions over all its rings (closing positions included).
pub fn parse_polygon(value: &serde_json::Value, max_vertices: usize) -> Result<Region, GeoError> {
    let geometry = match value.get("type").and_then(|t| t.as_str()) {
        Some("Feature") => value.get("geometry").unwrap_or(&serde_json::Value::Null),
        _ => value,
    };
    let kind = geometry.get("type").and_then(|t| t.as_str());
    let coords = geometry
        .get("coordinates")
        .unwrap_or(&serde_json::Value::Null);
    let mut vertices = Vertices {
        seen: 0,
        max: max_vertices,
    };
    let shape = match kind {
        Some("Polygon") => vec![polygon(coords, "coordinates", &mut vertices)?],
        Some("MultiPolygon") => {
            let Some(polys) = coords.as_array().filter(|p| !p.is_empty()) else {
                return err("coordinates is not a non-empty array of polygons");
            };
            polys
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("coordinates[{i}]"), &mut vertices))
                .collect::<Result<_, _>>()?
        }
        Some(other) => {
            return err(format!(
                "geometry type `{other}` is not Polygon or MultiPolygon"
            ));
        }
        None => return err("the body is not a GeoJSON Polygon or MultiPolygon (no `type`)"),
    };
    match rings::validate(&shape, None) {
        Ok(locator) => Ok(Region {
            shape: Arc::new(shape),
            locator: Arc::new(locator),
        }),
        Err(problem) => err(format!("the polygon is not valid: {problem}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The server's default vertex limit (`Limits::max_polygon_vertices`).
    const MAX: usize = 10_000;

    /// A closed ring of `n` distinct points on the unit circle: `n + 1` positions.
    fn circle(n: usize) -> serde_json::Value {
        let mut ring: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                json!([a.cos(), a.sin()])
            })
            .collect();
        ring.push(ring[0].clone());
        json!({"type": "Polygon", "coordinates": [ring]})
    }

    #[test]
    fn points_parse_and_bad_ones_say_why() {
        let p = parse_point("43.0,-88.5").unwrap();
        assert_eq!((p.lat(), p.lon()), (43.0, -88.5));
        for bad in [
            "", "43", "43,-88,1", "91,0", "0,181", "NaN,0", "inf,0", "a,b", "43;-88",
        ] {
            assert!(parse_point(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn radii_take_units_and_respect_the_cap() {
        assert_eq!(parse_radius("500").unwrap(), 500.0);
        assert_eq!(parse_radius("25km").unwrap(), 25_000.0);
        assert!((parse_radius("10mi").unwrap() - 16_093.44).abs() < 1e-6);
        assert_eq!(parse_radius("0").unwrap(), 0.0);
        assert_eq!(parse_radius("12 m").unwrap(), 12.0);
        for bad in ["-1", "abc", "km", "NaN", "inf", "1e308", "30000km", ""] {
            assert!(parse_radius(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn antimeridian_box_wraps_around() {
        let b = parse_bbox("170,50,-170,60").unwrap();
        assert!(b.contains(&LatLon::new(55.0, 175.0).unwrap()));
        assert!(b.contains(&LatLon::new(55.0, -175.0).unwrap()));
        assert!(!b.contains(&LatLon::new(55.0, 0.0).unwrap()));
    }

    #[test]
    fn empty_bounds_and_malformed_boxes() {
        let point_box = parse_bbox("-88,43,-88,43").unwrap();
        assert!(point_box.contains(&LatLon::new(43.0, -88.0).unwrap()));
        for bad in [
            "1,2,3",
            "0,10,1,5",
            "0,0,200,1",
            "0,-91,1,1",
            "a,b,c,d",
            "1,2,3,4,5",
        ] {
            assert!(parse_bbox(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn polygons_must_be_closed_valid_and_small_enough() {
        let square =
            json!({"type": "Polygon", "coordinates": [[[0,0],[0,10],[10,10],[10,0],[0,0]]]});
        let r = parse_polygon(&square, MAX).unwrap();
        assert!(r.contains(&LatLon::new(5.0, 5.0).unwrap()));
        assert!(
            r.contains(&LatLon::new(0.0, 5.0).unwrap()),
            "boundary counts as inside"
        );
        assert!(!r.contains(&LatLon::new(11.0, 5.0).unwrap()));

        let too_short = json!({"type": "Polygon", "coordinates": [[[0,0],[0,10],[0,0]]]});
        assert!(
            parse_polygon(&too_short, MAX)
                .unwrap_err()
                .0
                .contains("at least 4")
        );
        let unclosed = json!({"type": "Polygon", "coordinates": [[[0,0],[0,10],[10,10],[10,0]]]});
        assert!(
            parse_polygon(&unclosed, MAX)
                .unwrap_err()
                .0
                .contains("not closed")
        );
        let unclosed =
            json!({"type": "Polygon", "coordinates": [[[0,0],[0,10],[10,10],[10,0],[1,1]]]});
        assert!(
            parse_polygon(&unclosed, MAX)
                .unwrap_err()
                .0
                .contains("not closed")
        );
        let bowtie =
            json!({"type": "Polygon", "coordinates": [[[0,0],[10,10],[10,0],[0,10],[0,0]]]});
        assert!(
            parse_polygon(&bowtie, MAX)
                .unwrap_err()
                .0
                .contains("not valid")
        );
        let point = json!({"type": "Point", "coordinates": [0,0]});
        assert!(parse_polygon(&point, MAX).is_err());
        let huge = circle(MAX);
        assert!(
            parse_polygon(&huge, MAX)
                .unwrap_err()
                .0
                .contains("vertices")
        );
    }

    #[test]
    fn the_vertex_limit_counts_every_position_of_every_ring() {
        // (positions in the shape, limit, accepted)
        let cases = [
            (circle(7), 8, true),
            (circle(7), 7, false),
            (circle(3), 4, true),
            (circle(3), 3, false),
            // Two rings of 5 positions each: 10 in all.
            (
                json!({"type": "MultiPolygon", "coordinates": [
                    [[[0,0],[0,1],[1,1],[1,0],[0,0]]], [[[5,5],[5,6],[6,6],[6,5],[5,5]]]]}),
                10,
                true,
            ),
            (
                json!({"type": "MultiPolygon", "coordinates": [
                    [[[0,0],[0,1],[1,1],[1,0],[0,0]]], [[[5,5],[5,6],[6,6],[6,5],[5,5]]]]}),
                9,
                false,
            ),
            // A hole counts too.
            (
                json!({"type": "Polygon", "coordinates": [
                    [[0,0],[0,10],[10,10],[10,0],[0,0]], [[4,4],[6,4],[6,6],[4,6],[4,4]]]}),
                9,
                false,
            ),
        ];
        for (shape, max, accepted) in cases {
            let result = parse_polygon(&shape, max);
            assert_eq!(result.is_ok(), accepted, "limit {max}: {result:?}");
            if let Err(e) = result {
                assert!(e.0.contains(&format!("more than {max} vertices")), "{e}");
            }
        }
    }

    #[test]
    fn a_feature_wrapping_a_multipolygon_is_accepted() {
        let f = json!({"type": "Feature", "properties": {}, "geometry": {"type": "MultiPolygon",
            "coordinates": [[[[0,0],[0,1],[1,1],[1,0],[0,0]]], [[[5,5],[5,6],[6,6],[6,5],[5,5]]]]}});
        let r = parse_polygon(&f, MAX).unwrap();
        assert!(r.contains(&LatLon::new(5.5, 5.5).unwrap()));
    }
}
