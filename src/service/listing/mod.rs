//! The lists of the catalog: their filters, sort fields and the walks that find a page,
//! paged by `paging`.
//!
//! A file a kind of record: `agencies`, `partnerships` (with `activity`: whether one is in
//! force on a day), `programs` (programs and their phases), `sources` (sources and
//! citations). `strategy` chooses, once per request, how an agency or partnership list
//! finds its page (one agency's, nearest first, within a radius, by id from the cursor, or
//! a scan); `geo` holds the geographic filter and the nearest-first walk; what they all
//! share is here. `ordered` reads a list sorted by another field from
//! that field's order, `text` a `q` search from the trigram index. `property_tests` (tests
//! only) checks every walk against brute force; `order_tests` the walks over the catalog's
//! ids by tag, the sort orders and the trigram index.

mod activity;
mod agencies;
mod geo;
pub mod ordered;
mod partnerships;
mod programs;
mod sources;
mod strategy;
pub mod text;

#[cfg(test)]
mod order_tests;
#[cfg(test)]
mod property_tests;

pub use super::paging::{
    AsKey, DEFAULT_LIMIT, KeyRef, ListError, MAX_LIMIT, Page, PageRequest, Sort, SortKey,
    check_cursor, fingerprint, paginate, parse_sort,
};
pub use activity::{Activity, Certainty, activity};
pub use agencies::{AGENCY_SORTS, AgencyFilter, AgencySortField, agencies};
pub use geo::GeoFilter;
pub use partnerships::{
    PARTNERSHIP_SORTS, PartnershipFilter, PartnershipSortField, UnknownName, WithAgency,
    check_names, partnerships,
};
pub use programs::{PHASE_SORTS, PhaseFilter, PhaseSortField, phases, programs};
pub use sources::{
    CitationFilter, SOURCE_SORTS, SourceFilter, SourceSortField, citations, sources,
};

use crate::domain::{Partnership, Status};
use time::Date;

/// Case- and accent-insensitive text for `q` searches: the words slugs and the gazetteer
/// compare by.
pub fn fold(text: &str) -> String {
    crate::domain::text::fold_words(text)
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || fold(haystack).contains(needle)
}

fn any_or<T: PartialEq>(wanted: &[T], value: &T) -> bool {
    wanted.is_empty() || wanted.contains(value)
}

/// A record in a result, with its distance from the `near` centre when one was given.
#[derive(Debug, Clone, Copy)]
pub struct Hit<T> {
    pub item: T,
    pub distance_m: Option<f64>,
}

/// A span of days, either end open, as OGC API's `datetime` gives it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    /// Whether the partnership may have been in force at some day of the period: its
    /// possible span (earliest start to latest end; open where unknown) meets the period.
    /// Announced and cancelled partnerships were never in force.
    pub fn meets(&self, p: &Partnership) -> bool {
        if matches!(p.status, Status::Announced | Status::Cancelled) {
            return false;
        }
        let starts_in_time = match (self.to, p.start) {
            (Some(to), Some(start)) => start.earliest() <= to,
            _ => true,
        };
        let ends_in_time = match (self.from, p.end) {
            (Some(from), Some(end)) => end.latest() >= from,
            _ => true,
        };
        starts_in_time && ends_in_time
    }
}

/// A time as a sort key that orders as the instants do: UTC with all nine sub-second
/// digits. (RFC 3339 as `time` writes it drops trailing zeros, so `…:00Z` would sort after
/// `…:00.5Z`.)
pub fn instant_key(t: time::OffsetDateTime) -> SortKey {
    let t = t.to_offset(time::UtcOffset::UTC);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
    );
    SortKey::Text(t.format(&format).unwrap_or_default())
}

#[cfg(test)]
fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updated_at_sorts_by_the_instant_not_its_text() {
        use time::macros::datetime;
        let whole = datetime!(2026-12-01 12:00:00 UTC);
        let half = datetime!(2026-12-01 12:00:00.5 UTC);
        let later_elsewhere = datetime!(2026-12-01 13:00:00.25 +02:00);
        let key = |t| match instant_key(t) {
            SortKey::Text(s) => s,
            other => panic!("{other:?}"),
        };
        assert!(key(whole) < key(half));
        assert!(key(later_elsewhere) < key(whole));
        // The text order this replaces got the first wrong.
        assert!(rfc3339(whole) > rfc3339(half));
    }
}
