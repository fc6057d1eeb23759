//! Snapshots for exports: the matching records of a list, taken under the catalog's read lock
//! as `Arc`s (cheap: a pointer per row), so the lock is released before a single byte is
//! serialised and writers never wait for a slow download. The rows are the exact state of the
//! dataset version they were taken at.

use super::catalog::Catalog;
use super::listing::{
    self, AgencyFilter, AgencySortField, ListError, PageRequest, PartnershipFilter,
    PartnershipSortField, Sort, SourceFilter, SourceSortField,
};
use crate::domain::{Citation, Phase, Program, Source};
use crate::export::tables::{AgencyRow, DayCells, PartnershipRow};
use std::collections::HashMap;
use std::sync::Arc;

/// Rows of an export and, when it is a page, the next page's cursor.
pub struct Snapshot<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
    pub total: Option<usize>,
}

pub fn agencies(
    catalog: &Catalog,
    filter: &AgencyFilter,
    sort: Sort<AgencySortField>,
    req: &PageRequest,
) -> Result<Snapshot<AgencyRow>, ListError> {
    let page = listing::agencies(catalog, filter, sort, req)?;
    let rows = page
        .items
        .into_iter()
        .filter_map(|hit| {
            catalog.agencies.get(&hit.item.id).map(|a| AgencyRow {
                agency: a.clone(),
                distance_m: hit.distance_m,
            })
        })
        .collect();
    Ok(Snapshot {
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
) -> Result<Snapshot<PartnershipRow>, ListError> {
    let page = listing::partnerships(catalog, filter, sort, req)?;
    let programs: HashMap<&str, Arc<Program>> = catalog
        .programs
        .iter()
        .map(|(id, p)| (id.as_str(), Arc::new(p.clone())))
        .collect();
    let mut phases: HashMap<&str, Arc<Phase>> = HashMap::new();
    let mut rows = Vec::with_capacity(page.items.len());
    for hit in page.items {
        let p = hit.item;
        let Some(partnership) = catalog.partnerships.get(&p.id) else {
            continue;
        };
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
            partnership: partnership.clone(),
            agency: catalog.agencies.get(&p.agency_id).cloned(),
            program: programs.get(p.program_id.as_str()).cloned(),
            distance_m: hit.distance_m,
            day,
        });
    }
    Ok(Snapshot {
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

pub fn programs(catalog: &Catalog, req: &PageRequest) -> Result<Snapshot<ProgramRow>, ListError> {
    let page = listing::programs(catalog, req)?;
    Ok(Snapshot {
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

/// Sources are few (thousands at most), so a snapshot copies them.
pub fn sources(
    catalog: &Catalog,
    filter: &SourceFilter,
    sort: Sort<SourceSortField>,
    req: &PageRequest,
) -> Result<Snapshot<Source>, ListError> {
    let page = listing::sources(catalog, filter, sort, req)?;
    Ok(Snapshot {
        rows: page.items.into_iter().cloned().collect(),
        next: page.next,
        total: page.total,
    })
}

/// Everything, for the bulk files: every table of the dataset at one version.
pub struct Everything {
    pub version: i64,
    pub last_modified: Option<time::OffsetDateTime>,
    pub agencies: Vec<AgencyRow>,
    pub partnerships: Vec<PartnershipRow>,
    pub programs: Vec<ProgramRow>,
    pub phases: Vec<Phase>,
    pub sources: Vec<Source>,
    pub citations: Vec<Arc<Citation>>,
}

pub fn everything(catalog: &Catalog) -> Everything {
    let all = PageRequest::everything();
    let sort_a = Sort {
        field: AgencySortField::Id,
        descending: false,
    };
    let sort_p = Sort {
        field: PartnershipSortField::Id,
        descending: false,
    };
    let sort_s = Sort {
        field: SourceSortField::Id,
        descending: false,
    };
    // Without a cursor, listing cannot fail.
    let agencies = agencies(catalog, &Default::default(), sort_a, &all)
        .map(|s| s.rows)
        .unwrap_or_default();
    let partnerships = partnerships(catalog, &Default::default(), sort_p, &all)
        .map(|s| s.rows)
        .unwrap_or_default();
    let programs = programs(catalog, &all).map(|s| s.rows).unwrap_or_default();
    let sources = sources(catalog, &Default::default(), sort_s, &all)
        .map(|s| s.rows)
        .unwrap_or_default();
    Everything {
        version: catalog.seq(),
        last_modified: catalog.last_modified(),
        agencies,
        partnerships,
        phases: programs.iter().flat_map(|p| p.phases.clone()).collect(),
        programs,
        sources,
        citations: catalog.citations.values().cloned().collect(),
    }
}
