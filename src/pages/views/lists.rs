//! The list pages: recent changes (`GET /changes` as HTML) and the agency search (`GET
//! /agencies` as HTML).

use super::{CSV, GEOJSON, JSON};
use crate::api::AppState;
use crate::domain::StateCode;
use crate::error::ApiError;
use crate::pages::layout::{self, Page, alt, timestamp};
use crate::pages::params::Params;
use crate::service::listing::{self, AgencySortField, GeoFilter, PageRequest, Sort};
use maud::html;
use poem::Request;

/// `GET /changes` as HTML: the newest revisions, newest first.
pub async fn changes(state: &AppState, req: &Request, q: &Params) -> Result<String, ApiError> {
    q.only(&[])?;
    let head = state.dataset.read().seq();
    let since = (head - 100).max(0);
    let revs = state
        .dataset
        .changes(since, 100)
        .await
        .map_err(crate::api::service_error)?;
    let body = html! {
        h1 { "Recent changes" }
        p { "The newest changes to the dataset, newest first. Every change says what kind it is (a real-world change such as " i { "started" } " or " i { "ended" } ", or a correction of our record), why, and on what sources. Follow them all with the " a href="/changes.atom" { "Atom feed" } " or " a href="/changes?since=0" { "the JSON feed" } "." }
        div class="scroll" { table {
            thead { tr { th scope="col" { "When" } th scope="col" { "Record" } th scope="col" { "Kind" } th scope="col" { "Why" } } }
            tbody { @for c in revs.iter().rev() {
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
