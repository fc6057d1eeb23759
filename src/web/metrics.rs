//! Prometheus metrics without locks on the request path: every route template is registered
//! when the app is built, and each has fixed atomic counters per status and latency bucket.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The statuses counted one by one; anything else is counted as `other`.
const STATUSES: [u16; 23] = [
    200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 406, 409, 410, 412, 413, 414, 415, 422, 428,
    429, 431, 500, 503,
];
/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The route label of requests that matched no route.
pub const UNMATCHED: &str = "unmatched";

struct RouteStats {
    label: String,
    statuses: [AtomicU64; STATUSES.len() + 1],
    /// Non-cumulative counts per bucket; the last is `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl RouteStats {
    fn new(label: &str) -> Self {
        Self {
            label: label.to_string(),
            statuses: std::array::from_fn(|_| AtomicU64::new(0)),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            sum_micros: AtomicU64::new(0),
        }
    }
}

/// `/agencies/{id}` as poem writes it: `/agencies/:id`, or `/agencies/:param0` numbered.
fn poem_pattern(template: &str, numbered: bool) -> String {
    let mut n = 0;
    template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(_) if numbered => {
                    n += 1;
                    format!(":param{}", n - 1)
                }
                Some(name) => format!(":{name}"),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

pub struct Metrics {
    /// Route pattern (as poem reports it) -> index into `routes`.
    index: HashMap<String, usize>,
    routes: Vec<RouteStats>,
}

impl Metrics {
    /// Registers `templates` (OpenAPI style, `/agencies/{id}`) and the unmatched route.
    pub fn new<'a>(templates: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = HashMap::new();
        let mut routes = vec![RouteStats::new(UNMATCHED)];
        for t in templates {
            let i = routes.len();
            routes.push(RouteStats::new(t));
            // poem reports `:id` for a parameter, poem-openapi `:param0`, `:param1`, … in
            // order; nesting under `/` may double the slash.
            for key in [t.to_string(), poem_pattern(t, false), poem_pattern(t, true)] {
                index.entry(format!("/{key}")).or_insert(i);
                index.entry(key).or_insert(i);
            }
        }
        Self { index, routes }
    }

    /// Counts one answered request.
    pub fn record(&self, pattern: Option<&str>, status: u16, elapsed: Duration) {
        let route = pattern
            .and_then(|p| self.index.get(p))
            .map_or(&self.routes[0], |&i| &self.routes[i]);
        let s = STATUSES
            .iter()
            .position(|&c| c == status)
            .unwrap_or(STATUSES.len());
        route.statuses[s].fetch_add(1, Relaxed);
        let secs = elapsed.as_secs_f64();
        let b = BUCKETS
            .iter()
            .position(|&le| secs <= le)
            .unwrap_or(BUCKETS.len());
        route.buckets[b].fetch_add(1, Relaxed);
        route
            .sum_micros
            .fetch_add(elapsed.as_micros() as u64, Relaxed);
    }

    /// The Prometheus text exposition of the request metrics and the given gauges.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str("# HELP http_requests_total Requests answered, by route template and status.\n# TYPE http_requests_total counter\n");
        for r in &self.routes {
            for (i, c) in r.statuses.iter().enumerate() {
                let n = c.load(Relaxed);
                if n == 0 {
                    continue;
                }
                let status = STATUSES
                    .get(i)
                    .map_or("other".to_string(), |s| s.to_string());
                let _ = writeln!(
                    out,
                    "http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    r.label
                );
            }
        }
        out.push_str("# HELP http_request_duration_seconds Time to answer a request, by route template.\n# TYPE http_request_duration_seconds histogram\n");
        for r in &self.routes {
            let counts: Vec<u64> = r.buckets.iter().map(|b| b.load(Relaxed)).collect();
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            let mut cumulative = 0;
            for (i, le) in BUCKETS.iter().enumerate() {
                cumulative += counts[i];
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{route=\"{}\",le=\"{le}\"}} {cumulative}",
                    r.label
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{route=\"{0}\",le=\"+Inf\"}} {total}\nhttp_request_duration_seconds_sum{{route=\"{0}\"}} {1}\nhttp_request_duration_seconds_count{{route=\"{0}\"}} {total}",
                r.label,
                r.sum_micros.load(Relaxed) as f64 / 1e6
            );
        }
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_and_status() {
        let m = Metrics::new(["/agencies/{id}"]);
        m.record(Some("/agencies/:id"), 200, Duration::from_millis(2));
        m.record(Some("//agencies/:param0"), 404, Duration::from_millis(20));
        m.record(None, 404, Duration::from_micros(100));
        m.record(Some("/agencies/:id"), 599, Duration::from_secs(20));
        let text = m.render(&[("dataset_version", "The dataset version.", 7.0)]);
        assert!(text.contains("http_requests_total{route=\"/agencies/{id}\",status=\"200\"} 1"));
        assert!(text.contains("http_requests_total{route=\"/agencies/{id}\",status=\"404\"} 1"));
        assert!(text.contains("http_requests_total{route=\"/agencies/{id}\",status=\"other\"} 1"));
        assert!(text.contains("http_requests_total{route=\"unmatched\",status=\"404\"} 1"));
        assert!(text.contains(
            "http_request_duration_seconds_bucket{route=\"/agencies/{id}\",le=\"0.0025\"} 1"
        ));
        assert!(text.contains("http_request_duration_seconds_count{route=\"/agencies/{id}\"} 3"));
        assert!(text.contains("dataset_version 7"));
    }
}
