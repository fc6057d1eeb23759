//! A page of partnerships written as `dto::PartnershipList` writes it, from JSON kept per
//! record version: the hot path of `GET /partnerships?near=`.
//!
//! A partnership's object is `{"id":…,"agency":{…},"program":{…},` then its own fields
//! (status to `updated_at`), then what only the request decides (`distance_m`, and with
//! `active_on` the day's certainty, footage requests and phase). The own fields depend on
//! the partnership alone, so their JSON is written once per version and kept in its catalog
//! entry (with its id and program id beside it, so a page reads no record: `Kept`); the
//! agency's brief is kept in the agency's entry, the program's is written once per page, and
//! the request's part per request.

use super::dto::{self, ListMeta, PartnershipList, PhaseBrief, VideoRequestCount};
use super::fast::{Fast, close_page, rfc3339};
use crate::domain::valid_time::Certainty;
use crate::domain::{self, AgencyType};
use crate::service::catalog::{AgencyEntry, Catalog};
use crate::service::listing::WithAgency;
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// One partnership of a page: its entry and agency (`None`: the catalog lacks it), its
/// distance from `near`, if asked.
pub type Row<'c> = (WithAgency<'c>, Option<f64>);

/// A page of partnerships; `day` is the `active_on` day, if asked.
pub fn partnership_page(
    catalog: &Catalog,
    hits: &[Row<'_>],
    day: Option<Date>,
    next: Option<&str>,
    total: Option<u64>,
    meta: &ListMeta,
) -> Fast<PartnershipList> {
    let mut body = Vec::with_capacity(64 + hits.len() * 768);
    body.extend_from_slice(b"{\"data\":[");
    let items = write_items(&mut body, catalog, hits, day);
    close_page(body, items, next, total, meta)
}

/// The page's partnerships, comma-separated.
fn write_items(
    body: &mut Vec<u8>,
    catalog: &Catalog,
    hits: &[Row<'_>],
    day: Option<Date>,
) -> serde_json::Result<()> {
    // What each partnership's object is written from, gathered first (as `fast::agency_page`
    // does): each is a read of memory no other needs first, likely a cache miss, and in a
    // loop that does nothing else the processor overlaps them instead of waiting for each
    // between copies.
    let parts: Vec<Parts<'_>> = hits.iter().map(|(hit, _)| Parts::of(hit)).collect();
    // Nearly every partnership of a page is in the same program: its brief is written once.
    let mut program: Option<(&[u8], Vec<u8>)> = None;
    for (i, (part, (hit, distance))) in parts.iter().zip(hits).enumerate() {
        if i > 0 {
            body.push(b',');
        }
        if program
            .as_ref()
            .is_none_or(|(kept, _)| *kept != part.program)
        {
            let id = std::str::from_utf8(part.program).unwrap_or_default();
            let brief = ProgramBriefView::of(hit, catalog.programs.get(id));
            program = Some((part.program, serde_json::to_vec(&brief)?));
        }
        let brief = program.as_ref().map_or(&[][..], |(_, json)| json);
        write_partnership(body, hit, part, brief, *distance, day, catalog)?;
    }
    Ok(())
}

/// What a partnership's object is written from: its id, its program's id, its kept fields,
/// and its agency's kept brief (`None`: the catalog lacks the agency).
struct Parts<'c> {
    id: i64,
    program: &'c [u8],
    own: &'c [u8],
    agency: Option<&'c [u8]>,
}

impl<'c> Parts<'c> {
    /// Read from the kept JSON only, not from the record: one read less per partnership.
    fn of(hit: &WithAgency<'c>) -> Self {
        let kept = Kept(hit.partnership.json(Kept::write));
        Self {
            id: kept.id(),
            program: kept.program(),
            own: kept.own(),
            agency: hit.agency.map(agency_brief),
        }
    }
}

/// What a partnership's entry keeps for its pages, one buffer: its own fields as the DTO
/// writes them (without braces), then its program's id, the id's length (2 bytes) and the
/// partnership's id (8 bytes), little-endian. What a page copies and what it reads beside
/// it share their memory.
struct Kept<'c>(&'c [u8]);

