//! The HTML twins of the JSON resources, built from the same service calls as their JSON
//! handlers (the catalog view, `listing`, `stats`, the history), never by calling the API.

use super::layout::{self, Page, alt, date, timestamp};
use super::params::Params;
use crate::api::AppState;
use crate::api::agencies::missing;
use crate::domain::{Agency, EntityKind, Partnership, StateCode, Status};
use crate::error::ApiError;
use crate::geo::Near;
use crate::render::map::{self, MapOptions, Marker};
use crate::service::catalog::{Catalog, position};
use crate::service::listing::{self, AgencySortField, GeoFilter, PageRequest, Sort};
use crate::service::stats::{self, Interval};
use maud::{Markup, html};
use poem::Request;
use time::Date;

pub const CSV: &str = "text/csv";
pub const GEOJSON: &str = "application/geo+json";
pub const JSON: &str = "application/json";

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

fn legend(with_self: bool) -> Markup {
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

/// Partnerships per state, with how many are active today and links to each state's
/// agencies and data: a few dozen rows however many partnerships there are.
fn state_table(catalog: &Catalog, ps: &[&Partnership], today: Date) -> Markup {
    #[derive(Default)]
    struct Row {
        agencies: std::collections::BTreeSet<String>,
        partnerships: usize,
        certain: usize,
        possible: usize,
    }
    // By name: what a reader looks down the list for.
    let mut rows: std::collections::BTreeMap<&str, (StateCode, Row)> = Default::default();
    for p in ps {
        let Some(agency) = catalog.agencies.get(&p.agency_id) else {
            continue;
        };
        let (_, row) = rows
            .entry(agency.state.name())
            .or_insert_with(|| (agency.state, Row::default()));
        row.agencies.insert(agency.id.clone());
        row.partnerships += 1;
        match listing::activity(catalog, p, today).map(|a| a.certainty) {
            Some(listing::Certainty::Certain) => row.certain += 1,
            Some(listing::Certainty::Possible) => row.possible += 1,
            None => {}
        }
    }
    html! {
        div class="scroll" {
            table {
                caption class="muted" { "Partnerships by the state of their agency; each agency's page lists its own, with dates and sources" }
                thead { tr { th scope="col" { "State" } th scope="col" { "Agencies" } th scope="col" { "Partnerships" }
                    th scope="col" { "Active today, certainly" } th scope="col" { "Possibly" } th scope="col" { "Data" } } }
                tbody {
                    @for (name, (state, row)) in &rows {
                        @let code = state.as_str();
                        tr {
                            td { a href=(format!("/agencies.html?state={code}")) { (name) } }
                            td { (row.agencies.len()) }
                            td { (row.partnerships) }
                            td { (row.certain) }
                            td { (row.possible) }
                            td { a href=(format!("/partnerships.csv?state={code}")) { "CSV" } ", " a href=(format!("/embed/map?state={code}")) { "map" } }
                        }
                    }
                }
            }
        }
    }
}

fn partnership_table(catalog: &Catalog, ps: &[&Partnership], today: Date) -> Markup {
    html! {
        div class="scroll" {
            table {
                caption class="muted" { "Each partnership, with its dates at the precision known" }
                thead { tr { th scope="col" { "Agency" } th scope="col" { "State" } th scope="col" { "Program" }
                    th scope="col" { "Status" } th scope="col" { "Start" } th scope="col" { "End" } th scope="col" { "Today" } th scope="col" { "Last confirmed" } } }
                tbody {
                    @for p in ps {
                        @let agency = catalog.agencies.get(&p.agency_id);
                        @let today_is = listing::activity(catalog, p, today).map(|a| a.certainty.as_str());
                        tr {
                            td { @match agency { Some(a) => a href=(format!("/agencies/{}", a.id)) { (a.name) }, None => (p.agency_id) } }
                            td { (agency.map_or("", |a| a.state.as_str())) }
                            td { a href=(format!("/programs/{}", p.program_id)) { (catalog.programs.get(&p.program_id).map_or(p.program_id.as_str(), |pr| pr.name.as_str())) } }
                            td { a href=(format!("/partnerships/{}", p.id)) { (p.status.as_str()) } }
                            td { (date(p.start)) }
                            td { @if p.end.is_some() { (date(p.end)) } @else { span class="muted" { "—" } } }
                            td { @match today_is { Some(c) => span class=(format!("pill {c}")) { "active (" (c) ")" }, None => span class="muted" { "not active" } } }
                            td { (confirmed(p.last_confirmed, today)) }
                        }
                    }
                }
            }
        }
    }
}

/// When a fact was last confirmed by its evidence, and how long ago that is: a fact from a
/// 2020 snapshot is not current in 2026.
fn confirmed(day: Option<Date>, today: Date) -> Markup {
    html! {
        @match day {
            Some(d) => { time datetime=(d.to_string()) { (layout::day_text(d)) } " (" (layout::days_ago(d, today)) ")" },
            None => span class="muted" { "never" },
        }
    }
}

/// The timeline chart: partnerships active per month, certain and possible, with its data
/// as a table for screen readers.
fn timeline(periods: &[stats::Period]) -> Markup {
    let max = periods.iter().map(|p| p.possible).max().unwrap_or(0).max(1) as f64;
    let n = periods.len().max(1) as f64;
    let (w, h) = (960.0, 200.0);
    let bw = w / n;
    html! {
        svg class="chart" viewBox=(format!("0 0 {w} {}", h + 20.0)) role="img"
            aria-label="Partnerships active per month: certainly (dark) and possibly (light)" {
            @for (i, p) in periods.iter().enumerate() {
                @let x = i as f64 * bw;
                @let hp = p.possible as f64 / max * h;
                @let hc = p.certain as f64 / max * h;
                rect class="p" x=(format!("{x:.1}")) y=(format!("{:.1}", h - hp)) width=(format!("{:.2}", (bw - 0.5).max(0.5))) height=(format!("{hp:.1}")) {}
                rect class="c" x=(format!("{x:.1}")) y=(format!("{:.1}", h - hc)) width=(format!("{:.2}", (bw - 0.5).max(0.5))) height=(format!("{hc:.1}")) {}
                @if p.first.month() == time::Month::January {
                    text x=(format!("{x:.1}")) y=(h + 15.0) { (p.first.year()) }
                }
            }
        }
        details {
            summary { "The timeline as a table" }
            div class="scroll" {
                table {
                    thead { tr { th scope="col" { "Month" } th scope="col" { "Certainly active all month" } th scope="col" { "Possibly active" } th scope="col" { "Started" } th scope="col" { "Ended" } } }
                    tbody {
                        @for p in periods {
                            tr { td { (format!("{:04}-{:02}", p.first.year(), u8::from(p.first.month()))) } td { (p.certain) } td { (p.possible) } td { (p.starts) } td { (p.ends) } }
                        }
                    }
                }
            }
        }
    }
}

/// The embed snippet builder: pinned to this dataset version by default.
fn snippet_builder(req: &Request, catalog: &Catalog) -> Markup {
    let origin = layout::origin(req);
    let as_of = catalog
        .last_modified()
        .map(layout::rfc3339)
        .unwrap_or_default();
    let src = format!(
        "{origin}/embed/map?as_of={}",
        url::form_urlencoded::byte_serialize(as_of.as_bytes()).collect::<String>()
    );
    html! {
        form id="snippet" data-base=(origin) data-as-of=(as_of) {
            div class="controls" {
                label for="snip-kind" { "Embed" }
                select id="snip-kind" name="kind" { option value="map" { "map" } option value="table" { "table" } option value="count" { "count" } }
                label for="snip-state" { "State" }
                select id="snip-state" data-param="state" {
                    option value="" { "all" }
                    @for o in crate::render::outlines::OUTLINES.iter() { option value=(o.code) { (o.name) } }
                }
                label for="snip-status" { "Status" }
                select id="snip-status" data-param="status" { option value="" { "any" } @for s in Status::ALL { option value=(s.as_str()) { (s.as_str()) } } }
                label { input type="checkbox" name="pin" checked; " pin to this version (" (as_of) ")" }
            }
            label for="snip-code" { "Paste this into your page:" }
            textarea id="snip-code" readonly {
                (format!("<iframe src=\"{src}\" title=\"Ring police partnerships\" width=\"100%\" height=\"560\" style=\"border:0\" loading=\"lazy\"></iframe>"))
            }
        }
    }
}

/// `GET /` as HTML.
pub async fn landing(state: &AppState, req: &Request, q: &Params) -> Result<String, ApiError> {
    q.only(&["as_of"])?;
    let catalog = crate::api::view(state, q.get("as_of")).await?;
    let today = crate::service::writer::now().date();
    let now = crate::service::writer::now();
    let all: Vec<&Partnership> = catalog.partnerships.values().map(|p| &**p).collect();
    let (marks, unplaced) = markers(&catalog, all.iter().copied(), today);
    let s = stats::stats(&catalog, all.iter().copied(), Interval::Month, today);
    let (mut certain, mut possible) = (0, 0);
    for p in &all {
        match listing::activity(&catalog, p, today).map(|a| a.certainty) {
            Some(listing::Certainty::Certain) => certain += 1,
            Some(listing::Certainty::Possible) => possible += 1,
            None => {}
        }
    }
    let origin = layout::origin(req);
    let updated = catalog.last_modified();
    let coverage = catalog.coverage();
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": "US police agencies' partnerships with Amazon Ring",
        "description": "Which US police and other public safety agencies partner with Amazon Ring, through which programs, from when to when, and on what evidence.",
        "url": format!("{origin}/"),
        "license": crate::api::LICENSE_URL,
        "creditText": crate::api::ATTRIBUTION,
        "version": catalog.seq().to_string(),
        "dateModified": updated.map(layout::rfc3339),
        "spatialCoverage": {"@type": "Place", "name": "United States"},
        "isAccessibleForFree": true,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": format!("{origin}/partnerships.csv")},
            {"@type": "DataDownload", "encodingFormat": "application/geo+json", "contentUrl": format!("{origin}/partnerships.geojson")},
            {"@type": "DataDownload", "encodingFormat": "application/zip", "contentUrl": format!("{origin}/downloads")},
        ],
    });
    let body = html! {
        h1 { "Which police agencies partner with Amazon Ring?" }
        p class="lede" {
            "An open record of US police and other public safety agencies' partnerships with Ring, "
            "Amazon's doorbell-camera company: through which program, from when to when, "
            "and on what evidence. Every record cites its sources and keeps its history."
        }
        ul class="counts" {
            li { b { (all.len()) } "partnerships" }
            li { b { (catalog.agencies.len()) } "agencies" }
            li { b { (certain) } "certainly active today" }
            li { b { (possible) } "possibly active today" }
        }
        p class="muted" {
            "“Certainly” counts partnerships whose known dates cannot mean otherwise; “possibly” adds those whose dates are known only to the month or year, or whose end is unknown. "
            @if let Some(t) = updated {
                "Data last changed " (timestamp(t)) " (" (layout::age(t, now)) "), dataset version " (catalog.seq()) "."
            }
        }
        h2 { "How old the facts are" }
        p {
            "A partnership is only as current as its newest evidence. "
            "Past its last confirmation a partnership counts as possibly active, never certainly."
        }
        ul class="coverage" {
            @for c in &coverage {
                li {
                    b { (c.partnerships) } " partnership(s) last confirmed "
                    (confirmed(c.last_confirmed, today))
                    @match c.source { Some(src) => { " by " a href=(format!("/sources/{}", src.id)) { (src.title) } }, None => { ", with no dated evidence" } }
                    "."
                }
            }
        }
        form class="search" action="/agencies.html" method="get" role="search" {
            label for="q" { "Search an agency or place" }
            input type="search" id="q" name="q" placeholder="e.g. Greenfield, or Milwaukee";
            button type="submit" { "Search" }
            button type="button" class="plain" id="near-me" hidden { "Near me" }
        }
        ol id="near-results" aria-live="polite" {}
        h2 { "The map" }
        (map_block("national", "Map of Ring partnerships by agency location", &marks, unplaced, today, true))
        h2 { "By state" }
        (state_table(&catalog, &all, today))
        h2 { "Partnerships active per month" }
        (timeline(&s.timeline))
        h2 { "Get the data" }
        ul {
            li { a href="/partnerships.csv" { "All partnerships (CSV)" } ", " a href="/partnerships.geojson" { "GeoJSON" } ", " a href="/agencies.csv" { "agencies (CSV)" } }
            li { a href="/downloads" { "Bulk downloads" } " (CSV tables and a zip with a Data Package)" }
            li { a href="/docs" { "API documentation" } " and " a href="/openapi.json" { "OpenAPI spec" } }
            li { a href="/changes" { "Recent changes" } " and the " a href="/changes.atom" { "change feed (Atom)" } }
        }
        h2 { "Embed this map" }
        p { "The snippet pins the data to this version (" code { "as_of" } "), so a published story's map never changes under it; the embed says how many changes have been made since and links to the live version." }
        (snippet_builder(req, &catalog))
    };
    Ok(layout::render(
        req,
        Page {
            title: "Police partnerships with Amazon Ring".into(),
            description: format!(
                "{} partnerships of {} US public safety agencies with Amazon Ring, with dates, sources and history.",
                all.len(),
                catalog.agencies.len()
            ),
            path: "/".into(),
            alternates: vec![
                alt(JSON, "/", "JSON"),
                alt(CSV, "/partnerships.csv", "Partnerships as CSV"),
                alt(GEOJSON, "/partnerships.geojson", "Partnerships as GeoJSON"),
                alt("application/atom+xml", "/changes.atom", "Changes"),
            ],
            json_ld: Some(ld),
            body,
            embed: false,
        },
    ))
}

