//! The lists of the catalog: their filters, sort fields and the walks that find a page
//! (nearest first, by id from the cursor, or a scan), paged by `paging`.

use super::catalog::{Catalog, position};
pub use super::paging::{
    AsKey, DEFAULT_LIMIT, KeyRef, ListError, MAX_LIMIT, Page, PageRequest, Sort, SortKey,
    check_cursor, fingerprint, paginate, parse_sort,
};
use super::paging::{decode_after, order_by, page_size};
use crate::domain::{
    Agency, AgencyType, JurisdictionType, PartialDate, Partnership, Phase, Program, QualityFlag,
    Source, SourceKind, StateCode, Status,
};
use crate::geo::{BBox, LatLon, Near, Region, SpatialIndex};
use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::Arc;
use time::Date;

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

// ---- geography ----

/// Where records must be. All parts that are set must hold; a record without a position
/// matches no geographic filter.
#[derive(Clone, Debug, Default)]
pub struct GeoFilter {
    pub near: Option<Near>,
    pub bbox: Option<BBox>,
    pub within: Option<Region>,
}

impl GeoFilter {
    pub fn is_empty(&self) -> bool {
        self.near.is_none() && self.bbox.is_none() && self.within.is_none()
    }

    /// Whether `at` passes, and its distance from the `near` centre when there is one.
    fn check(&self, at: Option<LatLon>) -> (bool, Option<f64>) {
        if self.is_empty() {
            return (true, None);
        }
        let Some(at) = at else {
            return (false, None);
        };
        self.check_at(at, self.near.map_or(0.0, |n| n.center.distance_m(&at)))
    }

    /// `check` for a position whose distance from the `near` centre (if any) is known.
    fn check_at(&self, at: LatLon, distance_from_near: f64) -> (bool, Option<f64>) {
        let distance = self.near.map(|_| distance_from_near);
        let ok = self
            .near
            .and_then(|n| n.radius_m)
            .is_none_or(|r| distance.is_some_and(|d| d <= r))
            && self.bbox.is_none_or(|b| b.contains(&at))
            && self.within.as_ref().is_none_or(|w| w.contains(&at));
        (ok, distance)
    }
}

/// A record in a result, with its distance from the `near` centre when one was given.
#[derive(Debug, Clone, Copy)]
pub struct Hit<T> {
    pub item: T,
    pub distance_m: Option<f64>,
}

/// Agencies that may match: all of them, or the spatial index's answer for a radius.
fn candidate_agencies<'c>(
    catalog: &'c Catalog,
    geo: &GeoFilter,
) -> Box<dyn Iterator<Item = &'c Agency> + 'c> {
    match (geo.near, catalog.agency_index()) {
        (
            Some(Near {
                center,
                radius_m: Some(r),
            }),
            Some(index),
        ) => Box::new(index.within(center, r).map(|a| &**a)),
        _ => Box::new(catalog.agencies.values().map(|a| &**a)),
    }
}

/// The nearest-first path: walks the index outwards from the centre and stops as soon as the
/// page (and every record tied with its last one) is complete, so a `near` query costs about
/// as much as the walk to its page's last row rather than the whole dataset, and holds only
/// the page's rows.
/// `expand` gets each agency with its position and distance, and adds its rows.
/// The rows are those of the page `req` asks for (after its cursor) and the ties of its last.
fn nearest_first<'c, T, I: AsKey>(
    index: &'c SpatialIndex<Arc<Agency>>,
    near: Near,
    req: &PageRequest,
    query: &str,
    mut expand: impl FnMut(&'c Agency, LatLon, f64, &mut Vec<(SortKey, I, Hit<T>)>),
) -> Result<Vec<(SortKey, I, Hit<T>)>, ListError> {
    let Near { center, radius_m } = near;
    let after = decode_after(req, query)?;
    let after = after.as_ref();
    let want = page_size(req) + 1;
    let mut rows = Vec::new();
    let mut last_distance = f64::NEG_INFINITY;
    // Positions come from the index entries: the walk reads no record it does not keep.
    for (agency, at) in index.nearest(center) {
        let agency: &'c Agency = agency;
        let d = center.distance_m(&at);
        // Chord order and haversine agree up to rounding; the margin keeps exact ties and
        // points on the radius from being cut off.
        if radius_m.is_some_and(|r| d > r + 1e-6)
            || (rows.len() >= want && d > last_distance + 1e-6)
        {
            break;
        }
        let before = rows.len();
        expand(agency, at, d, &mut rows);
        // Rows at or before the cursor were on earlier pages: drop them, so a deep page
        // holds only what it may return.
        if let Some(c) = after {
            let mut i = before;
            while i < rows.len() {
                let r = &rows[i];
                if order_by(&r.0, &r.1, &c.0, &c.1, false) == Ordering::Greater {
                    i += 1;
                } else {
                    rows.swap_remove(i);
                }
            }
        }
        if rows.len() > before {
            last_distance = last_distance.max(d);
        }
    }
    Ok(rows)
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

// ---- agencies ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencySortField {
    Id,
    Name,
    State,
    City,
    UpdatedAt,
    Distance,
}

