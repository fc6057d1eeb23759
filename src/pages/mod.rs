//! The human side of the same data: server-rendered HTML pages on the API's own URLs
//! (content negotiation: `Accept: text/html`, or a `.html` suffix), embeds newsrooms can
//! frame and pin to a dataset version, oEmbed, and the fingerprinted assets.
//!
//! Pages are built from the service layer (the catalog view, `listing`, `stats`, history),
//! as the JSON handlers are, so both always say the same. HTML only here; drawing the maps
//! is `render` (pure).
//!
//! Routes and the query parameters each accepts (anything else is a 400 naming it):
//! - `/`, `/agencies/{id}`, `/partnerships/{id}`, `/programs/{id}`, `/sources/{id}` (HTML
//!   with `Accept: text/html` or a `.html` suffix): `as_of`.
//! - `/agencies` as HTML (`/agencies.html`): `q`, `state`, `as_of`. `/changes` as HTML: none.
//! - `/embed/map`, `/embed/table`, `/embed/count`, `/embed/map.svg`, `/embed/map.png`:
//!   `state`, `program`, `status`, `active_on`, `near`, `radius`, `bbox`, `agency`, `as_of`,
//!   and pym.js's `initialWidth`, `childId`, `parentTitle`, `parentUrl`.
//! - `/oembed`: `url`, `format`, `maxwidth`, `maxheight`.
//! - `/assets/{name}`: none.

pub mod assets;
pub mod docs;
pub mod embed;
pub mod layout;
pub mod params;
pub mod png;
pub mod views;

use crate::api::AppState;
use crate::error::ApiError;
use crate::web::compress::{Encoding, encode_once, negotiate, set_encoding};
use bytes::Bytes;
use params::Params;
use poem::http::{Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Route};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The CSP of pages: their own script, styles and images only; nothing may frame them.
pub const CSP_PAGE: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// Embeds: the same, but any site may frame them.
pub const CSP_EMBED: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'self'";

/// Marks a response any site may frame: the guard leaves out `X-Frame-Options: DENY`.
#[derive(Clone, Copy, Debug)]
pub struct AllowFraming;

/// Whether the client prefers HTML: `text/html` listed with a weight above zero and at
/// least that of `application/json`. `*/*` alone (curl, most libraries) means JSON.
pub fn prefers_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else { return false };
    let mut html = 0.0f32;
    let mut json = 0.0f32;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "application/json" | "application/geo+json" | "application/problem+json" => {
                json = json.max(q)
            }
            _ => {}
        }
    }
    html > 0.0 && html >= json
}

/// A rendered page as a response.
pub fn html_response(status: StatusCode, body: impl Into<poem::Body>, embed: bool) -> Response {
    let mut resp = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(
            header::CONTENT_SECURITY_POLICY,
            if embed { CSP_EMBED } else { CSP_PAGE },
        )
        .body(body);
    if embed {
        resp.set_data(AllowFraming);
    }
    resp
}

/// Rendered pages kept for the dataset version (and day) they were made from, so a page
/// whose cost grows with the dataset (the national map) is built once per version, and a
/// page read again (an agency in the news) is not rebuilt. Each keeps its compressed forms
/// too, made the first time a client asks for one, so a cached page costs no compression
/// either. A new version empties it; going over [`CACHE_BYTES`] drops the pages read least
/// recently (down to three quarters of it), so a crawl of thousands of agency pages never
/// pushes out the home page that every other visitor is reading.
#[derive(Default)]
pub struct PageCache {
    entries: Mutex<CacheEntries>,
}

#[derive(Default)]
struct CacheEntries {
    seq: i64,
    bytes: usize,
    /// Counts reads and writes: a page's `used` is the tick of its last one.
    tick: u64,
    pages: HashMap<String, Entry>,
}

struct Entry {
    page: Arc<CachedPage>,
    cost: usize,
    used: u64,
}

/// One rendered page and, once asked for, its gzip and Brotli forms.
pub struct CachedPage {
    raw: Bytes,
    gzip: OnceLock<Bytes>,
    br: OnceLock<Bytes>,
}

impl CachedPage {
    fn new(raw: Bytes) -> Self {
        CachedPage {
            raw,
            gzip: OnceLock::new(),
            br: OnceLock::new(),
        }
    }