/// The id and the program id's length at the end of a kept buffer.
const KEPT_TAIL: usize = 2 + 8;

impl<'c> Kept<'c> {
    /// Empty if the fields could not be written (plain data: never seen).
    fn write(p: &domain::Partnership) -> Vec<u8> {
        let dto = dto::Partnership::from_parts(p, None, None);
        let program = p.program_id.as_bytes();
        match (
            serde_json::to_vec(&OwnFields::of(&dto)),
            u16::try_from(program.len()),
        ) {
            (Ok(mut json), Ok(len)) if json.len() > 2 && json.ends_with(b"}") => {
                json.pop();
                json.remove(0);
                json.extend_from_slice(program);
                json.extend_from_slice(&len.to_le_bytes());
                json.extend_from_slice(&p.id.to_le_bytes());
                json
            }
            _ => Vec::new(),
        }
    }

    /// Where the program id starts, and the partnership's id.
    fn tail(&self) -> Option<(usize, i64)> {
        let b = self.0;
        let n = b.len().checked_sub(KEPT_TAIL)?;
        let len = u16::from_le_bytes(b[n..n + 2].try_into().ok()?) as usize;
        let id = i64::from_le_bytes(b[n + 2..].try_into().ok()?);
        Some((n.checked_sub(len)?, id))
    }

    fn id(&self) -> i64 {
        self.tail().map_or(0, |(_, id)| id)
    }

    fn program(&self) -> &'c [u8] {
        let b = self.0;
        self.tail()
            .map_or(&[][..], |(start, _)| &b[start..b.len() - KEPT_TAIL])
    }

    /// Empty when nothing was kept.
    fn own(&self) -> &'c [u8] {
        let b = self.0;
        self.tail().map_or(&[][..], |(start, _)| &b[..start])
    }
}

/// One partnership's object; `program` is its program's brief, written.
fn write_partnership(
    body: &mut Vec<u8>,
    hit: &WithAgency<'_>,
    part: &Parts<'_>,
    program: &[u8],
    distance_m: Option<f64>,
    day: Option<Date>,
    catalog: &Catalog,
) -> serde_json::Result<()> {
    let p: &domain::Partnership = hit.partnership;
    body.extend_from_slice(b"{\"id\":");
    serde_json::to_writer(&mut *body, &part.id)?;
    body.extend_from_slice(b",\"agency\":");
    match part.agency {
        Some([]) => return Err(serde::ser::Error::custom("an agency did not serialise")),
        Some(brief) => body.extend_from_slice(brief),
        None => serde_json::to_writer(&mut *body, &AgencyBriefView::of(p, None))?,
    }
    body.extend_from_slice(b",\"program\":");
    body.extend_from_slice(program);
    body.push(b',');
    if part.own.is_empty() {
        return Err(serde::ser::Error::custom("a partnership did not serialise"));
    }
    body.extend_from_slice(part.own);
    let Some(day) = day else {
        // Only the distance, if asked: written as serde writes the field.
        if let Some(d) = distance_m {
            body.extend_from_slice(b",\"distance_m\":");
            serde_json::to_writer(&mut *body, &d)?;
        }
        body.push(b'}');
        return Ok(());
    };
    let mut extra = Extra {
        distance_m,
        ..Extra::default()
    };
    if let Some(a) = crate::service::listing::activity(catalog, p, day) {
        extra.active_on_certainty = Some(a.certainty);
        extra.footage_requests = a.footage;
        extra.phase = a.phase.map(PhaseBrief::from);
    }
    // `{}` when the request adds nothing; else its fields after a comma, without braces.
    let extra = serde_json::to_vec(&extra)?;
    if extra.len() > 2 {
        body.push(b',');
        body.extend_from_slice(&extra[1..extra.len() - 1]);
    }
    body.push(b'}');
    Ok(())
}

