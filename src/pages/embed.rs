//! Embeds newsrooms can frame (`/embed/map`, `/embed/table`, `/embed/count`), the map as an
//! image (`/embed/map.svg`, `/embed/map.png`), and oEmbed so a CMS embeds a pasted page URL.
//!
//! An embed takes the partnership list's filters and `as_of`. Pinned (with `as_of`, as the
//! snippet builder writes it) it shows the dataset as it stood then, so a published story's
//! embed never changes under it, and says how many changes were made since, linking to them
//! and to the live version. Only these routes may be framed (`frame-ancestors *`).

use super::layout::{self, Page};
use super::params::{PYM, Params};
use super::views;
use super::views::map::{map_block, markers};
use super::{AllowFraming, CSP_EMBED, CachedPage, PageCache, html_error};
use crate::api::AppState;
use crate::api::partnerships::{PartnershipSearch, partnership_filter};
use crate::domain::Partnership;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::render::map::{self, MapOptions};
use crate::service::listing::{self, PageRequest, PartnershipSortField, Sort};
use crate::web::compress::set_encoding;
use bytes::Bytes;
use maud::html;
use poem::http::header;
use poem::{Endpoint, IntoResponse, Request, Response};
use std::sync::Arc;

/// The filters an embed takes, besides pym.js's own parameters.
pub const FILTERS: &[&str] = &[
    "state",
    "program",
    "status",
    "active_on",
    "near",
    "radius",
    "bbox",
    "agency",
    "as_of",
];

fn search(q: &Params) -> PartnershipSearch {
    PartnershipSearch {
        agency: q.get("agency").map(str::to_string),
        state: q.all("state"),
        program: q.all("program"),
        status: q.all("status"),
        near: q.get("near").map(str::to_string),
        radius: q.get("radius").map(str::to_string),
        bbox: q.get("bbox").map(str::to_string),
        active_on: q.get("active_on").map(str::to_string),
        as_of: q.get("as_of").map(str::to_string),
        ..Default::default()
    }
}

pub struct Embed {
    pub state: AppState,
    pub cache: Arc<PageCache>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Table,
    Count,
    Svg,
    Png,
}

impl Endpoint for Embed {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let kind = match req.uri().path().trim_start_matches("/embed/") {
            "map" => Kind::Map,
            "table" => Kind::Table,
            "count" => Kind::Count,
            "map.svg" => Kind::Svg,
            "map.png" => Kind::Png,
            other => {
                let p = Problem::new(
                    ErrorCode::RouteNotFound,
                    format!(
                        "there is no embed `{other}`: use map, table, count, map.svg or map.png"
                    ),
                );
                return Ok(html_error(&req, p.response(), true).await);
            }
        };
        let seq = self.state.dataset.read().seq();
        let key = super::cache_key(&req, req.uri().path());
        if let Some(hit) = self.cache.get(seq, &key) {
            return Ok(respond(&req, kind, &hit).await);
        }
        match self.render(&req, kind).await {
            Ok(body) => {
                let page = self.cache.put(seq, key, Bytes::from(body));
                Ok(respond(&req, kind, &page).await)
            }
            Err(e) => {
                let resp = e.into_response();
                Ok(match kind {
                    Kind::Map | Kind::Table | Kind::Count => html_error(&req, resp, true).await,
                    Kind::Svg | Kind::Png => resp,
                })
            }
        }
    }
}

async fn respond(req: &Request, kind: Kind, page: &CachedPage) -> Response {
    match kind {
        Kind::Map | Kind::Table | Kind::Count => page.response(req, true).await,
        Kind::Svg => {
            let (body, encoding) = page.body(req.header(header::ACCEPT_ENCODING)).await;
            let mut r = Response::builder()
                .content_type("image/svg+xml")
                .header(header::CONTENT_SECURITY_POLICY, CSP_EMBED)
                .body(body);
            set_encoding(&mut r, encoding);
            r.set_data(AllowFraming);
            r
        }
        Kind::Png => {
            // PNG is compressed already: sent as it is (the compression layer knows).
            let mut r = Response::builder()
                .content_type("image/png")
                .header(header::CONTENT_SECURITY_POLICY, CSP_EMBED)
                .body(page.raw().clone());
            r.set_data(AllowFraming);
            r
        }
    }
}

