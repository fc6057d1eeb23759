//! A partnership as clients see it, with its agency and program in brief and the phases
//! it spans.

use super::{AgencyBrief, date_text, earliest, example_time, latest, precision};
use crate::domain;
use crate::domain::valid_time::Certainty;
use crate::service::catalog::Catalog;
use poem_openapi::Object;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A program in brief, as embedded in other records.
#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct ProgramBrief {
    pub id: String,
    pub vendor: String,
    pub name: String,
}

impl From<&domain::Program> for ProgramBrief {
    fn from(p: &domain::Program) -> Self {
        Self {
            id: p.id.clone(),
            vendor: p.vendor.clone(),
            name: p.name.clone(),
        }
    }
}

/// A count of video requests over a period, where a source gives one.
#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct VideoRequestCount {
    /// Start of the period (YYYY, YYYY-MM or YYYY-MM-DD).
    pub from: String,
    /// End of the period, if it is not the same as `from`.
    pub to: Option<String>,
    pub count: u32,
}

#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct Partnership {
    pub id: i64,
    pub agency: AgencyBrief,
    pub program: ProgramBrief,
    /// active, ended, announced or cancelled.
    pub status: domain::Status,
    /// When it started, at its known precision: `2018-03-22`, `2019-02`, `2019`, or a range
    /// of days `2020-10-08/2021-03-01` (some day between the two, both included).
    pub start_date: Option<String>,
    /// day, month or year.
    pub start_precision: Option<domain::DatePrecision>,
    /// When it ended (last day), at its known precision; a range (`2020-10-08/2021-03-01`,
    /// precision `range`) when it is known only to lie between two days.
    pub end_date: Option<String>,
    pub end_precision: Option<domain::DatePrecision>,
    /// The first day `start_date` can mean (`2019-02` -> `2019-02-01`): a plain ISO day
    /// every tool reads as a date.
    pub start_earliest: Option<String>,
    /// The last day `start_date` can mean (`2019-02` -> `2019-02-28`).
    pub start_latest: Option<String>,
    /// The first day `end_date` can mean.
    pub end_earliest: Option<String>,
    /// The last day `end_date` can mean.
    pub end_latest: Option<String>,
    pub video_requests: Vec<VideoRequestCount>,
    /// Ids in other datasets (`aos`: Atlas of Surveillance row).
    pub external_ids: BTreeMap<String, String>,
    pub notes: Option<String>,
    /// The day of the newest evidence that the partnership was active (the Atlas rows:
    /// 2020-10-07, the day of Ring's map it recorded). After it, with no end recorded,
    /// `active_on` and `/stats` count the partnership as `possible`, never `certain`.
    pub last_confirmed: Option<String>,
    /// The id of the source of that evidence (`/sources/{id}`).
    pub last_confirmed_source: Option<i64>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Great-circle distance in metres from the `near` point to the agency; present only
    /// with `near`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// With `active_on`: `certain`, or only `possible` when dates known to a month or a year
    /// leave it open.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_on_certainty: Option<Certainty>,
    /// With `active_on`: whether the agency could ask residents for footage through the
    /// program that day: `certain` or `possible` (a phase limited to some agencies, such as
    /// Axon Evidence users, is never certain); absent when no phase in force allowed it.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footage_requests: Option<Certainty>,
    /// With `active_on`: the program phase in force that day.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<PhaseBrief>,
}

/// A program phase in brief, as embedded in a partnership read `active_on` a day.
#[derive(serde::Serialize, Object, Clone, Debug)]
pub struct PhaseBrief {
    pub id: String,
    pub name: String,
    pub footage_requests: bool,
    pub footage_condition: Option<String>,
}

impl From<&domain::Phase> for PhaseBrief {
    fn from(ph: &domain::Phase) -> Self {
        Self {
            id: ph.id.clone(),
            name: ph.name.clone(),
            footage_requests: ph.footage_requests,
            footage_condition: ph.footage_condition.clone(),
        }
    }
}

impl Partnership {
    /// Adds what the partnership was on `day` (valid time).
    pub fn on_day(mut self, p: &domain::Partnership, catalog: &Catalog, day: time::Date) -> Self {
        if let Some(a) = crate::service::listing::activity(catalog, p, day) {
            self.active_on_certainty = Some(a.certainty);
            self.footage_requests = a.footage;
            self.phase = a.phase.map(PhaseBrief::from);
        }
        self
    }