pub const AGENCY_SORTS: &[(&str, AgencySortField)] = &[
    ("id", AgencySortField::Id),
    ("name", AgencySortField::Name),
    ("state", AgencySortField::State),
    ("city", AgencySortField::City),
    ("updated_at", AgencySortField::UpdatedAt),
    ("distance", AgencySortField::Distance),
];

#[derive(Clone, Debug, Default)]
pub struct AgencyFilter {
    pub states: Vec<StateCode>,
    pub agency_types: Vec<AgencyType>,
    pub jurisdiction_types: Vec<JurisdictionType>,
    /// Only agencies carrying at least one of these quality flags.
    pub quality_flags: Vec<QualityFlag>,
    pub ori: Option<String>,
    /// Folded with [`fold`].
    pub q: Option<String>,
    pub geo: GeoFilter,
    /// Only agencies with a partnership that may have been in force during the period.
    pub period: Option<Period>,
}

impl AgencyFilter {
    /// Whether the agency passes every non-geographic filter.
    pub fn matches(&self, a: &Agency) -> bool {
        any_or(&self.states, &a.state)
            && any_or(&self.agency_types, &a.agency_type)
            && any_or(&self.jurisdiction_types, &a.jurisdiction_type)
            && (self.quality_flags.is_empty()
                || self
                    .quality_flags
                    .iter()
                    .any(|f| a.quality_flags.contains(f)))
            && self
                .ori
                .as_ref()
                .is_none_or(|o| a.ori.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(o)))
            && self.q.as_ref().is_none_or(|q| agency_text_matches(a, q))
    }
}

/// `q` on an agency: its name or city contains the folded text.
fn agency_text_matches(a: &Agency, q: &str) -> bool {
    contains_folded(&a.name, q) || a.city.as_deref().is_some_and(|c| contains_folded(c, q))
}

fn agency_key(a: &Agency, field: AgencySortField, distance: Option<f64>) -> SortKey {
    match field {
        AgencySortField::Id => SortKey::Null,
        AgencySortField::Name => SortKey::Text(fold(&a.name)),
        AgencySortField::State => SortKey::Text(a.state.as_str().into()),
        AgencySortField::City => SortKey::opt_text(a.city.as_deref().map(fold)),
        AgencySortField::UpdatedAt => instant_key(a.meta.updated_at),
        AgencySortField::Distance => distance.map_or(SortKey::Null, SortKey::Num),
    }
}

