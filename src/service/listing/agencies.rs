//! The agency list: its sort fields, its filter and the walks that find a page (one a
//! `Strategy`).

use super::geo::{GeoFilter, nearest_first};
use super::strategy::{Order, Strategy, tagged_from, tags};
use super::{Hit, Period, any_or, contains_folded, fold, instant_key};
use crate::domain::{Agency, AgencyType, JurisdictionType, QualityFlag, StateCode};
use crate::service::catalog::{AgencyEntry, Catalog, position};
use crate::service::paging::{
    ListError, Page, PageRequest, Sort, SortKey, decode_after, fingerprint, page_size, paginate,
};
use std::convert::Infallible;
use std::ops::Bound;

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
pub(super) fn agency_text_matches(a: &Agency, q: &str) -> bool {
    contains_folded(&a.name, q) || a.city.as_deref().is_some_and(|c| contains_folded(c, q))
}

pub(super) fn agency_key(a: &Agency, field: AgencySortField, distance: Option<f64>) -> SortKey {
    match field {
        AgencySortField::Id => SortKey::Null,
        AgencySortField::Name => SortKey::Text(fold(&a.name)),
        AgencySortField::State => SortKey::Text(a.state.as_str().into()),
        AgencySortField::City => SortKey::opt_text(a.city.as_deref().map(fold)),
        AgencySortField::UpdatedAt => instant_key(a.meta.updated_at),
        AgencySortField::Distance => distance.map_or(SortKey::Null, SortKey::Num),
    }
}

/// Whether `a` has a partnership in the filter's period (any agency, without one).
fn in_period(catalog: &Catalog, filter: &AgencyFilter, a: &Agency) -> bool {
    filter.period.is_none_or(|period| {
        catalog
            .partnerships_of(&a.id)
            .into_iter()
            .any(|p| period.meets(p))
    })
}

/// An agency's row of the list, when it matches the filter: its sort key, its id (the
/// tiebreak) and the hit.
pub(super) fn agency_row<'c, 'f>(
    catalog: &'c Catalog,
    filter: &'f AgencyFilter,
    field: AgencySortField,
) -> impl Fn(&'c AgencyEntry) -> Option<(SortKey, &'c AgencyEntry, Hit<&'c AgencyEntry>)> + use<'c, 'f>
{
    move |a: &'c AgencyEntry| {
        if !(filter.matches(a) && in_period(catalog, filter, a)) {
            return None;
        }
        let (ok, distance) = filter.geo.check(position(a));
        ok.then(|| {
            (
                agency_key(a, field, distance),
                a,
                Hit {
                    item: a,
                    distance_m: distance,
                },
            )
        })
    }
}

pub fn agencies<'c>(
    catalog: &'c Catalog,
    filter: &AgencyFilter,
    sort: Sort<AgencySortField>,
    req: &PageRequest,
) -> Result<Page<Hit<&'c AgencyEntry>>, ListError> {
    let query = fingerprint(&("agencies", filter, sort));
    let row = agency_row(catalog, filter, sort.field);
    let in_period = |a: &Agency| in_period(catalog, filter, a);
    let order = match (sort.field, sort.descending) {
        (AgencySortField::Id, _) => Order::Id,
        (AgencySortField::Distance, false) => Order::NearestFirst,
        _ => Order::Other,
    };
    let tags = tags(&filter.states, &filter.quality_flags);
    match Strategy::<Infallible>::choose(catalog, &filter.geo, None, tags, order, req) {
        // The agency list has no agency filter: `choose` was given none, and `Infallible`
        // says so to the compiler.
        Strategy::OneAgency(none) => match none {},
        Strategy::NearestFirst { index, near } => {
            let rows = nearest_first(index, near, req, &query, |placed, at, d, rows| {
                let a = &placed.agency;
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
            paginate(rows, sort.descending, &query, req)
        }
        Strategy::Radius {
            index,
            center,
            radius_m,
        } => {
            let rows = index
                .within(center, radius_m)
                .filter_map(|placed| row(&placed.agency));
            paginate(rows, sort.descending, &query, req)
        }
        // Either way from the cursor, stopping once the page is full.
        Strategy::IdRange => {
            let after = decode_after(req, &query)?;
            let from = match after.as_ref().map(|c| &c.1) {
                Some(SortKey::Text(id)) => Bound::Excluded(id.as_str()),
                _ => Bound::Unbounded,
            };
            let walk: Box<dyn Iterator<Item = (&String, &AgencyEntry)>> = if sort.descending {
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
            paginate(rows, sort.descending, &query, req)
        }
        // Only the agencies of the named states (or flags), in id order from the cursor.
        Strategy::ByTag(tags) => {
            let after = decode_after(req, &query)?;
            let from = match after.as_ref().map(|c| &c.1) {
                Some(SortKey::Text(id)) => Bound::Excluded(id.as_str()),
                _ => Bound::Unbounded,
            };
            let sets = tags.iter().filter_map(|t| catalog.agencies_tagged(*t));
            let rows = tagged_from(sets, from, sort.descending)
                .filter_map(|id| catalog.agencies.get(id))
                .filter_map(row)
                .take(page_size(req) + 1);
            paginate(rows, sort.descending, &query, req)
        }
        Strategy::Scan => {
            let rows = catalog.agencies.values().filter_map(row);
            paginate(rows, sort.descending, &query, req)
        }
    }
}
