//! Planning an import: pure, against the catalog. The rows are grouped by agency, and each
//! group planned in steps: its sources, its agency, its partnership, their citations.

use super::placement::{Placement, placed};
use super::report::{ImportReport, Skipped};
use super::sources::{SourcePlanner, atlas_snapshot_day};
use super::{ImportError, ImportOptions, Profile};
use crate::domain::evidence;
use crate::domain::ids::agency_slug;
use crate::domain::{Agency, Citation, EntityKind, Meta, Partnership, Source, Status};
use crate::import::atlas::{AtlasFile, AtlasRow, agency_type, jurisdiction_type};
use crate::import::geocode::Gazetteer;
use crate::service::catalog::Catalog;
use crate::service::seed::RING_PROGRAM_ID;
use std::collections::{BTreeMap, HashMap};

/// A source that exists, or the n-th one the import creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum SourceRef {
    Existing(i64),
    New(usize),
}

pub(super) enum Change<T> {
    Create(T),
    /// The new state; its `meta` is the current version's.
    Update(T),
    Unchanged,
}

pub(super) enum CitationChange {
    Create {
        source: SourceRef,
        quote: Option<String>,
    },
    /// The new state; its `meta` is the current version's.
    Update(Citation),
}

pub(super) struct GroupPlan {
    pub note: String,
    pub agency_id: String,
    pub agency: Change<Agency>,
    /// For an update or no change, the partnership's id.
    pub partnership: Change<Partnership>,
    pub partnership_id: Option<i64>,
    /// The source of the partnership's `last_confirmed`, when the import sets it.
    pub confirmed_by: Option<SourceRef>,
    pub sources: Vec<SourceRef>,
    pub agency_citations: Vec<CitationChange>,
    pub partnership_citations: Vec<CitationChange>,
}

pub(super) struct Plan {
    pub new_sources: Vec<Source>,
    pub groups: Vec<GroupPlan>,
    pub report: ImportReport,
}

/// The newest evidence of a partnership so far: its day and its source.
type Confirmation = Option<(time::Date, SourceRef)>;

pub(super) fn plan(
    catalog: &Catalog,
    file: &AtlasFile,
    profile: Profile,
    options: ImportOptions<'_>,
) -> Result<Plan, ImportError> {
    if !catalog.programs.contains_key(RING_PROGRAM_ID) {
        return Err(ImportError::ProgramMissing(RING_PROGRAM_ID));
    }
    let placeholder = Meta::new(crate::service::writer::now());
    let mut report = ImportReport {
        dry_run: options.dry_run,
        rows_read: file.rows_read,
        ring_rows: file.rows.len(),
        ori_matched: options.ori.map(|_| 0),
        text_repairs: file.repairs.by_name(),
        ..ImportReport::default()
    };
    let groups = group_rows(file, &mut report.skipped);

    let mut sources = SourcePlanner::new(catalog, placeholder.clone());
    let atlas = profile.cite_atlas.then(|| sources.atlas());
    let planner = Planner {
        catalog,
        profile,
        options,
        placeholder,
        atlas,
        gazetteer: Gazetteer::embedded(),
    };
    let planned = groups
        .iter()
        .map(|(agency_id, rows)| planner.group(agency_id, rows, &mut sources, &mut report))
        .collect();

    report.sources_created = sources.new.len();
    report.sources_reused = sources.reused;
    Ok(Plan {
        new_sources: sources.new,
        groups: planned,
        report,
    })
}

/// Rows by agency, in file order; a repeated row id is skipped.
fn group_rows<'f>(
    file: &'f AtlasFile,
    skipped: &mut Vec<Skipped>,
) -> Vec<(String, Vec<&'f AtlasRow>)> {
    let mut groups: Vec<(String, Vec<&AtlasRow>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<&str, u64> = HashMap::new();
    for row in &file.rows {
        if !row.id.is_empty()
            && let Some(first) = seen_ids.insert(&row.id, row.line)
        {
            skipped.push(Skipped {
                line: row.line,
                id: row.id.clone(),
                reason: format!("same row id as line {first}"),
            });
            continue;
        }
        let id = agency_slug(row.state, &row.agency);
        match group_of.get(&id) {
            Some(&i) => groups[i].1.push(row),
            None => {
                group_of.insert(id.clone(), groups.len());
                groups.push((id, vec![row]));
            }
        }
    }
    groups
}

/// What every group's plan shares.
struct Planner<'a> {
    catalog: &'a Catalog,
    profile: Profile,
    options: ImportOptions<'a>,
    placeholder: Meta,
    /// The Atlas's own source, when the profile cites it.
    atlas: Option<SourceRef>,
    gazetteer: &'static Gazetteer,
}

