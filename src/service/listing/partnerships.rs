//! The partnership list: its sort fields, its filter and the walks that find a page (one a
//! `Strategy`).

use super::activity::activity;
use super::agencies::agency_text_matches;
use super::geo::{GeoFilter, nearest_first};
use super::strategy::{Order, Strategy, tagged_from, tags};
use super::{Hit, Period, any_or, fold, instant_key};
use crate::domain::{Agency, AgencyType, Partnership, QualityFlag, StateCode, Status};
use crate::service::catalog::{AgencyEntry, Catalog, PartnershipEntry, position};
use crate::service::paging::{
    ListError, Page, PageRequest, Sort, SortKey, decode_after, fingerprint, page_size, paginate,
};
use std::ops::Bound;
use time::Date;

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

    /// Whether the partnership passes every non-geographic filter. Reads only the fields a
    /// filter is set on: an unfiltered `near` page does not touch its records here.
    pub fn matches(&self, p: &Partnership, agency: Option<&Agency>) -> bool {
        let start = || p.start.map(|d| d.earliest());
        self.agency.as_ref().is_none_or(|a| *a == p.agency_id)
            && self.period.is_none_or(|period| period.meets(p))
            && any_or(&self.programs, &p.program_id)
            && any_or(&self.statuses, &p.status)
            && self
                .started_after
                .is_none_or(|d| start().is_some_and(|s| s >= d))
            && self
                .started_before
                .is_none_or(|d| start().is_some_and(|s| s < d))
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

/// A partnership of a list, with its agency (which the walk that found it had at hand):
/// `Deref`s to the partnership's entry.
#[derive(Clone, Copy, Debug)]
pub struct WithAgency<'c> {
    pub partnership: &'c PartnershipEntry,
    /// `None` only for a partnership whose agency the catalog lacks (never, folded from a
    /// consistent log).
    pub agency: Option<&'c AgencyEntry>,
}

impl<'c> WithAgency<'c> {
    /// The partnership, for as long as the catalog lives.
    pub fn as_partnership(self) -> &'c Partnership {
        self.partnership
    }
}

impl std::ops::Deref for WithAgency<'_> {
    type Target = PartnershipEntry;

    fn deref(&self) -> &PartnershipEntry {
        self.partnership
    }
}

