//! In-memory token buckets, one per client key (an address for reads, a token for writes).
//! Sharded so concurrent requests from different clients rarely meet on one lock.

use super::work::Running;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SHARDS: usize = 32;
/// A shard holding more buckets than this forgets the ones that have refilled completely
/// (their clients would start afresh anyway), so memory stays bounded.
const PRUNE_ABOVE: usize = 4096;
/// How fast a key's dearest recent request is forgotten (see `Bucket::dear`): its cost halves
/// every this many seconds.
const DEAR_HALF_LIFE_SECS: f64 = 60.0;

/// What the limiter decided, and what the `RateLimit-*` headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset: u64,
    /// Seconds until one more request is allowed (0 when allowed now).
    pub retry_after: u64,
    /// Refused, and so was this key's request before (none admitted between): a client that
    /// does not wait as `Retry-After` says (see `Limits::tarpit`).
    pub repeated: bool,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
    /// The last request checked was refused.
    refused: bool,
    /// Requests admitted and not yet charged (see `check_running`).
    running: Vec<Arc<Running>>,
    /// Shares beyond the first of this key's dearest recent request, as of `dear_at` (it
    /// halves every `DEAR_HALF_LIFE_SECS`): what a request of this key just admitted is
    /// expected to cost, before it has run long enough to show it. Without it, requests that
    /// arrive together (a client's connections, each answered its 429 at the same moment)
    /// would all be admitted from one second's refill before any had cost anything.
    dear: f64,
    dear_at: Instant,
}

impl Bucket {
    fn full(capacity: f64, now: Instant) -> Self {
        Self {
            tokens: capacity,
            updated: now,
            refused: false,
            running: Vec::new(),
            dear: 0.0,
            dear_at: now,
        }
    }

    /// The cost (shares beyond the first) this key's requests are expected to have, at `now`.
    fn expected(&self, now: Instant) -> f64 {
        let age = now.saturating_duration_since(self.dear_at).as_secs_f64();
        self.dear * 0.5f64.powf(age / DEAR_HALF_LIFE_SECS)
    }

    /// Shares beyond the first that this key's requests still in progress count for: what
    /// each has spent so far, and at least what one of this key's requests is expected to.
    fn pending(&self, now: Instant, unit: Duration) -> f64 {
        let expected = self.expected(now);
        self.running
            .iter()
            .map(|r| extra_cost(r.so_far(now), unit).max(expected))
            .sum()
    }
}

/// `per_minute` requests per key and minute, in bursts of up to `per_minute`.
pub struct RateLimiter {
    per_minute: u32,
    /// Seconds a full bucket takes to refill (60: `per_minute` is per minute).
    window: f64,
    hasher: std::collections::hash_map::RandomState,
    shards: Box<[Mutex<HashMap<u64, Bucket>>]>,
}

