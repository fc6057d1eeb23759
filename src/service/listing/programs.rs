//! The program and phase lists.

use super::{any_or, fold};
use crate::domain::{Phase, Program, Status};
use crate::service::catalog::Catalog;
use crate::service::paging::{ListError, Page, PageRequest, Sort, SortKey, fingerprint, paginate};

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
