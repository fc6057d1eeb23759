//! The HTML twins of the JSON resources, built from the same service calls as their JSON
//! handlers (the catalog view, `listing`, `stats`, the history), never by calling the API.
//!
//! One file a page or two: `landing` (`/`), `agency` (an agency's page), `report` (a
//! correction report's), `records` (a partnership's, a program's, a source's), `lists` (the
//! agency search and the recent changes); what they share in `sections` (tables, timelines,
//! citations, history) and `map` (markers and the map block); the error page here.

mod agency;
mod landing;
mod lists;
pub mod map;
mod records;
mod report;
mod sections;

pub use agency::agency;
pub use landing::landing;
pub use lists::{agencies, changes};
pub use records::{partnership, program, source};
pub use report::report;

use super::layout::{self, Page};
use maud::html;
use poem::Request;

pub const CSV: &str = "text/csv";

pub const GEOJSON: &str = "application/geo+json";

pub const JSON: &str = "application/json";

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
