//! The HTTP guard wrapped around the whole app: request ids, size limits, rate limits, the
//! request timeout, security headers and metrics. One middleware, so each request pays for
//! one extra layer, and nothing on its path takes a lock shared by all requests (rate-limit
//! buckets are sharded; metrics are atomics registered up front).

pub mod absolute;
pub mod access_log;
pub mod base_url;
pub mod body_types;
pub mod compress;
pub mod idle;
pub mod inflight;
pub mod metrics;
pub mod params;
pub mod ratelimit;
pub mod work;

use crate::config::Limits;
use crate::error::{ErrorCode, Problem};
use metrics::Metrics;
use poem::PathPattern;
use poem::http::header::{self, HeaderName, HeaderValue};
use poem::http::{Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response};
use ratelimit::{Decision, RateLimiter};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";
pub const RATELIMIT_LIMIT: &str = "ratelimit-limit";
pub const RATELIMIT_REMAINING: &str = "ratelimit-remaining";
pub const RATELIMIT_RESET: &str = "ratelimit-reset";

/// The CSP of every response but the docs page: nothing may load, nothing may frame it.
const CSP_STRICT: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// The docs page is Swagger UI from this server's own assets (`pages::docs`): scripts from
/// `self` only; styles from `self` and inline (Swagger UI styles its elements in place);
/// `connect-src 'self'` lets it fetch `/openapi.json` and "Try it out" call this API.
const CSP_DOCS: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// What the guard shares between requests.
pub struct GuardState {
    pub limits: Limits,
    reads: Option<RateLimiter>,
    writes: Option<RateLimiter>,
    /// Correction reports (`POST /reports`), per address and hour.
    reports: Option<RateLimiter>,
    /// Requests in progress per address (`Limits::max_in_flight_per_address`).
    in_flight: Option<inflight::InFlight>,
    pub metrics: Metrics,
    id_prefix: String,
    next_id: AtomicU64,
}

impl GuardState {
    /// Charges `running` its `extra` shares, to the bucket `key` names, and stops counting it
    /// as in progress (see `RateLimiter::settle`).
    fn settle(&self, key: &CostKey, running: &Arc<work::Running>, extra: f64) {
        let now = Instant::now();
        match key {
            CostKey::Read(ip) => {
                if let Some(rl) = &self.reads {
                    rl.settle(ip, running, extra, now);
                }
            }
            CostKey::Token(t) => {
                if let Some(rl) = &self.writes {
                    rl.settle(t.as_bytes(), running, extra, now);
                }
            }
            CostKey::WriteAddress(ip) => {
                if let Some(rl) = &self.writes {
                    rl.settle(ip, running, extra, now);
                }
            }
        }
    }

    /// `routes`: the route templates to count requests by.
    pub fn new<'a>(limits: &Limits, routes: impl IntoIterator<Item = &'a str>) -> Self {
        let mut seed = [0u8; 4];
        let _ = getrandom::fill(&mut seed);
        Self {
            reads: RateLimiter::new(limits.reads_per_minute),
            writes: RateLimiter::new(limits.writes_per_minute),
            reports: RateLimiter::per_hour(limits.reports_per_hour),
            in_flight: inflight::InFlight::new(limits.max_in_flight_per_address),
            limits: limits.clone(),
            metrics: Metrics::new(routes),
            id_prefix: seed.iter().map(|b| format!("{b:02x}")).collect(),
            next_id: AtomicU64::new(1),
        }
    }

    /// The incoming request id when it is sane (1–64 of `A-Z a-z 0-9 - _ .`), else a new one.
    fn request_id(&self, req: &Request) -> HeaderValue {
        if let Some(v) = req.headers().get(REQUEST_ID)
            && (1..=64).contains(&v.len())
            && v.as_bytes()
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return v.clone();
        }
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n:x}", self.id_prefix))
            .unwrap_or(HeaderValue::from_static("invalid"))
    }
}

pub struct Guard(pub Arc<GuardState>);

impl<E: Endpoint> Middleware<E> for Guard {
    type Output = GuardEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        GuardEndpoint {
            inner: ep,
            state: self.0.clone(),
        }
    }
}

pub struct GuardEndpoint<E> {
    inner: E,
    state: Arc<GuardState>,
}

fn set_ratelimit_headers(resp: &mut Response, d: Decision) {
    let h = resp.headers_mut();
    h.insert(RATELIMIT_LIMIT, HeaderValue::from(d.limit));
    h.insert(RATELIMIT_REMAINING, HeaderValue::from(d.remaining));
    h.insert(RATELIMIT_RESET, HeaderValue::from(d.reset));
}

fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A correction report (`POST /reports`): its own body limit and rate limit.
fn is_report(req: &Request) -> bool {
    req.method() == Method::POST && req.uri().path().trim_end_matches('/') == "/reports"
}

/// A browser's correction form (`POST /reports`, urlencoded, from a client that prefers
/// HTML): its refusals are pages. Any other client gets problem+json, as the spec says.
pub fn is_report_form(req: &Request) -> bool {
    is_report(req)
        && req
            .content_type()
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
        && crate::pages::prefers_html(req.header("accept"))
}