    /// The page in the coding the client takes best (compressed once, then kept), and that
    /// coding.
    pub async fn body(&self, accept_encoding: Option<&str>) -> (Bytes, Encoding) {
        let encoding = negotiate(accept_encoding);
        let slot = match encoding {
            Encoding::Identity => return (self.raw.clone(), encoding),
            Encoding::Gzip => &self.gzip,
            Encoding::Br => &self.br,
        };
        if let Some(b) = slot.get() {
            return (b.clone(), encoding);
        }
        // Two first readers at once may both compress; either result is the same bytes.
        let b = encode_once(self.raw.clone(), encoding).await;
        (slot.get_or_init(|| b).clone(), encoding)
    }

    /// As a response: `html_response`'s headers, with the body in the client's coding.
    pub async fn response(&self, req: &Request, embed: bool) -> Response {
        let (body, encoding) = self.body(req.header(header::ACCEPT_ENCODING)).await;
        let mut resp = html_response(StatusCode::OK, body, embed);
        set_encoding(&mut resp, encoding);
        resp
    }

    pub fn raw(&self) -> &Bytes {
        &self.raw
    }
}

/// What the cache may hold: rendered pages, and their compressed forms beside them.
pub const CACHE_BYTES: usize = 32 << 20;

impl PageCache {
    pub fn get(&self, seq: i64, key: &str) -> Option<Arc<CachedPage>> {
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if e.seq != seq {
            return None;
        }
        e.tick += 1;
        let tick = e.tick;
        let hit = e.pages.get_mut(key)?;
        hit.used = tick;
        Some(hit.page.clone())
    }

    pub fn put(&self, seq: i64, key: String, page: Bytes) -> Arc<CachedPage> {
        let page = Arc::new(CachedPage::new(page));
        // A compressed form is at most about half its page: count it up front.
        let cost = page.raw.len() + page.raw.len() / 2 + key.len();
        if cost > CACHE_BYTES / 2 {
            // Too large to keep without pushing out most of the rest.
            return page;
        }
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if e.seq != seq {
            *e = CacheEntries {
                seq,
                ..Default::default()
            };
        }
        e.tick += 1;
        let used = e.tick;
        let entry = Entry {
            page: page.clone(),
            cost,
            used,
        };
        if let Some(old) = e.pages.insert(key, entry) {
            e.bytes -= old.cost;
        }
        e.bytes += cost;
        if e.bytes > CACHE_BYTES {
            e.evict_to(CACHE_BYTES / 4 * 3);
        }
        page
    }
}

impl CacheEntries {
    /// Drops the least recently used pages until at most `bytes` are kept: one sort per
    /// eviction, which frees a quarter of the cache, so its cost is spread over the puts
    /// that filled that quarter.
    fn evict_to(&mut self, bytes: usize) {
        let mut by_use: Vec<(u64, usize, String)> = self
            .pages
            .iter()
            .map(|(k, v)| (v.used, v.cost, k.clone()))
            .collect();
        by_use.sort_unstable_by_key(|(used, _, _)| *used);
        for (_, cost, key) in by_use {
            if self.bytes <= bytes {
                break;
            }
            self.pages.remove(&key);
            self.bytes -= cost;
        }
    }
}

/// The key of a cached render: what the page depends on besides the dataset version.
fn cache_key(req: &Request, path: &str) -> String {
    format!(
        "{}|{}|{}?{}",
        crate::service::writer::now().date(),
        layout::origin(req),
        path,
        req.uri().query().unwrap_or("")
    )
}

/// The page routes: content negotiation in front of the API, and the HTML form of errors.
pub struct Pages {
    pub state: AppState,
    pub cache: Arc<PageCache>,
}

impl<E: Endpoint> Middleware<E> for Pages {
    type Output = PagesEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        PagesEndpoint {
            inner: ep,
            state: self.state.clone(),
            cache: self.cache.clone(),
        }
    }
}

pub struct PagesEndpoint<E> {
    inner: E,
    state: AppState,
    cache: Arc<PageCache>,
}

