//! In-memory token buckets, one per client key (an address for reads, a token for writes).
//! Sharded so concurrent requests from different clients rarely meet on one lock.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Mutex;
use std::time::Instant;

const SHARDS: usize = 32;
/// A shard holding more buckets than this forgets the ones that have refilled completely
/// (their clients would start afresh anyway), so memory stays bounded.
const PRUNE_ABOVE: usize = 4096;

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
}

impl Bucket {
    fn full(capacity: f64, now: Instant) -> Self {
        Self {
            tokens: capacity,
            updated: now,
            refused: false,
        }
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
        let h = self.hasher.hash_one(key);
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / self.window;
        let mut shard = self.shards[(h as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if shard.len() > PRUNE_ABOVE {
            shard.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * per_sec
                    < capacity
            });
        }
        let bucket = shard
            .entry(h)
            .or_insert_with(|| Bucket::full(capacity, now));
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_sec).min(capacity);
        bucket.updated = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let repeated = !allowed && bucket.refused;
        bucket.refused = !allowed;
        let tokens = bucket.tokens;
        drop(shard);
        Decision {
            allowed,
            limit: self.per_minute,
            remaining: tokens.floor() as u32,
            reset: ((capacity - tokens) / per_sec).ceil() as u64,
            retry_after: if allowed {
                0
            } else {
                ((1.0 - tokens) / per_sec).ceil().max(1.0) as u64
            },
            repeated,
        }
    }
}

impl RateLimiter {
    /// Takes `extra` more requests' worth from `key`'s bucket after the fact (an expensive
    /// request spends more of it). The bucket may go into debt, down to minus one minute's
    /// worth, so the client waits that much longer before its next request.
    pub fn charge(&self, key: impl Hash, extra: f64, now: Instant) {
        if extra <= 0.0 {
            return;
        }
        let h = self.hasher.hash_one(key);
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / self.window;
        let mut shard = self.shards[(h as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let bucket = shard
            .entry(h)
            .or_insert_with(|| Bucket::full(capacity, now));
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = ((bucket.tokens + elapsed * per_sec).min(capacity) - extra).max(-capacity);
        bucket.updated = now;
    }
}

/// Requests' worth beyond the first that a request which took `took` costs, at `unit` of
/// work per request (`Limits::cost_unit`; zero: none). Time handling the request is the
/// measure: it bounds the CPU the request used, and a busy server charges more. At the
/// default 600 reads a minute and 8 ms, a client kept at its limit keeps at most 10 × 8 ms
/// of each second busy, whatever it asks: 8% of one core, which leaves room below a tenth for
/// the work no request's clock sees (accepting and parsing, freeing a large answer after it is
/// sent).
pub fn extra_cost(took: std::time::Duration, unit: std::time::Duration) -> f64 {
    if unit.is_zero() {
        return 0.0;
    }
    ((took.as_secs_f64() / unit.as_secs_f64()).ceil() - 1.0).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
        assert!(rl.check("a", t).allowed);
        // 95 ms of work: ten units, nine beyond the request itself.
        let unit = Duration::from_millis(10);
        assert_eq!(extra_cost(Duration::from_millis(95), unit), 9.0);
        assert_eq!(extra_cost(Duration::from_millis(3), unit), 0.0);
        assert_eq!(extra_cost(Duration::from_secs(9), Duration::ZERO), 0.0);
        rl.charge("a", extra_cost(Duration::from_millis(95), unit), t);
        assert_eq!(rl.check("a", t).remaining, 49);
        // Debt is bounded by a minute's worth.
        rl.charge("a", 1e9, t);
        let d = rl.check("a", t);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, 61);
        assert!(rl.check("b", t).allowed, "another client is not charged");
    }

    #[test]
    fn zero_means_unlimited() {
        assert!(RateLimiter::new(0).is_none());
    }
}