fn citations(catalog: &Catalog, kind: EntityKind, id: &str) -> Markup {
    let cites = catalog.citations_of(kind, id);
    html! {
        @if cites.is_empty() {
            p class="muted" { "No source is cited for this record yet." }
        } @else {
            ol {
                @for c in cites {
                    @if let Some(s) = catalog.sources.get(&c.source_id) {
                        li {
                            a href=(s.url) rel="nofollow noopener" { (s.title) }
                            @if let Some(p) = &s.publisher { ", " (p) }
                            @if s.published.is_some() { ", " (date(s.published)) }
                            " " small { "(" (s.kind.as_str()) @if let Some(f) = &c.field { "; supports " code { (f) } } ")" }
                            @if let Some(q) = &c.quote { blockquote { (q) } }
                            " " a href=(format!("/sources/{}", s.id)) { "About this source" }
                            @if let Some(a) = &s.archived_url { " · " a href=(a) rel="nofollow noopener" { "archived copy" } }
                        }
                    }
                }
            }
        }
    }
}

async fn history(state: &AppState, kind: EntityKind, id: &str) -> Result<Markup, ApiError> {
    let revs = state
        .dataset
        .history(kind, id)
        .await
        .map_err(crate::api::service_error)?;
    let mut prev: Option<serde_json::Value> = None;
    let mut rows = Vec::new();
    for c in &revs {
        let changes = match &prev {
            Some(old) => crate::service::history::diff(old, &c.revision.data)
                .into_iter()
                .map(|f| f.field)
                .collect::<Vec<_>>()
                .join(", "),
            None => "created".into(),
        };
        prev = Some(c.revision.data.clone());
        rows.push((c, changes));
    }
    Ok(html! {
        @if rows.is_empty() { p class="muted" { "No history." } } @else {
            div class="scroll" { table {
                thead { tr { th scope="col" { "When" } th scope="col" { "Kind of change" } th scope="col" { "What changed" } th scope="col" { "Why" } th scope="col" { "Sources" } } }
                tbody {
                    @for (c, changes) in rows.iter().rev() {
                        tr {
                            td { (timestamp(c.revision.recorded_at)) br; small { "version " (c.revision.version) ", revision " (c.revision.seq) } }
                            td { (c.revision.change_kind.as_str()) }
                            td { (changes) }
                            td { (c.revision.note.as_deref().unwrap_or("")) }
                            td { @for s in &c.sources { a href=(format!("/sources/{s}")) { "#" (s) } " " } }
                        }
                    }
                }
            } }
        }
    })
}