impl Planner<'_> {
    /// One agency's rows: its sources, its agency, its partnership, their citations.
    fn group(
        &self,
        agency_id: &str,
        rows: &[&AtlasRow],
        sources: &mut SourcePlanner,
        report: &mut ImportReport,
    ) -> GroupPlan {
        let ids: Vec<String> = rows
            .iter()
            .filter(|r| !r.id.is_empty())
            .map(|r| r.id.clone())
            .collect();
        if rows.len() > 1 {
            report.merged.push((agency_id.to_string(), ids.clone()));
        }
        let (refs, confirmed) = self.sources(rows, sources);
        let mut external_ids = BTreeMap::new();
        if !ids.is_empty() {
            external_ids.insert(self.profile.key.to_string(), ids.join(";"));
        }
        let fresh = self.fresh_agency(agency_id, rows[0], &ids, external_ids.clone(), report);
        let agency = self.agency_change(fresh, &external_ids, report);
        let (fresh, explicit_status, confirmed) =
            self.fresh_partnership(agency_id, rows, &ids, external_ids, confirmed);
        let (partnership, partnership_id, confirmed_by) =
            self.partnership_change(fresh, &ids, explicit_status, confirmed, report);
        let (agency_citations, partnership_citations) =
            self.citations(agency_id, partnership_id, rows, &refs, report);
        GroupPlan {
            note: self.note(rows, &ids),
            agency_id: agency_id.to_string(),
            agency,
            partnership,
            partnership_id,
            confirmed_by,
            sources: refs,
            agency_citations,
            partnership_citations,
        }
    }

    /// The group's sources: the file's own first, then each row's links in order. The newest
    /// of their dates (the Atlas's: the day of Ring's map it recorded) is the last
    /// confirmation.
    fn sources(
        &self,
        rows: &[&AtlasRow],
        sources: &mut SourcePlanner,
    ) -> (Vec<SourceRef>, Confirmation) {
        let mut refs: Vec<SourceRef> = self.atlas.into_iter().collect();
        let mut confirmed: Confirmation = self.atlas.map(|a| (atlas_snapshot_day(), a));
        for row in rows {
            for link in &row.links {
                let r = sources.source_for(link, row);
                if !refs.contains(&r) {
                    refs.push(r);
                }
                confirmed = evidence::newer(confirmed, link.date.map(|d| (d.earliest(), r)));
            }
        }
        (refs, confirmed)
    }

    /// The agency the group's first row describes: its types, place, quality flags and ORI.
    fn fresh_agency(
        &self,
        agency_id: &str,
        first: &AtlasRow,
        ids: &[String],
        external_ids: BTreeMap<String, String>,
        report: &mut ImportReport,
    ) -> Agency {
        let agency_type = agency_type(&first.lea_type);
        let jurisdiction_type = jurisdiction_type(&first.jurisdiction);
        let Placement {
            location: place,
            flags: quality_flags,
        } = placed(self.gazetteer, first, agency_type, jurisdiction_type);
        for q in &quality_flags {
            *report.quality_flags.entry(q.as_str()).or_default() += 1;
        }
        if !quality_flags.is_empty() {
            let rows = if ids.is_empty() {
                format!("line {}", first.line)
            } else {
                ids.join(", ")
            };
            report
                .flagged
                .push((agency_id.to_string(), rows, quality_flags.clone()));
        }
        match &place {
            Some(p) => *report.geocoded.entry(p.precision.as_str()).or_default() += 1,
            None => report.not_geocoded += 1,
        }
        let ori = first.ori.as_deref().or_else(|| {
            self.options
                .ori
                .and_then(|idx| idx.lookup(first.state.as_str(), &first.agency))
        });
        if ori.is_some()
            && let Some(n) = report.ori_matched.as_mut()
        {
            *n += 1;
        }
        Agency {
            id: agency_id.to_string(),
            name: first.agency.clone(),
            agency_type,
            jurisdiction_type,
            ori: ori.map(str::to_string),
            city: first.city.clone(),
            county: first.county.clone(),
            state: first.state,
            country: "US".into(),
            latitude: place.as_ref().map(|p| p.latitude),
            longitude: place.as_ref().map(|p| p.longitude),
            location_precision: place.as_ref().map(|p| p.precision),
            location_basis: place.as_ref().and_then(|p| p.basis),
            location_source: place.and_then(|p| p.source),
            quality_flags,
            external_ids: external_ids.into(),
            notes: None,
            meta: self.placeholder.clone(),
        }
    }

    /// The fresh agency against the current one, keeping what the import does not know.
    fn agency_change(
        &self,
        fresh: Agency,
        external_ids: &BTreeMap<String, String>,
        report: &mut ImportReport,
    ) -> Change<Agency> {
        match self.catalog.agencies.get(&fresh.id) {
            None => {
                report.agencies.created += 1;
                Change::Create(fresh)
            }
            Some(current) => {
                let mut next = fresh;
                next.ori = next.ori.or_else(|| current.ori.clone());
                next.notes = current.notes.clone();
                let mut ext = current.external_ids.clone();
                ext.extend(external_ids.clone());
                next.external_ids = ext;
                next.meta = current.meta.clone();
                if next == **current {
                    report.agencies.unchanged += 1;
                    Change::Unchanged
                } else {
                    report.agencies.updated += 1;
                    Change::Update(next)
                }
            }
        }
    }

    /// The partnership the rows describe: the earliest start of the rows, at its own
    /// precision; the status a row gives (returned too), else active; the rows' notes. An
    /// announcement or a cancellation drops the confirmation.
    fn fresh_partnership(
        &self,
        agency_id: &str,
        rows: &[&AtlasRow],
        ids: &[String],
        external_ids: BTreeMap<String, String>,
        mut confirmed: Confirmation,
    ) -> (Partnership, Option<Status>, Confirmation) {
        let start = rows
            .iter()
            .filter_map(|r| r.start)
            .min_by_key(|d| (d.earliest(), d.precision()));
        let explicit_status = rows.iter().find_map(|r| r.status);
        let mut notes: Vec<String> = Vec::new();
        if rows.len() > 1 {
            notes.push(format!(
                "The source lists this agency in {} rows ({}); they are merged into one partnership starting at the earliest date.",
                rows.len(),
                ids.join(", ")
            ));
        }
        notes.extend(rows.iter().filter_map(|r| r.notes.clone()));
        let notes = (!notes.is_empty()).then(|| notes.join(" "));
        let status = explicit_status.unwrap_or(Status::Active);
        // Evidence of an announcement or a cancellation is no evidence of activity.
        if matches!(status, Status::Announced | Status::Cancelled) {
            confirmed = None;
        }
        let existing_id = |r: SourceRef| match r {
            SourceRef::Existing(id) => Some(id),
            SourceRef::New(_) => None,
        };
        let fresh = Partnership {
            id: 0,
            agency_id: agency_id.to_string(),
            program_id: RING_PROGRAM_ID.into(),
            status,
            start,
            end: None,
            video_requests: Vec::new(),
            external_ids: external_ids.into(),
            notes,
            last_confirmed: confirmed.map(|c| c.0),
            // A source the import creates gets its id when it is written.
            last_confirmed_source: confirmed.and_then(|c| existing_id(c.1)),
            meta: self.placeholder.clone(),
        };
        (fresh, explicit_status, confirmed)
    }

    /// The fresh partnership against the one it matches, keeping what the import does not
    /// know; with the partnership's id and the source that confirms it, when the import
    /// moves its confirmation.
    fn partnership_change(
        &self,
        fresh: Partnership,
        ids: &[String],
        explicit_status: Option<Status>,
        confirmed: Confirmation,
        report: &mut ImportReport,
    ) -> (Change<Partnership>, Option<i64>, Option<SourceRef>) {
        *report
            .start_precision
            .entry(
                fresh
                    .start
                    .map(|d| d.precision().as_str())
                    .unwrap_or("unknown"),
            )
            .or_default() += 1;
        let mut confirmed_by = confirmed.map(|c| c.1);
        let Some(current) = find_partnership(self.catalog, &fresh.agency_id, self.profile.key, ids)
        else {
            report.partnerships.created += 1;
            return (Change::Create(fresh), None, confirmed_by);
        };
        let mut next = fresh;
        next.id = current.id;
        next.end = current.end;
        next.video_requests = current.video_requests.clone();
        next.last_confirmed = current.last_confirmed;
        next.notes = next.notes.or_else(|| current.notes.clone());
        let mut ext = current.external_ids.clone();
        ext.extend(next.external_ids);
        next.external_ids = ext;
        if explicit_status.is_none() && matches!(current.status, Status::Ended | Status::Cancelled)
        {
            next.status = current.status;
        }
        // A confirmation only moves forward (an edit may know of newer evidence).
        let current_confirmation = current.last_confirmed.map(|d| (d, None));
        let fresh_confirmation = next
            .last_confirmed
            .map(|d| (d, Some(next.last_confirmed_source)));
        if let Some((_, None)) = evidence::newer(current_confirmation, fresh_confirmation) {
            next.last_confirmed = current.last_confirmed;
            next.last_confirmed_source = current.last_confirmed_source;
            confirmed_by = None;
        }
        next.meta = current.meta.clone();
        if next == *current {
            report.partnerships.unchanged += 1;
            (Change::Unchanged, Some(current.id), confirmed_by)
        } else {
            report.partnerships.updated += 1;
            (Change::Update(next), Some(current.id), confirmed_by)
        }
    }

    /// Citations of every source by the agency and the partnership, the Atlas one quoting
    /// the Summary on the partnership.
    fn citations(
        &self,
        agency_id: &str,
        partnership_id: Option<i64>,
        rows: &[&AtlasRow],
        refs: &[SourceRef],
        report: &mut ImportReport,
    ) -> (Vec<CitationChange>, Vec<CitationChange>) {
        let mut summaries: Vec<&str> = Vec::new();
        for r in rows {
            if !r.summary.is_empty() && !summaries.contains(&r.summary.as_str()) {
                summaries.push(&r.summary);
            }
        }
        let quote = (!summaries.is_empty()).then(|| summaries.join("\n"));
        let wanted = |with_quote: bool| -> Vec<(SourceRef, Option<String>)> {
            refs.iter()
                .map(|r| {
                    let q = (with_quote && Some(*r) == self.atlas).then(|| quote.clone());
                    (*r, q.flatten())
                })
                .collect()
        };
        let agency_citations = plan_citations(
            self.catalog,
            EntityKind::Agency,
            Some(agency_id),
            wanted(false),
            report,
        );
        let pid = partnership_id.map(|id| id.to_string());
        let partnership_citations = plan_citations(
            self.catalog,
            EntityKind::Partnership,
            pid.as_deref(),
            wanted(true),
            report,
        );
        (agency_citations, partnership_citations)
    }

    /// The note on the group's revisions: the profile's, and the rows it comes from.
    fn note(&self, rows: &[&AtlasRow], ids: &[String]) -> String {
        let row_list = if ids.is_empty() {
            rows.iter()
                .map(|r| format!("line {}", r.line))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            ids.join(", ")
        };
        format!("{} (row {row_list})", self.profile.note)
    }
}

