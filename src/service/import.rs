//! Importing partnerships from files in the Atlas of Surveillance format: the EFF export
//! (`import atlas`) and the hand-made sample that ships in `data/sample/`.
//!
//! An import is planned against the current catalog and written in ONE transaction, so it
//! lands whole or not at all. Planning compares the record each row would give with the
//! current one (ignoring bookkeeping), so importing the same file twice writes nothing the
//! second time, and a changed row writes one `import` revision.
//!
//! Rules worth knowing:
//! - An agency's id is `agency_slug(state, name)`. Rows naming the same agency twice (the
//!   Atlas has three such pairs) are merged: one agency, one partnership starting at the
//!   earlier date, both row ids kept as `external_ids.aos = "AOS3909;AOS4183"` (file order,
//!   `;`-separated), and a note saying so.
//! - A partnership is matched by agency, program and a shared row id; failing that, by the
//!   agency's only partnership in the program that has no row id of this kind yet.
//! - The import owns the fields it reads. It keeps what it does not know: an ORI it found no
//!   match for, notes, an end date, video-request counts, other external ids, and an `ended`
//!   or `cancelled` status unless the file gives a status itself.
//! - Sources are matched by URL and an existing one is reused as it stands (the seeded Atlas
//!   source, for one). Links to Ring's Google My Maps are reduced to the map's id, so the
//!   171 spellings of the map's URL in the Atlas are one source. The map's `Link 1 Date` is
//!   the agency's date on the map, not the map's publication date, so it is not `published`.
//! - Each agency and partnership cites its row's sources and the file's own source (the
//!   Atlas); the partnership's citation of the Atlas quotes the row's Summary.

use super::seed::RING_PROGRAM_ID;
use super::writer::Reason;
use super::{Dataset, ServiceError, Writer};
use crate::domain::evidence;
use crate::domain::ids::agency_slug;
use crate::domain::{
    Agency, AgencyType, ChangeKind, Citation, EntityKind, JurisdictionType, LocationBasis,
    LocationPrecision, Meta, Partnership, QualityFlag, Record, Source, SourceKind, Status,
};
use crate::import::atlas::{self, AtlasError, AtlasFile, AtlasRow, Link, Located, RING_TECHNOLOGY};
use crate::import::geocode::{self, Basis, Gazetteer, GeocodeHit, GeocodeQuery, Precision};
use crate::import::ori::{OriError, OriIndex};
use crate::service::catalog::Catalog;
use crate::store::StoreError;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// The sample dataset written for this project (see `data/sample/README.md`).
pub const SAMPLE_CSV: &str = include_str!("../../data/sample/partnerships.csv");

/// The Atlas of Surveillance itself, cited by every record an Atlas import writes.
pub const ATLAS_URL: &str = "https://atlasofsurveillance.org/";

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: AtlasError,
    },
    #[error(transparent)]
    Format(#[from] AtlasError),
    #[error(transparent)]
    Ori(#[from] OriError),
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the program `{0}` does not exist yet: open the database with `serve` first")]
    ProgramMissing(&'static str),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Service(ServiceError::Store(e))
    }
}

/// What kind of file is imported: how its rows are identified and what it cites.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    /// The `external_ids` key that holds the row ids (`aos`).
    pub key: &'static str,
    pub actor: &'static str,
    /// The note on every revision the import writes.
    pub note: &'static str,
    /// Whether every record cites the Atlas itself (quoting the Summary).
    pub cite_atlas: bool,
}

/// The EFF Atlas of Surveillance export.
pub const ATLAS: Profile = Profile {
    key: "aos",
    actor: "import:atlas",
    note: "Imported from the EFF Atlas of Surveillance export",
    cite_atlas: true,
};

/// The project's own sample (`data/sample/`).
pub const SAMPLE: Profile = Profile {
    key: "sample",
    actor: "import:sample",
    note: "Loaded from the project's sample dataset (data/sample/)",
    cite_atlas: false,
};

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions<'a> {
    /// Plan and report, write nothing.
    pub dry_run: bool,
    /// FBI agency list for ORI codes.
    pub ori: Option<&'a OriIndex>,
}

