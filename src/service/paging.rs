//! Keyset pagination: sort keys, cursors and the selection of a page.
//!
//! Every list is ordered by a sort key and then the record id, so the order is total and a
//! cursor (the last key and id of a page) says exactly where the next page starts, however
//! records are added or removed in between. A cursor is bound to the query that made it.

use super::catalog::AgencyEntry;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;

/// A value records are sorted by. Missing values sort after all others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SortKey {
    #[serde(rename = "t")]
    Text(String),
    #[serde(rename = "n")]
    Num(f64),
    #[serde(rename = "z")]
    Null,
}

impl SortKey {
    pub fn opt_text(s: Option<impl Into<String>>) -> Self {
        s.map_or(SortKey::Null, |s| SortKey::Text(s.into()))
    }
}

impl Eq for SortKey {}

/// A sort key or id as it is compared, borrowed: rows can keep their id in the record
/// itself (a page then copies no id but its cursor's).
#[derive(Clone, Copy, Debug)]
pub enum KeyRef<'a> {
    Text(&'a str),
    Num(f64),
    Null,
}

impl KeyRef<'_> {
    fn owned(self) -> SortKey {
        match self {
            KeyRef::Text(t) => SortKey::Text(t.to_string()),
            KeyRef::Num(n) => SortKey::Num(n),
            KeyRef::Null => SortKey::Null,
        }
    }

    fn cmp(self, other: Self) -> Ordering {
        let rank = |k: Self| match k {
            KeyRef::Num(_) => 0,
            KeyRef::Text(_) => 1,
            KeyRef::Null => 2,
        };
        match (self, other) {
            (KeyRef::Text(a), KeyRef::Text(b)) => a.cmp(b),
            (KeyRef::Num(a), KeyRef::Num(b)) => a.total_cmp(&b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

/// What a row's id can be: an owned key, or the record that holds it.
pub trait AsKey {
    fn key(&self) -> KeyRef<'_>;
}

impl AsKey for SortKey {
    fn key(&self) -> KeyRef<'_> {
        match self {
            SortKey::Text(t) => KeyRef::Text(t),
            SortKey::Num(n) => KeyRef::Num(*n),
            SortKey::Null => KeyRef::Null,
        }
    }
}

/// An agency's id, read from the record only when compared (ties) or copied (the cursor):
/// a nearest-first walk then reads no record but those on the page.
impl AsKey for &AgencyEntry {
    fn key(&self) -> KeyRef<'_> {
        KeyRef::Text(&self.id)
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(other.key())
    }
}

/// Which field a list is sorted by, and in which direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort<F> {
    pub field: F,
    pub descending: bool,
}

/// Parses `field` or `-field` against the fields a list can be sorted by.
pub fn parse_sort<F: Copy>(text: &str, fields: &[(&str, F)]) -> Option<Sort<F>> {
    let (descending, name) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    fields
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, field)| Sort {
            field: *field,
            descending,
        })
}

#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<String>,
    pub count: bool,
    /// `limit` is not capped at `MAX_LIMIT`: exports, never pages.
    pub unbounded: bool,
}

impl PageRequest {
    /// Every matching row, in order: what an export streams.
    pub fn everything() -> Self {
        Self {
            limit: usize::MAX,
            cursor: None,
            count: false,
            unbounded: true,
        }
    }
}

#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
    /// How many records match, when asked for.
    pub total: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("the cursor is not one this API issued, or it was altered")]
    ForgedCursor,
    #[error("the cursor belongs to a different query (other filters or sort order)")]
    CursorForOtherQuery,
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    /// Fingerprint of the query the cursor continues.
    q: String,
    k: SortKey,
    i: SortKey,
}

// Not a secret: the checksum only makes altered or made-up cursors fail loudly instead of
// silently paging from an arbitrary place.
const CURSOR_SALT: &[u8] = b"ring-partnerships cursor v1";

fn checksum(payload: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(CURSOR_SALT);
    h.update(payload);
    hex::encode(&h.finalize()[..8])
}