/// The bucket a request was admitted from (as `rate_limit` chose it), to charge its cost to.
enum CostKey {
    Read(Option<std::net::IpAddr>),
    Token(HeaderValue),
    WriteAddress(Option<std::net::IpAddr>),
}

fn cost_key(req: &Request) -> CostKey {
    let ip = req.remote_addr().as_socket_addr().map(|a| a.ip());
    if is_read(req.method()) {
        CostKey::Read(ip)
    } else {
        match req.headers().get(header::AUTHORIZATION) {
            Some(token) => CostKey::Token(token.clone()),
            None => CostKey::WriteAddress(ip),
        }
    }
}

/// A request's cost, charged to its client's bucket when this is dropped: after its body has
/// ended, or when the request is abandoned (a refusal after admission, a dropped connection),
/// so no request stays counted as in progress. Until then the bucket counts what it has cost
/// so far ([`work::Running`]).
struct Charge {
    state: Arc<GuardState>,
    key: CostKey,
    running: Arc<work::Running>,
}

impl Drop for Charge {
    fn drop(&mut self) {
        let took = self.running.so_far(Instant::now());
        let extra = ratelimit::extra_cost(took, self.state.limits.cost_unit);
        self.state.settle(&self.key, &self.running, extra);
    }
}

impl<E: Endpoint> GuardEndpoint<E> {
    /// The limits checked before the app sees the request; `Err` is the refusal.
    /// `running`: the request's cost so far, when it is to be charged (see [`Charge`]).
    async fn admit(
        &self,
        req: &mut Request,
        running: Option<&Arc<work::Running>>,
    ) -> Result<Option<Decision>, Response> {
        let limits = &self.state.limits;
        let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
        if uri_len > limits.max_uri_bytes {
            return Err(Problem::new(
                ErrorCode::UriTooLong,
                format!(
                    "the path and query are {uri_len} bytes; the limit is {}",
                    limits.max_uri_bytes
                ),
            )
            .response());
        }
        let header_bytes: usize = req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum();
        if header_bytes > limits.max_header_bytes {
            return Err(Problem::new(
                ErrorCode::HeadersTooLarge,
                format!(
                    "the request headers are {header_bytes} bytes; the limit is {}",
                    limits.max_header_bytes
                ),
            )
            .response());
        }
        let decision = self.rate_limit(req, running);
        if let Some(d) = decision
            && !d.allowed
        {
            let mut resp = Problem::new(
                ErrorCode::RateLimited,
                format!(
                    "more than {} requests a minute; retry in {} s",
                    d.limit, d.retry_after
                ),
            )
            .response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(d.retry_after));
            set_ratelimit_headers(&mut resp, d);
            self.tarpit(d).await;
            return Err(resp);
        }
        if is_report(req)
            && let Some(rl) = &self.state.reports
        {
            let ip = req.remote_addr().as_socket_addr().map(|a| a.ip());
            let d = rl.check(ip, Instant::now());
            if !d.allowed {
                let mut resp = Problem::new(
                    ErrorCode::RateLimited,
                    format!(
                        "more than {} correction reports an hour from this address; retry in {} s",
                        d.limit, d.retry_after
                    ),
                )
                .response();
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(d.retry_after));
                self.tarpit(d).await;
                return Err(resp);
            }
        }
        self.limit_body(req).await?;
        Ok(decision)
    }

    /// A client refused again without waiting as `Retry-After` said waits `Limits::tarpit`
    /// for this answer, holding its place among its address's requests in progress (the
    /// caller's [`inflight::Slot`]): refusing it then costs a few answers a second, not one
    /// per round trip.
    async fn tarpit(&self, d: Decision) {
        if d.repeated && !self.state.limits.tarpit.is_zero() {
            tokio::time::sleep(self.state.limits.tarpit).await;
        }
    }

    /// Reads: a bucket per client address. Writes: a bucket per token (per address without
    /// one), separate from the reads. With `running`, the key's requests in progress count
    /// against its bucket and this one is counted among them once admitted.
    fn rate_limit(&self, req: &Request, running: Option<&Arc<work::Running>>) -> Option<Decision> {
        let now = Instant::now();
        let unit = self.state.limits.cost_unit;
        fn check(
            rl: &RateLimiter,
            key: impl std::hash::Hash,
            now: Instant,
            unit: std::time::Duration,
            running: Option<&Arc<work::Running>>,
        ) -> Decision {
            match running {
                Some(r) => rl.check_running(key, now, unit, r),
                None => rl.check(key, now),
            }
        }
        let ip = req.remote_addr().as_socket_addr().map(|a| a.ip());
        if is_read(req.method()) {
            let rl = self.state.reads.as_ref()?;
            Some(check(rl, ip, now, unit, running))
        } else {
            let rl = self.state.writes.as_ref()?;
            Some(match req.headers().get(header::AUTHORIZATION) {
                Some(token) => check(rl, token.as_bytes(), now, unit, running),
                None => check(rl, ip, now, unit, running),
            })
        }
    }

    /// Wraps `resp`'s body so that, when it is done (ended or dropped), the request is
    /// charged (`charge`: its handler's time plus the work done after the headers, an
    /// export's rows read and serialised while it streams, compression as it is sent: see
    /// [`work`]) and the address's `slot` is given back: a streamed answer is in progress
    /// until its last byte.
    fn watch_body(
        &self,
        resp: &mut Response,
        charge: Option<Charge>,
        meter: Arc<work::WorkMeter>,
        slot: Option<inflight::Slot>,
    ) {
        let body = http_body_util::combinators::BoxBody::from(resp.take_body());
        let metered = work::MeteredBody::new(body, meter, move |_| {
            drop(charge);
            drop(slot);
        });
        resp.set_body(Body::from(http_body_util::combinators::BoxBody::new(
            metered,
        )));
    }

    /// Refuses a body over the limit: by its `Content-Length`, or, for a chunked body, by
    /// reading at most the limit.
    async fn limit_body(&self, req: &mut Request) -> Result<(), Response> {
        let max = if is_report(req) {
            self.state.limits.max_report_bytes
        } else {
            self.state.limits.max_body_bytes
        };
        let too_large = || {
            Problem::new(
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than {max} bytes"),
            )
            .response()
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(n) if n > max as u64 => Err(too_large()),
            Some(_) => Ok(()),
            None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
                let body = req.take_body();
                match body.into_bytes_limit(max).await {
                    Ok(bytes) => {
                        req.set_body(Body::from_bytes(bytes));
                        Ok(())
                    }
                    Err(_) => Err(too_large()),
                }
            }
            None => Ok(()),
        }
    }
}

