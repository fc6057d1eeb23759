//! Rows for exports. A page of an export is taken at once (at most `MAX_LIMIT` rows, as
//! `Arc`s). A full export reads a [`Catalog::shared_copy`] (one dataset version, taken in O(1)
//! under the lock and then read without it) in [`Batches`]: each batch is the next page of
//! the same list, continued from the previous batch's cursor, so the rows held at any time
//! are one batch's, however many the export streams.

use super::catalog::Catalog;
use super::listing::{
    self, AgencyFilter, AgencySortField, CitationFilter, ListError, PageRequest, PartnershipFilter,
    PartnershipSortField, PhaseFilter, PhaseSortField, Sort, SourceFilter, SourceSortField,
};
use crate::domain::{Citation, Phase, Program, Source};
use crate::export::tables::{AgencyRow, DayCells, PartnershipRow};
use std::collections::HashMap;
use std::sync::Arc;

/// Rows a full export reads per batch in id order, where a batch costs what it holds.
pub const BATCH_ROWS_BY_ID: usize = 4_096;
/// Rows per batch in any other order: every batch then scans every record for the next
/// rows in order, so batches are larger (fewer scans) at the cost of more memory held.
pub const BATCH_ROWS_SORTED: usize = 65_536;

/// Takes one page of a list.
type PageFn<T> = Box<dyn FnMut(&PageRequest) -> Result<RowPage<T>, ListError> + Send>;

/// The rows of an export, batch after batch.
pub struct Batches<T> {
    page: PageFn<T>,
    size: usize,
    cursor: Option<String>,
    done: bool,
}

impl<T: Send + 'static> Batches<T> {
    /// Pages of `size` rows of a list, each continuing from the cursor of the one before.
    pub fn new(
        size: usize,
        page: impl FnMut(&PageRequest) -> Result<RowPage<T>, ListError> + Send + 'static,
    ) -> Self {
        Self {
            page: Box::new(page),
            size,
            cursor: None,
            done: false,
        }
    }

    /// Rows already taken: one batch.
    pub fn once(rows: Vec<T>) -> Self {
        let mut rows = Some(rows);
        Self::new(usize::MAX, move |_| {
            Ok(RowPage {
                rows: rows.take().unwrap_or_default(),
                next: None,
                total: None,
            })
        })
    }
}

impl<T> Iterator for Batches<T> {
    type Item = Result<Vec<T>, ListError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let req = PageRequest {
            limit: self.size,
            cursor: self.cursor.take(),
            count: false,
            unbounded: true,
        };
        let batch = (self.page)(&req);
        match &batch {
            Ok(s) => {
                self.cursor = s.next.clone();
                self.done = s.next.is_none();
            }
            Err(_) => self.done = true,
        }
        Some(batch.map(|s| s.rows))
    }
}

fn batch_rows(by_id: bool) -> usize {
    if by_id {
        BATCH_ROWS_BY_ID
    } else {
        BATCH_ROWS_SORTED
    }
}

/// Every matching agency of `catalog` (a shared copy, or a past version), in order, by
/// batches.
pub fn agency_batches(
    catalog: Arc<Catalog>,
    filter: AgencyFilter,
    sort: Sort<AgencySortField>,
) -> Batches<AgencyRow> {
    Batches::new(batch_rows(sort.field == AgencySortField::Id), move |req| {
        agencies(&catalog, &filter, sort, req)
    })
}

/// Every matching partnership of `catalog`, in order, by batches.
pub fn partnership_batches(
    catalog: Arc<Catalog>,
    filter: PartnershipFilter,
    sort: Sort<PartnershipSortField>,
) -> Batches<PartnershipRow> {
    Batches::new(
        batch_rows(sort.field == PartnershipSortField::Id),
        move |req| partnerships(&catalog, &filter, sort, req),
    )
}

/// Rows of an export and, when it is a page, the next page's cursor.
pub struct RowPage<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
    pub total: Option<usize>,
}