fn encode_cursor(body: &CursorBody) -> String {
    let payload = serde_json::to_vec(body).unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        checksum(&payload)
    )
}

/// Whether the request's cursor is one this API issued, unaltered (without the catalog:
/// that it belongs to the query is checked when the list is made).
pub fn check_cursor(req: &PageRequest) -> Result<(), ListError> {
    match &req.cursor {
        Some(text) => decode_cursor(text).map(drop),
        None => Ok(()),
    }
}

fn decode_cursor(text: &str) -> Result<CursorBody, ListError> {
    let (b64, sum) = text.split_once('.').ok_or(ListError::ForgedCursor)?;
    let payload = URL_SAFE_NO_PAD
        .decode(b64)
        .map_err(|_| ListError::ForgedCursor)?;
    if checksum(&payload) != sum {
        return Err(ListError::ForgedCursor);
    }
    serde_json::from_slice(&payload).map_err(|_| ListError::ForgedCursor)
}

/// A stable text naming a query, so a cursor cannot be replayed against another one.
pub fn fingerprint(parts: &impl std::fmt::Debug) -> String {
    // The query's debug text, hashed as it is written (no text is built).
    struct Hashing(Sha256);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing to a hasher cannot fail.
    let _ = std::fmt::write(&mut h, format_args!("{parts:?}"));
    hex::encode(&h.0.finalize()[..8])
}

/// The order of rows: by key, then id; reversed whole when descending.
pub(super) fn order_by(
    ka: &impl AsKey,
    ia: &impl AsKey,
    kb: &impl AsKey,
    ib: &impl AsKey,
    descending: bool,
) -> Ordering {
    let o = ka.key().cmp(kb.key()).then_with(|| ia.key().cmp(ib.key()));
    if descending { o.reverse() } else { o }
}

/// Sorts the matching rows by (key, id), applies the cursor and the limit.
///
/// Holds about twice the page, however many rows there are: rows past the cursor gather in
/// a buffer that, each time it is full, is cut back to the `limit + 1` first in order (a
/// selection, O(buffer)). A page of `limit` rows out of `n` costs O(n) time and O(limit)
/// memory; an export walks the rows one such batch at a time.
pub fn paginate<T, I: AsKey>(
    rows: impl IntoIterator<Item = (SortKey, I, T)>,
    descending: bool,
    query: &str,
    req: &PageRequest,
) -> Result<Page<T>, ListError> {
    let after = decode_after(req, query)?;
    let limit = page_size(req);
    // One more than the page, to know whether there is a next one.
    let want = limit + 1;
    let cap = want.saturating_mul(2).max(64);
    let order =
        |a: &(SortKey, I, T), b: &(SortKey, I, T)| order_by(&a.0, &a.1, &b.0, &b.1, descending);
    let mut matched = 0;
    // Sized at once when bounded, so growing by doubling does not overshoot the buffer.
    let mut kept: Vec<(SortKey, I, T)> = if cap <= 1 << 18 {
        Vec::with_capacity(cap)
    } else {
        Vec::new()
    };
    for row in rows {
        matched += 1;
        if let Some(pos) = &after
            && order_by(&row.0, &row.1, &pos.0, &pos.1, descending) != Ordering::Greater
        {
            continue;
        }
        kept.push(row);
        if kept.len() >= cap {
            kept.select_nth_unstable_by(want - 1, order);
            kept.truncate(want);
        }
    }
    if kept.len() > want {
        kept.select_nth_unstable_by(want - 1, order);
        kept.truncate(want);
    }
    kept.sort_unstable_by(order);
    let more = kept.len() > limit;
    kept.truncate(limit);
    let next = match (more, kept.last()) {
        (true, Some((k, i, _))) => Some(encode_cursor(&CursorBody {
            q: query.to_string(),
            k: k.clone(),
            i: i.key().owned(),
        })),
        _ => None,
    };
    Ok(Page {
        items: kept.into_iter().map(|(_, _, t)| t).collect(),
        next,
        total: req.count.then_some(matched),
    })
}

