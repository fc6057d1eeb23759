//! Answers computed once per dataset version: the newest few queries' results, keyed by the
//! catalog's `seq` and a canonical text of the query. A query that walks every matching record
//! (the statistics of `/stats`, the total of an OGC page) then costs that walk the first time
//! it is asked after a write, and a lookup after that. A past version (`as_of`) has its own
//! `seq`, so it is cached the same way; an entry of a version no one asks for any more falls
//! out as newer ones come in.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// A dataset version and the canonical text of a query.
type Key = (i64, String);

pub struct PerVersion<V> {
    capacity: usize,
    newest_first: Mutex<VecDeque<(Key, Arc<V>)>>,
}

impl<V> PerVersion<V> {
    /// Keeps the answers of the `capacity` queries asked last.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            newest_first: Mutex::default(),
        }
    }

    /// [`Self::get_or_try`] of an answer that is always found.
    pub fn get_or(&self, seq: i64, query: String, compute: impl FnOnce() -> V) -> Arc<V> {
        match self.get_or_try(seq, query, || Ok::<_, std::convert::Infallible>(compute())) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// The answer to `query` at version `seq`: kept, or computed now (outside the lock, so
    /// other queries are not held up; two requests missing at once both compute, and one
    /// answer is kept).
    pub fn get_or_try<E>(
        &self,
        seq: i64,
        query: String,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        if let Some(hit) = self.get(seq, &query) {
            return Ok(hit);
        }
        Ok(self.put(seq, query, compute()?))
    }

    /// The kept answer to `query` at version `seq`, if any (it becomes the newest).
    pub fn get(&self, seq: i64, query: &str) -> Option<Arc<V>> {
        let mut entries = self.newest_first.lock().unwrap_or_else(|e| e.into_inner());
        let k = entries
            .iter()
            .position(|((s, q), _)| *s == seq && q == query)?;
        let hit = entries.remove(k).expect("the position is in range");
        let value = hit.1.clone();
        entries.push_front(hit);
        Some(value)
    }

    /// Keeps `value` as the answer to `query` at version `seq` (for answers computed
    /// asynchronously: [`Self::get`] first, then this) and gives back the one kept, which is
    /// an earlier one if another request put it first.
    pub fn put(&self, seq: i64, query: String, value: V) -> Arc<V> {
        let key = (seq, query);
        let mut entries = self.newest_first.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, kept)) = entries.iter().find(|(k, _)| *k == key) {
            return kept.clone();
        }
        let value = Arc::new(value);
        entries.push_front((key, value.clone()));
        entries.truncate(self.capacity);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn an_answer_is_computed_once_per_version_and_query() {
        let cache = PerVersion::new(2);
        let computed = Cell::new(0);
        let ask = |seq, q: &str| {
            String::clone(
                &cache
                    .get_or_try(seq, q.to_string(), || {
                        computed.set(computed.get() + 1);
                        Ok::<_, ()>(format!("{q}@{seq}"))
                    })
                    .unwrap(),
            )
        };
        assert_eq!(ask(1, "a"), "a@1");
        assert_eq!(ask(1, "a"), "a@1");
        assert_eq!(computed.get(), 1, "asked again: kept");
        assert_eq!(ask(2, "a"), "a@2", "a new version is computed anew");
        assert_eq!(ask(2, "b"), "b@2");
        assert_eq!(computed.get(), 3);
        // Capacity 2: the least recently asked ("a"@1) is gone.
        ask(1, "a");
        assert_eq!(computed.get(), 4);
        // An error is not kept.
        assert!(
            cache
                .get_or_try(3, "c".into(), || Err::<String, _>(7))
                .is_err()
        );
        assert_eq!(ask(3, "c"), "c@3");
    }
}