impl RateLimiter {
    /// `None` when `per_minute` is 0 (unlimited).
    pub fn new(per_minute: u32) -> Option<Self> {
        (per_minute > 0).then(|| Self {
            per_minute,
            window: 60.0,
            hasher: Default::default(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        })
    }

    /// `per_hour` requests per key and hour, in bursts of up to `per_hour`; `None` when 0.
    /// (`Decision::limit` is then per hour.)
    pub fn per_hour(per_hour: u32) -> Option<Self> {
        Self::new(per_hour).map(|rl| Self {
            window: 3600.0,
            ..rl
        })
    }

    /// Takes one request from `key`'s bucket, if it has one. Keys are hashed (a token is
    /// never kept).
    pub fn check(&self, key: impl Hash, now: Instant) -> Decision {
        self.judge(key, now, None)
    }

    /// As [`check`](Self::check), for a request whose cost is charged when it ends
    /// ([`settle`](Self::settle)): what the key's requests still in progress have cost so far
    /// counts against the bucket, so an address cannot start many dear requests at once, on
    /// many connections, and pay for them only after. Admitted, `running` is kept until it is
    /// settled.
    pub fn check_running(
        &self,
        key: impl Hash,
        now: Instant,
        unit: Duration,
        running: &Arc<Running>,
    ) -> Decision {
        self.judge(key, now, Some((unit, running)))
    }

    fn judge(
        &self,
        key: impl Hash,
        now: Instant,
        running: Option<(Duration, &Arc<Running>)>,
    ) -> Decision {
        let h = self.hasher.hash_one(key);
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / self.window;
        let mut shard = self.shards[(h as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if shard.len() > PRUNE_ABOVE {
            shard.retain(|_, b| {
                !b.running.is_empty()
                    || b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * per_sec
                        < capacity
            });
        }
        let bucket = shard
            .entry(h)
            .or_insert_with(|| Bucket::full(capacity, now));
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_sec).min(capacity);
        bucket.updated = now;
        let pending = running.map_or(0.0, |(unit, _)| bucket.pending(now, unit));
        let allowed = bucket.tokens - pending >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
            if let Some((_, r)) = running {
                bucket.running.push(r.clone());
            }
        }
        let repeated = !allowed && bucket.refused;
        bucket.refused = !allowed;
        let tokens = bucket.tokens - pending;
        drop(shard);
        Decision {
            allowed,
            limit: self.per_minute,
            remaining: tokens.max(0.0).floor() as u32,
            reset: ((capacity - tokens) / per_sec).ceil() as u64,
            retry_after: if allowed {
                0
            } else {
                ((1.0 - tokens) / per_sec).ceil().max(1.0) as u64
            },
            repeated,
        }
    }

    /// Charges `running` (admitted by [`check_running`](Self::check_running)) its cost,
    /// `extra` requests' worth beyond the first, and stops counting it as in progress. The
    /// bucket may go into debt: the client then waits until it has refilled. (A request's
    /// time is bounded by the request timeout, a body's work by what it sends.)
    pub fn settle(&self, key: impl Hash, running: &Arc<Running>, extra: f64, now: Instant) {
        let h = self.hasher.hash_one(key);
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / self.window;
        let mut shard = self.shards[(h as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let Some(bucket) = shard.get_mut(&h) else {
            return;
        };
        let Some(i) = bucket.running.iter().position(|r| Arc::ptr_eq(r, running)) else {
            return;
        };
        bucket.running.swap_remove(i);
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        let extra = extra.max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * per_sec).min(capacity) - extra;
        bucket.updated = now;
        bucket.dear = bucket.expected(now).max(extra);
        bucket.dear_at = now;
    }
}

/// Requests' worth beyond the first that a request which took `took` costs, at `unit` of
/// work per request (`Limits::cost_unit`; zero: none). Time handling the request is the
/// measure: it bounds the CPU the request used, and a busy server charges more. At the
/// default 600 reads a minute and 8 ms, a client kept at its limit keeps at most 10 × 8 ms
/// of each second busy, whatever it asks and on however many connections: 8% of one core,
/// which leaves room below a tenth for the work no request's clock sees (accepting and
/// parsing, freeing a large answer after it is sent).
pub fn extra_cost(took: Duration, unit: Duration) -> f64 {
    if unit.is_zero() {
        return 0.0;
    }
    ((took.as_secs_f64() / unit.as_secs_f64()).ceil() - 1.0).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::super::work::WorkMeter;
    use super::*;

    #[test]
    fn a_burst_of_the_limit_passes_then_the_next_waits() {
        let rl = RateLimiter::new(60).unwrap();
        let t = Instant::now();
        for i in 0..60 {
            let d = rl.check("a", t);
            assert!(d.allowed, "request {i}");
            assert_eq!(d.remaining, 59 - i);
        }
        let d = rl.check("a", t);
        assert!(!d.allowed);
        assert!(!d.repeated, "the first refusal is not a repeat");
        assert_eq!(d.retry_after, 1);
        assert_eq!(d.reset, 60);
        let again = rl.check("a", t);
        assert!(
            !again.allowed && again.repeated,
            "asked again without waiting"
        );
        // Another client is not affected.
        assert!(rl.check("b", t).allowed);
        // One second later one more request may pass, and the next refusal is a first again.
        assert!(rl.check("a", t + Duration::from_secs(1)).allowed);
        assert!(!rl.check("a", t + Duration::from_secs(1)).repeated);
    }

    #[test]
    fn an_expensive_request_spends_more_of_the_bucket() {
        let rl = RateLimiter::new(60).unwrap();
        let t = Instant::now();
        // 95 ms of work: ten units, nine beyond the request itself.
        let unit = Duration::from_millis(10);
        assert_eq!(extra_cost(Duration::from_millis(95), unit), 9.0);
        assert_eq!(extra_cost(Duration::from_millis(3), unit), 0.0);
        assert_eq!(extra_cost(Duration::from_secs(9), Duration::ZERO), 0.0);
        let r = running(t);
        assert!(rl.check_running("a", t, unit, &r).allowed);
        rl.settle("a", &r, extra_cost(Duration::from_millis(95), unit), t);
        assert_eq!(rl.check("a", t).remaining, 49);
        // Settling twice charges once.
        rl.settle("a", &r, 1e9, t);
        assert_eq!(rl.check("a", t).remaining, 48);
        // A dear request's debt is kept whole: the client waits until it is paid.
        let r = running(t);
        assert!(rl.check_running("a", t, unit, &r).allowed);
        rl.settle("a", &r, 200.0, t);
        let d = rl.check("a", t);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, 154, "1 - (47 - 200) shares at one a second");
        assert!(rl.check("b", t).allowed, "another client is not charged");
    }

    fn running(t: Instant) -> Arc<Running> {
        Arc::new(Running::new(Default::default(), t))
    }

    #[test]
    fn requests_in_progress_count_against_the_next_one() {
        // 60 a minute: one share a second; a share is 10 ms of work.
        let rl = RateLimiter::new(60).unwrap();
        let unit = Duration::from_millis(10);
        let t = Instant::now();
        for _ in 0..50 {
            assert!(rl.check("a", t).allowed);
        }
        // Ten left. A dear request starts on one connection...
        let dear = running(t);
        assert!(rl.check_running("a", t, unit, &dear).allowed);
        // ...and while it has run 85 ms (eight shares beyond its own), one more fits.
        let t1 = t + Duration::from_millis(85);
        let second = running(t1);
        let d = rl.check_running("a", t1, unit, &second);
        assert!(d.allowed, "{d:?}");
        assert_eq!(d.remaining, 0);
        // Nothing more: the two in progress have spent the rest, though neither has ended.
        let third = running(t1);
        let d = rl.check_running("a", t1, unit, &third);
        assert!(!d.allowed && d.retry_after >= 1, "{d:?}");
        // Another client is not affected.
        assert!(rl.check_running("b", t1, unit, &third).allowed);
        // The dear one's handler returns at 95 ms; its body then does 20 ms of work.
        dear.handled(t + Duration::from_millis(95));
        let meter = Arc::new(WorkMeter::default());
        let streaming = Arc::new(Running::new(meter.clone(), t1));
        streaming.handled(t1);
        meter.add(Duration::from_millis(20));
        assert_eq!(
            streaming.so_far(t1 + Duration::from_secs(60)),
            Duration::from_millis(20),
            "a body waiting for its client costs nothing more"
        );
        // Both end: charged what they cost (nine shares and none), as they were counted.
        let t2 = t + Duration::from_millis(95);
        rl.settle("a", &dear, extra_cost(dear.so_far(t2), unit), t2);
        rl.settle("a", &second, extra_cost(Duration::from_millis(5), unit), t2);
        let d = rl.check("a", t2);
        assert!(!d.allowed, "{d:?}");
        assert_eq!(
            d.retry_after, 2,
            "8.095 - 9 shares left: 1.905 s to the next"
        );
    }

    #[test]
    fn requests_arriving_together_after_a_dear_one_wait_for_each_other() {
        // 60 a minute: one share a second.
        let rl = RateLimiter::new(60).unwrap();
        let unit = Duration::from_millis(10);
        let t = Instant::now();
        // A dear request (40 shares beyond its own) has ended: 19 shares are left.
        let dear = running(t);
        assert!(rl.check_running("a", t, unit, &dear).allowed);
        rl.settle("a", &dear, 40.0, t);
        // Eight connections ask at the same moment. The first is admitted; the others count
        // it at what this client's requests cost, though it has not cost anything yet.
        let first = running(t);
        assert!(rl.check_running("a", t, unit, &first).allowed);
        for _ in 0..7 {
            assert!(!rl.check_running("a", t, unit, &running(t)).allowed);
        }
        // Another client has its own expectation (none).
        assert!(rl.check_running("b", t, unit, &running(t)).allowed);
        assert!(rl.check_running("b", t, unit, &running(t)).allowed);
        // The first ends, as dear: the client is in debt, and pays it before the next.
        rl.settle("a", &first, 40.0, t);
        let t1 = t + Duration::from_secs(21);
        assert!(!rl.check_running("a", t1, unit, &running(t1)).allowed);
        let t2 = t + Duration::from_secs(23);
        let next = running(t2);
        assert!(rl.check_running("a", t2, unit, &next).allowed);
        assert!(!rl.check_running("a", t2, unit, &running(t2)).allowed);
        rl.settle("a", &next, 0.0, t2);
        // The expectation fades: a minute after the dear one it is half.
        let h = rl.hasher.hash_one("a");
        let shard = rl.shards[(h as usize) % SHARDS].lock().unwrap();
        let expected = shard[&h].expected(t + Duration::from_secs(60));
        assert!((expected - 20.0).abs() < 1e-6, "{expected}");
    }

    #[test]
    fn zero_means_unlimited() {
        assert!(RateLimiter::new(0).is_none());
    }
}
