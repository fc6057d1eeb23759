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

/// Above this many markers, nearby markers of one state share one: a map's size (its bytes,
/// and the work of drawing and reading it) stays bounded however many partnerships there
/// are. The shipped dataset (about 1,500) is drawn one marker each.
pub const MAX_MARKERS: usize = 2_000;

/// A grouped map snaps markers to a grid of about this many cells over its frame.
const GROUP_CELLS: f64 = 4_000.0;

/// Whether a map of `markers` (all placed) draws groups rather than one marker each.
pub fn groups(markers: usize) -> bool {
    markers > MAX_MARKERS
}

/// Markers that share a marker on a grouped map: one grid cell of one state.
struct Group<'m> {
    members: Vec<&'m Marker>,
    x: f64,
    y: f64,
}

impl Group<'_> {
    /// The class of its most active member (`self` first, then `certain`, `possible`).
    fn class(&self) -> &'static str {
        ["self", "certain", "possible"]
            .into_iter()
            .find(|c| self.members.iter().any(|m| m.class == *c))
            .unwrap_or("inactive")
    }

    fn label(&self) -> String {
        let count = |c: &str| self.members.iter().filter(|m| m.class == c).count();
        let state = self.members[0].state;
        let name = OUTLINES
            .iter()
            .find(|o| o.code == state)
            .map_or(state, |o| o.name.as_str());
        format!(
            "{} partnerships in this part of {name}: {} active, certainly; {} possibly active; {} not active",
            self.members.len(),
            count("certain") + count("self"),
            count("possible"),
            count("inactive"),
        )
    }
}

/// A circle as drawn: one marker, or a group of them (`n`, no dates).
struct Drawn<'m> {
    class: &'static str,
    x: f64,
    y: f64,
    r: f64,
    label: String,
    href: Option<String>,
    from: Option<&'m str>,
    to: Option<&'m str>,
    n: Option<usize>,
    state: &'static str,
}

impl Group<'_> {
    /// The group as one circle: a lone member as itself (without its dates: a grouped map
    /// has no slider), several as a larger circle linking to their state's agencies.
    fn drawn(&self, r: f64) -> Drawn<'static> {
        let first = self.members[0];
        let n = self.members.len();
        let (label, href, r) = if n > 1 {
            let href = self
                .members
                .iter()
                .any(|m| m.href.is_some())
                .then(|| format!("/agencies.html?state={}", first.state));
            (self.label(), href, r * 1.6)
        } else {
            (first.label.clone(), first.href.clone(), r)
        };
        Drawn {
            class: self.class(),
            x: self.x,
            y: self.y,
            r,
            label,
            href,
            from: None,
            to: None,
            n: Some(n),
            state: first.state,
        }
    }
}

/// Nearby markers of one state together, at the mean of their positions, in a stable order
/// (by cell, then state).
fn group<'m>(placed: &[(&'m Marker, (f64, f64))], frame: (f64, f64, f64, f64)) -> Vec<Group<'m>> {
    let cell = (frame.2 * frame.3 / GROUP_CELLS).sqrt().max(1.0);
    let mut cells: std::collections::BTreeMap<(i64, i64, &str), Group<'m>> = Default::default();
    for &(m, (x, y)) in placed {
        let key = (
            ((x - frame.0) / cell).floor() as i64,
            ((y - frame.1) / cell).floor() as i64,
            m.state,
        );
        let g = cells.entry(key).or_insert(Group {
            members: Vec::new(),
            x: 0.0,
            y: 0.0,
        });
        g.members.push(m);
        g.x += x;
        g.y += y;
    }
    cells
        .into_values()
        .map(|mut g| {
            let n = g.members.len() as f64;
            g.x /= n;
            g.y /= n;
            g
        })
        .collect()
}