enum Target<'a> {
    Landing,
    Agencies,
    Changes,
    Agency(&'a str),
    Partnership(&'a str),
    Program(&'a str),
    Source(&'a str),
    Report(&'a str),
}

fn target(path: &str) -> Option<Target<'_>> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Some(match segs.as_slice() {
        [""] => Target::Landing,
        ["agencies"] => Target::Agencies,
        ["changes"] => Target::Changes,
        ["agencies", id] if !id.is_empty() => Target::Agency(id),
        ["partnerships", id] if !id.is_empty() => Target::Partnership(id),
        ["programs", id] if !id.is_empty() => Target::Program(id),
        ["sources", id] if !id.is_empty() => Target::Source(id),
        ["reports", id] if !id.is_empty() => Target::Report(id),
        _ => return None,
    })
}

impl<E: Endpoint> PagesEndpoint<E> {
    async fn page(&self, req: &Request, path: &str) -> Option<Result<Arc<CachedPage>, ApiError>> {
        let t = target(path)?;
        let q = Params::parse(req.uri().query());
        let s = &self.state;
        let decoded = |id: &str| percent_decode(id);
        // The version read before rendering: a write meanwhile can only make the page newer
        // than its key, never older.
        if let Target::Report(id) = t {
            // A report's status is not part of the dataset: never cached.
            return Some(
                views::report(s, req, &decoded(id), &q)
                    .await
                    .map(|p| Arc::new(CachedPage::new(Bytes::from(p)))),
            );
        }
        let seq = s.dataset.read().seq();
        let key = cache_key(req, path);
        if let Some(hit) = self.cache.get(seq, &key) {
            return Some(Ok(hit));
        }
        let page = match t {
            Target::Landing => views::landing(s, req, &q).await,
            Target::Agencies => views::agencies(s, req, &q).await,
            Target::Changes => views::changes(s, req, &q).await,
            Target::Agency(id) => views::agency(s, req, &decoded(id), &q).await,
            Target::Partnership(id) => views::partnership(s, req, &decoded(id), &q).await,
            Target::Program(id) => views::program(s, req, &decoded(id), &q).await,
            Target::Source(id) => views::source(s, req, &decoded(id), &q).await,
            Target::Report(_) => unreachable!("answered above"),
        };
        Some(page.map(|p| self.cache.put(seq, key, Bytes::from(p))))
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// An error answer turned into a page that says so and links onward: the problem+json's
/// title and detail, or (for the framework's own errors, such as an unknown route) the
/// status's reason.
pub async fn html_error(req: &Request, resp: Response, embed: bool) -> Response {
    let status = resp.status();
    let is_problem = resp
        .content_type()
        .is_some_and(|t| t.starts_with("application/problem+json"));
    let retry = resp.headers().get(header::RETRY_AFTER).cloned();
    let body = resp.into_body().into_bytes().await.unwrap_or_default();
    let v: serde_json::Value = if is_problem {
        serde_json::from_slice(&body).unwrap_or_default()
    } else {
        serde_json::Value::Null
    };
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let reason = status.canonical_reason().unwrap_or("Error").to_string();
    let fallback = match status {
        StatusCode::NOT_FOUND => "Nothing is at this address.".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "This address does not answer that method.".into(),
        _ => reason.clone(),
    };
    let page = views::error_page(
        req,
        status.as_u16(),
        &text("title").unwrap_or(reason),
        &text("detail").unwrap_or(fallback),
        v.get("history").and_then(|h| h.as_str()),
    );
    let mut out = html_response(status, page, embed);
    if let Some(r) = retry {
        out.headers_mut().insert(header::RETRY_AFTER, r);
    }
    out
}

impl<E: Endpoint> Endpoint for PagesEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let read = req.method() == Method::GET || req.method() == Method::HEAD;
        let path = req.uri().path().to_string();
        let suffixed = path
            .strip_suffix(".html")
            .map(|p| if p == "/index" { "/" } else { p });
        let wants_html = read && (suffixed.is_some() || prefers_html(req.header("accept")));
        if !wants_html {
            // A browser's correction form: an error is a page too, not problem+json.
            if crate::web::is_report_form(&req) {
                let meta = origin_only(&req);
                let resp = match self.inner.call(req).await {
                    Ok(r) => r.into_response(),
                    Err(e) => e.into_response(),
                };
                if resp.status().is_client_error() || resp.status().is_server_error() {
                    return Ok(html_error(&meta, resp, false).await);
                }
                return Ok(resp);
            }
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let page_path = suffixed.unwrap_or(&path).to_string();
        // An explicit `format=` (or a `.csv` suffix, rewritten to it) asks for that format;
        // `/changes?since=` is the JSON feed.
        let query = Params::parse(req.uri().query());
        let explicit = query.get("format").is_some()
            || (page_path == "/changes" && query.get("since").is_some());
        if explicit && suffixed.is_none() {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        if let Some(result) = self.page(&req, &page_path).await {
            return Ok(match result {
                Ok(page) => page.response(&req, false).await,
                Err(e) => html_error(&req, e.into_response(), false).await,
            });
        }
        // Not a page: the API answers (JSON for a list without a page of its own), and an
        // error is shown as a page. What the error page needs of the request is kept.
        let meta = origin_only(&req);
        let embed = path.starts_with("/embed/");
        let resp = match self.inner.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        if resp.status().is_client_error() || resp.status().is_server_error() {
            return Ok(html_error(&meta, resp, embed).await);
        }
        Ok(resp)
    }
}

/// A body-less request holding what [`layout::origin`] reads.
fn origin_only(req: &Request) -> Request {
    let mut b = Request::builder().uri(req.uri().clone());
    for name in ["host", "x-forwarded-proto"] {
        if let Some(v) = req.headers().get(name) {
            b = b.header(name, v.clone());
        }
    }
    b.finish()
}

/// Adds the routes of their own to `route`: embeds, oEmbed and assets.
pub fn mount(route: Route, state: AppState, cache: Arc<PageCache>) -> Route {
    route
        .at("/assets/:name", poem::get(assets::serve))
        .at(
            "/oembed",
            poem::get(embed::OEmbed {
                state: state.clone(),
            }),
        )
        .at("/embed/:kind", poem::get(embed::Embed { state, cache }))
}

#[cfg(test)]
mod tests {
    use super::{Bytes, CACHE_BYTES, PageCache, prefers_html};

    #[test]
    fn a_crawl_of_small_pages_never_pushes_out_the_page_everyone_reads() {
        let cache = PageCache::default();
        let home = Bytes::from(vec![b'h'; 4 << 20]);
        cache.put(1, "home".into(), home);
        for i in 0..20_000 {
            cache.put(1, format!("agency {i}"), Bytes::from(vec![b'a'; 20_000]));
            if i % 100 == 0 {
                assert!(cache.get(1, "home").is_some(), "home gone after {i} pages");
            }
        }
        let e = cache.entries.lock().unwrap();
        assert!(e.bytes <= CACHE_BYTES, "{}", e.bytes);
        assert_eq!(e.bytes, e.pages.values().map(|v| v.cost).sum::<usize>());
        // The oldest crawled pages went, the newest stayed.
        assert!(!e.pages.contains_key("agency 0") && e.pages.contains_key("agency 19999"));
    }

    #[test]
    fn a_new_version_empties_the_cache_and_a_huge_page_is_not_kept() {
        let cache = PageCache::default();
        cache.put(1, "a".into(), Bytes::from_static(b"one"));
        assert!(cache.get(1, "a").is_some());
        assert!(cache.get(2, "a").is_none());
        cache.put(2, "b".into(), Bytes::from_static(b"two"));
        assert!(cache.get(2, "a").is_none() && cache.get(2, "b").is_some());
        let huge = cache.put(2, "huge".into(), Bytes::from(vec![0; CACHE_BYTES]));
        assert_eq!(huge.raw().len(), CACHE_BYTES, "served all the same");
        assert!(cache.get(2, "huge").is_none() && cache.get(2, "b").is_some());
        // Putting a key again counts its bytes once.
        cache.put(2, "b".into(), Bytes::from_static(b"two"));
        let e = cache.entries.lock().unwrap();
        assert_eq!(e.bytes, e.pages.values().map(|v| v.cost).sum::<usize>());
    }

    #[test]
    fn browsers_get_html_and_api_clients_keep_json() {
        let chrome =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
        assert!(prefers_html(Some(chrome)));
        assert!(prefers_html(Some("text/html")));
        assert!(!prefers_html(Some("*/*")));
        assert!(!prefers_html(None));
        assert!(!prefers_html(Some("application/json")));
        assert!(!prefers_html(Some("application/json, text/html;q=0.5")));
        assert!(!prefers_html(Some("text/html;q=0")));
        assert!(!prefers_html(Some("text/csv")));
    }
}
