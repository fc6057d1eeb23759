//! The pages of a partnership, a program and a source (`GET /partnerships/{id}`,
//! `/programs/{id}`, `/sources/{id}` as HTML).

use super::sections::{citations, history, partnership_table, phases_timeline};
use super::{CSV, GEOJSON, JSON};
use crate::api::AppState;
use crate::api::read_error;
use crate::domain::EntityKind;
use crate::error::ApiError;
use crate::pages::layout::{self, Page, alt, date};
use crate::pages::params::Params;
use maud::html;
use poem::Request;

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
    let p = catalog.partnership(id).map_err(read_error)?.clone();
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
    let pr = catalog.program(id).map_err(read_error)?.clone();
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
    let s = catalog.source(id).map_err(read_error)?.clone();
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