/// Created / updated / unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub line: u64,
    pub id: String,
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows in the file, all technologies.
    pub rows_read: usize,
    /// Rows of Ring partnerships.
    pub ring_rows: usize,
    pub skipped: Vec<Skipped>,
    /// Agencies named by more than one row, with the rows' ids.
    pub merged: Vec<(String, Vec<String>)>,
    pub agencies: Tally,
    pub partnerships: Tally,
    pub sources_created: usize,
    pub sources_reused: usize,
    pub citations_created: usize,
    pub citations_updated: usize,
    /// Agencies placed, by precision (`place`, `county`, `state`).
    pub geocoded: BTreeMap<&'static str, usize>,
    pub not_geocoded: usize,
    /// Partnership starts by precision (`day`, `month`, `year`, `unknown`).
    pub start_precision: BTreeMap<&'static str, usize>,
    /// Agencies given an ORI by the FBI list; `None` without a list.
    pub ori_matched: Option<usize>,
    /// Fields of the Ring rows that cleaning repaired, by kind of repair
    /// (`import::text::Repair`), e.g. `invisible_character_removed`.
    pub text_repairs: BTreeMap<&'static str, usize>,
    /// Agencies carrying each quality flag.
    pub quality_flags: BTreeMap<&'static str, usize>,
    /// Every agency with a quality flag: its id, its rows and its flags, in file order.
    pub flagged: Vec<(String, String, Vec<QualityFlag>)>,
    /// Revisions written (0 in a dry run, and when nothing changed).
    pub revisions: usize,
}

impl ImportReport {
    /// Whether the import changes anything.
    pub fn changes(&self) -> bool {
        self.agencies.created + self.agencies.updated > 0
            || self.partnerships.created + self.partnerships.updated > 0
            || self.sources_created + self.citations_created + self.citations_updated > 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = |t: &Tally| {
            format!(
                "{} created, {} updated, {} unchanged",
                t.created, t.updated, t.unchanged
            )
        };
        let counts = |m: &BTreeMap<&str, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        writeln!(f, "rows read:        {}", self.rows_read)?;
        writeln!(f, "Ring rows:        {}", self.ring_rows)?;
        writeln!(f, "skipped:          {}", self.skipped.len())?;
        for s in &self.skipped {
            writeln!(f, "  line {} ({}): {}", s.line, s.id, s.reason)?;
        }
        writeln!(f, "merged:           {}", self.merged.len())?;
        for (agency, ids) in &self.merged {
            writeln!(f, "  {agency}: rows {}", ids.join(", "))?;
        }
        writeln!(f, "agencies:         {}", t(&self.agencies))?;
        writeln!(f, "partnerships:     {}", t(&self.partnerships))?;
        writeln!(f, "start dates:      {}", counts(&self.start_precision))?;
        writeln!(f, "geocoded:         {}", counts(&self.geocoded))?;
        writeln!(f, "not geocoded:     {}", self.not_geocoded)?;
        let none = |m: &BTreeMap<&str, usize>| {
            if m.is_empty() {
                "none".to_string()
            } else {
                counts(m)
            }
        };
        writeln!(f, "text repairs:     {}", none(&self.text_repairs))?;
        writeln!(f, "quality flags:    {}", none(&self.quality_flags))?;
        for (agency, rows, flags) in &self.flagged {
            let flags: Vec<&str> = flags.iter().map(|q| q.as_str()).collect();
            writeln!(f, "  {agency} ({rows}): {}", flags.join(", "))?;
        }
        writeln!(
            f,
            "sources:          {} created, {} reused",
            self.sources_created, self.sources_reused
        )?;
        writeln!(
            f,
            "citations:        {} created, {} updated",
            self.citations_created, self.citations_updated
        )?;
        match self.ori_matched {
            Some(n) => writeln!(f, "ORI matched:      {n}")?,
            None => writeln!(f, "ORI matched:      (no --ori list given)")?,
        }
        write!(f, "revisions:        {}", self.revisions)
    }
}

/// Reads, checks and imports an Atlas export. Nothing is written when the file has an error.
pub async fn import_atlas_path(
    dataset: &Dataset,
    path: &Path,
    options: ImportOptions<'_>,
) -> Result<ImportReport, ImportError> {
    let file = read_atlas_path(path)?;
    import_file(dataset, &file, ATLAS, options).await
}

/// Reads and checks an Atlas export's Ring rows.
pub fn read_atlas_path(path: &Path) -> Result<AtlasFile, ImportError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ImportError::Open {
        path: shown.clone(),
        source,
    })?;
    atlas::read(std::io::BufReader::new(file), RING_TECHNOLOGY).map_err(|source| {
        ImportError::Read {
            path: shown,
            source,
        }
    })
}