pub(super) fn partnership_key(
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

/// A partnership's row of the list (with its agency), when it matches the filter: its sort
/// key, its id (the tiebreak) and the hit.
pub(super) fn partnership_row<'c, 'f>(
    catalog: &'c Catalog,
    filter: &'f PartnershipFilter,
    field: PartnershipSortField,
) -> impl Fn(
    &'c PartnershipEntry,
    Option<&'c AgencyEntry>,
) -> Option<(SortKey, SortKey, Hit<WithAgency<'c>>)>
+ use<'c, 'f> {
    move |p: &'c PartnershipEntry, agency: Option<&'c AgencyEntry>| {
        let geo = filter.geo.check(agency.and_then(|a| position(a)));
        partnership_hit(catalog, filter, field, (p.id, p), agency, geo)
    }
}

/// `partnership_row` for an agency whose `GeoFilter::check` is known (`geo`: whether it
/// passes, and its distance from the `near` centre), and a partnership whose id is known.
fn partnership_hit<'c>(
    catalog: &'c Catalog,
    filter: &PartnershipFilter,
    field: PartnershipSortField,
    (id, p): (i64, &'c PartnershipEntry),
    agency: Option<&'c AgencyEntry>,
    (ok, distance): (bool, Option<f64>),
) -> Option<(SortKey, SortKey, Hit<WithAgency<'c>>)> {
    let record = agency.map(|a| &**a);
    (ok && filter.matches(p, record) && filter.active(catalog, p)).then(|| {
        (
            partnership_key(p, record, field, distance),
            SortKey::Num(id as f64),
            Hit {
                item: WithAgency {
                    partnership: p,
                    agency,
                },
                distance_m: distance,
            },
        )
    })
}

pub fn partnerships<'c>(
    catalog: &'c Catalog,
    filter: &PartnershipFilter,
    sort: Sort<PartnershipSortField>,
    req: &PageRequest,
) -> Result<Page<Hit<WithAgency<'c>>>, ListError> {
    let query = fingerprint(&("partnerships", filter, sort));
    let row = partnership_row(catalog, filter, sort.field);
    let with_agency = |p: &'c PartnershipEntry| row(p, catalog.agencies.get(&p.agency_id));
    let order = match (sort.field, sort.descending) {
        (PartnershipSortField::Id, _) => Order::Id,
        (PartnershipSortField::Distance, false) => Order::NearestFirst,
        _ => Order::Other,
    };
    let one_agency = filter.agency.as_deref();
    let tags = tags(&filter.states, &filter.agency_quality_flags);
    match Strategy::choose(catalog, &filter.geo, one_agency, tags, order, req) {
        Strategy::OneAgency(agency_id) => {
            let rows = catalog
                .partnerships_of(agency_id)
                .into_iter()
                .filter_map(with_agency);
            paginate(rows, sort.descending, &query, req)
        }
        Strategy::NearestFirst { index, near } => {
            // The walk gives each agency with its partnerships and its distance.
            let rows = nearest_first(index, near, req, &query, |placed, at, d, rows| {
                let geo = filter.geo.check_at(at, d);
                let members = placed.partnerships.iter().map(|(id, p)| (*id, p));
                rows.extend(members.filter_map(|p| {
                    partnership_hit(catalog, filter, sort.field, p, Some(&placed.agency), geo)
                }));
            })?;
            paginate(rows, sort.descending, &query, req)
        }
        Strategy::Radius {
            index,
            center,
            radius_m,
        } => {
            let rows = index.within(center, radius_m).flat_map(|placed| {
                let (agency, geo) = (&placed.agency, filter.geo.check(position(&placed.agency)));
                placed.partnerships.iter().filter_map(move |(id, p)| {
                    partnership_hit(catalog, filter, sort.field, (*id, p), Some(agency), geo)
                })
            });
            paginate(rows, sort.descending, &query, req)
        }
        // Either way from the cursor, stopping once the page is full, instead of filtering
        // every record.
        Strategy::IdRange => {
            let after = decode_after(req, &query)?;
            let from = match after.as_ref().map(|c| &c.1) {
                Some(SortKey::Num(id)) => Bound::Excluded(*id as i64),
                _ => Bound::Unbounded,
            };
            let walk: Box<dyn Iterator<Item = (&i64, &PartnershipEntry)>> = if sort.descending {
                Box::new(catalog.partnerships.range((Bound::Unbounded, from)).rev())
            } else {
                Box::new(catalog.partnerships.range((from, Bound::Unbounded)))
            };
            let rows = walk
                .filter_map(|(_, p)| with_agency(p))
                .take(page_size(req) + 1);
            paginate(rows, sort.descending, &query, req)
        }
        // Only the partnerships of the named states' (or flags') agencies, in id order from
        // the cursor.
        Strategy::ByTag(tags) => {
            let after = decode_after(req, &query)?;
            let from = match after.as_ref().map(|c| &c.1) {
                Some(SortKey::Num(id)) => Bound::Excluded(*id as i64),
                _ => Bound::Unbounded,
            };
            let sets = tags.iter().filter_map(|t| catalog.partnerships_tagged(*t));
            let rows = tagged_from(sets, from.as_ref(), sort.descending)
                .filter_map(|id| catalog.partnerships.get(id))
                .filter_map(with_agency)
                .take(page_size(req) + 1);
            paginate(rows, sort.descending, &query, req)
        }
        // Agency first: a partnership's agency is then at hand instead of looked up by id
        // for every partnership, and agencies that cannot match (another state, say) are
        // skipped with all their partnerships.
        Strategy::Scan => {
            let seen = std::cell::Cell::new(0);
            let by_agency = catalog
                .agencies
                .values()
                .filter(|a| filter.agency_may_match(a))
                .flat_map(|a| {
                    catalog
                        .partnerships_of(&a.id)
                        .into_iter()
                        .map(move |p| (p, a))
                })
                .inspect(|_| seen.set(seen.get() + 1))
                .filter_map(|(p, a)| row(p, Some(a)));
            // Then partnerships whose agency is not in the catalog (none in a consistent
            // log, but never silently dropped): only when agencies were not skipped and
            // some are left.
            let orphans = std::iter::once(())
                .filter(|_| {
                    filter.agency_level_is_empty() && seen.get() < catalog.partnerships.len()
                })
                .flat_map(|_| {
                    catalog
                        .partnerships
                        .values()
                        .filter(|p| !catalog.agencies.contains_key(&p.agency_id))
                        .filter_map(|p| row(p, None))
                });
            paginate(by_agency.chain(orphans), sort.descending, &query, req)
        }
    }
}

/// A filter value that names no record: a mistyped program or agency id would otherwise read
/// as "no partnerships", so it is refused.
#[derive(Debug, thiserror::Error)]
pub enum UnknownName {
    #[error("`{id}` is not a program id: use one of {known} (see /programs)")]
    Program { id: String, known: String },
    #[error(
        "no agency has the id `{0}`: ids look like `us-wi-greenfield-police-department` (find one with /agencies?q=…)"
    )]
    Agency(String),
}

impl UnknownName {
    /// The parameter that holds the value.
    pub fn parameter(&self) -> &'static str {
        match self {
            Self::Program { .. } => "program",
            Self::Agency(_) => "agency",
        }
    }
}

/// Checks that the programs and the agency `filter` names are records of `catalog` (the one
/// the answer comes from: an `as_of` view knows the records of its time); O(log n) a value.
pub fn check_names(catalog: &Catalog, filter: &PartnershipFilter) -> Result<(), UnknownName> {
    if let Some(p) = filter
        .programs
        .iter()
        .find(|p| !catalog.programs.contains_key(p.as_str()))
    {
        let known: Vec<String> = catalog.programs.keys().map(|k| format!("`{k}`")).collect();
        return Err(UnknownName::Program {
            id: p.clone(),
            known: known.join(", "),
        });
    }
    if let Some(a) = filter
        .agency
        .as_deref()
        .filter(|a| !catalog.agencies.contains_key(*a))
    {
        return Err(UnknownName::Agency(a.to_string()));
    }
    Ok(())
}