fn phases_timeline(catalog: &Catalog, program_id: &str) -> Markup {
    let phases = catalog.phases_of(program_id);
    html! {
        @if phases.is_empty() { p class="muted" { "No phases recorded." } } @else {
            ol class="timeline" {
                @for ph in phases {
                    li {
                        b { (ph.name) } " " small { "(" (ph.status.as_str()) ")" } br;
                        (date(ph.start)) " – " @if ph.end.is_some() { (date(ph.end)) } @else { "open" }
                        br;
                        @if ph.footage_requests {
                            "Agencies could ask residents for footage through Ring"
                            @if let Some(c) = &ph.footage_condition { " (only " (c) ")" }
                            "."
                        } @else { "No footage requests through Ring." }
                        @if let Some(d) = &ph.description { p { (d) } }
                    }
                }
            }
        }
    }
}

/// `GET /agencies/{id}` as HTML.
pub async fn agency(
    state: &AppState,
    req: &Request,
    id: &str,
    q: &Params,
) -> Result<String, ApiError> {
    q.only(&["as_of"])?;
    // Before the catalog view: a live view is a lock guard, never held across an await.
    let hist = history(state, EntityKind::Agency, id).await?;
    let catalog = crate::api::view(state, q.get("as_of")).await?;
    let Some(a) = catalog.agencies.get(id).cloned() else {
        return Err(missing(&catalog, EntityKind::Agency, "agencies", id));
    };
    let today = crate::service::writer::now().date();
    let ps = catalog.partnerships_of(&a.id);
    let neighbours = neighbours(&catalog, &a);
    let mut marks: Vec<Marker> = neighbours
        .iter()
        .filter_map(|(n, _)| {
            Some(Marker {
                lon: n.longitude?,
                lat: n.latitude?,
                label: n.name.clone(),
                href: Some(format!("/agencies/{}", n.id)),
                class: "inactive",
                from: None,
                to: None,
                state: n.state.as_str(),
            })
        })
        .collect();
    if let (Some(lat), Some(lon)) = (a.latitude, a.longitude) {
        marks.push(Marker {
            lon,
            lat,
            label: a.name.clone(),
            href: None,
            class: "self",
            from: None,
            to: None,
            state: a.state.as_str(),
        });
    }
    let programs: std::collections::BTreeSet<&str> =
        ps.iter().map(|p| p.program_id.as_str()).collect();
    let body = html! {
        p { a href="/" { "Home" } " › " a href=(format!("/agencies.html?state={}", a.state.as_str())) { (a.state.name()) } }
        h1 { (a.name) }
        p class="lede" {
            (a.agency_type.as_str().replace('_', " ")) ", " (a.jurisdiction_type.as_str().replace('_', " ")) " jurisdiction"
            @if let Some(c) = &a.city { ", " (c) }
            @if let Some(c) = &a.county { ", " (c) }
            ", " (a.state.name()) "."
            @if let Some(o) = &a.ori { " ORI " code { (o) } "." }
        }
        @if let Some(n) = &a.notes { p { (n) } }
        h2 { "Partnerships" }
        @if ps.is_empty() { p { "No partnership with Ring is recorded for this agency." } } @else {
            (partnership_table(&catalog, &ps, today))
        }
        @for pid in &programs {
            h2 { "What " (catalog.programs.get(*pid).map_or(*pid, |p| p.name.as_str())) " allowed, phase by phase" }
            (phases_timeline(&catalog, pid))
        }
        h2 { "Sources" }
        (citations(&catalog, EntityKind::Agency, &a.id))
        @for p in &ps {
            @if !catalog.citations_of(EntityKind::Partnership, &p.id.to_string()).is_empty() {
                h3 { "For partnership " a href=(format!("/partnerships/{}", p.id)) { "#" (p.id) } }
                (citations(&catalog, EntityKind::Partnership, &p.id.to_string()))
            }
        }
        h2 { "Where" }
        @if a.latitude.is_some() {
            div class="map-wrap" {
                (map::svg(&marks, &MapOptions { title: &format!("Locator map of {}", a.name), focus: vec![a.state.as_str()], standalone: false }))
                p class="detail" aria-live="polite" {}
                (legend(true))
            }
            p class="muted" {
                "Placed at " (format!("{:.4}, {:.4}", a.latitude.unwrap_or_default(), a.longitude.unwrap_or_default()))
                @if let Some(p) = a.location_precision { " (" (p.as_str()) " precision" @if let Some(s) = &a.location_source { ", from " (s) } ")" }
                "."
            }
            @if !a.quality_flags.is_empty() {
                p class="muted" {
                    "Data quality: "
                    @for (i, f) in a.quality_flags.iter().enumerate() { @if i > 0 { ", " } code { (f.as_str()) } }
                    " (what the importer found inconsistent or weak in this record)."
                }
            }
        } @else { p class="muted" { "This agency has no position yet." } }
        h2 { "Nearest agencies in the dataset" }
        @if neighbours.is_empty() { p class="muted" { "None." } } @else {
            ul { @for (n, d) in &neighbours {
                li { a href=(format!("/agencies/{}", n.id)) { (n.name) } " (" (n.state.as_str()) ")" @if let Some(d) = d { ", " (format!("{:.1}", d / 1000.0)) " km" } }
            } }
        }
        h2 { "History of this record" }
        (hist)
        p { a href=(format!("/agencies/{}/history", a.id)) { "History as JSON" } }
        (report_form(&a, &ps))
    };
    Ok(layout::render(
        req,
        Page {
            title: a.name.clone(),
            description: format!(
                "{}, {}: {} Ring partnership(s), with dates, sources and history.",
                a.name,
                a.state.name(),
                ps.len()
            ),
            path: format!("/agencies/{}", a.id),
            alternates: vec![
                alt(JSON, format!("/agencies/{}", a.id), "JSON"),
                alt(
                    CSV,
                    format!("/partnerships.csv?agency={}", a.id),
                    "Partnerships as CSV",
                ),
                alt(
                    GEOJSON,
                    format!("/partnerships.geojson?agency={}", a.id),
                    "Partnerships as GeoJSON",
                ),
            ],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}

/// The "report a correction" form of an agency page: a plain HTML form (no script) posting
/// to `/reports`, which answers a browser with a redirect to the report's page.
fn report_form(a: &Agency, ps: &[&Partnership]) -> Markup {
    let agency = format!("agencies/{}", a.id);
    html! {
        h2 id="report" { "Report a correction" }
        p {
            "Something wrong or missing here? Say what, and link a public page that shows it. "
            "A report changes nothing by itself: an editor checks the evidence and makes the "
            "cited edit. Its page shows its status."
        }
        form class="report" method="post" action="/reports" {
            p {
                label for="report-record" { "What the report is about" }
                br;
                select id="report-record" name="record" {
                    option value=(agency) selected { "This agency" }
                    @for p in ps {
                        option value=(format!("partnerships/{}", p.id)) { "Partnership #" (p.id) }
                    }
                }
            }
            p {
                label for="report-what" { "What is wrong" }
                br;
                textarea id="report-what" name="what" rows="4" maxlength="4000" required {}
            }
            p {
                label for="report-evidence" { "A public page that shows it (http or https URL)" }
                br;
                input id="report-evidence" type="url" name="evidence_url" maxlength="2000" required;
            }
            p {
                label for="report-contact" { "How an editor may reach you (optional; never published)" }
                br;
                input id="report-contact" type="text" name="contact" maxlength="500" autocomplete="email";
            }
            p { button type="submit" { "Send the report" } }
        }
    }
}

/// A correction report's page: where a browser lands after sending one. Its status and the
/// editor's reason, never its contact. Not cached: a decision changes no dataset version.
pub async fn report(
    state: &AppState,
    req: &Request,
    id: &str,
    q: &Params,
) -> Result<String, ApiError> {
    q.only(&[])?;
    let n = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("report", id))?;
    let r = crate::service::reports::get(&state.dataset, n)
        .await
        .map_err(crate::api::reports::report_error)?;
    let record_link = r.record.as_deref().map(|rec| {
        let pages = ["agencies/", "partnerships/", "programs/", "sources/"];
        (rec.to_string(), pages.iter().any(|p| rec.starts_with(p)))
    });
    let body = html! {
        p { a href="/" { "Home" } }
        h1 { "Correction report #" (r.id) }
        @if r.status == "open" {
            p class="lede" {
                "Thank you: the report is received and waits for an editor. "
                "Keep this page's address to see what becomes of it."
            }
        }
        dl {
            dt { "Status" } dd { strong { (r.status) } }
            dt { "Received" } dd { (timestamp(r.created_at)) }
            dt { "About" } dd {
                @match &record_link {
                    Some((rec, true)) => a href=(format!("/{rec}")) { (rec) },
                    Some((rec, false)) => code { (rec) },
                    None => { "A missing agency: " (r.missing_agency.as_deref().unwrap_or("")) },
                }
            }
            dt { "What is wrong" } dd { (r.what) }
            dt { "Evidence" } dd { code { (r.evidence_url) } }
            @if let Some(d) = r.decided_at { dt { "Decided" } dd { (timestamp(d)) } }
            @if let Some(reason) = &r.reason { dt { "Reason" } dd { (reason) } }
            @if let Some(seq) = r.revision_seq {
                dt { "The edit it led to" } dd { "Revision " (seq) " in " a href="/changes" { "the change history" } }
            }
        }
        p class="muted" { "A report changes no data by itself; the contact given with it is never shown." }
    };
    Ok(layout::render(
        req,
        Page {
            title: format!("Correction report #{}", r.id),
            description: format!("Correction report #{}: {}.", r.id, r.status),
            path: format!("/reports/{}", r.id),
            alternates: vec![alt(JSON, format!("/reports/{}", r.id), "JSON")],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}

/// The nearest few other agencies, by the spatial index (bounded: O(k log n)).
fn neighbours<'c>(catalog: &'c Catalog, a: &Agency) -> Vec<(&'c Agency, Option<f64>)> {
    let Some(center) = position(a) else {
        return Vec::new();
    };
    let filter = listing::AgencyFilter {
        geo: GeoFilter {
            near: Some(Near {
                center,
                radius_m: None,
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let req = PageRequest {
        limit: 7,
        cursor: None,
        count: false,
        unbounded: false,
    };
    let sort = Sort {
        field: AgencySortField::Distance,
        descending: false,
    };
    listing::agencies(catalog, &filter, sort, &req)
        .map(|page| {
            page.items
                .into_iter()
                .filter(|h| h.item.id != a.id)
                .take(6)
                .map(|h| (h.item, h.distance_m))
                .collect()
        })
        .unwrap_or_default()
}

/// `GET /partnerships/{id}` as HTML.
pub async fn partnership(
    state: &AppState,
    req: &Request,
    id: &str,
    q: &Params,
) -> Result<String, ApiError> {
    q.only(&["as_of"])?;
    let hist = history(state, EntityKind::Partnership, id).await?;
    let catalog = crate::api::view(state, q.get("as_of")).await?;
    let Some(p) = id
        .parse::<i64>()
        .ok()
        .and_then(|n| catalog.partnerships.get(&n))
        .cloned()
    else {
        return Err(missing(
            &catalog,
            EntityKind::Partnership,
            "partnerships",
            id,
        ));
    };
    let today = crate::service::writer::now().date();
    let agency = catalog.agencies.get(&p.agency_id);
    let program = catalog.programs.get(&p.program_id);
    let name = agency.map_or(p.agency_id.as_str(), |a| a.name.as_str());
    let body = html! {
        h1 { (name) " and " (program.map_or(p.program_id.as_str(), |pr| pr.name.as_str())) }
        (partnership_table(&catalog, &[&*p], today))
        @if !p.video_requests.is_empty() {
            h2 { "Video requests" }
            ul { @for v in &p.video_requests { li { (v.count) " request(s), " (date(Some(v.from))) @if v.to.is_some() { " – " (date(v.to)) } } } }
        }
        @if let Some(n) = &p.notes { p { (n) } }
        h2 { "Program phases" }
        (phases_timeline(&catalog, &p.program_id))
        h2 { "Sources" }
        (citations(&catalog, EntityKind::Partnership, id))
        h2 { "History of this record" }
        (hist)
        @if let Some(a) = agency { p { a href=(format!("/agencies/{}", a.id)) { "More about " (a.name) } } }
    };
    Ok(layout::render(
        req,
        Page {
            title: format!("Partnership #{}: {name}", p.id),
            description: format!("{name}'s partnership with Ring: dates, sources and history."),
            path: format!("/partnerships/{}", p.id),
            alternates: vec![
                alt(JSON, format!("/partnerships/{}", p.id), "JSON"),
                alt(
                    CSV,
                    format!("/partnerships.csv?agency={}", p.agency_id),
                    "CSV",
                ),
                alt(
                    GEOJSON,
                    format!("/partnerships.geojson?agency={}", p.agency_id),
                    "GeoJSON",
                ),
            ],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}

/// `GET /programs/{id}` as HTML.
pub async fn program(
    state: &AppState,
    req: &Request,
    id: &str,
    q: &Params,
) -> Result<String, ApiError> {
    q.only(&["as_of"])?;
    let catalog = crate::api::view(state, q.get("as_of")).await?;
    let Some(pr) = catalog.programs.get(id).cloned() else {
        return Err(missing(&catalog, EntityKind::Program, "programs", id));
    };
    let body = html! {
        h1 { (pr.name) }
        p class="lede" { "A program of " (pr.vendor) ", " (date(pr.start)) " – " @if pr.end.is_some() { (date(pr.end)) } @else { "open" } "." }
        @if let Some(d) = &pr.description { p { (d) } }
        p { a href=(format!("/partnerships.csv?program={}", pr.id)) { "Its partnerships (CSV)" } }
        h2 { "Phases" }
        (phases_timeline(&catalog, &pr.id))
        h2 { "Sources" }
        (citations(&catalog, EntityKind::Program, &pr.id))
    };
    Ok(layout::render(
        req,
        Page {
            title: pr.name.clone(),
            description: format!("{}: the program's phases and sources.", pr.name),
            path: format!("/programs/{}", pr.id),
            alternates: vec![
                alt(JSON, format!("/programs/{}", pr.id), "JSON"),
                alt(
                    CSV,
                    format!("/partnerships.csv?program={}", pr.id),
                    "Partnerships as CSV",
                ),
                alt(
                    GEOJSON,
                    format!("/partnerships.geojson?program={}", pr.id),
                    "Partnerships as GeoJSON",
                ),
            ],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}

/// `GET /sources/{id}` as HTML: the source and what it supports.
pub async fn source(
    state: &AppState,
    req: &Request,
    id: &str,
    q: &Params,
) -> Result<String, ApiError> {
    q.only(&["as_of"])?;
    let catalog = crate::api::view(state, q.get("as_of")).await?;
    let Some(s) = id
        .parse::<i64>()
        .ok()
        .and_then(|n| catalog.sources.get(&n))
        .cloned()
    else {
        return Err(missing(&catalog, EntityKind::Source, "sources", id));
    };
    // The same citations as the JSON detail (`GET /sources/{id}`'s `cited_by`).
    let (_, citing) = catalog.cited_by(s.id, 1000);
    let link = |kind: EntityKind, id: &str| -> String {
        let collection = kind.collection();
        match kind {
            EntityKind::Agency
            | EntityKind::Partnership
            | EntityKind::Program
            | EntityKind::Source => {
                format!("/{collection}/{id}")
            }
            EntityKind::Phase | EntityKind::Citation => format!("/{collection}/{id}/history"),
        }
    };
    let body = html! {
        h1 { (s.title) }
        p class="lede" {
            @if let Some(p) = &s.publisher { (p) ", " }
            (date(s.published)) ". " small { (s.kind.as_str()) }
        }
        p { a href=(s.url) rel="nofollow noopener" { (s.url) } @if let Some(a) = &s.archived_url { " · " a href=(a) rel="nofollow noopener" { "archived copy" } } }
        @if let Some(d) = s.accessed { p class="muted" { "Accessed " (d.to_string()) "." } }
        h2 { "What it supports" }
        @if citing.is_empty() { p class="muted" { "No record cites it." } } @else {
            ul { @for c in &citing {
                li {
                    (c.entity_kind.as_str()) " "
                    @let label = match c.entity_kind {
                        EntityKind::Agency => catalog.agencies.get(&c.entity_id).map(|a| a.name.clone()),
                        _ => None,
                    };
                    a href=(link(c.entity_kind, &c.entity_id)) { (label.unwrap_or_else(|| c.entity_id.clone())) }
                    @if let Some(f) = &c.field { " (" code { (f) } ")" }
                    @if let Some(q) = &c.quote { blockquote { (q) } }
                }
            } }
        }
    };
    Ok(layout::render(
        req,
        Page {
            title: s.title.clone(),
            description: format!(
                "A source cited by the Ring partnerships dataset: {}",
                s.title
            ),
            path: format!("/sources/{}", s.id),
            alternates: vec![
                alt(JSON, format!("/sources/{}", s.id), "JSON"),
                alt(CSV, "/sources.csv", "All sources as CSV"),
                alt(GEOJSON, "/partnerships.geojson", "Partnerships as GeoJSON"),
            ],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}

/// `GET /changes` as HTML: the newest revisions, newest first.
pub async fn changes(state: &AppState, req: &Request, q: &Params) -> Result<String, ApiError> {
    q.only(&[])?;
    let head = state.dataset.read().seq();
    let since = (head - 100).max(0);
    let mut revs = state
        .dataset
        .changes(since, 100)
        .await
        .map_err(crate::api::service_error)?;
    revs.reverse();
    let body = html! {
        h1 { "Recent changes" }
        p { "The newest changes to the dataset, newest first. Every change says what kind it is (a real-world change such as " i { "started" } " or " i { "ended" } ", or a correction of our record), why, and on what sources. Follow them all with the " a href="/changes.atom" { "Atom feed" } " or " a href="/changes?since=0" { "the JSON feed" } "." }
        div class="scroll" { table {
            thead { tr { th scope="col" { "When" } th scope="col" { "Record" } th scope="col" { "Kind" } th scope="col" { "Why" } } }
            tbody { @for c in &revs {
                @let r = &c.revision;
                @let collection = r.entity_kind.collection();
                tr {
                    td { (timestamp(r.recorded_at)) br; small { "revision " (r.seq) } }
                    td { (r.entity_kind.as_str()) " " a href=(format!("/{collection}/{}/history", r.entity_id)) { (r.entity_id) } }
                    td { (r.change_kind.as_str()) }
                    td { (r.note.as_deref().unwrap_or("")) }
                }
            } }
        } }
    };
    Ok(layout::render(
        req,
        Page {
            title: "Recent changes".into(),
            description: "The newest changes to the Ring partnerships dataset.".into(),
            path: "/changes".into(),
            alternates: vec![
                alt(JSON, format!("/changes?since={since}"), "JSON"),
                alt("application/atom+xml", "/changes.atom", "Atom"),
                alt(CSV, "/partnerships.csv", "Partnerships as CSV"),
                alt(GEOJSON, "/partnerships.geojson", "Partnerships as GeoJSON"),
            ],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}

/// `GET /agencies` as HTML: the search results.
pub async fn agencies(state: &AppState, req: &Request, q: &Params) -> Result<String, ApiError> {
    q.only(&["q", "state", "as_of"])?;
    let states: Vec<String> = q.all("state");
    let mut filter = crate::api::agencies::agency_filter(
        &states,
        &[],
        &[],
        &[],
        None,
        q.get("q").map(str::to_string),
    )?;
    filter.geo = GeoFilter::default();
    let catalog = crate::api::view(state, q.get("as_of")).await?;
    let req_page = PageRequest {
        limit: 200,
        cursor: None,
        count: true,
        unbounded: false,
    };
    let sort = Sort {
        field: AgencySortField::Name,
        descending: false,
    };
    let page =
        listing::agencies(&catalog, &filter, sort, &req_page).map_err(crate::api::list_error)?;
    let text = q.get("q").unwrap_or("");
    let state_names: Vec<&str> = filter.states.iter().map(StateCode::name).collect();
    let query = req.uri().query().unwrap_or("");
    let body = html! {
        h1 { "Agencies" @if !text.is_empty() { " matching “" (text) "”" } @if !state_names.is_empty() { " in " (state_names.join(", ")) } }
        form class="search" action="/agencies.html" method="get" role="search" {
            label for="q" { "Search an agency or place" }
            input type="search" id="q" name="q" value=(text);
            @for s in &filter.states { input type="hidden" name="state" value=(s.as_str()); }
            button type="submit" { "Search" }
        }
        p { (page.total.unwrap_or(page.items.len())) " agencies" @if page.next.is_some() { "; the first " (page.items.len()) " are shown, see " a href=(format!("/agencies?{query}")) { "the JSON" } " for all" } "." }
        div class="scroll" { table {
            thead { tr { th scope="col" { "Agency" } th scope="col" { "City" } th scope="col" { "State" } th scope="col" { "Partnerships" } } }
            tbody { @for h in &page.items {
                tr {
                    td { a href=(format!("/agencies/{}", h.item.id)) { (h.item.name) } }
                    td { (h.item.city.as_deref().unwrap_or("")) }
                    td { (h.item.state.as_str()) }
                    td { (catalog.partnerships_of(&h.item.id).len()) }
                }
            } }
        } }
    };
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Ok(layout::render(
        req,
        Page {
            title: "Agencies".into(),
            description: "Search US public safety agencies in the Ring partnerships dataset."
                .into(),
            path: format!("/agencies.html{suffix}"),
            alternates: vec![
                alt(JSON, format!("/agencies{suffix}"), "JSON"),
                alt(CSV, format!("/agencies.csv{suffix}"), "CSV"),
                alt(GEOJSON, format!("/agencies.geojson{suffix}"), "GeoJSON"),
            ],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}

/// A 4xx or 5xx as a page that says so and links onward.
pub fn error_page(
    req: &Request,
    status: u16,
    title: &str,
    detail: &str,
    history: Option<&str>,
) -> String {
    let body = html! {
        h1 { (status) " · " (title) }
        p class="lede" { (detail) }
        @if let Some(h) = history { p { "This record was deleted. " a href=(h) { "See its history" } "." } }
        ul {
            li { a href="/" { "The national map and counts" } }
            li { a href="/agencies.html" { "Search agencies" } }
            li { a href="/changes" { "Recent changes" } }
            li { a href="/docs" { "API documentation" } }
        }
    };
    layout::render(
        req,
        Page {
            title: format!("{status} {title}"),
            description: detail.to_string(),
            path: "/".into(),
            alternates: Vec::new(),
            json_ld: None,
            body,
            embed: false,
        },
    )
}
