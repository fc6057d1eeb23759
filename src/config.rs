//! Typed configuration: defaults, then the environment, then the command line. The database
//! URL may hold a password, so it is never printed whole.

use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://ring-partnerships.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: String,
    pub database_url: String,
    /// How often to pick up revisions written by other processes.
    pub follow_interval: Duration,
    /// What one request or client may ask of the server.
    pub limits: Limits,
    /// Where absolute URLs point (`PUBLIC_URL`, `TRUST_PROXY`).
    pub public_url: crate::web::base_url::PublicUrl,
    /// What `serve` loads into a database that has no partnerships yet.
    pub seed: SeedData,
}

/// What an empty database is filled with on `serve` (`--seed`, `SEED_DATA`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SeedData {
    /// The shipped dataset (`data/atlas-2020-10-07/`): every Atlas Ring partnership.
    #[default]
    Shipped,
    /// The 36-row hand-made sample (`data/sample/`), quick to load (tests, fuzzing).
    Sample,
    /// Nothing: programs and phases only.
    None,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND.into(),
            database_url: DEFAULT_DATABASE_URL.into(),
            follow_interval: Duration::from_millis(500),
            limits: Limits::default(),
            public_url: Default::default(),
            seed: SeedData::default(),
        }
    }
}

/// The limits that keep one client from holding or exhausting the server. Each is a `serve`
/// flag and an environment variable (named on each field); the README's limits table lists
/// them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `MAX_BODY_BYTES`: larger request bodies are refused with 413 `payload_too_large`.
    pub max_body_bytes: usize,
    /// `MAX_URI_BYTES`: longer request targets (path and query) get 414 `uri_too_long`.
    pub max_uri_bytes: usize,
    /// `MAX_HEADER_BYTES`: larger header sections (names and values) get 431
    /// `headers_too_large`.
    pub max_header_bytes: usize,
    /// `EXPORT_CONCURRENCY`: how many exports (CSV, NDJSON and GeoJSON answers, all
    /// streamed) run at once; one more is refused at once with 503 `too_many_exports` and
    /// `Retry-After` (see `AppState::export_permit`).
    pub export_concurrency: usize,
    /// `MAX_POLYGON_VERTICES`: most positions a search polygon (`within`) may have over all
    /// its rings; more is a 400 `invalid_body` naming `within`.
    pub max_polygon_vertices: usize,
    /// `REQUEST_TIMEOUT_SECS`: a request not answered in time gets 503 `request_timeout`.
    pub request_timeout: Duration,
    /// `IDLE_TIMEOUT_SECS`: a connection that sends and receives nothing for this long is
    /// closed, including one that stopped half-way through its request (slowloris).
    pub idle_timeout: Duration,
    /// `RATE_LIMIT_READS`: reads per minute per client address (0: unlimited).
    pub reads_per_minute: u32,
    /// `RATE_LIMIT_WRITES`: writes per minute per token (per address without one; 0:
    /// unlimited).
    pub writes_per_minute: u32,
    /// `RATE_LIMIT_COST_MS`: the work one request's share of a rate-limit bucket pays for; a
    /// request that takes longer spends one more share per unit (0: every request costs one).
    /// At 8 ms and 600 reads a minute, one address keeps at most 8% of a core busy in its
    /// requests, and under a tenth with what no request's clock sees.
    pub cost_unit: Duration,
    /// `MAX_REPORT_BYTES`: largest body of a correction report (`POST /reports`); larger
    /// is 413 `payload_too_large`.
    pub max_report_bytes: usize,
    /// `RATE_LIMIT_REPORTS`: correction reports an hour per client address (0: unlimited),
    /// beside the write limit; more is 429 `rate_limited`.
    pub reports_per_hour: u32,
    /// `MAX_IN_FLIGHT_PER_ADDRESS`: requests one client address may have in progress at once
    /// (0: no cap). One more waits, costing nothing, until one of them is answered; the rate
    /// limit is judged when it starts, so the charges of the dear requests before it have
    /// landed.
    pub max_in_flight_per_address: usize,
    /// `RATE_LIMIT_TARPIT_MS`: how long a client refused again (a 429 after a 429, with no
    /// request admitted between) waits for that answer, holding its place among its address's
    /// requests in progress. A client that ignores `Retry-After` is slowed to a few refusals a
    /// second instead of costing the server one refusal per round trip.
    pub tarpit: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 16 * 1024,
            export_concurrency: 4,
            max_polygon_vertices: 10_000,
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            reads_per_minute: 600,
            writes_per_minute: 60,
            cost_unit: Duration::from_millis(8),
            max_report_bytes: 8 * 1024,
            reports_per_hour: 10,
            max_in_flight_per_address: 8,
            tarpit: Duration::from_secs(1),
        }
    }
}

/// Accepts a URL (`sqlite://…`, `postgres://…`) or a plain path to a SQLite file.
pub fn database_url(value: &str) -> String {
    if value.contains("://") || value.starts_with("sqlite:") {
        value.to_string()
    } else {
        format!("sqlite://{value}")
    }
}

/// The URL with any password replaced, for logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_means_a_sqlite_file() {
        assert_eq!(database_url("data/x.db"), "sqlite://data/x.db");
        assert_eq!(database_url("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redacted("postgres://user:secret@host/db"),
            "postgres://user:***@host/db"
        );
    }
}