impl Embed {
    async fn render(&self, req: &Request, kind: Kind) -> Result<Vec<u8>, ApiError> {
        let q = Params::parse(req.uri().query());
        let allowed: Vec<&str> = FILTERS.iter().chain(PYM).copied().collect();
        q.only(&allowed)?;
        let search = search(&q);
        let filter = partnership_filter(&search, self.state.max_polygon_vertices)?;
        let catalog = crate::api::view(&self.state, search.as_of.as_deref()).await?;
        let live_seq = self.state.dataset.read().seq();
        let sort = Sort {
            field: PartnershipSortField::Id,
            descending: false,
        };
        let page = listing::partnerships(&catalog, &filter, sort, &PageRequest::everything())
            .map_err(crate::api::list_error)?;
        let ps: Vec<&Partnership> = page.items.iter().map(|h| &**h.item).collect();
        let day = filter
            .active_on
            .unwrap_or_else(|| crate::service::writer::now().date());
        let (marks, unplaced) = markers(&catalog, ps.iter().copied(), day);
        let title = embed_title(&q);
        if kind == Kind::Svg || kind == Kind::Png {
            let svg = map::svg(
                &marks,
                &MapOptions {
                    title: &title,
                    focus: Vec::new(),
                    standalone: true,
                },
            )
            .into_string();
            return Ok(if kind == Kind::Svg {
                svg.into_bytes()
            } else {
                super::png::rasterise(&svg, 1200).map_err(ApiError::internal)?
            });
        }
        let origin = layout::origin(req);
        let pinned = search.as_of.is_some();
        let since = catalog.seq();
        let changes = live_seq - since;
        let live = live_url(req);
        let body = html! {
            h1 { (title) }
            @match kind {
                Kind::Count => {
                    p { span class="big" { (ps.len()) } " partnerships" }
                }
                Kind::Map => {
                    (map_block("embed-map", &title, &marks, unplaced, day, filter.active_on.is_none()))
                }
                _ => {
                    div class="scroll" { table {
                        thead { tr { th scope="col" { "Agency" } th scope="col" { "State" } th scope="col" { "Status" } th scope="col" { "Start" } th scope="col" { "End" } } }
                        tbody { @for p in &ps {
                            @let a = catalog.agencies.get(&p.agency_id);
                            tr {
                                td { a href=(format!("{origin}/agencies/{}", p.agency_id)) target="_blank" rel="noopener" { (a.map_or(p.agency_id.as_str(), |a| a.name.as_str())) } }
                                td { (a.map_or("", |a| a.state.as_str())) }
                                td { (p.status.as_str()) }
                                td { (layout::date(p.start)) }
                                td { (layout::date(p.end)) }
                            }
                        } }
                    } }
                }
            }
            @if kind != Kind::Map {
                p class="muted" { "Matching partnerships: " b class="shown" { (ps.len()) } "." }
            }
            p class="muted" {
                @if pinned {
                    "As of dataset version " (since)
                    @if let Some(t) = catalog.last_modified() { " (" (layout::timestamp(t)) ")" }
                    ". "
                    @if changes > 0 {
                        a href=(format!("{origin}/changes?since={since}")) target="_blank" rel="noopener" class="changes-since" { (changes) " changes since this version" }
                        " · "
                    } @else { "No change since this version. " }
                    a href=(live) target="_blank" rel="noopener" { "live version" }
                    ". "
                } @else {
                    "Live data, version " (since) ". "
                }
                "Data: " a href=(format!("{origin}/")) target="_blank" rel="noopener" { "Ring police partnerships" } ", " (crate::api::LICENSE_NAME) "."
            }
        };
        let page = layout::render(
            req,
            Page {
                title,
                description: "An embeddable view of US police partnerships with Amazon Ring."
                    .into(),
                path: format!(
                    "{}{}",
                    req.uri().path(),
                    req.uri()
                        .query()
                        .map(|q| format!("?{q}"))
                        .unwrap_or_default()
                ),
                alternates: vec![
                    views_alt_json(req),
                    layout::alt(views::CSV, list_url(req, "partnerships.csv"), "CSV"),
                    layout::alt(
                        views::GEOJSON,
                        list_url(req, "partnerships.geojson"),
                        "GeoJSON",
                    ),
                ],
                json_ld: None,
                body,
                embed: true,
            },
        );
        Ok(page.into_bytes())
    }
}

fn embed_title(q: &Params) -> String {
    let mut t = "Police partnerships with Amazon Ring".to_string();
    let states = q.all("state").join(", ");
    if !states.is_empty() {
        t.push_str(&format!(" in {}", states.to_uppercase()));
    }
    if let Some(d) = q.get("active_on") {
        t.push_str(&format!(", active on {d}"));
    }
    t
}

