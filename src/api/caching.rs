//! HTTP caching for every GET: an `ETag`, a `Cache-Control` that fits it, `Last-Modified`,
//! and `304 Not Modified` for `If-None-Match` (and `If-Modified-Since` without it).
//!
//! Tags come from the dataset version (the catalog's `seq()`, or the `as_of` view's), read
//! *before* the handler runs: a write landing meanwhile can only make the content newer than
//! its tag, never older, so a revalidation never keeps stale data. Lists and other reads get
//! a weak tag `W/"ds-<seq>-<hash of path, query and Accept>"`, checked before the handler
//! runs. Details keep their record-version tag for `If-Match` on writes, with the dataset
//! version added (`"v3-ds1234"`): a detail embeds other records (an agency's partnerships,
//! citations) that change without its own version changing. Downloads set their own tags.

use super::etag::{self, none_match};
use crate::service::Dataset;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use sha2::{Digest, Sha256};

pub const LIST_CACHE: &str = "public, max-age=60";
pub const NO_STORE: &str = "no-store";

pub struct Caching {
    pub dataset: Dataset,
}

impl<E: Endpoint> Middleware<E> for Caching {
    type Output = CachingEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        CachingEndpoint {
            inner: ep,
            dataset: self.dataset.clone(),
        }
    }
}

pub struct CachingEndpoint<E> {
    inner: E,
    dataset: Dataset,
}

fn request_hash(req: &Request) -> String {
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    pairs.sort();
    let mut h = Sha256::new();
    h.update(req.uri().path().as_bytes());
    for (k, v) in pairs {
        h.update(b"\0");
        h.update(k.as_bytes());
        h.update(b"=");
        h.update(v.as_bytes());
    }
    h.update(b"\0accept=");
    h.update(req.header("accept").unwrap_or("").as_bytes());
    hex::encode(&h.finalize()[..6])
}

fn not_modified(etag: &str, cache: &str, last_modified: Option<&HeaderValue>) -> Response {
    let mut resp = Response::builder()
        .status(StatusCode::NOT_MODIFIED)
        .header(header::ETAG, etag)
        .header(header::CACHE_CONTROL, cache)
        .finish();
    if let Some(lm) = last_modified {
        resp.headers_mut().insert(header::LAST_MODIFIED, lm.clone());
    }
    resp
}

pub fn http_date(t: time::OffsetDateTime) -> String {
    httpdate::fmt_http_date(std::time::SystemTime::from(t))
}

impl<E: Endpoint> Endpoint for CachingEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Self::Output> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let path = req.uri().path().to_string();
        if path == "/health" || path == "/metrics" {
            let mut resp = self.inner.call(req).await?.into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
            return Ok(resp);
        }
        // The version the answer will reflect (or a newer one). An `as_of` the handler will
        // refuse gets no tag: its answer is an error.
        let as_of = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "as_of")
            .map(|(_, v)| v.into_owned());
        let version = match super::parse_as_of(as_of.as_deref()) {
            Ok(None) => {
                let c = self.dataset.read();
                Some((c.seq(), c.last_modified()))
            }
            // Only the version at `t`, never the catalog: rebuilding a past catalog is the
            // handler's work, after an export has taken its permit.
            Ok(Some(t)) => self.dataset.version_at(t).await.ok(),
            Err(_) => None,
        };
        let Some((seq, last_modified)) = version else {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        };
        let last_modified = last_modified.and_then(|t| HeaderValue::from_str(&http_date(t)).ok());
        let tag = etag::read(seq, &request_hash(&req));
        let inm = req.header("if-none-match").map(str::to_string);
        if none_match(inm.as_deref(), &tag) {
            return Ok(not_modified(&tag, LIST_CACHE, last_modified.as_ref()));
        }
        let ims = req.header("if-modified-since").map(str::to_string);
        let mut resp = self.inner.call(req).await?.into_response();
        if resp.status() != StatusCode::OK {
            return Ok(resp);
        }
        let headers = resp.headers_mut();
        let own = headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let etag = match own {
            // A record-version tag of a detail: add the dataset version.
            Some(t) => etag::read_at(&t, seq).unwrap_or(t),
            None => tag,
        };
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, v);
        }
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(LIST_CACHE));
        }
        if let Some(lm) = &last_modified
            && !headers.contains_key(header::LAST_MODIFIED)
        {
            headers.insert(header::LAST_MODIFIED, lm.clone());
        }
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept, Accept-Encoding"),
        );
        let cache = headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(LIST_CACHE)
            .to_string();
        let lm = headers.get(header::LAST_MODIFIED).cloned();
        let unmodified_since = inm.is_none()
            && match (ims.as_deref().map(httpdate::parse_http_date), lm.as_ref()) {
                (Some(Ok(since)), Some(lm)) => lm
                    .to_str()
                    .ok()
                    .and_then(|l| httpdate::parse_http_date(l).ok())
                    .is_some_and(|l| l <= since),
                _ => false,
            };
        if none_match(inm.as_deref(), &etag) || unmodified_since {
            return Ok(not_modified(&etag, &cache, lm.as_ref()));
        }
        Ok(resp)
    }
}
