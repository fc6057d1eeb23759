//! The state outlines (`data/us-outlines.txt`, generated from npm `us-atlas` by
//! `tools/us-outlines/build.py`), parsed and projected once per process into SVG path data.

use super::albers::{AlbersUsa, Inset};
use std::sync::LazyLock;

const TEXT: &str = include_str!("../../data/us-outlines.txt");

/// One state or territory: its USPS code, name, projected path and bounding box on the page.
#[derive(Clone, Debug)]
pub struct Outline {
    pub code: String,
    pub name: String,
    /// SVG path data in page units (one decimal).
    pub path: String,
    /// `(min_x, min_y, max_x, max_y)` on the page.
    pub bounds: (f64, f64, f64, f64),
}

/// A ring of lon/lat positions.
pub type Ring = Vec<(f64, f64)>;

/// A state as the file holds it: USPS code, name, rings.
pub type RawState = (String, String, Vec<Ring>);

/// Rings in lon/lat as the file holds them, by state.
pub fn parse(text: &str) -> Result<Vec<RawState>, String> {
    let mut out: Vec<RawState> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("S ") {
            let mut parts = rest.splitn(3, ' ');
            let code = parts.next().unwrap_or_default().to_string();
            let _fips = parts.next();
            let name = parts.next().unwrap_or_default().to_string();
            out.push((code, name, Vec::new()));
        } else if let Some(rest) = line.strip_prefix("R ") {
            let nums: Result<Vec<i64>, _> = rest.split(' ').map(str::parse).collect();
            let nums = nums.map_err(|e| format!("line {}: {e}", n + 1))?;
            if nums.len() < 2 || nums.len() % 2 != 0 {
                return Err(format!("line {}: odd number of coordinates", n + 1));
            }
            let (mut x, mut y) = (0i64, 0i64);
            let ring = nums
                .chunks(2)
                .map(|c| {
                    x += c[0];
                    y += c[1];
                    (x as f64 / 1000.0, y as f64 / 1000.0)
                })
                .collect();
            out.last_mut()
                .ok_or_else(|| format!("line {}: a ring before any state", n + 1))?
                .2
                .push(ring);
        }
    }
    Ok(out)
}

/// Which inset a state's rings are drawn in (the whole ring with one projection, so an
/// island chain is never split between two).
fn inset_of(code: &str) -> Option<Inset> {
    match code {
        "AK" => Some(Inset::Alaska),
        "HI" => Some(Inset::Hawaii),
        "PR" | "VI" => Some(Inset::PuertoRico),
        "GU" | "AS" | "MP" => None,
        _ => Some(Inset::Lower48),
    }
}

/// Projects rings into path data, dropping points closer than `min_step` page units to the
/// last one kept.
pub fn project(
    projection: &AlbersUsa,
    code: &str,
    rings: &[Vec<(f64, f64)>],
    min_step: f64,
) -> Option<(String, (f64, f64, f64, f64))> {
    use std::fmt::Write;
    let inset = inset_of(code)?;
    let mut d = String::new();
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for ring in rings {
        let mut last: Option<(f64, f64)> = None;
        let mut kept = 0;
        let start = d.len();
        for &(lon, lat) in ring {
            // Longitudes east of the antimeridian (the western Aleutians) wrap in the conic.
            let (x, y) = projection.project_in(inset, lon, lat);
            if let Some((lx, ly)) = last
                && (x - lx).abs() < min_step
                && (y - ly).abs() < min_step
            {
                continue;
            }
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if last.is_none() { 'M' } else { 'L' },
                x,
                y
            );
            last = Some((x, y));
            kept += 1;
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        if kept < 3 {
            d.truncate(start);
        } else {
            d.push('Z');
        }
    }
    (!d.is_empty()).then_some((d, b))
}

/// Every drawable state, projected with d3's default frame (960 × 500).
pub static OUTLINES: LazyLock<Vec<Outline>> = LazyLock::new(|| {
    let projection = AlbersUsa::default();
    // The file is generated and compiled in: a parse failure is caught by the tests below.
    parse(TEXT)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(code, name, rings)| {
            let (path, bounds) = project(&projection, &code, &rings, 0.6)?;
            Some(Outline {
                code,
                name,
                path,
                bounds,
            })
        })
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_outlines_parse_and_hold_every_state_and_dc_and_puerto_rico() {
        let states = parse(TEXT).unwrap();
        let codes: Vec<&str> = OUTLINES.iter().map(|o| o.code.as_str()).collect();
        assert!(states.len() >= 52, "{}", states.len());
        for code in ["WI", "AK", "HI", "PR", "DC", "ME", "FL", "WA"] {
            assert!(codes.contains(&code), "{code} missing");
        }
        // Guam and the other Pacific territories have no inset.
        assert!(!codes.contains(&"GU"));
    }

    #[test]
    fn projected_outlines_stay_inside_the_frame() {
        for o in OUTLINES.iter() {
            let (x0, y0, x1, y1) = o.bounds;
            assert!(
                x0 >= 0.0 && y0 >= 0.0 && x1 <= 960.0 && y1 <= 510.0,
                "{}: {:?}",
                o.code,
                o.bounds
            );
        }
    }

    #[test]
    fn a_ring_before_any_state_or_with_an_odd_coordinate_count_is_an_error() {
        assert!(parse("R 1 2 3 4").is_err());
        assert!(parse("S WI 55 Wisconsin\nR 1 2 3").is_err());
        assert!(parse("S WI 55 Wisconsin\nR 1 x").is_err());
    }

    #[test]
    fn points_closer_than_the_step_are_dropped_and_tiny_rings_vanish() {
        let p = AlbersUsa::default();
        let ring = vec![
            (-90.0, 44.0),
            (-90.0001, 44.0),
            (-89.0, 44.0),
            (-89.0, 45.0),
            (-90.0, 44.0),
        ];
        let (d, _) = project(&p, "WI", &[ring], 0.6).unwrap();
        assert_eq!(d.matches('L').count(), 3, "{d}");
        let tiny = vec![
            (-90.0, 44.0),
            (-90.00001, 44.0),
            (-90.0, 44.00001),
            (-90.0, 44.0),
        ];
        assert!(project(&p, "WI", &[tiny], 0.6).is_none());
    }
}
