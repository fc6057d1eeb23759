//! Pages whose total (`count=true`, OGC's `numberMatched`) is counted once per dataset
//! version: the page itself is found the cheap way (the keyset walk from the cursor, or the
//! nearest-first walk of the index), and the total of its query is looked up, or counted
//! the first time the query is asked after a write. Without this, every page of a counted list
//! walked every matching record.

use super::catalog::{AgencyEntry, Catalog};
use super::listing::{
    self, AgencyFilter, AgencySortField, Hit, ListError, Page, PageRequest, PartnershipFilter,
    PartnershipSortField, Sort,
};
use super::per_version::PerVersion;
use crate::domain::Partnership;

/// How many queries' totals a process keeps.
pub const CACHED_TOTALS: usize = 256;

pub struct Totals(PerVersion<usize>);

impl Default for Totals {
    fn default() -> Self {
        Self(PerVersion::new(CACHED_TOTALS))
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

impl Totals {
    /// `listing::agencies`, its total (when asked) counted once per version.
    pub fn agencies<'c>(
        &self,
        catalog: &'c Catalog,
        filter: &AgencyFilter,
        sort: Sort<AgencySortField>,
        req: &PageRequest,
    ) -> Result<Page<Hit<&'c AgencyEntry>>, ListError> {
        if !req.count {
            return listing::agencies(catalog, filter, sort, req);
        }
        let (page_req, count_req) = split(req);
        let mut page = listing::agencies(catalog, filter, sort, &page_req)?;
        // The sort does not change how many match.
        let total = self
            .0
            .get_or_try(catalog.seq(), format!("agencies {filter:?}"), || {
                listing::agencies(catalog, filter, sort, &count_req).map(|p| p.total.unwrap_or(0))
            })?;
        page.total = Some(*total);
        Ok(page)
    }

    /// `listing::partnerships`, its total (when asked) counted once per version.
    pub fn partnerships<'c>(
        &self,
        catalog: &'c Catalog,
        filter: &PartnershipFilter,
        sort: Sort<PartnershipSortField>,
        req: &PageRequest,
    ) -> Result<Page<Hit<&'c Partnership>>, ListError> {
        if !req.count {
            return listing::partnerships(catalog, filter, sort, req);
        }
        let (page_req, count_req) = split(req);
        let mut page = listing::partnerships(catalog, filter, sort, &page_req)?;
        let total = self
            .0
            .get_or_try(catalog.seq(), format!("partnerships {filter:?}"), || {
                listing::partnerships(catalog, filter, sort, &count_req)
                    .map(|p| p.total.unwrap_or(0))
            })?;
        page.total = Some(*total);
        Ok(page)
    }
}