/// The embed without `as_of` (and without pym.js's parameters): the live version.
fn live_url(req: &Request) -> String {
    let q = Params::parse(req.uri().query());
    let kept = q
        .pairs()
        .filter(|(k, _)| FILTERS.contains(&k.as_str()) && k.as_str() != "as_of");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!(
        "{}{}{}",
        layout::origin(req),
        req.uri().path(),
        if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        }
    )
}

/// The partnership list with the embed's filters, in another format.
fn list_url(req: &Request, file: &str) -> String {
    let q = Params::parse(req.uri().query());
    let kept = q.pairs().filter(|(k, _)| FILTERS.contains(&k.as_str()));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!(
        "/{file}{}",
        if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        }
    )
}

fn views_alt_json(req: &Request) -> layout::Alternate {
    layout::alt(views::JSON, list_url(req, "partnerships"), "JSON")
}

/// `GET /oembed?url=…`: the embed for a page of this site (oEmbed 1.0, JSON).
pub struct OEmbed {
    pub state: AppState,
}

impl Endpoint for OEmbed {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        Ok(match self.answer(&req) {
            Ok(v) => Response::builder()
                .content_type("application/json")
                .body(v.to_string()),
            Err(e) => e.into_response(),
        })
    }
}

impl OEmbed {
    fn answer(&self, req: &Request) -> Result<serde_json::Value, ApiError> {
        let q = Params::parse(req.uri().query());
        q.only(&["url", "format", "maxwidth", "maxheight"])?;
        if let Some(f) = q.get("format").filter(|f| *f != "json") {
            return Err(ApiError::invalid(
                "format",
                format!("`{f}` is not served: oEmbed answers here are `json`"),
            ));
        }
        let dim = |name: &str| -> Result<Option<u32>, ApiError> {
            q.get(name)
                .map(|v| {
                    v.parse::<u32>().map_err(|_| {
                        ApiError::invalid(name, format!("`{v}` is not a whole number of pixels"))
                    })
                })
                .transpose()
        };
        let (maxwidth, maxheight) = (dim("maxwidth")?, dim("maxheight")?);
        let Some(target) = q.get("url") else {
            return Err(ApiError::invalid(
                "url",
                "`url` is required: a page of this site",
            ));
        };
        let origin = layout::origin(req);
        let parsed = url::Url::parse(target)
            .map_err(|_| ApiError::invalid("url", format!("`{target}` is not a URL")))?;
        let same_origin = parsed.origin().ascii_serialization() == origin;
        if !same_origin {
            return Err(ApiError::invalid(
                "url",
                format!("`{target}` is not a page of this site ({origin})"),
            ));
        }
        let catalog = self.state.dataset.read();
        let as_of = catalog
            .last_modified()
            .map(layout::rfc3339)
            .unwrap_or_default();
        let pin = url::form_urlencoded::byte_serialize(as_of.as_bytes()).collect::<String>();
        let path = parsed.path().trim_end_matches(".html");
        let (src, height) = match path.split('/').collect::<Vec<_>>().as_slice() {
            ["", ""] => (format!("{origin}/embed/map?as_of={pin}"), 560),
            ["", "agencies", id] if catalog.agencies.contains_key(*id) => {
                (format!("{origin}/embed/table?agency={id}&as_of={pin}"), 320)
            }
            ["", "embed", "map" | "table" | "count"] => {
                let mut s = format!("{origin}{}", parsed.path());
                if let Some(q) = parsed.query() {
                    s.push('?');
                    s.push_str(q);
                }
                (s, 560)
            }
            _ => {
                return Err(ApiError::from_problem(
                    Problem::new(
                        ErrorCode::NotFound,
                        format!("`{target}` has no embed: use the home page, an agency page or an /embed/ URL"),
                    )
                    .with_parameter("url"),
                ));
            }
        };
        let width = maxwidth.unwrap_or(640).min(1200);
        let height = maxheight.map_or(height, |m| height.min(m));
        let escaped = maud::html! { iframe src=(src) title="Ring police partnerships" width=(width) height=(height) loading="lazy" {} }
            .into_string();
        Ok(serde_json::json!({
            "version": "1.0",
            "type": "rich",
            "provider_name": "Ring police partnerships",
            "provider_url": format!("{origin}/"),
            "title": "Police partnerships with Amazon Ring",
            "html": escaped,
            "width": width,
            "height": height,
            "thumbnail_url": format!("{origin}/embed/map.png"),
            "thumbnail_width": 1200,
            "thumbnail_height": 638,
        }))
    }
}