pub fn agencies<'c>(
    catalog: &'c Catalog,
    filter: &AgencyFilter,
    sort: Sort<AgencySortField>,
    req: &PageRequest,
) -> Result<Page<Hit<&'c Agency>>, ListError> {
    let query = fingerprint(&("agencies", filter, sort));
    let in_period = |a: &Agency| {
        filter.period.is_none_or(|period| {
            catalog
                .partnerships_of(&a.id)
                .into_iter()
                .any(|p| period.meets(p))
        })
    };
    let row = |a: &'c Agency| {
        if !(filter.matches(a) && in_period(a)) {
            return None;
        }
        let (ok, distance) = filter.geo.check(position(a));
        ok.then(|| {
            let key = agency_key(a, sort.field, distance);
            (
                key,
                a,
                Hit {
                    item: a,
                    distance_m: distance,
                },
            )
        })
    };
    let index = catalog.agency_index();
    if let (Some(n), Some(index)) = (filter.geo.near, index)
        && sort.field == AgencySortField::Distance
        && !sort.descending
        && !req.count
    {
        let rows = nearest_first(index, n, req, &query, |a, at, d, rows| {
            let (ok, distance) = filter.geo.check_at(at, d);
            if ok && filter.matches(a) && in_period(a) {
                let key = agency_key(a, sort.field, distance);
                rows.push((
                    key,
                    a,
                    Hit {
                        item: a,
                        distance_m: distance,
                    },
                ));
            }
        })?;
        return paginate(rows, sort.descending, &query, req);
    }
    let radius_in_index = index.is_some() && filter.geo.near.is_some_and(|n| n.radius_m.is_some());
    // In id order with nothing to count: walk the agencies from the cursor, either way, and
    // stop once the page is full (unless the index narrows the search down better).
    if sort.field == AgencySortField::Id && !req.count && !radius_in_index {
        let after = decode_after(req, &query)?;
        let from = match after.as_ref().map(|c| &c.1) {
            Some(SortKey::Text(id)) => Bound::Excluded(id.as_str()),
            _ => Bound::Unbounded,
        };
        let walk: Box<dyn Iterator<Item = (&String, &Arc<Agency>)>> = if sort.descending {
            Box::new(
                catalog
                    .agencies
                    .range::<_, str>((Bound::Unbounded, from))
                    .rev(),
            )
        } else {
            Box::new(catalog.agencies.range::<_, str>((from, Bound::Unbounded)))
        };
        let rows = walk.filter_map(|(_, a)| row(a)).take(page_size(req) + 1);
        return paginate(rows, sort.descending, &query, req);
    }
    let rows = candidate_agencies(catalog, &filter.geo).filter_map(row);
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
    Distance,
}

pub const PARTNERSHIP_SORTS: &[(&str, PartnershipSortField)] = &[
    ("id", PartnershipSortField::Id),
    ("start", PartnershipSortField::Start),
    ("agency_name", PartnershipSortField::AgencyName),
    ("state", PartnershipSortField::State),
    ("updated_at", PartnershipSortField::UpdatedAt),
    ("distance", PartnershipSortField::Distance),
];

#[derive(Clone, Debug, Default)]
pub struct PartnershipFilter {
    pub agency: Option<String>,
    pub states: Vec<StateCode>,
    pub agency_types: Vec<AgencyType>,
    /// Only partnerships whose agency carries at least one of these quality flags.
    pub agency_quality_flags: Vec<QualityFlag>,
    pub programs: Vec<String>,
    pub statuses: Vec<Status>,
    /// Start on or after this day (the first day of an imprecise start counts).
    pub started_after: Option<Date>,
    /// Start before this day (the first day of an imprecise start counts).
    pub started_before: Option<Date>,
    pub q: Option<String>,
    /// Applies to the partnership's agency.
    pub geo: GeoFilter,
    /// Only partnerships that may have been in force during the period.
    pub period: Option<Period>,
    /// Only partnerships that were (certainly or possibly) active on this day.
    pub active_on: Option<Date>,
    /// With `active_on`: only those whose agency could (`true`) or could not (`false`) ask
    /// residents for footage through the program that day.
    pub footage_requests: Option<bool>,
}

/// How sure a statement about a day is, given dates known only to a month or a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certainty {
    Certain,
    Possible,
}

impl Certainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Certain => "certain",
            Certainty::Possible => "possible",
        }
    }

    fn and(self, other: Certainty) -> Certainty {
        if self == Certainty::Certain && other == Certainty::Certain {
            Certainty::Certain
        } else {
            Certainty::Possible
        }
    }
}

/// Whether a period from `start` to `end` (inclusive, open when `None`) covers `day`:
/// `None` when it cannot, `Certain` when it must whatever the imprecise dates mean.
fn covers(start: Option<PartialDate>, end: Option<PartialDate>, day: Date) -> Option<Certainty> {
    let start_ok = match start {
        Some(s) if s.earliest() > day => return None,
        Some(s) if s.latest() <= day => Certainty::Certain,
        // An unknown start, or one whose period holds the day.
        _ => Certainty::Possible,
    };
    let end_ok = match end {
        Some(e) if e.latest() < day => return None,
        Some(e) if e.earliest() >= day => Certainty::Certain,
        Some(_) => Certainty::Possible,
        None => Certainty::Certain,
    };
    Some(start_ok.and(end_ok))
}