/// The agency's partnership in the Ring program that this row set describes.
fn find_partnership<'c>(
    catalog: &'c Catalog,
    agency_id: &str,
    key: &str,
    ids: &[String],
) -> Option<&'c Partnership> {
    let in_program: Vec<&Partnership> = catalog
        .partnerships_of(agency_id)
        .into_iter()
        .map(|p| &**p)
        .filter(|p| p.program_id == RING_PROGRAM_ID)
        .collect();
    let shares_id = |p: &Partnership| {
        p.external_ids
            .get(key)
            .is_some_and(|v| v.split(';').any(|id| ids.iter().any(|i| i == id)))
    };
    if let Some(p) = in_program.iter().copied().find(|p| shares_id(p)) {
        return Some(p);
    }
    let unkeyed: Vec<&&Partnership> = in_program
        .iter()
        .filter(|p| !p.external_ids.contains_key(key))
        .collect();
    match unkeyed.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

fn plan_citations(
    catalog: &Catalog,
    kind: EntityKind,
    entity_id: Option<&str>,
    wanted: Vec<(SourceRef, Option<String>)>,
    report: &mut ImportReport,
) -> Vec<CitationChange> {
    let existing: Vec<&Citation> = entity_id
        .map(|id| catalog.citations_of(kind, id))
        .unwrap_or_default();
    let mut out = Vec::new();
    for (source, quote) in wanted {
        let current = match source {
            SourceRef::Existing(sid) => existing
                .iter()
                .find(|c| c.source_id == sid && c.field.is_none()),
            SourceRef::New(_) => None,
        };
        match current {
            None => {
                report.citations_created += 1;
                out.push(CitationChange::Create { source, quote });
            }
            // A quote is only ever added or corrected, never wiped by a row without one.
            Some(c) if quote.is_some() && c.quote != quote => {
                report.citations_updated += 1;
                let mut next = (*c).clone();
                next.quote = quote;
                out.push(CitationChange::Update(next));
            }
            Some(_) => {}
        }
    }
    out
}
