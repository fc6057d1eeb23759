//! The landing page (`GET /` as HTML): counts, how old the facts are, the national map,
//! the timeline, the downloads and the embed snippet builder.

use super::map::{map_block, markers};
use super::sections::{confirmed, timeline};
use super::{CSV, GEOJSON, JSON};
use crate::api::AppState;
use crate::domain::{Partnership, StateCode, Status};
use crate::error::ApiError;
use crate::pages::layout::{self, Page, alt, timestamp};
use crate::pages::params::Params;
use crate::service::catalog::Catalog;
use crate::service::listing;
use crate::service::stats::{self, Interval};
use maud::{Markup, html};
use poem::Request;
use time::Date;

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

/// Partnerships per state, with how many are active today and links to each state's
/// agencies (whose page links their CSV) and map: a few dozen rows however many partnerships there are.
fn state_table(catalog: &Catalog, ps: &[&Partnership], today: Date) -> Markup {
    #[derive(Default)]
    struct Row<'c> {
        agencies: std::collections::BTreeSet<&'c str>,
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
        row.agencies.insert(agency.id.as_str());
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
                    th scope="col" { "Active today, certainly" } th scope="col" { "Possibly" } th scope="col" { "Map" } } }
                tbody {
                    @for (name, (state, row)) in &rows {
                        @let code = state.as_str();
                        tr {
                            td { a href=(format!("/agencies.html?state={code}")) { (name) } }
                            td { (row.agencies.len()) }
                            td { (row.partnerships) }
                            td { (row.certain) }
                            td { (row.possible) }
                            td { a href=(format!("/embed/map?state={code}")) { "map" } }
                        }
                    }
                }
            }
        }
    }
}