pub fn agencies(
    catalog: &Catalog,
    filter: &AgencyFilter,
    sort: Sort<AgencySortField>,
    req: &PageRequest,
) -> Result<RowPage<AgencyRow>, ListError> {
    let page = listing::agencies(catalog, filter, sort, req)?;
    let rows = page
        .items
        .into_iter()
        .map(|hit| AgencyRow {
            agency: hit.item.record().clone(),
            distance_m: hit.distance_m,
        })
        .collect();
    Ok(RowPage {
        rows,
        next: page.next,
        total: page.total,
    })
}

pub fn partnerships(
    catalog: &Catalog,
    filter: &PartnershipFilter,
    sort: Sort<PartnershipSortField>,
    req: &PageRequest,
) -> Result<RowPage<PartnershipRow>, ListError> {
    let page = listing::partnerships(catalog, filter, sort, req)?;
    let programs: HashMap<&str, Arc<Program>> = catalog
        .programs
        .iter()
        .map(|(id, p)| (id.as_str(), Arc::new(p.clone())))
        .collect();
    let mut phases: HashMap<&str, Arc<Phase>> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for hit in page.items {
        let partnership = hit.item.partnership;
        let p: &crate::domain::Partnership = partnership;
        let day = filter.active_on.map(|d| {
            let activity = listing::activity(catalog, p, d);
            let phase = activity.as_ref().and_then(|a| a.phase).map(|ph| {
                phases
                    .entry(ph.id.as_str())
                    .or_insert_with(|| Arc::new(ph.clone()))
                    .clone()
            });
            DayCells {
                certainty: activity.as_ref().map(|a| a.certainty.as_str()),
                footage_requests: activity
                    .as_ref()
                    .and_then(|a| a.footage.map(|c| c.as_str())),
                phase,
            }
        });
        rows.push(PartnershipRow {
            partnership: partnership.record().clone(),
            agency: hit.item.agency.map(|a| a.record().clone()),
            program: programs.get(p.program_id.as_str()).cloned(),
            source: catalog.primary_source(p).cloned(),
            distance_m: hit.distance_m,
            day,
        });
    }
    Ok(RowPage {
        rows,
        next: page.next,
        total: page.total,
    })
}

/// A program with its phases, oldest first.
pub struct ProgramRow {
    pub program: Program,
    pub phases: Vec<Phase>,
}

/// In CSV a program's row is the program's own: its phases are a table of their own.
impl crate::export::Table for ProgramRow {
    const COLUMNS: &'static [crate::export::Column] = <Program as crate::export::Table>::COLUMNS;

    fn cells(&self, row: &mut crate::export::Row<'_>) {
        self.program.cells(row)
    }
}

pub fn programs(catalog: &Catalog, req: &PageRequest) -> Result<RowPage<ProgramRow>, ListError> {
    let page = listing::programs(catalog, req)?;
    Ok(RowPage {
        rows: page
            .items
            .into_iter()
            .map(|p| ProgramRow {
                program: p.clone(),
                phases: catalog.phases_of(&p.id).into_iter().cloned().collect(),
            })
            .collect(),
        next: page.next,
        total: page.total,
    })
}

/// Sources are few (thousands at most), so a page of them is copied.
pub fn sources(
    catalog: &Catalog,
    filter: &SourceFilter,
    sort: Sort<SourceSortField>,
    req: &PageRequest,
) -> Result<RowPage<Source>, ListError> {
    let page = listing::sources(catalog, filter, sort, req)?;
    Ok(RowPage {
        rows: page.items.into_iter().cloned().collect(),
        next: page.next,
        total: page.total,
    })
}

/// Phases are few (a handful per program), so a page of them is copied.
pub fn phases(
    catalog: &Catalog,
    filter: &PhaseFilter,
    sort: Sort<PhaseSortField>,
    req: &PageRequest,
) -> Result<RowPage<Phase>, ListError> {
    let page = listing::phases(catalog, filter, sort, req)?;
    Ok(RowPage {
        rows: page.items.into_iter().cloned().collect(),
        next: page.next,
        total: page.total,
    })
}

