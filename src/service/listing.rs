//! Filtering, sorting and keyset pagination over the catalog.
//!
//! Every list is ordered by a sort key and then the record id, so the order is total and a
//! cursor (the last key and id of a page) says exactly where the next page starts, however
//! records are added or removed in between. A cursor is bound to the query that made it.

use super::catalog::Catalog;
use crate::domain::{
    Agency, AgencyType, JurisdictionType, Partnership, Program, Source, SourceKind, StateCode,
    Status,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use time::Date;

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
    fn rank(&self) -> u8 {
        match self {
            SortKey::Num(_) => 0,
            SortKey::Text(_) => 1,
            SortKey::Null => 2,
        }
    }

    fn opt_text(s: Option<impl Into<String>>) -> Self {
        s.map_or(SortKey::Null, |s| SortKey::Text(s.into()))
    }
}

impl Eq for SortKey {}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            (SortKey::Num(a), SortKey::Num(b)) => a.total_cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
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
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn encode_cursor(body: &CursorBody) -> String {
    let payload = serde_json::to_vec(body).unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        checksum(&payload)
    )
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
    let mut h = Sha256::new();
    h.update(format!("{parts:?}").as_bytes());
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Sorts the matching rows by (key, id), applies the cursor and the limit.
pub fn paginate<T>(
    mut rows: Vec<(SortKey, SortKey, T)>,
    descending: bool,
    query: &str,
    req: &PageRequest,
) -> Result<Page<T>, ListError> {
    let after = match &req.cursor {
        Some(text) => {
            let c = decode_cursor(text)?;
            if c.q != query {
                return Err(ListError::CursorForOtherQuery);
            }
            Some((c.k, c.i))
        }
        None => None,
    };
    let total = req.count.then_some(rows.len());
    let order = |a: &(SortKey, SortKey), b: &(SortKey, SortKey)| {
        let o = a.cmp(b);
        if descending { o.reverse() } else { o }
    };
    rows.sort_by(|a, b| order(&(a.0.clone(), a.1.clone()), &(b.0.clone(), b.1.clone())));
    let start = match &after {
        Some(pos) => {
            rows.partition_point(|r| order(&(r.0.clone(), r.1.clone()), pos) != Ordering::Greater)
        }
        None => 0,
    };
    let limit = req.limit.clamp(1, MAX_LIMIT);
    let mut rest = rows.into_iter().skip(start);
    let mut items = Vec::with_capacity(limit.min(1024));
    let mut last = None;
    for (k, i, t) in rest.by_ref().take(limit) {
        last = Some((k, i));
        items.push(t);
    }
    let next = match (rest.next(), last) {
        (Some(_), Some((k, i))) => Some(encode_cursor(&CursorBody {
            q: query.to_string(),
            k,
            i,
        })),
        _ => None,
    };
    Ok(Page { items, next, total })
}

/// Case- and accent-insensitive text for `q` searches.
pub fn fold(text: &str) -> String {
    crate::domain::slugify(text).replace('-', " ")
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || fold(haystack).contains(needle)
}

fn any_or<T: PartialEq>(wanted: &[T], value: &T) -> bool {
    wanted.is_empty() || wanted.contains(value)
}

// ---- agencies ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencySortField {
    Id,
    Name,
    State,
    City,
    UpdatedAt,
}

pub const AGENCY_SORTS: &[(&str, AgencySortField)] = &[
    ("id", AgencySortField::Id),
    ("name", AgencySortField::Name),
    ("state", AgencySortField::State),
    ("city", AgencySortField::City),
    ("updated_at", AgencySortField::UpdatedAt),
];

#[derive(Clone, Debug, Default)]
pub struct AgencyFilter {
    pub states: Vec<StateCode>,
    pub agency_types: Vec<AgencyType>,
    pub jurisdiction_types: Vec<JurisdictionType>,
    pub ori: Option<String>,
    /// Folded with [`fold`].
    pub q: Option<String>,
}

impl AgencyFilter {
    pub fn matches(&self, a: &Agency) -> bool {
        any_or(&self.states, &a.state)
            && any_or(&self.agency_types, &a.agency_type)
            && any_or(&self.jurisdiction_types, &a.jurisdiction_type)
            && self
                .ori
                .as_ref()
                .is_none_or(|o| a.ori.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(o)))
            && self.q.as_ref().is_none_or(|q| {
                contains_folded(&a.name, q)
                    || a.city.as_deref().is_some_and(|c| contains_folded(c, q))
            })
    }
}

pub fn agencies<'c>(
    catalog: &'c Catalog,
    filter: &AgencyFilter,
    sort: Sort<AgencySortField>,
    req: &PageRequest,
) -> Result<Page<&'c Agency>, ListError> {
    let rows = catalog
        .agencies
        .values()
        .filter(|a| filter.matches(a))
        .map(|a| {
            let key = match sort.field {
                AgencySortField::Id => SortKey::Null,
                AgencySortField::Name => SortKey::Text(fold(&a.name)),
                AgencySortField::State => SortKey::Text(a.state.as_str().into()),
                AgencySortField::City => SortKey::opt_text(a.city.as_deref().map(fold)),
                AgencySortField::UpdatedAt => SortKey::Text(rfc3339(a.meta.updated_at)),
            };
            (key, SortKey::Text(a.id.clone()), a)
        })
        .collect();
    let query = fingerprint(&("agencies", filter, sort));
    paginate(rows, sort.descending, &query, req)
}

