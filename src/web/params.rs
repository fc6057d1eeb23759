//! Only documented query parameters pass. The table of what each route accepts is read from
//! the generated OpenAPI spec at start-up, so the code and the spec cannot disagree: a
//! parameter a handler reads is a parameter the spec documents, and anything else is a 400
//! `unknown_parameter` naming it, with the closest known name (OGC API - Features
//! /req/core/query-param-unknown; Stripe's errors are the model). A query that does not
//! decode to UTF-8 is a 400 too: a lossy decoding would silently search for something else.
//!
//! The same table knows every route's methods, so a known path with another method answers
//! 405 with `Allow`, and a plain `OPTIONS` answers 204 with `Allow` (CORS preflights are
//! answered before this, by the CORS middleware).

use crate::error::{ErrorCode, Problem};
use poem::http::header::{self, HeaderValue};
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The path suffixes that choose a format (see `api::geojson::SuffixFormats`).
const FORMAT_SUFFIXES: [&str; 3] = ["geojson", "csv", "ndjson"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param,
}

#[derive(Debug, Clone)]
struct RouteParams {
    template: String,
    segments: Vec<Segment>,
    /// Method (upper case) -> the query parameters it documents.
    methods: BTreeMap<String, Vec<String>>,
    /// Method (upper case) -> the schema of its JSON request body, if it takes one.
    bodies: BTreeMap<String, serde_json::Value>,
    /// Methods that need a token: asked without one, the handler's 401 comes first.
    secured: Vec<String>,
}

/// What every route accepts: methods, and each method's query parameters.
#[derive(Debug, Clone, Default)]
pub struct ParamTable {
    routes: Vec<RouteParams>,
    /// The spec, for the `$ref`s of body schemas.
    spec: Arc<serde_json::Value>,
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_string())
            }
        })
        .collect()
}

/// A parameter object, with a `$ref` to `#/components/parameters/…` resolved.
fn resolve<'a>(spec: &'a serde_json::Value, p: &'a serde_json::Value) -> &'a serde_json::Value {
    match p.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => r
            .strip_prefix("#/")
            .map(|path| path.split('/').try_fold(spec, |v, key| v.get(key)))
            .and_then(|v| v)
            .unwrap_or(p),
        None => p,
    }
}

