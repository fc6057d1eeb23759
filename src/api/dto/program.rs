//! A program and its phases as clients see them.

use super::{date_text, earliest, example_time, latest, precision};
use crate::domain;
use crate::service::catalog::Catalog;
use poem_openapi::Object;
use time::OffsetDateTime;

#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct Phase {
    pub id: String,
    pub program_id: String,
    pub name: String,
    pub description: Option<String>,
    /// active, ended, announced or cancelled.
    pub status: domain::Status,
    pub start_date: Option<String>,
    pub start_precision: Option<domain::DatePrecision>,
    /// Last day the phase applied, at its known precision.
    pub end_date: Option<String>,
    pub end_precision: Option<domain::DatePrecision>,
    /// The first day `start_date` can mean.
    pub start_earliest: Option<String>,
    /// The last day `start_date` can mean.
    pub start_latest: Option<String>,
    /// The first day `end_date` can mean.
    pub end_earliest: Option<String>,
    /// The last day `end_date` can mean.
    pub end_latest: Option<String>,
    /// Whether enrolled agencies could ask residents for footage through the vendor then.
    pub footage_requests: bool,
    /// Which enrolled agencies the phase's footage requests apply to, where not all.
    pub footage_condition: Option<String>,
    pub version: i32,
}

impl From<&domain::Phase> for Phase {
    fn from(p: &domain::Phase) -> Self {
        Self {
            id: p.id.clone(),
            program_id: p.program_id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            status: p.status,
            start_date: date_text(p.start),
            start_precision: precision(p.start),
            end_date: date_text(p.end),
            end_precision: precision(p.end),
            start_earliest: earliest(p.start),
            start_latest: latest(p.start),
            end_earliest: earliest(p.end),
            end_latest: latest(p.end),
            footage_requests: p.footage_requests,
            footage_condition: p.footage_condition.clone(),
            version: p.meta.version,
        }
    }
}

#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct Program {
    pub id: String,
    pub vendor: String,
    pub name: String,
    pub description: Option<String>,
    pub start_date: Option<String>,
    pub start_precision: Option<domain::DatePrecision>,
    /// A program's end ends every enrolment in it.
    pub end_date: Option<String>,
    pub end_precision: Option<domain::DatePrecision>,
    /// The first day `start_date` can mean.
    pub start_earliest: Option<String>,
    /// The last day `start_date` can mean.
    pub start_latest: Option<String>,
    /// The first day `end_date` can mean.
    pub end_earliest: Option<String>,
    /// The last day `end_date` can mean.
    pub end_latest: Option<String>,
    /// Dated phases, oldest first.
    pub phases: Vec<Phase>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Program {
    pub fn build(p: &domain::Program, catalog: &Catalog) -> Self {
        Self::from_row(
            p,
            &catalog
                .phases_of(&p.id)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>(),
        )
    }

    /// The view of a program with its phases (oldest first).
    pub fn from_row(p: &domain::Program, phases: &[domain::Phase]) -> Self {
        Self {
            id: p.id.clone(),
            vendor: p.vendor.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            start_date: date_text(p.start),
            start_precision: precision(p.start),
            end_date: date_text(p.end),
            end_precision: precision(p.end),
            start_earliest: earliest(p.start),
            start_latest: latest(p.start),
            end_earliest: earliest(p.end),
            end_latest: latest(p.end),
            phases: phases.iter().map(Phase::from).collect(),
            version: p.meta.version,
            created_at: p.meta.created_at,
            updated_at: p.meta.updated_at,
        }
    }
}

impl poem_openapi::types::Example for Phase {
    fn example() -> Self {
        Self {
            id: "ring-nps-request-for-assistance".into(),
            program_id: "ring-neighbors-public-safety-service".into(),
            name: "Request for Assistance".into(),
            description: Some(
                "Agencies asked for footage through public posts in the Neighbors feed.".into(),
            ),
            status: domain::Status::Ended,
            start_date: Some("2021-06-07".into()),
            start_precision: Some(domain::DatePrecision::Day),
            end_date: Some("2024-01-28".into()),
            end_precision: Some(domain::DatePrecision::Day),
            start_earliest: Some("2021-06-07".into()),
            start_latest: Some("2021-06-07".into()),
            end_earliest: Some("2024-01-28".into()),
            end_latest: Some("2024-01-28".into()),
            footage_requests: true,
            footage_condition: None,
            version: 1,
        }
    }
}

impl poem_openapi::types::Example for Program {
    fn example() -> Self {
        Self {
            id: "ring-neighbors-public-safety-service".into(),
            vendor: "Ring (Amazon)".into(),
            name: "Neighbors Public Safety Service".into(),
            description: Some("Ring's program for police and other public safety agencies.".into()),
            start_date: Some("2018-03".into()),
            start_precision: Some(domain::DatePrecision::Month),
            end_date: None,
            end_precision: None,
            start_earliest: Some("2018-03-01".into()),
            start_latest: Some("2018-03-31".into()),
            end_earliest: None,
            end_latest: None,
            phases: vec![Phase::example()],
            version: 1,
            created_at: example_time(),
            updated_at: example_time(),
        }
    }
}