/// A page of citations, copied.
pub fn citations(
    catalog: &Catalog,
    filter: &CitationFilter,
    descending: bool,
    req: &PageRequest,
) -> Result<RowPage<Citation>, ListError> {
    let page = listing::citations(catalog, filter, descending, req)?;
    Ok(RowPage {
        rows: page.items.into_iter().cloned().collect(),
        next: page.next,
        total: page.total,
    })
}

/// Every matching citation of `catalog` (a shared copy, or a past version), in id order, by
/// batches: citations are as many as the records that cite.
pub fn citation_batches(
    catalog: Arc<Catalog>,
    filter: CitationFilter,
    descending: bool,
) -> Batches<Citation> {
    Batches::new(BATCH_ROWS_BY_ID, move |req| {
        citations(&catalog, &filter, descending, req)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChangeKind, Record};
    use crate::service::fixtures::{agency, catalog, revision};

    fn ids(rows: impl IntoIterator<Item = AgencyRow>) -> Vec<String> {
        rows.into_iter().map(|r| r.agency.id.clone()).collect()
    }

    /// A full export reads one version in batches, whatever the live catalog does meanwhile:
    /// here a deletion, a renaming that moves a record in the order, and a new record, made
    /// between two batches.
    #[test]
    fn batches_read_one_version_while_the_catalog_changes() {
        let points: Vec<(f64, f64)> = (0..40).map(|i| (40.0 + i as f64 * 0.1, -90.0)).collect();
        let mut live = catalog(&points);
        let copy = Arc::new(live.shared_copy());
        for field in [AgencySortField::Id, AgencySortField::Name] {
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let all = PageRequest::everything();
                let want = ids(agencies(&copy, &Default::default(), sort, &all)
                    .unwrap()
                    .rows);
                assert_eq!(want.len(), 41);
                let s = copy.clone();
                let mut batches = Batches::new(6, move |req| {
                    agencies(&s, &AgencyFilter::default(), sort, req)
                });
                let mut got = ids(batches.next().unwrap().unwrap());
                let seq = live.seq();
                let mut renamed = agency(30, 41.0, -90.0, "MN");
                renamed.name = "Aardvark County".into();
                for (i, (record, kind)) in [
                    (
                        Record::Agency(agency(3, 0.0, 0.0, "WI")),
                        ChangeKind::Deleted,
                    ),
                    (Record::Agency(renamed), ChangeKind::Updated),
                    (
                        Record::Agency(agency(77, 45.0, -91.0, "WI")),
                        ChangeKind::Created,
                    ),
                ]
                .into_iter()
                .enumerate()
                {
                    live.apply(&revision(seq + 1 + i as i64, record, kind))
                        .unwrap();
                }
                for batch in batches {
                    got.extend(ids(batch.unwrap()));
                }
                assert_eq!(got, want, "by {field:?}, descending {descending}");
                // The live catalog did change.
                let now = ids(agencies(&live, &Default::default(), sort, &all)
                    .unwrap()
                    .rows);
                assert_ne!(now, want);
                live = catalog(&points);
            }
        }
    }

    #[test]
    fn a_batch_holds_at_most_its_size() {
        let points: Vec<(f64, f64)> = (0..25).map(|i| (40.0, -90.0 + i as f64 * 0.1)).collect();
        let copy = Arc::new(catalog(&points).shared_copy());
        let sort = Sort {
            field: AgencySortField::City,
            descending: false,
        };
        let sizes: Vec<usize> = Batches::new(4, move |req| {
            agencies(&copy, &AgencyFilter::default(), sort, req)
        })
        .map(|b| b.unwrap().len())
        .collect();
        assert_eq!(sizes, [4, 4, 4, 4, 4, 4, 2]);
    }
}