impl<E: Endpoint> Endpoint for GuardEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        let request_id = self.state.request_id(&req);
        let is_docs = req.uri().path() == "/docs";
        let span = tracing::info_span!(
            "request",
            request_id = %request_id.to_str().unwrap_or_default()
        );
        let (mut resp, decision) = async {
            // A place among this address's requests in progress, taken before the rate limit
            // judges the request (see `inflight`); waiting for it is bounded like the answer.
            let slot = match &self.state.in_flight {
                None => None,
                Some(f) => {
                    let ip = req.remote_addr().as_socket_addr().map(|a| a.ip());
                    match tokio::time::timeout(self.state.limits.request_timeout, f.enter(ip))
                        .await
                    {
                        Ok(slot) => Some(slot),
                        Err(_) => {
                            return (
                                Problem::new(
                                    ErrorCode::RequestTimeout,
                                    format!(
                                        "this address had {} requests in progress for longer than {} s",
                                        self.state.limits.max_in_flight_per_address,
                                        self.state.limits.request_timeout.as_secs()
                                    ),
                                )
                                .response(),
                                None,
                            );
                        }
                    }
                }
            };
            // A costly request (a huge polygon, a past version, every filter of /stats)
            // spends more of its client's bucket: see the README's limits.
            let meter = Arc::new(work::WorkMeter::default());
            let running = Arc::new(work::Running::new(meter.clone(), Instant::now()));
            let charge = (!self.state.limits.cost_unit.is_zero()).then(|| Charge {
                state: self.state.clone(),
                key: cost_key(&req),
                running: running.clone(),
            });
            match self.admit(&mut req, charge.as_ref().map(|c| &c.running)).await {
                // A browser's form refused (too large, too many): a page, like its other errors.
                Err(refusal) if is_report_form(&req) => {
                    (crate::pages::html_error(&req, refusal, false).await, None)
                }
                Err(refusal) => (refusal, None),
                Ok(decision) => {
                    let timeout = self.state.limits.request_timeout;
                    let call = work::scope(meter.clone(), self.inner.call(req));
                    let mut resp = match tokio::time::timeout(timeout, call).await {
                        Ok(Ok(r)) => r.into_response(),
                        Ok(Err(e)) => e.into_response(),
                        Err(_) => {
                            tracing::warn!(timeout_secs = timeout.as_secs(), "request timed out");
                            Problem::new(
                                ErrorCode::RequestTimeout,
                                format!("the request took longer than {} s", timeout.as_secs()),
                            )
                            .response()
                        }
                    };
                    running.handled(Instant::now());
                    let charge = charge.filter(|_| decision.is_some());
                    if charge.is_some() || slot.is_some() {
                        self.watch_body(&mut resp, charge, meter, slot);
                    }
                    (resp, decision)
                }
            }
        }
        .instrument(span)
        .await;
        if let Some(d) = decision {
            set_ratelimit_headers(&mut resp, d);
        }
        let status = resp.status();
        let framing_allowed = resp.data::<crate::pages::AllowFraming>().is_some();
        let h = resp.headers_mut();
        h.insert(HeaderName::from_static(REQUEST_ID), request_id);
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        // Pages set their own CSP (`self` only); embeds alone may be framed.
        if !framing_allowed {
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(if is_docs && status == StatusCode::OK {
                    CSP_DOCS
                } else {
                    CSP_STRICT
                }),
            );
        }
        let pattern = resp.data::<PathPattern>().map(|p| &*p.0);
        self.state
            .metrics
            .record(pattern, status.as_u16(), started.elapsed());
        Ok(resp)
    }
}