fn query_names(spec: &serde_json::Value, params: Option<&serde_json::Value>) -> Vec<String> {
    params
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .map(|p| resolve(spec, p))
        .filter(|p| p.get("in").and_then(|v| v.as_str()) == Some("query"))
        .filter_map(|p| p.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .collect()
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

impl ParamTable {
    /// Every operation of an OpenAPI 3 document: its method, path template and query
    /// parameters (path-level parameters included).
    pub fn from_spec(spec: &serde_json::Value) -> Self {
        let mut table = Self {
            spec: Arc::new(spec.clone()),
            ..Self::default()
        };
        let Some(paths) = spec.get("paths").and_then(|p| p.as_object()) else {
            return table;
        };
        for (template, item) in paths {
            let shared = query_names(spec, item.get("parameters"));
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    let mut names = shared.clone();
                    names.extend(query_names(spec, op.get("parameters")));
                    let method = method.to_ascii_uppercase();
                    table.add(template, &method, names);
                    let secured = op
                        .get("security")
                        .and_then(|s| s.as_array())
                        .is_some_and(|s| !s.is_empty());
                    if secured {
                        let segs = segments(template);
                        if let Some(r) = table.routes.iter_mut().find(|r| r.segments == segs) {
                            r.secured.push(method.clone());
                        }
                    }
                    let body = op
                        .get("requestBody")
                        .and_then(|b| b.get("content"))
                        .and_then(|c| c.as_object())
                        .and_then(|c| c.iter().find(|(t, _)| t.contains("json")))
                        .and_then(|(_, media)| media.get("schema"));
                    if let Some(schema) = body {
                        let segs = segments(template);
                        if let Some(r) = table.routes.iter_mut().find(|r| r.segments == segs) {
                            r.bodies.insert(method, schema.clone());
                        }
                    }
                }
            }
        }
        table
    }

    /// Checks a JSON body's value types against its operation's schema (see
    /// `web::body_types`): a mismatch is a 400 `invalid_body` naming the field.
    pub fn check_body(
        &self,
        method: &Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<(), Response> {
        let Some(schema) = self.route(path).and_then(|r| r.bodies.get(method.as_str())) else {
            return Ok(());
        };
        super::body_types::check(&self.spec, schema, body, "").map_err(|m| {
            let field = if m.path.is_empty() {
                "the body".to_string()
            } else {
                format!("`{}`", m.path)
            };
            Problem::new(
                ErrorCode::InvalidBody,
                format!("{field} must be {}, not {}", m.expected, m.found),
            )
            .with_parameter(m.path)
            .response()
        })
    }

    /// Whether the operation needs a token and the request has none: then it is answered
    /// 401 by its handler before its parameters are judged (RFC 9110: who you are, first).
    fn unauthenticated(&self, method: &Method, path: &str, req: &Request) -> bool {
        !req.headers().contains_key(header::AUTHORIZATION)
            && self
                .route(path)
                .is_some_and(|r| r.secured.iter().any(|m| m == method.as_str()))
    }

    fn takes_body(&self, method: &Method, path: &str) -> bool {
        self.route(path)
            .is_some_and(|r| r.bodies.contains_key(method.as_str()))
    }

    /// Adds a route the spec does not describe (the spec itself, the docs, metrics).
    pub fn add(&mut self, template: &str, method: &str, names: Vec<String>) {
        let segs = segments(template);
        let route = match self.routes.iter_mut().find(|r| r.segments == segs) {
            Some(r) => r,
            None => {
                self.routes.push(RouteParams {
                    template: template.to_string(),
                    segments: segs,
                    methods: BTreeMap::new(),
                    bodies: BTreeMap::new(),
                    secured: Vec::new(),
                });
                self.routes.last_mut().expect("just pushed")
            }
        };
        route
            .methods
            .entry(method.to_string())
            .or_default()
            .extend(names);
    }

    /// The route a path belongs to: the template whose literal segments match, preferring
    /// literals over parameters segment by segment (`/changes.atom` over `/changes`,
    /// `/collections/{id}/items` over `/{collection}/{id}/history`).
    fn route(&self, path: &str) -> Option<&RouteParams> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes
            .iter()
            .filter(|r| {
                r.segments.len() == parts.len()
                    && r.segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Param => true,
                    })
            })
            .max_by_key(|r| {
                r.segments
                    .iter()
                    .map(|s| matches!(s, Segment::Literal(_)))
                    .collect::<Vec<bool>>()
            })
    }

    /// The methods a route answers, for `Allow` (HEAD wherever GET is).
    fn allow(route: &RouteParams) -> String {
        let mut methods: Vec<&str> = route.methods.keys().map(String::as_str).collect();
        if route.methods.contains_key("GET") && !route.methods.contains_key("HEAD") {
            methods.push("HEAD");
        }
        methods.push("OPTIONS");
        methods.join(", ")
    }

    /// Checks a request: `Ok(None)` passes it on, `Ok(Some(resp))` answers it here (a plain
    /// OPTIONS), `Err` refuses it. Paths no route knows pass on (the router answers 404).
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        query: &str,
    ) -> Result<Option<Response>, Response> {
        // `/agencies.csv` is `/agencies?format=csv`, as `SuffixFormats` rewrites it (not
        // under `/downloads/`, whose file names end so).
        let suffixed = FORMAT_SUFFIXES
            .iter()
            .filter(|_| !path.starts_with("/downloads/"))
            .find_map(|ext| {
                let base = path.strip_suffix(ext)?.strip_suffix('.')?;
                Some((self.route(base)?, *ext))
            });
        let (route, suffix) = match suffixed {
            Some((route, ext)) => (route, Some(ext)),
            None => match self.route(path) {
                Some(route) => (route, None),
                None => return Ok(None),
            },
        };
        let allow = Self::allow(route);
        if *method == Method::OPTIONS {
            let mut resp = Response::builder().status(StatusCode::NO_CONTENT).finish();
            if let Ok(v) = HeaderValue::from_str(&allow) {
                resp.headers_mut().insert(header::ALLOW, v);
            }
            return Ok(Some(resp));
        }
        let key = if *method == Method::HEAD && !route.methods.contains_key("HEAD") {
            "GET"
        } else {
            method.as_str()
        };
        let Some(accepted) = route.methods.get(key) else {
            let mut resp = Problem::new(
                ErrorCode::MethodNotAllowed,
                format!(
                    "{} does not answer {method}: it answers {allow}",
                    route.template
                ),
            )
            .response();
            if let Ok(v) = HeaderValue::from_str(&allow) {
                resp.headers_mut().insert(header::ALLOW, v);
            }
            return Err(resp);
        };
        if let Some(ext) = suffix
            && !accepted.iter().any(|a| a == "format")
        {
            return Err(Problem::new(
                ErrorCode::RouteNotFound,
                format!(
                    "{} has no `.{ext}` form: only lists are offered as files",
                    route.template
                ),
            )
            .response());
        }
        for (name, value) in decode_query(query).map_err(Problem::response)? {
            if accepted.contains(&name) {
                // `state=` is not "every state": a script whose variable came out empty
                // would publish a national count as a state's. Say so instead.
                if value.is_empty() {
                    return Err(Problem::new(
                        ErrorCode::InvalidParameter,
                        format!("`{name}` is empty: give it a value, or leave it out"),
                    )
                    .with_parameter(name)
                    .response());
                }
                continue;
            }
            if name.is_empty() {
                continue;
            }
            let mut detail = format!("`{name}` is not a parameter of {key} {}", route.template);
            match suggestion(&name, accepted) {
                Some(hint) => detail.push_str(&format!(": {hint}")),
                None if accepted.is_empty() => detail.push_str(": it takes no parameters"),
                None => {}
            }
            if !detail.ends_with('?') {
                detail.push('.');
            }
            if !accepted.is_empty() {
                let mut names = accepted.clone();
                names.sort();
                names.dedup();
                detail.push_str(&format!(
                    " Accepted: {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            return Err(Problem::new(ErrorCode::UnknownParameter, detail)
                .with_parameter(name)
                .response());
        }
        Ok(None)
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs, refusing any that is not UTF-8 once
/// percent-decoded.
pub fn decode_query(query: &str) -> Result<Vec<(String, String)>, Problem> {
    let mut pairs = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode_component(k);
        let key = String::from_utf8(key).map_err(|_| {
            Problem::new(
                ErrorCode::InvalidParameter,
                format!("the parameter name `{k}` is not UTF-8 once percent-decoded"),
            )
        })?;
        let value = String::from_utf8(decode_component(v)).map_err(|_| {
            Problem::new(
                ErrorCode::InvalidParameter,
                format!(
                    "the value `{v}` of `{key}` is not UTF-8 once percent-decoded: encode text as UTF-8 (e.g. `é` is `%C3%A9`)"
                ),
            )
            .with_parameter(key.clone())
        })?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

fn decode_component(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    std::str::from_utf8(h)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                });
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The hint for an unknown parameter: the name it most likely meant, if any.
pub fn suggestion(name: &str, accepted: &[String]) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let has = |n: &str| accepted.iter().any(|a| a == n);
    if matches!(
        lower.as_str(),
        "offset" | "page" | "skip" | "start" | "from_row"
    ) && has("cursor")
    {
        return Some(
            "this API pages with `cursor` (the `next` of the previous page), never offsets".into(),
        );
    }
    if matches!(
        lower.as_str(),
        "per_page" | "page_size" | "pagesize" | "size" | "top" | "max" | "take"
    ) && has("limit")
    {
        return Some("did you mean `limit`?".into());
    }
    if let Some(a) = accepted.iter().find(|a| a.eq_ignore_ascii_case(name)) {
        return Some(format!("did you mean `{a}`? (names are case-sensitive)"));
    }
    // A prefix either way (`stat` -> `state`, `radius_km` -> `radius`); of several, the
    // closest (`stat` is nearer `state` than `status`).
    let prefixed = accepted
        .iter()
        .filter(|a| a.len() >= 3 && lower.len() >= 3)
        .filter(|a| lower.starts_with(a.as_str()) || a.starts_with(lower.as_str()))
        .min_by_key(|a| (edit_distance(&lower, a), a.len()));
    if let Some(a) = prefixed {
        return Some(format!("did you mean `{a}`?"));
    }
    let limit = (lower.chars().count() / 3).clamp(1, 2);
    accepted
        .iter()
        .map(|a| (edit_distance(&lower, a), a))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, a)| (*d, a.len()))
        .map(|(_, a)| format!("did you mean `{a}`?"))
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The middleware: checks every request against the table before the app sees it.
pub struct Params(pub Arc<ParamTable>);

impl<E: Endpoint> Middleware<E> for Params {
    type Output = ParamsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ParamsEndpoint {
            inner: ep,
            table: self.0.clone(),
        }
    }
}

