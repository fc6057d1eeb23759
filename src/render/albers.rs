//! A composite equal-area projection of the United States in the manner of d3's
//! `geoAlbersUsa`: the lower 48 in an Albers conic (standard parallels 29.5° and 45.5°),
//! Alaska (at 0.35 scale) and Hawaii inset below the south-west, and Puerto Rico (with the
//! US Virgin Islands) inset below Florida, which d3's projection leaves out.
//!
//! Pure maths: no I/O. The parameters are d3's (scale 1070 for a 960 × 500 frame); the
//! tests compare with positions d3-geo 3 computes.

use std::f64::consts::PI;

/// An Albers conic equal-area projection, with d3's rotate / center / scale / translate.
#[derive(Clone, Copy, Debug)]
struct Conic {
    n: f64,
    c: f64,
    r0: f64,
    rotate: f64,
    /// The raw projection of the center, subtracted so the center lands on `translate`.
    center: (f64, f64),
    scale: f64,
    translate: (f64, f64),
}

impl Conic {
    fn new(
        parallels: (f64, f64),
        rotate: f64,
        center: (f64, f64),
        scale: f64,
        translate: (f64, f64),
    ) -> Self {
        let (y0, y1) = (parallels.0.to_radians(), parallels.1.to_radians());
        let sy0 = y0.sin();
        let n = (sy0 + y1.sin()) / 2.0;
        let c = 1.0 + sy0 * (2.0 * n - sy0);
        let r0 = c.sqrt() / n;
        let mut p = Conic {
            n,
            c,
            r0,
            rotate: rotate.to_radians(),
            center: (0.0, 0.0),
            scale,
            translate,
        };
        p.center = p.raw(center.0.to_radians(), center.1.to_radians());
        p
    }

    fn raw(&self, lambda: f64, phi: f64) -> (f64, f64) {
        let r = (self.c - 2.0 * self.n * phi.sin()).max(0.0).sqrt() / self.n;
        let a = lambda * self.n;
        (r * a.sin(), self.r0 - r * a.cos())
    }

    fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        // Rotate, then wrap the longitude into [-π, π).
        let mut lambda = lon.to_radians() + self.rotate;
        lambda = (lambda + PI).rem_euclid(2.0 * PI) - PI;
        let (x, y) = self.raw(lambda, lat.to_radians());
        (
            self.translate.0 + self.scale * (x - self.center.0),
            self.translate.1 - self.scale * (y - self.center.1),
        )
    }
}

/// Which part of the composite a position belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inset {
    Lower48,
    Alaska,
    Hawaii,
    PuertoRico,
}

/// The composite projection at a scale and translation (d3's defaults: 1070, (480, 250)).
#[derive(Clone, Copy, Debug)]
pub struct AlbersUsa {
    lower48: Conic,
    alaska: Conic,
    hawaii: Conic,
    puerto_rico: Conic,
}

impl Default for AlbersUsa {
    fn default() -> Self {
        Self::new(1070.0, (480.0, 250.0))
    }
}

impl AlbersUsa {
    pub fn new(k: f64, (x, y): (f64, f64)) -> Self {
        AlbersUsa {
            lower48: Conic::new((29.5, 45.5), 96.0, (-0.6, 38.7), k, (x, y)),
            alaska: Conic::new(
                (55.0, 65.0),
                154.0,
                (-2.0, 58.5),
                k * 0.35,
                (x - 0.307 * k, y + 0.201 * k),
            ),
            hawaii: Conic::new(
                (8.0, 18.0),
                157.0,
                (-3.0, 19.9),
                k,
                (x - 0.205 * k, y + 0.212 * k),
            ),
            // Not in d3: right of Hawaii's inset, below Florida, at full scale.
            puerto_rico: Conic::new(
                (8.0, 18.0),
                66.0,
                (0.0, 18.2),
                k,
                (x + 0.33 * k, y + 0.225 * k),
            ),
        }
    }

    /// The inset a position is drawn in; `None` outside every one (Guam, American Samoa,
    /// the Northern Mariana Islands, or anywhere far from the United States).
    pub fn inset(lon: f64, lat: f64) -> Option<Inset> {
        if !(lon.is_finite() && lat.is_finite()) {
            return None;
        }
        // The Aleutians cross the antimeridian.
        if (50.0..=72.0).contains(&lat) && (lon <= -129.0 || lon >= 170.0) {
            return Some(Inset::Alaska);
        }
        if (18.0..=23.0).contains(&lat) && (-161.0..=-154.0).contains(&lon) {
            return Some(Inset::Hawaii);
        }
        if (17.5..=18.8).contains(&lat) && (-68.0..=-64.4).contains(&lon) {
            return Some(Inset::PuertoRico);
        }
        if (24.0..=50.0).contains(&lat) && (-125.5..=-66.5).contains(&lon) {
            return Some(Inset::Lower48);
        }
        None
    }

    /// Projects a position in the inset it belongs to.
    pub fn project(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        Some(self.project_in(Self::inset(lon, lat)?, lon, lat))
    }

