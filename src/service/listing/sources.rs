//! The source and citation lists.

use super::{any_or, contains_folded, fold};
use crate::domain::{Source, SourceKind};
use crate::service::catalog::Catalog;
use crate::service::paging::{
    ListError, Page, PageRequest, Sort, SortKey, decode_after, fingerprint, page_size, paginate,
};
use std::ops::Bound;
use std::sync::Arc;

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