/// The shipped sample, parsed.
pub fn sample_file() -> Result<AtlasFile, AtlasError> {
    atlas::read(SAMPLE_CSV.as_bytes(), RING_TECHNOLOGY)
}

/// Imports the shipped sample when the database has no partnerships yet. Returns whether it
/// wrote anything.
pub async fn load_sample_if_empty(dataset: &Dataset) -> Result<bool, ImportError> {
    dataset.sync().await?;
    if !dataset.read().partnerships.is_empty() {
        return Ok(false);
    }
    let file = sample_file()?;
    let report = import_file(dataset, &file, SAMPLE, ImportOptions::default()).await?;
    Ok(report.revisions > 0)
}

/// Imports checked rows. Takes the writer's lock first, then plans against a catalog brought
/// up to date, so no other writer can slip in between planning and writing.
pub async fn import_file(
    dataset: &Dataset,
    file: &AtlasFile,
    profile: Profile,
    options: ImportOptions<'_>,
) -> Result<ImportReport, ImportError> {
    if options.dry_run {
        dataset.sync().await?;
        let plan = plan(&dataset.read(), file, profile, options)?;
        return Ok(plan.report);
    }
    let mut writer = dataset.begin(profile.actor).await?;
    dataset.sync().await?;
    let plan = plan(&dataset.read(), file, profile, options)?;
    if !plan.report.changes() {
        // Dropping the writer rolls back: not even the lock leaves a trace.
        return Ok(plan.report);
    }
    let mut report = plan.report.clone();
    report.revisions = execute(&mut writer, plan, profile).await?;
    dataset.commit(writer).await?;
    Ok(report)
}

// ---------------------------------------------------------------------------------------
// Planning: pure, against the catalog.

/// A source that exists, or the n-th one the import creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SourceRef {
    Existing(i64),
    New(usize),
}

enum Change<T> {
    Create(T),
    /// The new state; its `meta` is the current version's.
    Update(T),
    Unchanged,
}

enum CitationChange {
    Create {
        source: SourceRef,
        quote: Option<String>,
    },
    /// The new state; its `meta` is the current version's.
    Update(Citation),
}

struct GroupPlan {
    note: String,
    agency_id: String,
    agency: Change<Agency>,
    /// For an update or no change, the partnership's id.
    partnership: Change<Partnership>,
    partnership_id: Option<i64>,
    /// The source of the partnership's `last_confirmed`, when the import sets it.
    confirmed_by: Option<SourceRef>,
    sources: Vec<SourceRef>,
    agency_citations: Vec<CitationChange>,
    partnership_citations: Vec<CitationChange>,
}

struct Plan {
    new_sources: Vec<Source>,
    groups: Vec<GroupPlan>,
    report: ImportReport,
}