pub(super) fn decode_after(
    req: &PageRequest,
    query: &str,
) -> Result<Option<(SortKey, SortKey)>, ListError> {
    match &req.cursor {
        Some(text) => {
            let c = decode_cursor(text)?;
            if c.q != query {
                return Err(ListError::CursorForOtherQuery);
            }
            Ok(Some((c.k, c.i)))
        }
        None => Ok(None),
    }
}

pub(super) fn page_size(req: &PageRequest) -> usize {
    if req.unbounded {
        // At most one less than the maximum, so `page_size + 1` cannot overflow.
        req.limit.clamp(1, usize::MAX - 1)
    } else {
        req.limit.clamp(1, MAX_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::listing::{AGENCY_SORTS, AgencySortField};

    fn rows(n: i64) -> Vec<(SortKey, SortKey, i64)> {
        (1..=n)
            .map(|i| {
                (
                    SortKey::Text(format!("k{}", i % 3)),
                    SortKey::Num(i as f64),
                    i,
                )
            })
            .collect()
    }

    fn walk(n: i64, limit: usize, descending: bool) -> Vec<i64> {
        let mut seen = vec![];
        let mut cursor = None;
        loop {
            let req = PageRequest {
                limit,
                cursor: cursor.clone(),
                count: false,
                unbounded: false,
            };
            let page = paginate(rows(n), descending, "q", &req).unwrap();
            seen.extend(page.items);
            match page.next {
                Some(c) => cursor = Some(c),
                None => return seen,
            }
        }
    }

    #[test]
    fn walking_every_page_visits_every_row_once_in_order() {
        for (n, limit) in [(0, 5), (1, 1), (10, 3), (10, 10), (10, 11), (100, 7)] {
            for descending in [false, true] {
                let got = walk(n, limit, descending);
                let mut want: Vec<i64> = (1..=n).collect();
                want.sort_by_key(|i| (format!("k{}", i % 3), *i));
                if descending {
                    want.reverse();
                }
                assert_eq!(got, want, "n={n} limit={limit} desc={descending}");
            }
        }
    }

    #[test]
    fn a_page_exactly_filling_the_rest_has_no_next_cursor() {
        let page = paginate(
            rows(6),
            false,
            "q",
            &PageRequest {
                limit: 6,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page.items.len(), 6);
        assert!(page.next.is_none());
    }

    #[test]
    fn forged_and_foreign_cursors_are_refused() {
        let req = PageRequest {
            limit: 2,
            ..Default::default()
        };
        let next = paginate(rows(5), false, "q", &req).unwrap().next.unwrap();
        for forged in [
            "",
            "abc",
            "abc.def",
            &next.replace('.', ""),
            &format!("x{next}"),
        ] {
            let req = PageRequest {
                limit: 2,
                cursor: Some(forged.to_string()),
                count: false,
                unbounded: false,
            };
            assert_eq!(
                paginate(rows(5), false, "q", &req).unwrap_err(),
                ListError::ForgedCursor
            );
        }
        let req = PageRequest {
            limit: 2,
            cursor: Some(next),
            count: false,
            unbounded: false,
        };
        assert_eq!(
            paginate(rows(5), false, "other", &req).unwrap_err(),
            ListError::CursorForOtherQuery
        );
    }

    #[test]
    fn missing_sort_values_come_last() {
        let mut keys = [
            SortKey::Null,
            SortKey::Text("b".into()),
            SortKey::Text("a".into()),
        ];
        keys.sort();
        assert_eq!(keys[2], SortKey::Null);
    }

    #[test]
    fn parse_sort_knows_direction_and_rejects_unknown_fields() {
        let s = parse_sort("-name", AGENCY_SORTS).unwrap();
        assert!(s.descending);
        assert_eq!(s.field, AgencySortField::Name);
        assert!(parse_sort("nope", AGENCY_SORTS).is_none());
        assert!(parse_sort("--name", AGENCY_SORTS).is_none());
    }
}
