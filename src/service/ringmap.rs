//! Applying a snapshot of Ring's Active Agency Map (`import ring-map`): every change through
//! the edit path (the same checks, history and citations), all in ONE transaction.
//!
//! - The file is a source (`official_map`, accessed = the snapshot's day, its SHA-256 in the
//!   URL's fragment and the title), cited by every revision the import writes.
//! - A placemark is matched to an agency by normalised name and state, then city. One that
//!   matches none is a new agency with a new partnership (start = the map's activation
//!   date, to the day), each cited with a citation of the snapshot.
//! - A listed partnership has its `last_confirmed` moved to the snapshot's day (a
//!   `new_evidence` revision), and the snapshot's video-request count recorded for its period.
//! - A partnership the previous snapshot listed that this one does not has ended between the
//!   two: status `ended`, end = the range from the day after it was last seen to this
//!   snapshot's day.
//! - Everything is compared with what is recorded first, so importing the same file again
//!   writes nothing. A dry run does every check and write inside the transaction, then
//!   rolls it back. Snapshots are imported in order: one older than an imported one is
//!   refused, since what vanished between them could no longer be told.

use super::catalog::Catalog;
use super::edit::{self, ChangeRequest, EditError, Precondition, content};
use super::seed::RING_PROGRAM_ID;
use super::{Dataset, ServiceError, Writer};
use crate::domain::{ChangeKind, EntityKind, PartialDate, Record, SourceKind, Status};
use crate::import::ringmap::{self, KmlError, MapFile, Match, NameIndex, Placemark};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::fmt;
use time::Date;

/// The actor revisions written by a snapshot import record.
pub const ACTOR: &str = "import:ring-map";

/// Ring's Active Agency Map, as its KML export is fetched. A snapshot's source is this URL
/// with `#sha256=<hex of the file>`: one source per file.
pub const MAP_URL: &str =
    "https://www.google.com/maps/d/kml?forcekml=1&mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB";

#[derive(Debug, thiserror::Error)]
pub enum RingMapError {
    #[error("{0}")]
    File(#[from] KmlError),
    /// The snapshot cannot be applied as it stands (out of order, a clash with a record).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for RingMapError {
    fn from(e: crate::store::StoreError) -> Self {
        RingMapError::Service(e.into())
    }
}

/// One line of the diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The placemark (1-based), when the line is about one.
    pub placemark: Option<usize>,
    pub name: String,
    /// The record (`partnership/12`, `agency/us-wi-...`), when there is one.
    pub record: Option<String>,
    pub detail: String,
}

#[derive(Clone, Debug, Default)]
pub struct RingMapReport {
    pub dry_run: bool,
    pub observed: Option<Date>,
    pub sha256: String,
    /// The snapshot's source: its id once written (`None` in a dry run that would create it).
    pub source: Option<i64>,
    /// The day of the snapshot before this one, whose partnerships absent now have ended.
    pub previous: Option<Date>,
    pub new: Vec<Line>,
    pub confirmed: Vec<Line>,
    /// Listed, and already recorded as this snapshot says.
    pub unchanged: Vec<Line>,
    pub ended: Vec<Line>,
    pub unmatched: Vec<Line>,
    /// Revisions written (0 in a dry run, and when nothing changed).
    pub revisions: usize,
    pub seq: i64,
}

impl fmt::Display for RingMapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        if let Some(day) = self.observed {
            writeln!(f, "snapshot of {day} (SHA-256 {})", self.sha256)?;
        }
        match self.previous {
            Some(day) => writeln!(f, "previous snapshot: {day}")?,
            None => writeln!(f, "previous snapshot: none imported")?,
        }
        let section = |f: &mut fmt::Formatter<'_>, title: &str, lines: &[Line]| {
            writeln!(f, "{title}: {}", lines.len())?;
            for l in lines {
                let at = l
                    .placemark
                    .map_or(String::new(), |n| format!("placemark {n} "));
                let record = l
                    .record
                    .as_deref()
                    .map_or(String::new(), |r| format!(" {r}"));
                writeln!(f, "  {at}`{}`{record}: {}", l.name, l.detail)?;
            }
            Ok(())
        };
        section(f, "new", &self.new)?;
        section(f, "confirmed", &self.confirmed)?;
        section(f, "ended", &self.ended)?;
        section(f, "unmatched", &self.unmatched)?;
        write!(
            f,
            "unchanged: {}; revisions: {}",
            self.unchanged.len(),
            self.revisions
        )
    }
}