pub struct ParamsEndpoint<E> {
    inner: E,
    table: Arc<ParamTable>,
}

impl<E: Endpoint> Endpoint for ParamsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let uri = req
            .extensions()
            .get::<crate::api::geojson::SuffixedUri>()
            .map_or(req.uri(), |s| &s.0);
        if self.table.unauthenticated(req.method(), uri.path(), &req) {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        match self
            .table
            .check(req.method(), uri.path(), uri.query().unwrap_or(""))
        {
            Ok(None) => {}
            Ok(Some(resp)) | Err(resp) => return Ok(resp),
        }
        let path = uri.path().to_string();
        let mut req = req;
        let json = req.content_type().is_some_and(|t| t.contains("json"));
        if json && self.table.takes_body(req.method(), &path) {
            let bytes = req.take_body().into_bytes().await?;
            // A body that is not JSON at all is the handler's to refuse.
            if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes)
                && let Err(resp) = self.table.check_body(req.method(), &path, &value)
            {
                return Ok(resp);
            }
            req.set_body(bytes);
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn suggestions_name_the_closest_parameter() {
        let accepted = names(&[
            "status", "state", "near", "radius", "cursor", "limit", "as_of",
        ]);
        let hint = |n: &str| suggestion(n, &accepted);
        assert_eq!(hint("stat").as_deref(), Some("did you mean `state`?"));
        assert_eq!(hint("radius_km").as_deref(), Some("did you mean `radius`?"));
        assert!(hint("offset").unwrap().contains("`cursor`"));
        assert_eq!(hint("page_size").as_deref(), Some("did you mean `limit`?"));
        assert_eq!(hint("asof").as_deref(), Some("did you mean `as_of`?"));
        assert!(hint("State").unwrap().contains("`state`"));
        assert_eq!(hint("zzzzzz"), None);
    }

    #[test]
    fn queries_that_are_not_utf8_are_refused() {
        assert!(decode_query("q=%ff%fe").is_err());
        assert!(decode_query("%ff=1").is_err());
        assert_eq!(
            decode_query("q=caf%C3%A9+x&a").unwrap(),
            vec![("q".into(), "café x".into()), ("a".into(), String::new())]
        );
        // A stray `%` is kept as it is, as form decoding does.
        assert_eq!(decode_query("q=50%").unwrap()[0].1, "50%");
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let spec = serde_json::json!({"paths": {
            "/changes": {"get": {"parameters": [{"name": "since", "in": "query"}]}},
            "/changes.atom": {"get": {"parameters": [{"$ref": "#/components/parameters/Limit"}]}},
            "/{collection}/{id}/history": {"get": {}},
            "/collections/{c}/items": {"get": {"parameters": [{"name": "f", "in": "query"}]}}
        }, "components": {"parameters": {"Limit": {"name": "limit", "in": "query"}}}});
        let t = ParamTable::from_spec(&spec);
        assert!(
            t.check(&Method::GET, "/changes.atom", "limit=3")
                .unwrap()
                .is_none()
        );
        assert!(t.check(&Method::GET, "/changes.atom", "since=3").is_err());
        assert!(
            t.check(&Method::GET, "/collections/a/items", "f=json")
                .unwrap()
                .is_none()
        );
        assert!(
            t.check(&Method::GET, "/agencies/a/history", "f=json")
                .is_err()
        );
        assert!(
            t.check(&Method::HEAD, "/changes", "since=1")
                .unwrap()
                .is_none()
        );
        let refused = t.check(&Method::POST, "/changes", "").unwrap_err();
        assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(refused.headers()["allow"], "GET, HEAD, OPTIONS");
        // Unknown paths are the router's to refuse.
        assert!(t.check(&Method::GET, "/nope", "x=1").unwrap().is_none());
    }
}