/// What a partnership was on a day (valid time).
#[derive(Clone, Debug)]
pub struct Activity<'c> {
    pub certainty: Certainty,
    /// The program phase in force that day: the latest-starting one that applies.
    pub phase: Option<&'c Phase>,
    /// Whether the agency could ask residents for footage through the program that day, and
    /// how surely; `None` when no phase in force allowed it.
    pub footage: Option<Certainty>,
}

/// Whether a partnership was active on `day`, and what its program allowed then.
///
/// Active: not `announced` or `cancelled`, started by the day (`start.earliest <= day`) and
/// not ended before it (`day <= end.latest`, an open end counts as active); the program's own
/// end ends the enrolment too. `Certain` when the imprecise dates cannot mean otherwise and
/// the evidence reaches the day (`domain::evidence`: after `last_confirmed`, with no end
/// recorded, it is possible only), else `Possible`; an `ended` partnership without an end
/// date is at best possible.
///
/// Phases apply to every enrolment: a phase that is not `announced` or `cancelled` is in force
/// on the days it covers. A phase with a `footage_condition` (Axon Evidence accounts only)
/// makes footage requests `possible`, never certain: we do not know which agencies meet it.
pub fn activity<'c>(catalog: &'c Catalog, p: &Partnership, day: Date) -> Option<Activity<'c>> {
    if matches!(p.status, Status::Announced | Status::Cancelled) {
        return None;
    }
    let mut certainty = covers(p.start, p.end, day)?;
    if p.status == Status::Ended && p.end.is_none() {
        certainty = Certainty::Possible;
    }
    // After the newest evidence, with no end recorded, it may have ended unseen.
    if !crate::domain::evidence::confirmed_on(p.last_confirmed, p.end, day) {
        certainty = Certainty::Possible;
    }
    // The program's end ends every enrolment in it.
    if let Some(end) = catalog.programs.get(&p.program_id).and_then(|pr| pr.end) {
        if end.latest() < day {
            return None;
        }
        if end.earliest() < day {
            certainty = Certainty::Possible;
        }
    }
    let mut phase: Option<&Phase> = None;
    let mut footage: Option<Certainty> = None;
    for ph in catalog.phases_of(&p.program_id) {
        if matches!(ph.status, Status::Announced | Status::Cancelled) {
            continue;
        }
        let Some(in_force) = covers(ph.start, ph.end, day) else {
            continue;
        };
        phase = Some(ph);
        if ph.footage_requests {
            let mut c = certainty.and(in_force);
            if ph.footage_condition.is_some() {
                c = Certainty::Possible;
            }
            footage = Some(match footage {
                Some(Certainty::Certain) => Certainty::Certain,
                _ => c,
            });
        }
    }
    Some(Activity {
        certainty,
        phase,
        footage,
    })
}

impl PartnershipFilter {
    /// Whether some partnership of this agency may pass: the agency-level filters.
    pub fn agency_may_match(&self, a: &Agency) -> bool {
        self.agency_passes(a) && (self.geo.is_empty() || self.geo.check(position(a)).0)
    }

    /// The non-geographic filters on the partnership's agency: state, type, quality flags
    /// and `q`.
    fn agency_passes(&self, a: &Agency) -> bool {
        any_or(&self.states, &a.state)
            && any_or(&self.agency_types, &a.agency_type)
            && (self.agency_quality_flags.is_empty()
                || self
                    .agency_quality_flags
                    .iter()
                    .any(|f| a.quality_flags.contains(f)))
            && self.q.as_ref().is_none_or(|q| agency_text_matches(a, q))
    }

    /// Whether no filter looks at the agency (so an agency-less partnership could match).
    fn agency_level_is_empty(&self) -> bool {
        self.states.is_empty()
            && self.agency_types.is_empty()
            && self.agency_quality_flags.is_empty()
            && self.geo.is_empty()
            && self.q.is_none()
    }