/// The source a snapshot file is: its URL.
pub fn source_url(sha256: &str) -> String {
    format!("{MAP_URL}#sha256={sha256}")
}

fn is_snapshot(s: &crate::domain::Source) -> bool {
    s.kind == SourceKind::OfficialMap && s.url.starts_with(&format!("{MAP_URL}#sha256="))
}

fn refused(message: impl Into<String>) -> RingMapError {
    RingMapError::Refused(message.into())
}

fn edit_error(what: &str, e: EditError) -> RingMapError {
    match e {
        EditError::Service(s) => RingMapError::Service(s),
        other => refused(format!("{what}: {other}")),
    }
}

/// Folds what the writer wrote since the last call into the scratch catalog.
fn fold(w: &mut Writer, scratch: &mut Catalog, revisions: &mut usize) -> Result<(), RingMapError> {
    for rev in w.take_staged() {
        *revisions += 1;
        scratch
            .apply(&rev)
            .map_err(|e| RingMapError::Service(e.into()))?;
    }
    Ok(())
}

/// The video-request counts with this snapshot's put in: a count for the same period is
/// replaced (a later export's count is the newer word), others kept.
fn with_count(
    counts: &[crate::domain::VideoRequestCount],
    p: &Placemark,
) -> Option<Vec<crate::domain::VideoRequestCount>> {
    let v = p.video_requests.as_ref()?;
    let (from, to) = v.period?;
    let mut out: Vec<_> = counts
        .iter()
        .filter(|c| !(c.from == from && c.to == Some(to)))
        .cloned()
        .collect();
    out.push(crate::domain::VideoRequestCount {
        from,
        to: Some(to),
        count: v.count,
    });
    out.sort_by_key(|c| c.from.earliest());
    Some(out)
}

struct Ctx<'a> {
    w: &'a mut Writer,
    scratch: Catalog,
    revisions: usize,
    source: Option<i64>,
    observed: Date,
    sha256: &'a str,
}

