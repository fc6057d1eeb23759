//! Requests in progress per client address: at most `cap` at once, and one more waits its
//! turn. Waiting costs the server nothing, and the rate limit judges a request when its turn
//! comes (counting what the address's requests in progress have cost so far: see
//! `RateLimiter::check_running`).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const SHARDS: usize = 32;
/// A shard holding more addresses than this forgets those with nothing in progress.
const PRUNE_ABOVE: usize = 4096;

/// Addresses (hashed) and their places, one shard of them.
type Shard = Mutex<HashMap<u64, Arc<Semaphore>>>;

pub struct InFlight {
    cap: usize,
    hasher: std::collections::hash_map::RandomState,
    shards: Box<[Shard]>,
}

/// A place among an address's requests in progress, given back when dropped.
pub type Slot = OwnedSemaphorePermit;

impl InFlight {
    /// `None` when `cap` is 0 (no cap).
    pub fn new(cap: usize) -> Option<Self> {
        (cap > 0).then(|| Self {
            cap,
            hasher: Default::default(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        })
    }

    /// Waits until `key` has fewer than `cap` requests in progress and takes a place.
    pub async fn enter(&self, key: impl Hash) -> Slot {
        let h = self.hasher.hash_one(key);
        let semaphore = {
            let mut shard = self.shards[(h as usize) % SHARDS]
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if shard.len() > PRUNE_ABOVE {
                // Only this map holds the semaphore of an address with nothing in progress
                // and nothing waiting (each slot and each waiter holds a clone).
                shard.retain(|_, s| Arc::strong_count(s) > 1);
            }
            shard
                .entry(h)
                .or_insert_with(|| Arc::new(Semaphore::new(self.cap)))
                .clone()
        };
        semaphore
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_more_than_the_cap_waits_until_a_place_is_given_back() {
        let f = InFlight::new(2).unwrap();
        let a = f.enter("a").await;
        let _b = f.enter("a").await;
        let third = tokio::time::timeout(Duration::from_millis(50), f.enter("a")).await;
        assert!(third.is_err(), "a third request of one address waits");
        // Another address is not held up.
        let _other = tokio::time::timeout(Duration::from_millis(50), f.enter("b"))
            .await
            .expect("another address has its own places");
        drop(a);
        let _c = tokio::time::timeout(Duration::from_millis(50), f.enter("a"))
            .await
            .expect("a place given back is taken");
    }

    #[tokio::test]
    async fn addresses_with_nothing_in_progress_are_forgotten() {
        let f = InFlight::new(1).unwrap();
        let held = f.enter(0u32).await;
        for k in 1..(SHARDS * (PRUNE_ABOVE + 2)) as u32 {
            drop(f.enter(k).await);
        }
        let total: usize = f.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(total <= SHARDS * (PRUNE_ABOVE + 1), "{total} kept");
        // The one in progress is kept: its next request still waits for it.
        assert!(
            tokio::time::timeout(Duration::from_millis(20), f.enter(0u32))
                .await
                .is_err()
        );
        drop(held);
    }

    #[test]
    fn zero_means_no_cap() {
        assert!(InFlight::new(0).is_none());
    }
}