    /// Whether the partnership passes the valid-time filters (`active_on`, `footage_requests`).
    pub fn active(&self, catalog: &Catalog, p: &Partnership) -> bool {
        let Some(day) = self.active_on else {
            return true;
        };
        match activity(catalog, p, day) {
            None => false,
            Some(a) => self
                .footage_requests
                .is_none_or(|want| want == a.footage.is_some()),
        }
    }

    /// Whether the partnership passes every non-geographic filter.
    pub fn matches(&self, p: &Partnership, agency: Option<&Agency>) -> bool {
        let start = p.start.map(|d| d.earliest());
        self.agency.as_ref().is_none_or(|a| *a == p.agency_id)
            && self.period.is_none_or(|period| period.meets(p))
            && any_or(&self.programs, &p.program_id)
            && any_or(&self.statuses, &p.status)
            && self
                .started_after
                .is_none_or(|d| start.is_some_and(|s| s >= d))
            && self
                .started_before
                .is_none_or(|d| start.is_some_and(|s| s < d))
            && match agency {
                Some(a) => self.agency_passes(a),
                None => {
                    self.states.is_empty()
                        && self.agency_types.is_empty()
                        && self.agency_quality_flags.is_empty()
                        && self.q.is_none()
                }
            }
    }
}

fn partnership_key(
    p: &Partnership,
    agency: Option<&Agency>,
    field: PartnershipSortField,
    distance: Option<f64>,
) -> SortKey {
    match field {
        PartnershipSortField::Id => SortKey::Null,
        PartnershipSortField::Start => SortKey::opt_text(p.start.map(|d| d.earliest().to_string())),
        PartnershipSortField::AgencyName => SortKey::opt_text(agency.map(|a| fold(&a.name))),
        PartnershipSortField::State => SortKey::opt_text(agency.map(|a| a.state.as_str())),
        PartnershipSortField::UpdatedAt => instant_key(p.meta.updated_at),
        PartnershipSortField::Distance => distance.map_or(SortKey::Null, SortKey::Num),
    }
}

pub fn partnerships<'c>(
    catalog: &'c Catalog,
    filter: &PartnershipFilter,
    sort: Sort<PartnershipSortField>,
    req: &PageRequest,
) -> Result<Page<Hit<&'c Partnership>>, ListError> {
    let query = fingerprint(&("partnerships", filter, sort));
    let row = |p: &'c Partnership, agency: Option<&'c Agency>| {
        let (ok, distance) = filter.geo.check(agency.and_then(position));
        (ok && filter.matches(p, agency) && filter.active(catalog, p)).then(|| {
            let key = partnership_key(p, agency, sort.field, distance);
            (
                key,
                SortKey::Num(p.id as f64),
                Hit {
                    item: p,
                    distance_m: distance,
                },
            )
        })
    };
    let index = catalog.agency_index();
    if let (Some(n), Some(index), None) = (filter.geo.near, index, &filter.agency)
        && sort.field == PartnershipSortField::Distance
        && !sort.descending
        && !req.count
    {
        let rows = nearest_first(index, n, req, &query, |a, _, _, rows| {
            rows.extend(
                catalog
                    .partnerships_of(&a.id)
                    .into_iter()
                    .filter_map(|p| row(p, Some(a))),
            );
        })?;
        return paginate(rows, sort.descending, &query, req);
    }
    let with_agency = |p: &'c Partnership| row(p, catalog.agencies.get(&p.agency_id).map(|a| &**a));
    // One agency's partnerships: no need to look at anyone else's.
    if let Some(agency_id) = &filter.agency {
        let rows = catalog
            .partnerships_of(agency_id)
            .into_iter()
            .filter_map(with_agency);
        return paginate(rows, sort.descending, &query, req);
    }
    if index.is_some() && filter.geo.near.is_some_and(|n| n.radius_m.is_some()) {
        let rows = candidate_agencies(catalog, &filter.geo)
            .flat_map(|a| {
                catalog
                    .partnerships_of(&a.id)
                    .into_iter()
                    .map(move |p| (p, a))
            })
            .filter_map(|(p, a)| row(p, Some(a)));
        return paginate(rows, sort.descending, &query, req);
    }
    // In id order with nothing to count: walk the partnerships from the cursor, either way,
    // and stop once the page is full, instead of filtering every record.
    if sort.field == PartnershipSortField::Id && !req.count {
        let after = decode_after(req, &query)?;
        let from = match after.as_ref().map(|c| &c.1) {
            Some(SortKey::Num(id)) => Bound::Excluded(*id as i64),
            _ => Bound::Unbounded,
        };
        let walk: Box<dyn Iterator<Item = (&i64, &Arc<Partnership>)>> = if sort.descending {
            Box::new(catalog.partnerships.range((Bound::Unbounded, from)).rev())
        } else {
            Box::new(catalog.partnerships.range((from, Bound::Unbounded)))
        };
        let rows = walk
            .filter_map(|(_, p)| with_agency(p))
            .take(page_size(req) + 1);
        return paginate(rows, sort.descending, &query, req);
    }
    // Agency first: a partnership's agency is then at hand instead of looked up by id for
    // every partnership, and agencies that cannot match (another state, say) are skipped
    // with all their partnerships.
    let seen = std::cell::Cell::new(0);
    let by_agency = catalog
        .agencies
        .values()
        .filter(|a| filter.agency_may_match(a))
        .flat_map(|a| {
            catalog
                .partnerships_of(&a.id)
                .into_iter()
                .map(move |p| (p, &**a))
        })
        .inspect(|_| seen.set(seen.get() + 1))
        .filter_map(|(p, a)| row(p, Some(a)));
    // Then partnerships whose agency is not in the catalog (none in a consistent log, but
    // never silently dropped): only when agencies were not skipped and some are left.
    let orphans = std::iter::once(())
        .filter(|_| filter.agency_level_is_empty() && seen.get() < catalog.partnerships.len())
        .flat_map(|_| {
            catalog
                .partnerships
                .values()
                .filter(|p| !catalog.agencies.contains_key(&p.agency_id))
                .filter_map(|p| row(p, None))
        });
    paginate(by_agency.chain(orphans), sort.descending, &query, req)
}