/// The fields of `dto::Partnership` from `status` to `updated_at`, in its order.
#[derive(Serialize)]
struct OwnFields<'a> {
    status: domain::Status,
    start_date: &'a Option<String>,
    start_precision: Option<domain::DatePrecision>,
    end_date: &'a Option<String>,
    end_precision: Option<domain::DatePrecision>,
    start_earliest: &'a Option<String>,
    start_latest: &'a Option<String>,
    end_earliest: &'a Option<String>,
    end_latest: &'a Option<String>,
    video_requests: &'a [VideoRequestCount],
    external_ids: &'a BTreeMap<String, String>,
    notes: &'a Option<String>,
    last_confirmed: &'a Option<String>,
    last_confirmed_source: Option<i64>,
    version: i32,
    #[serde(serialize_with = "rfc3339")]
    created_at: OffsetDateTime,
    #[serde(serialize_with = "rfc3339")]
    updated_at: OffsetDateTime,
}

impl<'a> OwnFields<'a> {
    fn of(d: &'a dto::Partnership) -> Self {
        Self {
            status: d.status,
            start_date: &d.start_date,
            start_precision: d.start_precision,
            end_date: &d.end_date,
            end_precision: d.end_precision,
            start_earliest: &d.start_earliest,
            start_latest: &d.start_latest,
            end_earliest: &d.end_earliest,
            end_latest: &d.end_latest,
            video_requests: &d.video_requests,
            external_ids: &d.external_ids,
            notes: &d.notes,
            last_confirmed: &d.last_confirmed,
            last_confirmed_source: d.last_confirmed_source,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// What the request adds, in the DTO's order; each absent one left out.
#[derive(Serialize, Default)]
struct Extra {
    #[serde(skip_serializing_if = "Option::is_none")]
    distance_m: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    active_on_certainty: Option<Certainty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    footage_requests: Option<Certainty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<PhaseBrief>,
}

/// An agency in brief as partnerships embed it, written once per agency version and kept
/// in its entry; empty if it could not be written (plain data: never seen).
fn agency_brief(entry: &AgencyEntry) -> &[u8] {
    entry.brief(|a| serde_json::to_vec(&AgencyBriefView::of_agency(a)).unwrap_or_default())
}

/// `dto::AgencyBrief`, borrowed; a missing agency (never, in a catalog folded from a
/// consistent log) shown by its id alone, as the DTO shows it.
#[derive(Serialize)]
struct AgencyBriefView<'a> {
    id: &'a str,
    name: &'a str,
    agency_type: AgencyType,
    state: &'a str,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl<'a> AgencyBriefView<'a> {
    fn of_agency(a: &'a domain::Agency) -> Self {
        Self {
            id: &a.id,
            name: &a.name,
            agency_type: a.agency_type,
            state: a.state.as_str(),
            latitude: a.latitude,
            longitude: a.longitude,
        }
    }

    fn of(p: &'a domain::Partnership, agency: Option<&'a domain::Agency>) -> Self {
        match agency {
            Some(a) => Self::of_agency(a),
            None => Self {
                id: &p.agency_id,
                name: "",
                agency_type: AgencyType::Other,
                state: "",
                latitude: None,
                longitude: None,
            },
        }
    }
}

/// `dto::ProgramBrief`, borrowed; a missing program shown by its id alone.
#[derive(Serialize)]
struct ProgramBriefView<'a> {
    id: &'a str,
    vendor: &'a str,
    name: &'a str,
}

impl<'a> ProgramBriefView<'a> {
    fn of(p: &'a domain::Partnership, program: Option<&'a domain::Program>) -> Self {
        match program {
            Some(pr) => Self {
                id: &pr.id,
                vendor: &pr.vendor,
                name: &pr.name,
            },
            None => Self {
                id: &p.program_id,
                vendor: "",
                name: "",
            },
        }
    }
}

#[cfg(test)]
#[path = "fast_partnerships_tests.rs"]
mod tests;