/// Draws the map. Markers off the map (no inset holds them) are left out; the caller says
/// how many, in text beside it. Above [`MAX_MARKERS`] nearby markers of one state are drawn
/// as one, larger, whose label gives their count by class and which links to the state's
/// agencies (`data-n` says how many it stands for; a group has no dates, so a grouped map
/// has no date slider).
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
    let placed: Vec<_> = markers
        .iter()
        .filter_map(|m| place(m.lon, m.lat).map(|p| (m, p)))
        .collect();
    let drawn: Vec<Drawn> = if groups(placed.len()) {
        group(&placed, (x, y, w, h))
            .iter()
            .map(|g| g.drawn(r))
            .collect()
    } else {
        placed
            .iter()
            .map(|&(m, (x, y))| Drawn {
                class: m.class,
                x,
                y,
                r,
                label: m.label.clone(),
                href: m.href.clone(),
                from: m.from.as_deref(),
                to: m.to.as_deref(),
                n: None,
                state: m.state,
            })
            .collect()
    };
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
                @for d in &drawn {
                    @let circle = html! {
                        circle class=(d.class) fill=(fill(d.class)) stroke="#ffffff" stroke-width="0.4"
                            cx=(format!("{:.1}", d.x)) cy=(format!("{:.1}", d.y)) r=(format!("{:.2}", d.r))
                            data-from=[d.from] data-to=[d.to] data-n=[d.n] data-state=(d.state) {
                            title { (d.label) }
                        }
                    };
                    @if let Some(href) = &d.href {
                        a href=(href) aria-label=(d.label) { (circle) }
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

    /// `n` markers spread over the lower 48 (a fixed sequence), in two states by longitude.
    fn spread(n: usize) -> Vec<Marker> {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| {
                let lon = -120.0 + 45.0 * next();
                let mut m = marker(&format!("agency {i}"), lon, 33.0 + 12.0 * next());
                m.state = if lon < -100.0 { "CO" } else { "WI" };
                m.class = ["certain", "possible", "inactive"][i % 3];
                m
            })
            .collect()
    }

    fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        tag.split(&format!(" {name}=\"")).nth(1)?.split('"').next()
    }

    #[test]
    fn up_to_the_limit_each_marker_is_drawn_with_its_dates() {
        let m = spread(MAX_MARKERS);
        let s = svg(&m, &MapOptions::default()).into_string();
        assert_eq!(s.matches("<circle").count(), MAX_MARKERS);
        assert!(!s.contains("data-n="));
        assert_eq!(s.matches("data-from=\"2019-01-01\"").count(), MAX_MARKERS);
    }

    #[test]
    fn above_the_limit_nearby_markers_of_a_state_share_one_and_all_are_counted() {
        for n in [MAX_MARKERS + 1, 20_000, 100_000] {
            let m = spread(n);
            let s = svg(&m, &MapOptions::default()).into_string();
            let circles: Vec<&str> = s.split("<circle").skip(1).collect();
            // Bounded by the grid (times the states a cell can straddle), whatever n is.
            assert!(
                circles.len() <= 2 * GROUP_CELLS as usize,
                "{n}: {}",
                circles.len()
            );
            assert!(circles.len() < n, "{n}: nothing was grouped");
            let counted: usize = circles
                .iter()
                .map(|c| attr(c, "data-n").unwrap().parse::<usize>().unwrap())
                .sum();
            assert_eq!(counted, n, "every marker stands in exactly one group");
            for c in &circles {
                assert!(attr(c, "data-from").is_none(), "a group has no dates");
                let k: usize = attr(c, "data-n").unwrap().parse().unwrap();
                let title = c.split("<title>").nth(1).unwrap();
                if k > 1 {
                    assert!(
                        title.starts_with(&format!("{k} partnerships in this part of ")),
                        "{title}"
                    );
                    let name = match attr(c, "data-state").unwrap() {
                        "CO" => "Colorado",
                        "WI" => "Wisconsin",
                        other => panic!("{other}: no marker is in it"),
                    };
                    assert!(title.contains(&format!("this part of {name}: ")), "{title}");
                }
            }
            // A group's colour is its most active member's.
            let certain = circles
                .iter()
                .filter(|c| attr(c, "class") == Some("certain"))
                .count();
            assert!(
                certain * 2 > circles.len(),
                "{certain} of {}",
                circles.len()
            );
        }
        // Bytes stay bounded too: 100,000 markers draw about as much as 20,000.
        let size = |n| svg(&spread(n), &MapOptions::default()).into_string().len();
        assert!(size(100_000) < size(20_000) * 3 / 2);
    }

    #[test]
    fn a_group_counts_its_members_by_class_and_links_to_its_state() {
        let mut m = spread(MAX_MARKERS + 1);
        for k in &mut m {
            (k.lon, k.lat, k.state) = (-89.4, 43.07, "WI");
        }
        m[0].class = "certain";
        m[1].class = "possible";
        for k in &mut m[2..] {
            k.class = "inactive";
        }
        let s = svg(&m, &MapOptions::default()).into_string();
        assert_eq!(s.matches("<circle").count(), 1, "{s}");
        let rest = MAX_MARKERS - 1;
        assert!(s.contains(&format!(
            "{} partnerships in this part of Wisconsin: 1 active, certainly; 1 possibly active; {rest} not active",
            MAX_MARKERS + 1
        )), "{s}");
        assert!(s.contains("class=\"certain\""));
        assert!(s.contains("href=\"/agencies.html?state=WI\""));
    }

    #[test]
    fn a_focused_map_frames_the_state() {
        let whole = view_box(&[]);
        let wi = view_box(&["WI"]);
        assert_eq!(whole, (0.0, 0.0, WIDTH, HEIGHT));
        assert!(wi.2 < 200.0 && wi.0 > 400.0, "{wi:?}");
    }
}
