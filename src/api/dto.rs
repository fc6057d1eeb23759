//! What clients see. DTOs are built from domain records (never from entities), so a migration
//! cannot change the public API by accident.

use crate::domain::{self, EntityKind, PartialDate};
use crate::service::catalog::Catalog;
use poem_openapi::Object;
use std::collections::BTreeMap;
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

#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct Agency {
    /// Stable public id: `us-<state>-<name>`.
    pub id: String,
    pub name: String,
    /// police, sheriff, constable, district_attorney, fire or other.
    pub agency_type: domain::AgencyType,
    /// municipal, county, parish, regional, state, tribal, university or other.
    pub jurisdiction_type: domain::JurisdictionType,
    /// FBI Originating Agency Identifier, where known.
    pub ori: Option<String>,
    pub city: Option<String>,
    /// The county or counties served, as the source names them.
    pub county: Option<String>,
    /// USPS state or territory code.
    pub state: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// WGS 84 latitude; null until the agency is placed.
    pub latitude: Option<f64>,
    /// WGS 84 longitude; null until the agency is placed.
    pub longitude: Option<f64>,
    /// How exactly the coordinates place the agency: address, place, county or state.
    pub location_precision: Option<domain::LocationPrecision>,
    /// What the point is: geonames_place, county_place (the GeoNames place nearest the
    /// county's interior point), county_centroid, county_pole, county_interior,
    /// state_interior or source_point; null when unknown.
    pub location_basis: Option<domain::LocationBasis>,
    /// What placed the agency: what the point is (a GeoNames place, or the town a county's
    /// point stands at, or a county's or state's interior point) and its source.
    pub location_source: Option<String>,
    /// What the importer found inconsistent or weak in this record (sorted; empty when
    /// nothing): see the `QualityFlag` vocabulary. Filter with `quality_flag`.
    pub quality_flags: Vec<domain::QualityFlag>,
    /// Ids in other datasets (`aos`: Atlas of Surveillance row).
    pub external_ids: BTreeMap<String, String>,
    pub notes: Option<String>,
    /// Incremented on every change.
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Great-circle distance in metres from the `near` point; present only with `near`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

impl poem_openapi::types::Example for Agency {
    fn example() -> Self {
        let at = time::macros::datetime!(2026-11-29 12:00:00 UTC);
        Agency {
            id: "us-wi-greenfield-police-department".into(),
            name: "Greenfield Police Department".into(),
            agency_type: domain::AgencyType::Police,
            jurisdiction_type: domain::JurisdictionType::Municipal,
            ori: Some("WI0404700".into()),
            city: Some("Greenfield".into()),
            county: Some("Milwaukee County".into()),
            state: "WI".into(),
            country: "US".into(),
            latitude: Some(42.96140),
            longitude: Some(-88.01259),
            location_precision: Some(domain::LocationPrecision::Place),
            location_basis: Some(domain::LocationBasis::GeonamesPlace),
            location_source: Some("GeoNames place: Greenfield, WI".into()),
            quality_flags: Vec::new(),
            external_ids: [("aos".to_string(), "AOS3711".to_string())].into(),
            notes: None,
            version: 1,
            created_at: at,
            updated_at: at,
            distance_m: None,
        }
    }
}

impl From<&domain::Agency> for Agency {
    fn from(a: &domain::Agency) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            agency_type: a.agency_type,
            jurisdiction_type: a.jurisdiction_type,
            ori: a.ori.clone(),
            city: a.city.clone(),
            county: a.county.clone(),
            state: a.state.as_str().into(),
            country: a.country.clone(),
            latitude: a.latitude,
            longitude: a.longitude,
            location_precision: a.location_precision,
            location_basis: a.location_basis,
            location_source: a.location_source.clone(),
            quality_flags: a.quality_flags.clone(),
            external_ids: a.external_ids.clone(),
            notes: a.notes.clone(),
            version: a.meta.version,
            created_at: a.meta.created_at,
            updated_at: a.meta.updated_at,
            distance_m: None,
        }
    }
}

