//! What list pages keep per dataset version, so that no page pays for the whole dataset:
//!
//! - Totals (`count=true`, OGC's `numberMatched`): the page itself is found the cheap way
//!   (the keyset walk from the cursor, or the nearest-first walk of the index), and the total
//!   of its query is looked up, or counted the first time the query is asked after a write.
//! - Orders: a list sorted by a field other than the id or the distance reads its pages from
//!   every record's (key, id), sorted the first time that sort is asked after a write
//!   (`listing::ordered`), instead of sorting every match on every request.
//! - The trigram index of `q` searches (`listing::text`), made the first time a search is
//!   asked after a write.

use super::catalog::{AgencyEntry, Catalog};
use super::listing::ordered;
use super::listing::text::{self, TextIndex};
use super::listing::{
    self, AgencyFilter, AgencySortField, Hit, ListError, Page, PageRequest, PartnershipFilter,
    PartnershipSortField, Sort, WithAgency,
};
use super::paging::SortKey;
use super::per_version::PerVersion;

/// How many queries' totals a process keeps.
pub const CACHED_TOTALS: usize = 256;
/// How many orders (a sort field of a list, at a version) a process keeps: every field of
/// both lists, and a past version's or two.
pub const CACHED_ORDERS: usize = 16;
/// How many trigram indexes (one a version) a process keeps: the live one and a past one.
pub const CACHED_TEXT_INDEXES: usize = 2;

pub struct ListCache {
    totals: PerVersion<usize>,
    agency_orders: PerVersion<Vec<(SortKey, String)>>,
    partnership_orders: PerVersion<Vec<(SortKey, i64)>>,
    texts: PerVersion<TextIndex>,
}

impl Default for ListCache {
    fn default() -> Self {
        Self {
            totals: PerVersion::new(CACHED_TOTALS),
            agency_orders: PerVersion::new(CACHED_ORDERS),
            partnership_orders: PerVersion::new(CACHED_ORDERS),
            texts: PerVersion::new(CACHED_TEXT_INDEXES),
        }
    }
}

/// The request without its count, and the request that counts (one row, from the start).
fn split(req: &PageRequest) -> (PageRequest, PageRequest) {
    let page = PageRequest {
        count: false,
        ..req.clone()
    };
    let count = PageRequest {
        limit: 1,
        cursor: None,
        count: true,
        unbounded: false,
    };
    (page, count)
}

impl ListCache {
    /// The trigram index of `catalog`'s version, when `q` is long enough to use one.
    fn text_index(&self, catalog: &Catalog, q: Option<&str>) -> Option<std::sync::Arc<TextIndex>> {
        q.filter(|q| q.len() >= 2)?;
        Some(
            self.texts
                .get_or(catalog.seq(), String::new(), || TextIndex::build(catalog)),
        )
    }

    /// A page of agencies: from the trigram index for a `q` it narrows, from the sort's
    /// order when it has one (see the module), else `listing::agencies`.
    fn agency_page<'c>(
        &self,
        catalog: &'c Catalog,
        filter: &AgencyFilter,
        sort: Sort<AgencySortField>,
        req: &PageRequest,
    ) -> Result<Page<Hit<&'c AgencyEntry>>, ListError> {
        if let Some(index) = self.text_index(catalog, filter.q.as_deref())
            && let Some(page) = text::agencies(catalog, filter, sort, req, &index)
        {
            return page;
        }
        if req.count || req.unbounded || !ordered::agencies_use_order(filter, sort) {
            return listing::agencies(catalog, filter, sort, req);
        }
        let order = self
            .agency_orders
            .get_or(catalog.seq(), format!("{:?}", sort.field), || {
                ordered::agency_order(catalog, sort.field)
            });
        ordered::agencies(catalog, filter, sort, req, &order)
    }

    /// See [`Self::agency_page`].
    fn partnership_page<'c>(
        &self,
        catalog: &'c Catalog,
        filter: &PartnershipFilter,
        sort: Sort<PartnershipSortField>,
        req: &PageRequest,
    ) -> Result<Page<Hit<WithAgency<'c>>>, ListError> {
        if filter.agency.is_none()
            && let Some(index) = self.text_index(catalog, filter.q.as_deref())
            && let Some(page) = text::partnerships(catalog, filter, sort, req, &index)
        {
            return page;
        }
        if req.count || req.unbounded || !ordered::partnerships_use_order(filter, sort) {
            return listing::partnerships(catalog, filter, sort, req);
        }
        let order =
            self.partnership_orders
                .get_or(catalog.seq(), format!("{:?}", sort.field), || {
                    ordered::partnership_order(catalog, sort.field)
                });
        ordered::partnerships(catalog, filter, sort, req, &order)
    }

    /// The page `page` finds, with the query's total when the request asks for it: counted
    /// by `count` the first time the query is asked at this version, looked up after that.
    fn counted<T>(
        &self,
        seq: i64,
        req: &PageRequest,
        query: impl FnOnce() -> String,
        page: impl FnOnce(&PageRequest) -> Result<Page<T>, ListError>,
        count: impl FnOnce(&PageRequest) -> Result<Page<T>, ListError>,
    ) -> Result<Page<T>, ListError> {
        if !req.count {
            return page(req);
        }
        let (page_req, count_req) = split(req);
        let mut found = page(&page_req)?;
        let total = self.totals.get_or_try(seq, query(), || {
            count(&count_req).map(|p| p.total.unwrap_or(0))
        })?;
        found.total = Some(*total);
        Ok(found)
    }

    /// A page of agencies (see [`Self::agency_page`]), its total (when asked) counted once
    /// per version. The sort does not change how many match, so the query is the filter.
    pub fn agencies<'c>(
        &self,
        catalog: &'c Catalog,
        filter: &AgencyFilter,
        sort: Sort<AgencySortField>,
        req: &PageRequest,
    ) -> Result<Page<Hit<&'c AgencyEntry>>, ListError> {
        self.counted(
            catalog.seq(),
            req,
            || format!("agencies {filter:?}"),
            |req| self.agency_page(catalog, filter, sort, req),
            |req| self.agency_page(catalog, filter, sort, req),
        )
    }

    /// A page of partnerships (see [`Self::partnership_page`]), its total (when asked)
    /// counted once per version.
    pub fn partnerships<'c>(
        &self,
        catalog: &'c Catalog,
        filter: &PartnershipFilter,
        sort: Sort<PartnershipSortField>,
        req: &PageRequest,
    ) -> Result<Page<Hit<WithAgency<'c>>>, ListError> {
        self.counted(
            catalog.seq(),
            req,
            || format!("partnerships {filter:?}"),
            |req| self.partnership_page(catalog, filter, sort, req),
            |req| self.partnership_page(catalog, filter, sort, req),
        )
    }
}
