//! What clients see. DTOs are built from domain records (never from entities), so a migration
//! cannot change the public API by accident.
//!
//! The metadata and pages every list shares are here; each resource's DTOs in its own file:
//! `agency`, `partnership`, `program` (programs and their phases), `source` (sources and
//! citations).

mod agency;
mod fields;
mod partnership;
mod program;
mod source;

pub use agency::{Agency, AgencyBrief};
pub use partnership::{Partnership, PhaseBrief, ProgramBrief, VideoRequestCount};
pub use program::{Phase, Program};
pub use source::{Citation, CitationRecord, CitedRecord, Source, citations};

use crate::domain::{self, PartialDate};
use crate::service::catalog::Catalog;
use poem_openapi::Object;
use time::OffsetDateTime;

/// Metadata every list carries.
#[derive(serde::Serialize, Object, Clone, Debug)]
pub struct ListMeta {
    /// The dataset version: the sequence number of the newest revision the answer reflects.
    pub dataset_version: i64,
    /// Licence of the data.
    pub license: String,
    /// Licence URL.
    pub license_url: String,
    /// Who to credit when reusing the data.
    pub attribution: String,
    /// How the query was understood: each parameter as parsed, with its unit.
    pub query: Box<super::query_echo::QueryEcho>,
    /// Hints for likely mistakes in the query (the answer is still what was asked).
    pub warnings: Vec<super::query_echo::QueryWarning>,
    /// How current the dataset is: per source of the partnerships' newest evidence, how many
    /// partnerships it confirms and as of which day. After that day, a partnership with no
    /// end recorded is only `possible`.
    pub coverage: Vec<Coverage>,
}

/// How current the partnerships confirmed by one source are.
#[derive(serde::Serialize, Object, Clone, Debug)]
pub struct Coverage {
    /// The source (`/sources/{id}`); null for partnerships with no evidence date recorded.
    pub source_id: Option<i64>,
    /// The source's title.
    pub title: Option<String>,
    pub url: Option<String>,
    /// The newest day this source confirms a partnership was active (ISO day).
    pub as_of: Option<String>,
    /// How many partnerships have it as their newest evidence.
    pub partnerships: u64,
}

impl Coverage {
    pub fn of(catalog: &Catalog) -> Vec<Self> {
        catalog
            .coverage()
            .into_iter()
            .map(|c| Self {
                source_id: c.source_id,
                title: c.source.map(|s| s.title.clone()),
                url: c.source.map(|s| s.url.clone()),
                as_of: c.last_confirmed.map(|d| d.to_string()),
                partnerships: c.partnerships,
            })
            .collect()
    }
}

impl ListMeta {
    pub fn of(catalog: &Catalog) -> Self {
        Self {
            dataset_version: catalog.seq(),
            license: super::LICENSE_NAME.into(),
            license_url: super::LICENSE_URL.into(),
            attribution: super::ATTRIBUTION.into(),
            coverage: Coverage::of(catalog),
            query: Default::default(),
            warnings: Vec::new(),
        }
    }

    /// With the query as understood and its warnings.
    pub fn with_query(
        mut self,
        query: super::query_echo::QueryEcho,
        warnings: Vec<super::query_echo::QueryWarning>,
    ) -> Self {
        self.query = Box::new(query);
        self.warnings = warnings;
        self
    }
}

/// Declares a page of items: `data`, the `next` cursor, the optional `total` and `meta`.
macro_rules! list_type {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(serde::Serialize, poem_openapi::Object, Clone, Debug)]
        #[oai(example)]
        pub struct $name {
            /// This page's records.
            pub data: Vec<$item>,
            /// Opaque cursor of the next page (pass it as `cursor`); null on the last page.
            pub next: Option<String>,
            /// How many records match in all; present when `count=true` was asked.
            #[oai(skip_serializing_if_is_none)]
            #[serde(skip_serializing_if = "Option::is_none")]
            pub total: Option<u64>,
            pub meta: ListMeta,
        }

        impl poem_openapi::types::Example for $name {
            fn example() -> Self {
                Self {
                    data: vec![<$item as poem_openapi::types::Example>::example()],
                    next: Some(
                        "eyJxIjoiMmE0YiIsImsiOiJ6IiwiaSI6eyJuIjoxfX0.5f1c0a9e3b7d2c41".into(),
                    ),
                    total: None,
                    meta: ListMeta {
                        dataset_version: 4567,
                        license: super::LICENSE_NAME.into(),
                        license_url: super::LICENSE_URL.into(),
                        attribution: super::ATTRIBUTION.into(),
                        coverage: vec![Coverage {
                            source_id: Some(1),
                            title: Some(
                                "Atlas of Surveillance: Ring/Neighbors partnerships (export of 2020-10-07)"
                                    .into(),
                            ),
                            url: Some("https://atlasofsurveillance.org/".into()),
                            as_of: Some("2020-10-07".into()),
                            partnerships: 1498,
                        }],
                        query: Box::new(super::query_echo::QueryEcho {
                            state: Some(vec!["WI".into()]),
                            limit: Some(100),
                            sort: Some("id".into()),
                            ..Default::default()
                        }),
                        warnings: Vec::new(),
                    },
                }
            }
        }
    };
}

list_type!(AgencyList, Agency, "A page of agencies.");
list_type!(PartnershipList, Partnership, "A page of partnerships.");
list_type!(ProgramList, Program, "A page of programs.");
list_type!(SourceList, Source, "A page of sources.");
list_type!(PhaseList, Phase, "A page of program phases.");
list_type!(CitationList, CitationRecord, "A page of citations.");

fn date_text(d: Option<PartialDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn precision(d: Option<PartialDate>) -> Option<domain::DatePrecision> {
    d.map(|d| d.precision())
}

/// The first day a date at its precision can mean, as an ISO day.
fn earliest(d: Option<PartialDate>) -> Option<String> {
    d.map(|d| d.earliest().to_string())
}

/// The last day a date at its precision can mean, as an ISO day.
fn latest(d: Option<PartialDate>) -> Option<String> {
    d.map(|d| d.latest().to_string())
}

fn example_time() -> OffsetDateTime {
    time::macros::datetime!(2026-11-29 12:00:00 UTC)
}