fn plan(
    catalog: &Catalog,
    file: &AtlasFile,
    profile: Profile,
    options: ImportOptions<'_>,
) -> Result<Plan, ImportError> {
    if !catalog.programs.contains_key(RING_PROGRAM_ID) {
        return Err(ImportError::ProgramMissing(RING_PROGRAM_ID));
    }
    let placeholder = Meta::new(super::writer::now());
    let mut report = ImportReport {
        dry_run: options.dry_run,
        rows_read: file.rows_read,
        ring_rows: file.rows.len(),
        ori_matched: options.ori.map(|_| 0),
        text_repairs: file.repairs.by_name(),
        ..ImportReport::default()
    };

    // Rows by agency, in file order; a repeated row id is skipped.
    let mut groups: Vec<(String, Vec<&AtlasRow>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<&str, u64> = HashMap::new();
    for row in &file.rows {
        if !row.id.is_empty()
            && let Some(first) = seen_ids.insert(&row.id, row.line)
        {
            report.skipped.push(Skipped {
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

    let mut sources = SourcePlanner::new(catalog, placeholder.clone());
    let atlas = profile.cite_atlas.then(|| sources.atlas());
    let gazetteer = Gazetteer::embedded();

    let mut planned = Vec::with_capacity(groups.len());
    for (agency_id, rows) in &groups {
        let first = rows[0];
        let ids: Vec<String> = rows
            .iter()
            .filter(|r| !r.id.is_empty())
            .map(|r| r.id.clone())
            .collect();
        if rows.len() > 1 {
            report.merged.push((agency_id.clone(), ids.clone()));
        }

        // Sources: the file's own first, then each row's links in order. The newest of their
        // dates (the Atlas's: the day of Ring's map it recorded) is the last confirmation.
        let mut refs: Vec<SourceRef> = atlas.into_iter().collect();
        let mut confirmed: Option<(time::Date, SourceRef)> =
            atlas.map(|a| (atlas_snapshot_day(), a));
        for row in rows {
            for link in &row.links {
                let r = sources.source_for(link, row);
                if !refs.contains(&r) {
                    refs.push(r);
                }
                confirmed = evidence::newer(confirmed, link.date.map(|d| (d.earliest(), r)));
            }
        }

        // Agency.
        let agency_type = agency_type(&first.lea_type);
        let jurisdiction_type = jurisdiction_type(&first.jurisdiction);
        let Placement {
            location: place,
            flags: quality_flags,
        } = placed(gazetteer, first, agency_type, jurisdiction_type);
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
                .push((agency_id.clone(), rows, quality_flags.clone()));
        }
        match &place {
            Some(p) => *report.geocoded.entry(p.precision.as_str()).or_default() += 1,
            None => report.not_geocoded += 1,
        }
        let ori = first.ori.as_deref().or_else(|| {
            options
                .ori
                .and_then(|idx| idx.lookup(first.state.as_str(), &first.agency))
        });
        if ori.is_some()
            && let Some(n) = report.ori_matched.as_mut()
        {
            *n += 1;
        }
        let mut external_ids = BTreeMap::new();
        if !ids.is_empty() {
            external_ids.insert(profile.key.to_string(), ids.join(";"));
        }
        let fresh = Agency {
            id: agency_id.clone(),
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
            external_ids: external_ids.clone(),
            notes: None,
            meta: placeholder.clone(),
            rendered: Default::default(),
        };
        let agency = match catalog.agencies.get(agency_id) {
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
        };

        // Partnership: the earliest start of the rows, at its own precision.
        let start = rows
            .iter()
            .filter_map(|r| r.start)
            .min_by_key(|d| (d.earliest(), d.precision()));
        *report
            .start_precision
            .entry(start.map(|d| d.precision().as_str()).unwrap_or("unknown"))
            .or_default() += 1;
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
            agency_id: agency_id.clone(),
            program_id: RING_PROGRAM_ID.into(),
            status,
            start,
            end: None,
            video_requests: Vec::new(),
            external_ids,
            notes,
            last_confirmed: confirmed.map(|c| c.0),
            // A source the import creates gets its id when it is written.
            last_confirmed_source: confirmed.and_then(|c| existing_id(c.1)),
            meta: placeholder.clone(),
        };
        let mut confirmed_by = confirmed.map(|c| c.1);
        let (partnership, partnership_id) =
            match find_partnership(catalog, agency_id, profile.key, &ids) {
                None => {
                    report.partnerships.created += 1;
                    (Change::Create(fresh), None)
                }
                Some(current) => {
                    let mut next = fresh;
                    next.id = current.id;
                    next.end = current.end;
                    next.video_requests = current.video_requests.clone();
                    next.last_confirmed = current.last_confirmed;
                    next.notes = next.notes.or_else(|| current.notes.clone());
                    let mut ext = current.external_ids.clone();
                    ext.extend(next.external_ids);
                    next.external_ids = ext;
                    if explicit_status.is_none()
                        && matches!(current.status, Status::Ended | Status::Cancelled)
                    {
                        next.status = current.status;
                    }
                    // A confirmation only moves forward (an edit may know of newer evidence).
                    let current_confirmation = current.last_confirmed.map(|d| (d, None));
                    let fresh_confirmation = next
                        .last_confirmed
                        .map(|d| (d, Some(next.last_confirmed_source)));
                    if let Some((_, None)) =
                        evidence::newer(current_confirmation, fresh_confirmation)
                    {
                        next.last_confirmed = current.last_confirmed;
                        next.last_confirmed_source = current.last_confirmed_source;
                        confirmed_by = None;
                    }
                    next.meta = current.meta.clone();
                    if next == *current {
                        report.partnerships.unchanged += 1;
                        (Change::Unchanged, Some(current.id))
                    } else {
                        report.partnerships.updated += 1;
                        (Change::Update(next), Some(current.id))
                    }
                }
            };

        // Citations: every source, the Atlas one quoting the Summary on the partnership.
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
                    let q = (with_quote && Some(*r) == atlas).then(|| quote.clone());
                    (*r, q.flatten())
                })
                .collect()
        };
        let agency_citations = plan_citations(
            catalog,
            EntityKind::Agency,
            Some(agency_id.as_str()),
            wanted(false),
            &mut report,
        );
        let pid = partnership_id.map(|id| id.to_string());
        let partnership_citations = plan_citations(
            catalog,
            EntityKind::Partnership,
            pid.as_deref(),
            wanted(true),
            &mut report,
        );

        let row_list = if ids.is_empty() {
            rows.iter()
                .map(|r| format!("line {}", r.line))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            ids.join(", ")
        };
        planned.push(GroupPlan {
            note: format!("{} (row {row_list})", profile.note),
            agency_id: agency_id.clone(),
            agency,
            partnership,
            partnership_id,
            confirmed_by,
            sources: refs,
            agency_citations,
            partnership_citations,
        });
    }

    report.sources_created = sources.new.len();
    report.sources_reused = sources.reused;
    Ok(Plan {
        new_sources: sources.new,
        groups: planned,
        report,
    })
}

