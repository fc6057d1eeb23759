//! Lists sorted by a field other than the id or the distance, read from an order made once
//! per dataset version (`service::list_cache::ListCache` keeps it): every record's (key, id),
//! sorted. A page is then a binary search for the cursor and a walk from it that stops once
//! the page is full, instead of sorting every match on every request.

use super::agencies::{agency_key, agency_row};
use super::partnerships::{WithAgency, partnership_key, partnership_row};
use super::{AgencyFilter, AgencySortField, Hit, PartnershipFilter, PartnershipSortField};
use crate::service::catalog::{AgencyEntry, Catalog};
use crate::service::paging::{
    ListError, Page, PageRequest, Sort, SortKey, decode_after, fingerprint, page_size, paginate,
};
use std::cmp::Ordering;

/// Every agency's (key of `field`, id), ascending.
pub fn agency_order(catalog: &Catalog, field: AgencySortField) -> Vec<(SortKey, String)> {
    let mut order: Vec<(SortKey, String)> = catalog
        .agencies
        .values()
        .map(|a| (agency_key(a, field, None), a.id.clone()))
        .collect();
    order.sort_unstable();
    order
}

/// Every partnership's (key of `field`, id), ascending.
pub fn partnership_order(catalog: &Catalog, field: PartnershipSortField) -> Vec<(SortKey, i64)> {
    let mut order: Vec<(SortKey, i64)> = catalog
        .partnerships
        .values()
        .map(|p| {
            let agency = catalog.agencies.get(&p.agency_id).map(|a| &**a);
            (partnership_key(p, agency, field, None), p.id)
        })
        .collect();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    order
}

/// Whether a list can be read from an order: sorted by another field than the id or the
/// distance, with no geographic filter (those walk the spatial index).
pub fn agencies_use_order(filter: &AgencyFilter, sort: Sort<AgencySortField>) -> bool {
    !matches!(sort.field, AgencySortField::Id | AgencySortField::Distance) && filter.geo.is_empty()
}

/// See [`agencies_use_order`].
pub fn partnerships_use_order(
    filter: &PartnershipFilter,
    sort: Sort<PartnershipSortField>,
) -> bool {
    !matches!(
        sort.field,
        PartnershipSortField::Id | PartnershipSortField::Distance
    ) && filter.geo.is_empty()
        && filter.agency.is_none()
}

/// The entries of `order` after the cursor `after`, in the list's direction.
fn from_cursor<'o, I>(
    order: &'o [(SortKey, I)],
    after: Option<&(SortKey, SortKey)>,
    descending: bool,
    id_key: impl Fn(&I) -> SortKey,
) -> Box<dyn Iterator<Item = &'o I> + 'o> {
    let cmp = |e: &(SortKey, I), a: &(SortKey, SortKey)| {
        e.0.cmp(&a.0).then_with(|| id_key(&e.1).cmp(&a.1))
    };
    match (after, descending) {
        (None, false) => Box::new(order.iter().map(|e| &e.1)),
        (None, true) => Box::new(order.iter().rev().map(|e| &e.1)),
        (Some(a), false) => {
            let i = order.partition_point(|e| cmp(e, a) != Ordering::Greater);
            Box::new(order[i..].iter().map(|e| &e.1))
        }
        (Some(a), true) => {
            let i = order.partition_point(|e| cmp(e, a) == Ordering::Less);
            Box::new(order[..i].iter().rev().map(|e| &e.1))
        }
    }
}

/// `listing::agencies` read from `order` (made by [`agency_order`] for `sort.field` from this
/// catalog): the same rows, in the same order, with the same cursors.
pub fn agencies<'c>(
    catalog: &'c Catalog,
    filter: &AgencyFilter,
    sort: Sort<AgencySortField>,
    req: &PageRequest,
    order: &[(SortKey, String)],
) -> Result<Page<Hit<&'c AgencyEntry>>, ListError> {
    let query = fingerprint(&("agencies", filter, sort));
    let after = decode_after(req, &query)?;
    let row = agency_row(catalog, filter, sort.field);
    let rows = from_cursor(order, after.as_ref(), sort.descending, |id| {
        SortKey::Text(id.clone())
    })
    .filter_map(|id| catalog.agencies.get(id))
    .filter_map(row)
    .take(page_size(req) + 1);
    paginate(rows, sort.descending, &query, req)
}

/// `listing::partnerships` read from `order` (made by [`partnership_order`]).
pub fn partnerships<'c>(
    catalog: &'c Catalog,
    filter: &PartnershipFilter,
    sort: Sort<PartnershipSortField>,
    req: &PageRequest,
    order: &[(SortKey, i64)],
) -> Result<Page<Hit<WithAgency<'c>>>, ListError> {
    let query = fingerprint(&("partnerships", filter, sort));
    let after = decode_after(req, &query)?;
    let row = partnership_row(catalog, filter, sort.field);
    let rows = from_cursor(order, after.as_ref(), sort.descending, |id| {
        SortKey::Num(*id as f64)
    })
    .filter_map(|id| catalog.partnerships.get(id))
    .filter_map(|p| row(p, catalog.agencies.get(&p.agency_id)))
    .take(page_size(req) + 1);
    paginate(rows, sort.descending, &query, req)
}