impl Ctx<'_> {
    /// The snapshot's source, created on first use.
    async fn source(&mut self) -> Result<i64, RingMapError> {
        if let Some(id) = self.source {
            return Ok(id);
        }
        let fields = json!({
            "url": source_url(self.sha256),
            "title": format!(
                "Ring Active Agency Map, snapshot of {} (KML, SHA-256 {})",
                self.observed, self.sha256
            ),
            "publisher": "Ring",
            "accessed": self.observed.to_string(),
            "kind": SourceKind::OfficialMap.as_str(),
        });
        let Value::Object(fields) = fields else {
            unreachable!("an object")
        };
        let record = edit::prepare_create(&self.scratch, EntityKind::Source, fields)
            .map_err(|e| edit_error("the snapshot's source", e))?;
        let change = self.change(ChangeKind::Created, "The snapshot's file", vec![]);
        let written = edit::write_create(self.w, &self.scratch, record, &change)
            .await
            .map_err(|e| edit_error("the snapshot's source", e))?;
        fold(self.w, &mut self.scratch, &mut self.revisions)?;
        let id = written.entity_id().parse().unwrap_or_default();
        self.source = Some(id);
        Ok(id)
    }

    fn change(&self, kind: ChangeKind, note: &str, sources: Vec<i64>) -> ChangeRequest {
        ChangeRequest {
            kind,
            note: note.to_string(),
            sources,
            new_sources: vec![],
        }
    }

    async fn create(
        &mut self,
        kind: EntityKind,
        fields: Map<String, Value>,
        change_kind: ChangeKind,
        note: &str,
        what: &str,
    ) -> Result<Record, RingMapError> {
        let sid = self.source().await?;
        let record =
            edit::prepare_create(&self.scratch, kind, fields).map_err(|e| edit_error(what, e))?;
        let change = self.change(change_kind, note, vec![sid]);
        let written = edit::write_create(self.w, &self.scratch, record, &change)
            .await
            .map_err(|e| edit_error(what, e))?;
        fold(self.w, &mut self.scratch, &mut self.revisions)?;
        Ok(written)
    }

    async fn update(
        &mut self,
        kind: EntityKind,
        id: &str,
        patch: Map<String, Value>,
        change_kind: ChangeKind,
        note: &str,
    ) -> Result<bool, RingMapError> {
        let what = format!("{kind}/{id}");
        let (old, record) =
            edit::prepare_update(&self.scratch, kind, id, &Precondition::Any, patch)
                .map_err(|e| edit_error(&what, e))?;
        if content(&old) == content(&record) {
            return Ok(false);
        }
        let sid = self.source().await?;
        let change = self.change(change_kind, note, vec![sid]);
        edit::write_update(self.w, &self.scratch, &old, record, &change)
            .await
            .map_err(|e| edit_error(&what, e))?;
        fold(self.w, &mut self.scratch, &mut self.revisions)?;
        Ok(true)
    }

    /// A citation of the snapshot for a record it created.
    async fn cite(
        &mut self,
        kind: EntityKind,
        id: &str,
        field: Option<&str>,
        quote: String,
    ) -> Result<(), RingMapError> {
        let sid = self.source().await?;
        let fields = json!({
            "source_id": sid,
            "entity_kind": kind.as_str(),
            "entity_id": id,
            "field": field,
            "quote": quote,
        });
        let Value::Object(fields) = fields else {
            unreachable!("an object")
        };
        self.create(
            EntityKind::Citation,
            fields,
            ChangeKind::Created,
            "Listed on Ring's Active Agency Map",
            &format!("the citation of {kind}/{id}"),
        )
        .await?;
        Ok(())
    }
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Applies a snapshot taken on `observed` in one transaction (or, with `dry_run`, checks
/// and rolls back).
pub async fn apply(
    dataset: &Dataset,
    file: &MapFile,
    observed: Date,
    dry_run: bool,
) -> Result<RingMapReport, RingMapError> {
    let mut w = dataset.begin(ACTOR).await?;
    dataset.sync().await?;
    let scratch = dataset.read().shared_copy();
    if !scratch.programs.contains_key(RING_PROGRAM_ID) {
        return Err(refused(format!(
            "the program `{RING_PROGRAM_ID}` does not exist yet: open the database with `serve` first"
        )));
    }
    let url = source_url(&file.sha256);
    let existing = scratch.sources.values().find(|s| s.url == url).cloned();
    if let Some(s) = &existing
        && s.accessed != Some(observed)
    {
        return Err(refused(format!(
            "this file was imported as the snapshot of {} (source {}); it cannot also be the snapshot of {observed}",
            s.accessed
                .map_or("an unknown day".into(), |d| d.to_string()),
            s.id
        )));
    }
    let snapshots: Vec<(Date, i64)> = scratch
        .sources
        .values()
        .filter(|s| is_snapshot(s))
        .filter_map(|s| Some((s.accessed?, s.id)))
        .collect();
    if let Some((day, id)) = snapshots.iter().filter(|(d, _)| *d > observed).max() {
        return Err(refused(format!(
            "the snapshot of {day} (source {id}) is imported already: import snapshots in order, oldest first"
        )));
    }
    let previous = snapshots
        .iter()
        .filter(|(d, _)| *d < observed)
        .max()
        .copied();

    let mut report = RingMapReport {
        dry_run,
        observed: Some(observed),
        sha256: file.sha256.clone(),
        previous: previous.map(|(d, _)| d),
        ..Default::default()
    };

    // Match every placemark first (against the catalog before the import).
    let matches: Vec<Match> = {
        let index = NameIndex::new(scratch.agencies.values().map(|a| &**a));
        file.placemarks
            .iter()
            .map(|p| ringmap::match_placemark(p, &index))
            .collect()
    };
    let existing_source = existing.as_ref().map(|s| s.id);
    let mut ctx = Ctx {
        w: &mut w,
        scratch,
        revisions: 0,
        source: existing.map(|s| s.id),
        observed,
        sha256: &file.sha256,
    };
    let observed_text = observed.to_string();
    // Placemarks seen so far, by the agency they are (to catch one listed twice).
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Partnerships this snapshot lists.
    let mut listed: HashSet<i64> = HashSet::new();

    for (p, m) in file.placemarks.iter().zip(matches) {
        let line = |record: Option<String>, detail: String| Line {
            placemark: Some(p.index),
            name: p.name.clone(),
            record,
            detail,
        };
        let (agency_id, state) = match m {
            Match::Unmatched(reason) => {
                report.unmatched.push(line(None, reason));
                continue;
            }
            Match::Agency(id) => (id, None),
            Match::New(state) => (crate::domain::ids::agency_slug(state, &p.name), Some(state)),
        };
        if let Some(first) = seen.get(&agency_id) {
            report.unmatched.push(line(
                Some(format!("agency/{agency_id}")),
                format!("the same agency as placemark {first}"),
            ));
            continue;
        }
        seen.insert(agency_id.clone(), p.index);
        let counts_note = match &p.video_requests {
            Some(v) if v.period.is_none() => Some(format!(
                "its {} video requests name no period, so they are not recorded",
                v.count
            )),
            _ => None,
        };

        if let Some(state) = state {
            // A new agency: its id must not be taken by one that is named otherwise.
            if ctx.scratch.agencies.contains_key(&agency_id)
                || ctx
                    .scratch
                    .tombstone(EntityKind::Agency, &agency_id)
                    .is_some()
            {
                report.unmatched.push(line(
                    Some(format!("agency/{agency_id}")),
                    "no agency of this name in the state, but its id is taken (by another name, or deleted)".into(),
                ));
                continue;
            }
            let (agency_type, jurisdiction_type) = ringmap::kind_from_name(&p.name);
            let (city, _) = p.place();
            let fields = object(json!({
                "id": agency_id,
                "name": p.name,
                "state": state.as_str(),
                "agency_type": agency_type.as_str(),
                "jurisdiction_type": jurisdiction_type.as_str(),
                "city": city,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "location_precision": "place",
                "location_basis": "source_point",
                "location_source": format!("Ring Active Agency Map, snapshot of {observed}"),
            }));
            let what = format!("placemark {} (`{}`)", p.index, p.name);
            ctx.create(
                EntityKind::Agency,
                fields,
                ChangeKind::Created,
                "New on Ring's Active Agency Map",
                &what,
            )
            .await?;
            ctx.cite(
                EntityKind::Agency,
                &agency_id,
                None,
                format!("{} ({})", p.name, p.address),
            )
            .await?;
        }

        // The agency's live partnership in the program.
        let current = ctx
            .scratch
            .partnerships_of(&agency_id)
            .into_iter()
            .filter(|x| x.program_id == RING_PROGRAM_ID && x.status == Status::Active)
            .map(|x| x.id)
            .max();
        match current {
            Some(pid) => {
                listed.insert(pid);
                let old = ctx.scratch.partnerships[&pid].clone();
                let mut patch = Map::new();
                if old.last_confirmed.is_none_or(|d| d < observed) {
                    patch.insert("last_confirmed".into(), Value::from(observed_text.clone()));
                    patch.insert(
                        "last_confirmed_source".into(),
                        Value::from(ctx.source().await?),
                    );
                }
                if let Some(counts) = with_count(&old.video_requests, p) {
                    patch.insert("video_requests".into(), json!(counts));
                }
                let record = Some(format!("partnership/{pid}"));
                let changed = !patch.is_empty()
                    && ctx
                        .update(
                            EntityKind::Partnership,
                            &pid.to_string(),
                            patch,
                            ChangeKind::NewEvidence,
                            "Listed on Ring's Active Agency Map",
                        )
                        .await?;
                let mut detail = match old.last_confirmed {
                    Some(d) if changed => format!("last confirmed {d} -> {observed}"),
                    None if changed => format!("last confirmed - -> {observed}"),
                    Some(d) if d > observed => format!("confirmed by later evidence ({d})"),
                    _ => format!("already confirmed on {observed}"),
                };
                if let Some(n) = &counts_note {
                    detail.push_str("; ");
                    detail.push_str(n);
                }
                if changed {
                    report.confirmed.push(line(record, detail));
                } else {
                    report.unchanged.push(line(record, detail));
                }
            }
            None => {
                let sid = ctx.source().await?;
                let mut fields = object(json!({
                    "agency_id": agency_id,
                    "program_id": RING_PROGRAM_ID,
                    "status": "active",
                    "last_confirmed": observed_text,
                    "last_confirmed_source": sid,
                }));
                if let Some(day) = p.activated {
                    fields.insert(
                        "start".into(),
                        Value::from(PartialDate::day(day).to_string()),
                    );
                }
                if let Some(counts) = with_count(&[], p) {
                    fields.insert("video_requests".into(), json!(counts));
                }
                let what = format!("placemark {} (`{}`)", p.index, p.name);
                let written = ctx
                    .create(
                        EntityKind::Partnership,
                        fields,
                        ChangeKind::Created,
                        "New on Ring's Active Agency Map",
                        &what,
                    )
                    .await?;
                let pid = written.entity_id();
                let quote = match p.activated {
                    Some(day) => format!("{}: activated {day}", p.name),
                    None => format!("{}: listed, with no activation date", p.name),
                };
                ctx.cite(EntityKind::Partnership, &pid, Some("start"), quote)
                    .await?;
                listed.insert(pid.parse().unwrap_or_default());
                let mut detail = match (state, p.activated) {
                    (Some(_), Some(d)) => format!("new agency agency/{agency_id}, started {d}"),
                    (Some(_), None) => format!("new agency agency/{agency_id}, no start date"),
                    (None, Some(d)) => {
                        format!("new partnership of agency/{agency_id}, started {d}")
                    }
                    (None, None) => format!("new partnership of agency/{agency_id}, no start date"),
                };
                if let Some(n) = &counts_note {
                    detail.push_str("; ");
                    detail.push_str(n);
                }
                report
                    .new
                    .push(line(Some(format!("partnership/{pid}")), detail));
            }
        }
    }

    // What the previous snapshot listed and this one does not has ended between the two.
    if let Some((_, prev_source)) = previous {
        let vanished: Vec<(i64, String, Date)> = ctx
            .scratch
            .partnerships
            .values()
            .filter(|x| {
                x.last_confirmed_source == Some(prev_source)
                    && x.status == Status::Active
                    && x.end.is_none()
                    && !listed.contains(&x.id)
            })
            .filter_map(|x| Some((x.id, x.agency_id.clone(), x.last_confirmed?)))
            .collect();
        for (pid, agency_id, last_seen) in vanished {
            let name = ctx
                .scratch
                .agencies
                .get(&agency_id)
                .map_or(agency_id.clone(), |a| a.name.clone());
            let Some(end) = last_seen
                .next_day()
                .and_then(|first| PartialDate::range(first, observed))
            else {
                continue;
            };
            let patch = object(json!({ "status": "ended", "end": end.to_string() }));
            ctx.update(
                EntityKind::Partnership,
                &pid.to_string(),
                patch,
                ChangeKind::Ended,
                &format!(
                    "On Ring's Active Agency Map of {last_seen}, not on the map of {observed}"
                ),
            )
            .await?;
            report.ended.push(Line {
                placemark: None,
                name,
                record: Some(format!("partnership/{pid}")),
                detail: format!("last seen {last_seen}, ended {end}"),
            });
        }
    }

    report.revisions = ctx.revisions;
    report.source = if dry_run { existing_source } else { ctx.source };
    if dry_run || report.revisions == 0 {
        // Dropping the writer rolls back: not even the lock leaves a trace.
        report.seq = dataset.read().seq();
        if dry_run {
            report.revisions = 0;
        }
        return Ok(report);
    }
    report.seq = dataset.commit(w).await?;
    Ok(report)
}