/// Where a row's agency is and what its record's quality flags are.
pub(crate) struct Placement {
    pub location: Option<Located>,
    /// Sorted, without repeats.
    pub flags: Vec<QualityFlag>,
}

/// Where a row's agency is: the location the row carries (the shipped dataset's, geocoded
/// when it was made), else the gazetteer's answer. Its quality flags are the row's own
/// (`Quality Flags`), else the gazetteer's checks of the row's city and county against its
/// state, with the fallback its location's precision implies.
pub(crate) fn placed(
    gazetteer: &Gazetteer,
    row: &AtlasRow,
    agency_type: AgencyType,
    jurisdiction_type: JurisdictionType,
) -> Placement {
    let county_level = agency_type == AgencyType::Sheriff
        || matches!(
            jurisdiction_type,
            JurisdictionType::County | JurisdictionType::Parish
        );
    if let (Some(l), Some(flags)) = (&row.location, &row.quality_flags) {
        return Placement {
            location: Some(l.clone()),
            flags: flags.clone(),
        };
    }
    let hit = gazetteer.geocode(&GeocodeQuery {
        agency_name: &row.agency,
        city: row.city.as_deref(),
        county: row.county.as_deref(),
        state: row.state.as_str(),
        county_level,
    });
    let location = row.location.clone().or_else(|| {
        hit.as_ref().map(|hit| Located {
            latitude: hit.latitude,
            longitude: hit.longitude,
            precision: location_precision(hit.precision),
            basis: Some(location_basis(&hit.basis)),
            source: Some(location_source(hit)),
        })
    });
    let flags = match &row.quality_flags {
        Some(flags) => flags.clone(),
        None => {
            let fallbacks = [
                QualityFlag::LocationCountyFallback,
                QualityFlag::LocationStateFallback,
            ];
            let mut flags: Vec<QualityFlag> = hit
                .map(|h| h.flags)
                .unwrap_or_default()
                .into_iter()
                .filter(|f| !fallbacks.contains(f))
                .collect();
            if let Some(l) = &location {
                let precision = match l.precision {
                    LocationPrecision::Address | LocationPrecision::Place => Precision::Place,
                    LocationPrecision::County => Precision::County,
                    LocationPrecision::State => Precision::State,
                };
                flags.extend(geocode::fallback_flags(precision, county_level));
            }
            flags.sort();
            flags.dedup();
            flags
        }
    };
    Placement { location, flags }
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

struct SourcePlanner {
    by_url: HashMap<String, SourceRef>,
    new: Vec<Source>,
    reused: usize,
    reused_ids: HashSet<i64>,
    placeholder: Meta,
}

impl SourcePlanner {
    fn new(catalog: &Catalog, placeholder: Meta) -> Self {
        Self {
            by_url: catalog
                .sources
                .values()
                .map(|s| (s.url.clone(), SourceRef::Existing(s.id)))
                .collect(),
            new: Vec::new(),
            reused: 0,
            reused_ids: HashSet::new(),
            placeholder,
        }
    }

    fn get_or_add(&mut self, source: Source) -> SourceRef {
        if let Some(&r) = self.by_url.get(&source.url) {
            if let SourceRef::Existing(id) = r
                && self.reused_ids.insert(id)
            {
                self.reused += 1;
            }
            return r;
        }
        let r = SourceRef::New(self.new.len());
        self.by_url.insert(source.url.clone(), r);
        self.new.push(source);
        r
    }

    fn atlas(&mut self) -> SourceRef {
        let source = Source {
            id: 0,
            url: ATLAS_URL.into(),
            title: "Atlas of Surveillance: Ring/Neighbors partnerships (export of 2020-10-07)"
                .into(),
            publisher: Some(
                "Electronic Frontier Foundation and University of Nevada, Reno Reynolds School of Journalism"
                    .into(),
            ),
            published: "2020-10-07".parse().ok(),
            accessed: None,
            archived_url: None,
            kind: SourceKind::Dataset,
            meta: self.placeholder.clone(),
        };
        self.get_or_add(source)
    }

    fn source_for(&mut self, link: &Link, row: &AtlasRow) -> SourceRef {
        let url = canonical_url(&link.url);
        let kind = source_kind(link, row);
        let title = link.title.clone().unwrap_or_else(|| match kind {
            SourceKind::OfficialMap => {
                "Ring's Active Agency Map of Neighbors law enforcement partners (Google My Maps)"
                    .into()
            }
            SourceKind::PublicRecords => format!(
                "Public records on the {}'s ({}) partnership with Ring",
                row.agency, row.state
            ),
            _ => format!("The {}'s ({}) partnership with Ring", row.agency, row.state),
        });
        let source = Source {
            id: 0,
            url,
            title,
            publisher: link.publisher.clone(),
            published: if kind == SourceKind::OfficialMap {
                None
            } else {
                link.date
            },
            accessed: None,
            archived_url: link.snapshot.clone(),
            kind,
            meta: self.placeholder.clone(),
        };
        self.get_or_add(source)
    }
}

/// The day of Ring's map the Atlas export of 2020-10-07 recorded.
fn atlas_snapshot_day() -> time::Date {
    time::macros::date!(2020 - 10 - 07)
}

const RING_MAP_ID: &str = "1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB";

/// Google My Maps links are reduced to the map: `…/maps/d/viewer?mid=<id>`.
pub(crate) fn canonical_url(raw: &str) -> String {
    let raw = raw.trim();
    if let Ok(u) = url::Url::parse(raw)
        && u.host_str().is_some_and(|h| h.ends_with("google.com"))
        && u.path().contains("/maps/d/")
        && let Some((_, mid)) = u.query_pairs().find(|(k, _)| k == "mid")
    {
        return format!("https://www.google.com/maps/d/viewer?mid={mid}");
    }
    raw.to_string()
}

/// `Link N Type` when it names a kind; else a guess from the URL and publisher.
pub(crate) fn source_kind(link: &Link, row: &AtlasRow) -> SourceKind {
    if let Some(kind) = link.kind.as_deref() {
        let key = kind.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        if let Ok(k) = key.parse() {
            return k;
        }
    }
    let url = link.url.to_ascii_lowercase();
    if url.contains(&RING_MAP_ID.to_ascii_lowercase()) || url.contains("google.com/maps/d/") {
        return SourceKind::OfficialMap;
    }
    if url.contains("documentcloud.org") || url.contains("/foia/") {
        return SourceKind::PublicRecords;
    }
    if url.contains("nextdoor.com/agency-post") || url.contains("crimewatchpa.com") {
        return SourceKind::AgencyPost;
    }
    let Some(publisher) = link.publisher.as_deref().map(str::to_ascii_lowercase) else {
        return SourceKind::Other;
    };
    // A city or its police publishing about its own programme.
    let own = |s: Option<&str>| s.is_some_and(|s| s.to_ascii_lowercase().contains(&publisher));
    if own(row.city.as_deref()) || own(Some(&row.agency)) {
        return SourceKind::AgencyPost;
    }
    SourceKind::News
}

pub(crate) fn agency_type(text: &str) -> AgencyType {
    match text.trim() {
        "Police" => AgencyType::Police,
        "Sheriff" => AgencyType::Sheriff,
        "Constables" | "Constable" => AgencyType::Constable,
        "District Attorney" => AgencyType::DistrictAttorney,
        "Fire" => AgencyType::Fire,
        _ => AgencyType::Other,
    }
}

pub(crate) fn jurisdiction_type(text: &str) -> JurisdictionType {
    match text.trim() {
        "Municipal" => JurisdictionType::Municipal,
        "County" => JurisdictionType::County,
        "Parish" => JurisdictionType::Parish,
        "Regional" => JurisdictionType::Regional,
        "State" => JurisdictionType::State,
        "Tribal" => JurisdictionType::Tribal,
        "University" => JurisdictionType::University,
        _ => JurisdictionType::Other,
    }
}

fn location_precision(p: Precision) -> LocationPrecision {
    match p {
        Precision::Place => LocationPrecision::Place,
        Precision::County => LocationPrecision::County,
        Precision::State => LocationPrecision::State,
    }
}

/// The geocoder's basis in the published vocabulary.
fn location_basis(basis: &Basis) -> LocationBasis {
    match basis {
        Basis::Place => LocationBasis::GeonamesPlace,
        Basis::CountyPlace(_) => LocationBasis::CountyPlace,
        Basis::CountyCentroid => LocationBasis::CountyCentroid,
        Basis::CountyPole => LocationBasis::CountyPole,
        Basis::CountyInterior => LocationBasis::CountyInterior,
        Basis::StateInterior => LocationBasis::StateInterior,
    }
}

/// Where the point came from, with the attribution its licence asks for: what the
/// coordinates are, which for a county is usually a town inside it, never the county's own
/// geometric point.
fn location_source(hit: &GeocodeHit) -> String {
    let what = hit
        .matched
        .rsplit_once(" (")
        .map(|(name, _)| name)
        .unwrap_or(&hit.matched);
    match &hit.basis {
        Basis::Place => format!("GeoNames gazetteer (CC BY 4.0): {what}"),
        Basis::CountyPlace(place) => {
            let state = what.rsplit_once(", ").map_or("", |(_, s)| s);
            format!(
                "GeoNames place (CC BY 4.0) nearest the US Census interior point of {what}: {place}, {state}"
            )
        }
        Basis::CountyCentroid => format!("US Census county centroid: {what}"),
        Basis::CountyPole => {
            format!("US Census county interior point (pole of inaccessibility): {what}")
        }
        Basis::CountyInterior => format!("US Census county interior point: {what}"),
        Basis::StateInterior => format!("US Census state interior point: {what}"),
    }
}

// ---------------------------------------------------------------------------------------
// Writing: one transaction.

async fn execute(w: &mut Writer, plan: Plan, profile: Profile) -> Result<usize, ImportError> {
    let mut revisions = 0;
    let mut new_ids = Vec::with_capacity(plan.new_sources.len());
    for source in plan.new_sources {
        let why = Reason {
            kind: ChangeKind::Import,
            note: Some(profile.note),
            sources: &[],
        };
        let Record::Source(s) = w.create(Record::Source(source), why).await? else {
            unreachable!("create returns the record it was given")
        };
        new_ids.push(s.id);
        revisions += 1;
    }
    let resolve = |r: SourceRef| match r {
        SourceRef::Existing(id) => id,
        SourceRef::New(i) => new_ids[i],
    };

    for g in plan.groups {
        let cited: Vec<i64> = g.sources.iter().map(|r| resolve(*r)).collect();
        let why = Reason {
            kind: ChangeKind::Import,
            note: Some(&g.note),
            sources: &cited,
        };
        match g.agency {
            Change::Create(a) => {
                w.create(Record::Agency(a), why).await?;
                revisions += 1;
            }
            Change::Update(a) => {
                let current = a.meta.clone();
                w.update(&current, Record::Agency(a), why).await?;
                revisions += 1;
            }
            Change::Unchanged => {}
        }
        let confirm = |p: &mut Partnership| {
            if let Some(r) = g.confirmed_by {
                p.last_confirmed_source = Some(resolve(r));
            }
        };
        let partnership_id = match g.partnership {
            Change::Create(mut p) => {
                confirm(&mut p);
                let Record::Partnership(p) = w.create(Record::Partnership(p), why).await? else {
                    unreachable!("create returns the record it was given")
                };
                revisions += 1;
                p.id
            }
            Change::Update(mut p) => {
                confirm(&mut p);
                let current = p.meta.clone();
                let id = p.id;
                w.update(&current, Record::Partnership(p), why).await?;
                revisions += 1;
                id
            }
            Change::Unchanged => g.partnership_id.unwrap_or_default(),
        };
        let pid = partnership_id.to_string();
        for (kind, entity, changes) in [
            (EntityKind::Agency, g.agency_id.as_str(), g.agency_citations),
            (
                EntityKind::Partnership,
                pid.as_str(),
                g.partnership_citations,
            ),
        ] {
            for change in changes {
                revisions += write_citation(w, kind, entity, change, &resolve, &g.note).await?;
            }
        }
    }
    Ok(revisions)
}

async fn write_citation(
    w: &mut Writer,
    kind: EntityKind,
    entity_id: &str,
    change: CitationChange,
    resolve: &impl Fn(SourceRef) -> i64,
    note: &str,
) -> Result<usize, ImportError> {
    match change {
        CitationChange::Create { source, quote } => {
            let source_id = resolve(source);
            let citation = Citation {
                id: 0,
                source_id,
                entity_kind: kind,
                entity_id: entity_id.to_string(),
                field: None,
                quote,
                meta: Meta::new(w.at()),
            };
            let why = Reason {
                kind: ChangeKind::Import,
                note: Some(note),
                sources: &[source_id],
            };
            w.create(Record::Citation(citation), why).await?;
        }
        CitationChange::Update(c) => {
            let current = c.meta.clone();
            let source_id = c.source_id;
            let why = Reason {
                kind: ChangeKind::Import,
                note: Some(note),
                sources: &[source_id],
            };
            w.update(&current, Record::Citation(c), why).await?;
        }
    }
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_rings_map_is_one_source() {
        let a = canonical_url(
            "https://www.google.com/maps/d/viewer?mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB&usp=sharing",
        );
        let b = canonical_url(
            "https://www.google.com/maps/d/u/0/viewer?mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB&ll=36.19%2C-103.96&z=148",
        );
        assert_eq!(a, b);
        assert_eq!(
            a,
            "https://www.google.com/maps/d/viewer?mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB"
        );
        assert_eq!(
            canonical_url(" https://example.org/a?b=c "),
            "https://example.org/a?b=c"
        );
    }

    #[test]
    fn a_location_source_says_what_the_point_is() {
        let g = Gazetteer::embedded();
        let source = |agency: &str, city: &str, county: &str, state: &str, county_level| {
            let hit = g
                .geocode(&GeocodeQuery {
                    agency_name: agency,
                    city: Some(city).filter(|c| !c.is_empty()),
                    county: Some(county).filter(|c| !c.is_empty()),
                    state,
                    county_level,
                })
                .unwrap();
            (hit.latitude, hit.longitude, location_source(&hit))
        };
        // A sheriff at its county's point, which is the town of Santa Paula: said so.
        let (lat, lon, text) = source("Ventura County Sheriff", "", "Ventura County", "CA", true);
        assert_eq!(
            text,
            "GeoNames place (CC BY 4.0) nearest the US Census interior point of Ventura County, CA: Santa Paula, CA"
        );
        let (town_lat, town_lon, town) = source("Police", "Santa Paula", "", "CA", false);
        assert_eq!((lat, lon), (town_lat, town_lon), "the same point");
        assert_eq!(town, "GeoNames gazetteer (CC BY 4.0): Santa Paula, CA");
        let (_, _, text) = source("Nome Police", "", "Nome Census Area", "AK", true);
        assert_eq!(text, "US Census county centroid: Nome Census Area, AK");
        let (_, _, text) = source("Nowhere PD", "", "", "NH", false);
        assert_eq!(text, "US Census state interior point: New Hampshire");
    }

    #[test]
    fn atlas_vocabularies_map_to_ours() {
        assert_eq!(agency_type("Constables"), AgencyType::Constable);
        assert_eq!(agency_type("Marshal"), AgencyType::Other);
        assert_eq!(jurisdiction_type("Parish"), JurisdictionType::Parish);
        assert_eq!(jurisdiction_type("Federal"), JurisdictionType::Other);
    }

    #[test]
    fn the_sample_parses_and_every_row_has_a_source() {
        let file = sample_file().unwrap();
        assert!((20..=40).contains(&file.rows.len()), "{}", file.rows.len());
        for row in &file.rows {
            assert!(!row.links.is_empty(), "line {}", row.line);
            assert!(row.links[0].title.is_some(), "line {}", row.line);
        }
    }
}