// ---- programs and sources ----

pub fn programs<'c>(
    catalog: &'c Catalog,
    req: &PageRequest,
) -> Result<Page<&'c Program>, ListError> {
    let rows = catalog
        .programs
        .values()
        .map(|p| (SortKey::Null, SortKey::Text(p.id.clone()), p));
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
        });
    let query = fingerprint(&("sources", filter, sort));
    paginate(rows, sort.descending, &query, req)
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

// ---- phases and citations ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseSortField {
    Id,
    Start,
    Name,
}

pub const PHASE_SORTS: &[(&str, PhaseSortField)] = &[
    ("id", PhaseSortField::Id),
    ("start", PhaseSortField::Start),
    ("name", PhaseSortField::Name),
];

#[derive(Clone, Debug, Default)]
pub struct PhaseFilter {
    /// Only phases of these programs.
    pub programs: Vec<String>,
    pub statuses: Vec<Status>,
}

/// Phases are few (a handful per program): a page is a scan of them.
pub fn phases<'c>(
    catalog: &'c Catalog,
    filter: &PhaseFilter,
    sort: Sort<PhaseSortField>,
    req: &PageRequest,
) -> Result<Page<&'c Phase>, ListError> {
    let rows = catalog
        .phases
        .values()
        .filter(|p| any_or(&filter.programs, &p.program_id) && any_or(&filter.statuses, &p.status))
        .map(|p| {
            let key = match sort.field {
                PhaseSortField::Id => SortKey::Null,
                PhaseSortField::Start => {
                    SortKey::opt_text(p.start.map(|d| d.earliest().to_string()))
                }
                PhaseSortField::Name => SortKey::Text(fold(&p.name)),
            };
            (key, SortKey::Text(p.id.clone()), p)
        });
    let query = fingerprint(&("phases", filter, sort));
    paginate(rows, sort.descending, &query, req)
}

#[derive(Clone, Debug, Default)]
pub struct CitationFilter {
    /// Only citations of these sources.
    pub sources: Vec<i64>,
    /// Only citations by records of these kinds.
    pub record_kinds: Vec<crate::domain::EntityKind>,
    /// Only citations by the record with this id (of any kind in `record_kinds`).
    pub record_id: Option<String>,
}