    /// Builds the view of a partnership. Its agency and program always exist in a catalog
    /// folded from a consistent log; a missing one is shown by its id alone.
    pub fn build(p: &domain::Partnership, catalog: &Catalog) -> Self {
        Self::from_parts(
            p,
            catalog.agencies.get(&p.agency_id).map(|a| &**a),
            catalog.programs.get(&p.program_id),
        )
    }

    /// The view of an exported row: the same as [`Partnership::build`] and
    /// [`Partnership::on_day`], from an export row instead of the catalog.
    pub fn from_row(row: &crate::export::tables::PartnershipRow) -> Self {
        let mut dto = Self::from_parts(
            &row.partnership,
            row.agency.as_deref(),
            row.program.as_deref(),
        );
        dto.distance_m = row.distance_m;
        if let Some(day) = &row.day {
            dto.active_on_certainty = day.certainty.and_then(|c| c.parse().ok());
            dto.footage_requests = day.footage_requests.and_then(|c| c.parse().ok());
            dto.phase = day.phase.as_deref().map(PhaseBrief::from);
        }
        dto
    }

    pub fn from_parts(
        p: &domain::Partnership,
        agency: Option<&domain::Agency>,
        program: Option<&domain::Program>,
    ) -> Self {
        let agency = agency.map(AgencyBrief::from).unwrap_or(AgencyBrief {
            id: p.agency_id.clone(),
            name: String::new(),
            // Never met: a partnership's agency exists in a catalog folded from the log.
            agency_type: domain::AgencyType::Other,
            state: String::new(),
            latitude: None,
            longitude: None,
        });
        let program = program.map(ProgramBrief::from).unwrap_or(ProgramBrief {
            id: p.program_id.clone(),
            vendor: String::new(),
            name: String::new(),
        });
        Self {
            id: p.id,
            agency,
            program,
            status: p.status,
            start_date: date_text(p.start),
            start_precision: precision(p.start),
            end_date: date_text(p.end),
            end_precision: precision(p.end),
            video_requests: p
                .video_requests
                .iter()
                .map(|v| VideoRequestCount {
                    from: v.from.to_string(),
                    to: v.to.map(|d| d.to_string()),
                    count: v.count,
                })
                .collect(),
            start_earliest: earliest(p.start),
            start_latest: latest(p.start),
            end_earliest: earliest(p.end),
            end_latest: latest(p.end),
            external_ids: p.external_ids.to_map(),
            notes: p.notes.clone(),
            last_confirmed: p.last_confirmed.map(|d| d.to_string()),
            last_confirmed_source: p.last_confirmed_source,
            version: p.meta.version,
            created_at: p.meta.created_at,
            updated_at: p.meta.updated_at,
            distance_m: None,
            active_on_certainty: None,
            footage_requests: None,
            phase: None,
        }
    }
}

impl poem_openapi::types::Example for ProgramBrief {
    fn example() -> Self {
        Self {
            id: "ring-neighbors-public-safety-service".into(),
            vendor: "Ring (Amazon)".into(),
            name: "Neighbors Public Safety Service".into(),
        }
    }
}

impl poem_openapi::types::Example for VideoRequestCount {
    fn example() -> Self {
        Self {
            from: "2019".into(),
            to: None,
            count: 12,
        }
    }
}

impl poem_openapi::types::Example for Partnership {
    fn example() -> Self {
        Self {
            id: 1,
            agency: AgencyBrief::example(),
            program: ProgramBrief::example(),
            status: domain::Status::Active,
            start_date: Some("2018-03-22".into()),
            start_precision: Some(domain::DatePrecision::Day),
            end_date: None,
            end_precision: None,
            start_earliest: Some("2018-03-22".into()),
            start_latest: Some("2018-03-22".into()),
            end_earliest: None,
            end_latest: None,
            video_requests: vec![],
            external_ids: [("aos".to_string(), "AOS3711".to_string())].into(),
            notes: None,
            last_confirmed: Some("2020-10-07".into()),
            last_confirmed_source: Some(1),
            version: 1,
            created_at: example_time(),
            updated_at: example_time(),
            distance_m: None,
            active_on_certainty: None,
            footage_requests: None,
            phase: None,
        }
    }
}