// ---- partnerships ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnershipSortField {
    Id,
    Start,
    AgencyName,
    State,
    UpdatedAt,
}

pub const PARTNERSHIP_SORTS: &[(&str, PartnershipSortField)] = &[
    ("id", PartnershipSortField::Id),
    ("start", PartnershipSortField::Start),
    ("agency_name", PartnershipSortField::AgencyName),
    ("state", PartnershipSortField::State),
    ("updated_at", PartnershipSortField::UpdatedAt),
];

#[derive(Clone, Debug, Default)]
pub struct PartnershipFilter {
    pub agency: Option<String>,
    pub states: Vec<StateCode>,
    pub agency_types: Vec<AgencyType>,
    pub programs: Vec<String>,
    pub statuses: Vec<Status>,
    /// Start on or after this day (the first day of an imprecise start counts).
    pub started_after: Option<Date>,
    /// Start before this day (the first day of an imprecise start counts).
    pub started_before: Option<Date>,
    pub q: Option<String>,
}

impl PartnershipFilter {
    pub fn matches(&self, p: &Partnership, agency: Option<&Agency>) -> bool {
        let start = p.start.map(|d| d.earliest());
        self.agency.as_ref().is_none_or(|a| *a == p.agency_id)
            && any_or(&self.programs, &p.program_id)
            && any_or(&self.statuses, &p.status)
            && self
                .started_after
                .is_none_or(|d| start.is_some_and(|s| s >= d))
            && self
                .started_before
                .is_none_or(|d| start.is_some_and(|s| s < d))
            && (self.states.is_empty() || agency.is_some_and(|a| self.states.contains(&a.state)))
            && (self.agency_types.is_empty()
                || agency.is_some_and(|a| self.agency_types.contains(&a.agency_type)))
            && self.q.as_ref().is_none_or(|q| {
                agency.is_some_and(|a| {
                    contains_folded(&a.name, q)
                        || a.city.as_deref().is_some_and(|c| contains_folded(c, q))
                })
            })
    }
}

pub fn partnerships<'c>(
    catalog: &'c Catalog,
    filter: &PartnershipFilter,
    sort: Sort<PartnershipSortField>,
    req: &PageRequest,
) -> Result<Page<&'c Partnership>, ListError> {
    let rows = catalog
        .partnerships
        .values()
        .filter_map(|p| {
            let agency = catalog.agencies.get(&p.agency_id);
            if !filter.matches(p, agency) {
                return None;
            }
            let key = match sort.field {
                PartnershipSortField::Id => SortKey::Null,
                PartnershipSortField::Start => {
                    SortKey::opt_text(p.start.map(|d| d.earliest().to_string()))
                }
                PartnershipSortField::AgencyName => {
                    SortKey::opt_text(agency.map(|a| fold(&a.name)))
                }
                PartnershipSortField::State => SortKey::opt_text(agency.map(|a| a.state.as_str())),
                PartnershipSortField::UpdatedAt => SortKey::Text(rfc3339(p.meta.updated_at)),
            };
            Some((key, SortKey::Num(p.id as f64), p))
        })
        .collect();
    let query = fingerprint(&("partnerships", filter, sort));
    paginate(rows, sort.descending, &query, req)
}

// ---- programs and sources ----

pub fn programs<'c>(
    catalog: &'c Catalog,
    req: &PageRequest,
) -> Result<Page<&'c Program>, ListError> {
    let rows = catalog
        .programs
        .values()
        .map(|p| (SortKey::Null, SortKey::Text(p.id.clone()), p))
        .collect();
    paginate(rows, false, &fingerprint(&"programs"), req)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceSortField {
    Id,
    Published,
    Title,
}

pub const SOURCE_SORTS: &[(&str, SourceSortField)] = &[
    ("id", SourceSortField::Id),
    ("published", SourceSortField::Published),
    ("title", SourceSortField::Title),
];

#[derive(Clone, Debug, Default)]
pub struct SourceFilter {
    pub kinds: Vec<SourceKind>,
    pub q: Option<String>,
}

pub fn sources<'c>(
    catalog: &'c Catalog,
    filter: &SourceFilter,
    sort: Sort<SourceSortField>,
    req: &PageRequest,
) -> Result<Page<&'c Source>, ListError> {
    let rows = catalog
        .sources
        .values()
        .filter(|s| {
            any_or(&filter.kinds, &s.kind)
                && filter.q.as_ref().is_none_or(|q| {
                    contains_folded(&s.title, q)
                        || s.publisher
                            .as_deref()
                            .is_some_and(|p| contains_folded(p, q))
                        || s.url.to_ascii_lowercase().contains(q.as_str())
                })
        })
        .map(|s| {
            let key = match sort.field {
                SourceSortField::Id => SortKey::Null,
                SourceSortField::Published => {
                    SortKey::opt_text(s.published.map(|d| d.earliest().to_string()))
                }
                SourceSortField::Title => SortKey::Text(fold(&s.title)),
            };
            (key, SortKey::Num(s.id as f64), s)
        })
        .collect();
    let query = fingerprint(&("sources", filter, sort));
    paginate(rows, sort.descending, &query, req)
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

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
