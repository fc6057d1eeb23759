//! Sections several pages share: the partnership table, how old a confirmation is, the
//! timeline chart, a record's citations and history, a program's phases.

use crate::api::AppState;
use crate::domain::{EntityKind, Partnership};
use crate::error::ApiError;
use crate::pages::layout::{self, date, timestamp};
use crate::service::catalog::Catalog;
use crate::service::listing;
use crate::service::stats;
use maud::{Markup, html};
use time::Date;

pub(super) fn partnership_table(catalog: &Catalog, ps: &[&Partnership], today: Date) -> Markup {
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
pub(super) fn confirmed(day: Option<Date>, today: Date) -> Markup {
    html! {
        @match day {
            Some(d) => { time datetime=(d.to_string()) { (layout::day_text(d)) } " (" (layout::days_ago(d, today)) ")" },
            None => span class="muted" { "never" },
        }
    }
}

/// The timeline chart: partnerships active per month, certain and possible, with its data
/// as a table for screen readers.
pub(super) fn timeline(periods: &[stats::Period]) -> Markup {
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

pub(super) fn citations(catalog: &Catalog, kind: EntityKind, id: &str) -> Markup {
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

pub(super) async fn history(
    state: &AppState,
    kind: EntityKind,
    id: &str,
) -> Result<Markup, ApiError> {
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

pub(super) fn phases_timeline(catalog: &Catalog, program_id: &str) -> Markup {
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
