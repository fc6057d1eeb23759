//! Partnerships as map markers, and the map block with its controls, live details and
//! legend.

use crate::domain::Partnership;
use crate::pages::layout;
use crate::render::map::{self, MapOptions, Marker};
use crate::service::catalog::Catalog;
use crate::service::listing;
use crate::service::stats;
use maud::{Markup, html};
use time::Date;

/// What a partnership's marker looks like today, and the days it may be active.
pub fn partnership_marker(catalog: &Catalog, p: &Partnership, today: Date) -> Option<Marker> {
    let agency = catalog.agencies.get(&p.agency_id)?;
    let (lat, lon) = (agency.latitude?, agency.longitude?);
    let class = match listing::activity(catalog, p, today).map(|a| a.certainty) {
        Some(listing::Certainty::Certain) => "certain",
        Some(listing::Certainty::Possible) => "possible",
        None => "inactive",
    };
    let span = stats::active_span(catalog, p);
    let program = catalog
        .programs
        .get(&p.program_id)
        .map_or(p.program_id.as_str(), |pr| pr.name.as_str());
    let since = p.start.map(layout::date_text).unwrap_or_else(|| "?".into());
    let until = p.end.map(layout::date_text);
    Some(Marker {
        lon,
        lat,
        label: format!(
            "{} ({}): {}, {} since {}{}",
            agency.name,
            agency.state.as_str(),
            program,
            p.status.as_str(),
            since,
            until.map(|u| format!(" until {u}")).unwrap_or_default()
        ),
        href: Some(format!("/agencies/{}", agency.id)),
        class,
        // A partnership that is never active (announced, cancelled) gets an empty span.
        from: Some(match span {
            Some((from, _)) => from.map(|d| d.to_string()).unwrap_or_default(),
            None => "9999-12-31".into(),
        })
        .filter(|s| !s.is_empty()),
        to: match span {
            Some((_, to)) => to.map(|d| d.to_string()),
            None => Some("0000-01-01".into()),
        },
        state: agency.state.as_str(),
    })
}

/// Markers for partnerships, and how many could not be placed (no position, or outside the
/// map's insets).
pub fn markers<'a>(
    catalog: &Catalog,
    partnerships: impl IntoIterator<Item = &'a Partnership>,
    today: Date,
) -> (Vec<Marker>, usize) {
    let mut unplaced = 0;
    let mut out = Vec::new();
    for p in partnerships {
        match partnership_marker(catalog, p, today).filter(|m| map::place(m.lon, m.lat).is_some()) {
            Some(m) => out.push(m),
            None => unplaced += 1,
        }
    }
    (out, unplaced)
}

pub(super) fn legend(with_self: bool) -> Markup {
    html! {
        ul class="legend" aria-label="Legend" {
            @if with_self { li { i class="self" {} "this agency" } }
            li { i class="certain" {} "active today, certainly" }
            li { i class="possible" {} "possibly active today (imprecise dates)" }
            li { i class="inactive" {} "not active today" }
        }
    }
}

/// The first month of the slider: the earliest possible start among the markers.
fn first_month(markers: &[Marker]) -> Option<String> {
    markers
        .iter()
        .filter_map(|m| m.from.as_deref())
        .filter(|f| !f.starts_with("9999"))
        .min()
        .map(|d| d[..7].to_string())
}

fn months_between(first: &str, today: Date) -> i32 {
    let y: i32 = first[..4].parse().unwrap_or(today.year());
    let m: i32 = first[5..7].parse().unwrap_or(1);
    (today.year() - y) * 12 + (i32::from(u8::from(today.month())) - m)
}

/// A map with its controls (zoom, date slider), live details and a count. The slider and
/// zoom list work only with script; without it the map still shows every marker.
pub fn map_block(
    id: &str,
    title: &str,
    markers: &[Marker],
    unplaced: usize,
    today: Date,
    with_slider: bool,
) -> Markup {
    let first = first_month(markers);
    // A grouped map's markers stand for several partnerships with different dates.
    let grouped = map::groups(markers.len());
    let with_slider = with_slider && !grouped;
    html! {
        div class="map-wrap" id=(id) data-markers=(markers.len()) data-unplaced=(unplaced) {
            div class="controls" {
                label for=(format!("{id}-zoom")) { "Zoom to a state" }
                select class="zoom" id=(format!("{id}-zoom")) {
                    option value="" { "Whole country" }
                    @for o in crate::render::outlines::OUTLINES.iter() {
                        option value=(o.code) { (o.name) }
                    }
                }
                @if with_slider && let Some(first) = &first {
                    @let max = months_between(first, today).max(0) + 1;
                    label for=(format!("{id}-day")) hidden { "Date" }
                    input type="range" class="day" id=(format!("{id}-day")) hidden
                        min="0" max=(max) value=(max) step="1" data-first=(first)
                        aria-describedby=(format!("{id}-day-label"));
                    span class="day-label" id=(format!("{id}-day-label")) aria-live="polite" { "any date" }
                }
            }
            (map::svg(markers, &MapOptions { title, ..Default::default() }))
            p class="detail" aria-live="polite" {}
            p {
                "Showing " b class="shown" { (markers.len()) } " of " (markers.len()) " partnerships on the map"
                @if unplaced > 0 { "; " (unplaced) " more have no position on it" }
                "."
                @if grouped {
                    " With more than " (map::MAX_MARKERS) " on one map, nearby partnerships in a state share a marker, "
                    "coloured as its most active one and labelled with their count; "
                    "a state's map shows fewer, and an agency's page each of its own."
                }
            }
            (legend(false))
        }
    }
}