/// Citations in id order (the only order: they have no other key worth sorting by). With
/// a record and its kinds, the record's own citations are read from the catalog's index;
/// otherwise the walk starts at the cursor and stops once the page is full, unless the
/// total is asked for.
pub fn citations<'c>(
    catalog: &'c Catalog,
    filter: &CitationFilter,
    descending: bool,
    req: &PageRequest,
) -> Result<Page<&'c crate::domain::Citation>, ListError> {
    use crate::domain::Citation;
    let query = fingerprint(&("citations", filter, descending));
    let matches = |c: &Citation| {
        any_or(&filter.sources, &c.source_id)
            && any_or(&filter.record_kinds, &c.entity_kind)
            && filter
                .record_id
                .as_ref()
                .is_none_or(|id| *id == c.entity_id)
    };
    let row = |c: &'c Citation| (SortKey::Null, SortKey::Num(c.id as f64), c);
    if let (Some(id), false) = (&filter.record_id, filter.record_kinds.is_empty()) {
        let rows = filter
            .record_kinds
            .iter()
            .flat_map(|k| catalog.citations_of(*k, id))
            .filter(|c| matches(c))
            .map(row);
        return paginate(rows, descending, &query, req);
    }
    let after = decode_after(req, &query)?;
    let from = match after.as_ref().map(|c| &c.1) {
        Some(SortKey::Num(id)) => Bound::Excluded(*id as i64),
        _ => Bound::Unbounded,
    };
    let walk: Box<dyn Iterator<Item = (&i64, &Arc<Citation>)>> = if descending {
        Box::new(catalog.citations.range((Bound::Unbounded, from)).rev())
    } else {
        Box::new(catalog.citations.range((from, Bound::Unbounded)))
    };
    let rows = walk
        .map(|(_, c)| &**c)
        .filter(|c| matches(c))
        .take(page_size(req) + 1)
        .map(row);
    let page_only = PageRequest {
        count: false,
        ..req.clone()
    };
    let mut page = paginate(rows, descending, &query, &page_only)?;
    // The total counts every match, those before the cursor too: a scan, asked for.
    page.total = req
        .count
        .then(|| catalog.citations.values().filter(|c| matches(c)).count());
    Ok(page)
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

    #[test]
    fn imprecise_dates_make_a_day_possible_not_certain() {
        let d = |t: &str| Some(t.parse::<PartialDate>().unwrap());
        let day = |t: &str| crate::domain::dates::parse_day(t).unwrap();
        // Started "2019-03": certain from April, possible during March, not before.
        assert_eq!(
            covers(d("2019-03"), None, day("2019-04-01")),
            Some(Certainty::Certain)
        );
        assert_eq!(
            covers(d("2019-03"), None, day("2019-03-15")),
            Some(Certainty::Possible)
        );
        assert_eq!(covers(d("2019-03"), None, day("2019-02-28")), None);
        // Ended "2024": possible through the year, gone after it.
        assert_eq!(
            covers(d("2019"), d("2024"), day("2024-06-01")),
            Some(Certainty::Possible)
        );
        assert_eq!(
            covers(d("2019"), d("2024"), day("2023-12-31")),
            Some(Certainty::Certain)
        );
        assert_eq!(covers(d("2019"), d("2024"), day("2025-01-01")), None);
        // Inclusive end day.
        assert_eq!(
            covers(d("2019-01-01"), d("2019-01-31"), day("2019-01-31")),
            Some(Certainty::Certain)
        );
    }

    #[test]
    fn an_end_between_two_snapshots_is_possible_only_between_them() {
        let d = |t: &str| Some(t.parse::<PartialDate>().unwrap());
        let day = |t: &str| crate::domain::dates::parse_day(t).unwrap();
        let end = d("2020-10-08/2021-03-01");
        // Last seen on 2020-10-07. The end is the last day it applied (inclusive), so the
        // range's first day counts as certain, and every later day of it as possible.
        assert_eq!(
            covers(d("2018-03-22"), end, day("2020-10-08")),
            Some(Certainty::Certain)
        );
        assert_eq!(
            covers(d("2018-03-22"), end, day("2020-10-09")),
            Some(Certainty::Possible)
        );
        assert_eq!(
            covers(d("2018-03-22"), end, day("2021-03-01")),
            Some(Certainty::Possible)
        );
        assert_eq!(covers(d("2018-03-22"), end, day("2021-03-02")), None);
    }
}