/// An agency in brief, as embedded in other records.
#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct AgencyBrief {
    pub id: String,
    pub name: String,
    pub agency_type: String,
    pub state: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl From<&domain::Agency> for AgencyBrief {
    fn from(a: &domain::Agency) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            agency_type: a.agency_type.as_str().into(),
            state: a.state.as_str().into(),
            latitude: a.latitude,
            longitude: a.longitude,
        }
    }
}

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
    pub active_on_certainty: Option<String>,
    /// With `active_on`: whether the agency could ask residents for footage through the
    /// program that day: `certain` or `possible` (a phase limited to some agencies, such as
    /// Axon Evidence users, is never certain); absent when no phase in force allowed it.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footage_requests: Option<String>,
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

impl Partnership {
    /// Adds what the partnership was on `day` (valid time).
    pub fn on_day(mut self, p: &domain::Partnership, catalog: &Catalog, day: time::Date) -> Self {
        if let Some(a) = crate::service::listing::activity(catalog, p, day) {
            self.active_on_certainty = Some(a.certainty.as_str().into());
            self.footage_requests = a.footage.map(|c| c.as_str().into());
            self.phase = a.phase.map(|ph| PhaseBrief {
                id: ph.id.clone(),
                name: ph.name.clone(),
                footage_requests: ph.footage_requests,
                footage_condition: ph.footage_condition.clone(),
            });
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
    /// [`Partnership::on_day`], from a snapshot instead of the catalog.
    pub fn from_row(row: &crate::export::tables::PartnershipRow) -> Self {
        let mut dto = Self::from_parts(
            &row.partnership,
            row.agency.as_deref(),
            row.program.as_deref(),
        );
        dto.distance_m = row.distance_m;
        if let Some(day) = &row.day {
            dto.active_on_certainty = day.certainty.map(str::to_string);
            dto.footage_requests = day.footage_requests.map(str::to_string);
            dto.phase = day.phase.as_deref().map(|ph| PhaseBrief {
                id: ph.id.clone(),
                name: ph.name.clone(),
                footage_requests: ph.footage_requests,
                footage_condition: ph.footage_condition.clone(),
            });
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
            agency_type: String::new(),
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
            external_ids: p.external_ids.clone(),
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

#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct Source {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub publisher: Option<String>,
    /// Publication date at its known precision.
    pub published_date: Option<String>,
    pub published_precision: Option<domain::DatePrecision>,
    /// The first day `published_date` can mean.
    pub published_earliest: Option<String>,
    /// The last day `published_date` can mean.
    pub published_latest: Option<String>,
    /// When the source was last read (YYYY-MM-DD).
    pub accessed_date: Option<String>,
    /// A snapshot in a web archive.
    pub archived_url: Option<String>,
    /// official_map, news, press_release, public_records, agency_post, dataset or other.
    pub kind: domain::SourceKind,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<&domain::Source> for Source {
    fn from(s: &domain::Source) -> Self {
        Self {
            id: s.id,
            url: s.url.clone(),
            title: s.title.clone(),
            publisher: s.publisher.clone(),
            published_date: date_text(s.published),
            published_precision: precision(s.published),
            published_earliest: earliest(s.published),
            published_latest: latest(s.published),
            accessed_date: s.accessed.map(|d| d.to_string()),
            archived_url: s.archived_url.clone(),
            kind: s.kind,
            version: s.meta.version,
            created_at: s.meta.created_at,
            updated_at: s.meta.updated_at,
        }
    }
}

/// "This source supports this record" (or only the named field), with an optional quote.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct Citation {
    pub id: i64,
    /// The field the source supports; null when it supports the whole record.
    pub field: Option<String>,
    pub quote: Option<String>,
    pub source: Source,
}

/// The citations of a record, with their sources.
pub fn citations(catalog: &Catalog, kind: EntityKind, id: &str) -> Vec<Citation> {
    catalog
        .citations_of(kind, id)
        .into_iter()
        .filter_map(|c| {
            catalog.sources.get(&c.source_id).map(|s| Citation {
                id: c.id,
                field: c.field.clone(),
                quote: c.quote.clone(),
                source: Source::from(s),
            })
        })
        .collect()
}

/// A citation as a record of its own: source S supports record R (or only its field F).
#[derive(serde::Serialize, Object, Clone, Debug)]
#[oai(example)]
pub struct CitationRecord {
    pub id: i64,
    /// The source cited (`/sources/{source_id}`).
    pub source_id: i64,
    /// What kind of record cites the source.
    pub record_kind: EntityKind,
    /// The citing record's id (`/{collection}/{record_id}`).
    pub record_id: String,
    /// The field the source supports; null when it supports the whole record.
    pub field: Option<String>,
    /// The passage of the source that supports it.
    pub quote: Option<String>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<&domain::Citation> for CitationRecord {
    fn from(c: &domain::Citation) -> Self {
        Self {
            id: c.id,
            source_id: c.source_id,
            record_kind: c.entity_kind,
            record_id: c.entity_id.clone(),
            field: c.field.clone(),
            quote: c.quote.clone(),
            version: c.meta.version,
            created_at: c.meta.created_at,
            updated_at: c.meta.updated_at,
        }
    }
}

impl poem_openapi::types::Example for CitationRecord {
    fn example() -> Self {
        Self {
            id: 10,
            source_id: 3,
            record_kind: EntityKind::Partnership,
            record_id: "1".into(),
            field: Some("start_date".into()),
            quote: Some(
                "The Greenfield Police Department partnered with Ring in March 2018.".into(),
            ),
            version: 1,
            created_at: example_time(),
            updated_at: example_time(),
        }
    }
}

/// A record a source supports.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct CitedRecord {
    /// agency, program, phase, partnership or source.
    pub kind: EntityKind,
    pub id: String,
    pub field: Option<String>,
}

fn example_time() -> OffsetDateTime {
    time::macros::datetime!(2026-11-29 12:00:00 UTC)
}

impl poem_openapi::types::Example for AgencyBrief {
    fn example() -> Self {
        Self {
            id: "us-wi-greenfield-police-department".into(),
            name: "Greenfield Police Department".into(),
            agency_type: "police".into(),
            state: "WI".into(),
            latitude: Some(42.9614),
            longitude: Some(-88.01259),
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

impl poem_openapi::types::Example for Source {
    fn example() -> Self {
        Self {
            id: 3,
            url: "https://blog.ring.com/2019/08/28/working-together-for-safer-neighborhoods-introducing-the-neighbors-active-law-enforcement-map/".into(),
            title: "Working together for safer neighborhoods: introducing the Neighbors active law enforcement map".into(),
            publisher: Some("Ring".into()),
            published_date: Some("2019-08-28".into()),
            published_precision: Some(domain::DatePrecision::Day),
            published_earliest: Some("2019-08-28".into()),
            published_latest: Some("2019-08-28".into()),
            accessed_date: None,
            archived_url: None,
            kind: domain::SourceKind::PressRelease,
            version: 1,
            created_at: example_time(),
            updated_at: example_time(),
        }
    }
}

impl poem_openapi::types::Example for Citation {
    fn example() -> Self {
        Self {
            id: 10,
            field: Some("start_date".into()),
            quote: Some(
                "The Greenfield Police Department partnered with Ring in March 2018.".into(),
            ),
            source: Source::example(),
        }
    }
}

impl poem_openapi::types::Example for CitedRecord {
    fn example() -> Self {
        Self {
            kind: EntityKind::Partnership,
            id: "1".into(),
            field: None,
        }
    }
}
