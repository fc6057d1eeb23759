//! Maps as SVG: state outlines and one marker per point, placed on the server. The SVG is
//! complete without script (it prints, scales, and shows in a feed reader or an `<img>`);
//! `assets/map.js` only enhances it (details on hover and focus, zoom, the date slider).

use super::albers::AlbersUsa;
use super::outlines::OUTLINES;
use maud::{Markup, html};

pub const WIDTH: f64 = 960.0;
pub const HEIGHT: f64 = 510.0;

/// One point on the map.
#[derive(Clone, Debug)]
pub struct Marker {
    pub lon: f64,
    pub lat: f64,
    /// Shown on hover and read by screen readers.
    pub label: String,
    /// Where the marker links to (a path on this site), if anywhere.
    pub href: Option<String>,
    /// `certain`, `possible` or `inactive`: the marker's colour, with a legend.
    pub class: &'static str,
    /// The days the point may be active, inclusive (`None`: open), as ISO dates: the date
    /// slider shows the marker when the day falls between them.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The state it is in (USPS), for zooming.
    pub state: &'static str,
}

/// What to draw besides the markers.
#[derive(Clone, Debug, Default)]
pub struct MapOptions<'a> {
    /// The map's accessible name.
    pub title: &'a str,
    /// Zoom the frame to these states (a locator map); all of them when empty.
    pub focus: Vec<&'a str>,
    /// A standalone SVG document (with the XML namespace and inline styles) rather than
    /// an element inside an HTML page.
    pub standalone: bool,
}

/// Where a position lands on the page, if it is on the map.
pub fn place(lon: f64, lat: f64) -> Option<(f64, f64)> {
    AlbersUsa::default().project(lon, lat)
}

/// The frame: the whole country, or the focused states with a margin.
fn view_box(focus: &[&str]) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for o in OUTLINES.iter().filter(|o| focus.contains(&o.code.as_str())) {
        b = (
            b.0.min(o.bounds.0),
            b.1.min(o.bounds.1),
            b.2.max(o.bounds.2),
            b.3.max(o.bounds.3),
        );
    }
    if b.0 > b.2 {
        return (0.0, 0.0, WIDTH, HEIGHT);
    }
    let (w, h) = ((b.2 - b.0).max(40.0), (b.3 - b.1).max(30.0));
    let m = 0.08 * w.max(h);
    (b.0 - m, b.1 - m, w + 2.0 * m, h + 2.0 * m)
}

/// Fill colours by marker class, as presentation attributes: a standalone SVG (an `<img>`,
/// the PNG, a newsletter) has no stylesheet, and the pages' CSS overrides them. Each has at
/// least 3:1 contrast with the land colour (WCAG 1.4.11, non-text contrast).
pub fn fill(class: &str) -> &'static str {
    match class {
        "certain" => "#b3261e",
        "possible" => "#9c5700",
        "self" => "#0b57d0",
        _ => "#4a5563",
    }
}

const LAND: &str = "#e4e2da";

/// Draws the map. Markers off the map (no inset holds them) are left out; the caller says
/// how many, in text beside it.
pub fn svg(markers: &[Marker], opts: &MapOptions) -> Markup {
    let (x, y, w, h) = view_box(&opts.focus);
    let r = (w / WIDTH * 3.2).clamp(1.2, 4.0);
    let view = format!("{x:.1} {y:.1} {w:.1} {h:.1}");
    // A map of links is a group of controls, not an image (an image's content is hidden
    // from assistive technology, links included).
    let role = if markers.iter().any(|m| m.href.is_some()) {
        "group"
    } else {
        "img"
    };
    let placed = markers
        .iter()
        .filter_map(|m| place(m.lon, m.lat).map(|p| (m, p)));
    html! {
        svg xmlns=[opts.standalone.then_some("http://www.w3.org/2000/svg")]
            class="map" viewBox=(view) role=(role) aria-label=(opts.title)
            preserveAspectRatio="xMidYMid meet" data-r=(format!("{r:.2}")) {
            @if opts.standalone {
                rect x=(format!("{x:.1}")) y=(format!("{y:.1}")) width=(format!("{w:.1}")) height=(format!("{h:.1}")) fill="#ffffff" {}
            }
            title { (opts.title) }
            g class="states" {
                @for o in OUTLINES.iter() {
                    path class="st" d=(o.path) fill=(LAND) stroke="#ffffff" stroke-width="0.6"
                        data-state=(o.code) data-name=(o.name) {}
                }
            }
            g class="mk" {
                @for (m, (cx, cy)) in placed {
                    @let circle = html! {
                        circle class=(m.class) fill=(fill(m.class)) stroke="#ffffff" stroke-width="0.4" cx=(format!("{cx:.1}")) cy=(format!("{cy:.1}"))
                            r=(format!("{r:.2}")) data-from=[m.from.as_deref()] data-to=[m.to.as_deref()]
                            data-state=(m.state) {
                            title { (m.label) }
                        }
                    };
                    @if let Some(href) = &m.href {
                        a href=(href) aria-label=(m.label) { (circle) }
                    } @else {
                        (circle)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(label: &str, lon: f64, lat: f64) -> Marker {
        Marker {
            lon,
            lat,
            label: label.into(),
            href: Some("/agencies/x?a=1&b=2".into()),
            class: "certain",
            from: Some("2019-01-01".into()),
            to: None,
            state: "WI",
        }
    }

    #[test]
    fn every_marker_on_the_map_is_drawn_and_those_off_it_are_not() {
        let m = [
            marker("Greenfield", -87.99, 42.96),
            marker("Anchorage", -149.9, 61.2),
            marker("Guam", 144.79, 13.44),
        ];
        let s = svg(&m, &MapOptions::default()).into_string();
        assert_eq!(s.matches("<circle").count(), 2, "{s}");
    }

    #[test]
    fn hostile_labels_are_escaped() {
        let m = [marker(
            "<script>alert(1)</script>\" onload=\"x",
            -87.99,
            42.96,
        )];
        let s = svg(&m, &MapOptions::default()).into_string();
        assert!(!s.contains("<script>"), "{s}");
        assert!(!s.contains("\" onload=\"x"), "{s}");
        assert!(s.contains("&amp;b=2"));
    }

    #[test]
    fn a_focused_map_frames_the_state() {
        let whole = view_box(&[]);
        let wi = view_box(&["WI"]);
        assert_eq!(whole, (0.0, 0.0, WIDTH, HEIGHT));
        assert!(wi.2 < 200.0 && wi.0 > 400.0, "{wi:?}");
    }
}