    /// Projects a position with one inset's projection (outlines: a whole ring at once).
    pub fn project_in(&self, inset: Inset, lon: f64, lat: f64) -> (f64, f64) {
        match inset {
            Inset::Lower48 => self.lower48.project(lon, lat),
            Inset::Alaska => self.alaska.project(lon, lat),
            Inset::Hawaii => self.hawaii.project(lon, lat),
            Inset::PuertoRico => self.puerto_rico.project(lon, lat),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions from d3-geo 3.1's `geoAlbersUsa()` at its defaults, to 1e-6 px.
    /// `(fixture, (lon, lat), (x, y))`.
    type Case = (&'static str, (f64, f64), (f64, f64));

    const D3: &[Case] = &[
        (
            "san_francisco",
            (-122.4194, 37.7749),
            (107.42689983179525, 214.14309852394865),
        ),
        (
            "new_york",
            (-73.9857, 40.7484),
            (794.7188253391803, 175.81458420358024),
        ),
        (
            "chicago",
            (-87.6298, 41.8781),
            (604.053837426821, 185.06932566913565),
        ),
        (
            "miami",
            (-80.1918, 25.7617),
            (755.9269214906512, 470.2066412697904),
        ),
        ("center_of_lower_48", (-96.6, 38.7), (480.0, 250.0)),
        (
            "bangor_far_north_east",
            (-68.7778, 44.8012),
            (843.8236286566702, 84.08775170109755),
        ),
        (
            "olympic_peninsula_far_north_west",
            (-124.0, 48.0),
            (140.93633219154344, 24.139360277789137),
        ),
        (
            "austin",
            (-97.7431, 30.2672),
            (460.5927181617115, 408.3994158166604),
        ),
        (
            "anchorage_alaska_inset",
            (-149.9003, 61.2181),
            (171.16295961507143, 446.9441310429266),
        ),
        (
            "fairbanks_alaska_inset",
            (-147.7164, 64.8378),
            (175.74856264948244, 422.79859927241404),
        ),
        (
            "honolulu_hawaii_inset",
            (-157.8583, 21.3069),
            (298.4785715711044, 450.98746080412104),
        ),
        (
            "hilo_hawaii_inset",
            (-155.09, 19.72),
            (347.1997588734651, 480.37456867662644),
        ),
    ];

    #[test]
    fn positions_match_d3_geo_albers_usa() {
        let p = AlbersUsa::default();
        for (name, (lon, lat), (x, y)) in D3 {
            let (px, py) = p
                .project(*lon, *lat)
                .unwrap_or_else(|| panic!("{name}: off map"));
            assert!(
                (px - x).abs() < 1e-6 && (py - y).abs() < 1e-6,
                "{name}: got ({px}, {py}), d3 says ({x}, {y})"
            );
        }
    }

    /// The area on the page of a 0.1° cell divided by its area on the sphere: an equal-area
    /// projection keeps it the same everywhere in one inset.
    fn area_ratio(p: &AlbersUsa, inset: Inset, lon: f64, lat: f64) -> f64 {
        let d = 0.1;
        let a = p.project_in(inset, lon, lat);
        let b = p.project_in(inset, lon + d, lat);
        let c = p.project_in(inset, lon, lat + d);
        let page = ((b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)).abs();
        let sphere = d.to_radians() * ((lat + d).to_radians().sin() - lat.to_radians().sin());
        page / sphere
    }

    #[test]
    fn every_inset_is_equal_area() {
        let p = AlbersUsa::default();
        for (inset, cells) in [
            (
                Inset::Lower48,
                [(-122.0, 47.0), (-80.0, 26.0), (-97.0, 38.0)],
            ),
            (
                Inset::Alaska,
                [(-150.0, 61.0), (-165.0, 54.0), (-145.0, 69.0)],
            ),
            (
                Inset::Hawaii,
                [(-158.0, 21.3), (-155.5, 19.5), (-160.0, 22.0)],
            ),
            (
                Inset::PuertoRico,
                [(-66.5, 18.2), (-67.1, 18.0), (-65.0, 18.3)],
            ),
        ] {
            let first = area_ratio(&p, inset, cells[0].0, cells[0].1);
            for (lon, lat) in cells {
                let r = area_ratio(&p, inset, lon, lat);
                assert!(
                    (r / first - 1.0).abs() < 2e-3,
                    "{inset:?} at {lon},{lat}: {r} vs {first}"
                );
            }
        }
    }

    #[test]
    fn aleutians_across_the_antimeridian_stay_in_the_alaska_inset() {
        let p = AlbersUsa::default();
        let east = p.project(179.5, 51.8).unwrap();
        let west = p.project(-179.5, 51.8).unwrap();
        assert_eq!(AlbersUsa::inset(179.5, 51.8), Some(Inset::Alaska));
        assert!((east.0 - west.0).abs() < 5.0, "{east:?} vs {west:?}");
    }

    #[test]
    fn puerto_rico_inset_sits_below_florida_clear_of_the_lower_48() {
        let p = AlbersUsa::default();
        let san_juan = p.project(-66.1057, 18.4655).unwrap();
        let miami = p.project(-80.1918, 25.7617).unwrap();
        // East of Florida's Atlantic coast by more than the island's half-width, and below
        // the latitude of Miami: in the frame's empty south-east corner.
        assert!(
            san_juan.0 > miami.0 + 50.0 && san_juan.0 < 930.0,
            "{san_juan:?}"
        );
        assert!(san_juan.1 > miami.1 && san_juan.1 < 505.0, "{san_juan:?}");
    }

    #[test]
    fn places_outside_the_insets_are_off_the_map() {
        for (name, lon, lat) in [
            ("guam", 144.79, 13.44),
            ("pago_pago", -170.7, -14.28),
            ("null_island", 0.0, 0.0),
            ("not_a_number", f64::NAN, 40.0),
        ] {
            assert_eq!(AlbersUsa::default().project(lon, lat), None, "{name}");
        }
    }
}
