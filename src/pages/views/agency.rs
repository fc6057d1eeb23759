//! An agency's page (`GET /agencies/{id}` as HTML): its partnerships, the programs' phases,
//! sources, locator map, nearest agencies, history and the correction form.

use super::map::legend;
use super::sections::{citations, history, partnership_table, phases_timeline};
use super::{CSV, GEOJSON, JSON};
use crate::api::AppState;
use crate::api::read_error;
use crate::domain::{Agency, EntityKind, Partnership};
use crate::error::ApiError;
use crate::geo::Near;
use crate::pages::layout::{self, Page, alt};
use crate::pages::params::Params;
use crate::render::map::{self, MapOptions, Marker};
use crate::service::catalog::{Catalog, position};
use crate::service::listing::{self, AgencySortField, GeoFilter, PageRequest, Sort};
use maud::{Markup, html};
use poem::Request;

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
    let a = catalog.agency(id).map_err(read_error)?.clone();
    let today = crate::service::writer::now().date();
    let ps: Vec<&Partnership> = catalog
        .partnerships_of(&a.id)
        .into_iter()
        .map(|p| &**p)
        .collect();
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
                .map(|h| (&**h.item, h.distance_m))
                .collect()
        })
        .unwrap_or_default()
}
