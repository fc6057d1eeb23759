//! The properties of GeoJSON features (the lists' GeoJSON, the bulk GeoJSON files and the
//! OGC API items): flat and typed, one property per column of the record's CSV table, so GIS
//! tools store each as a typed field rather than a nested object as text. The JSON API keeps
//! its nested shape. A property whose value is unknown is left out (never `null`), so each
//! feature matches the collection's JSON Schema (`ogc::schema`), built from the same columns.

use crate::domain::{self, PartialDate};
use crate::export::tables::{AgencyRow, PartnershipRow};
use crate::service::catalog::Catalog;
use poem_openapi::Object;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use std::borrow::Cow;
use time::OffsetDateTime;

/// A day, `YYYY-MM-DD`: typed `format: date` in the spec, so clients read it as a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day(pub time::Date);

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl Type for Day {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date")))
    }

    super::vocab::raw_self!();
}

impl ToJSON for Day {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(self.0.to_string()))
    }
}

impl ParseFromJSON for Day {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        let text = match value {
            Some(serde_json::Value::String(s)) => s,
            other => return Err(ParseError::expected_type(other.unwrap_or_default())),
        };
        time::Date::parse(
            &text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map(Day)
        .map_err(|e| ParseError::custom(e.to_string()))
    }
}

fn earliest(d: Option<PartialDate>) -> Option<Day> {
    d.map(|d| Day(d.earliest()))
}

fn latest(d: Option<PartialDate>) -> Option<Day> {
    d.map(|d| Day(d.latest()))
}

fn json_text(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Declares a struct of feature properties in which every `Option` is left out when `None`.
macro_rules! properties {
    ($(#[$meta:meta])* $name:ident {
        required { $($(#[$rattr:meta])* $req:ident: $rty:ty,)* }
        optional { $($(#[doc = $doc:literal])* $field:ident: $ty:ty,)* }
    }) => {
        $(#[$meta])*
        #[derive(serde::Serialize, Object, Clone, Debug)]
        pub struct $name {
            $($(#[$rattr])* pub $req: $rty,)*
            $(
                $(#[doc = $doc])*
                #[oai(skip_serializing_if_is_none)]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }

        impl $name {
            /// The properties every feature has.
            pub const REQUIRED: &'static [&'static str] = &[$(stringify!($req)),*];
        }
    };
}

properties! {
    /// A partnership as flat, typed feature properties: the columns of `partnerships.csv`.
    PartnershipProperties {
        required {
            /// The partnership's id.
            id: i64,
            /// The agency's id.
            agency_id: String,
            /// The program's id.
            program_id: String,
            /// active, ended, announced or cancelled.
            status: domain::Status,
            /// Counts of video requests by period, as a JSON array of `{from, to, count}`.
            video_requests: String,
            /// Every id in other datasets, as a JSON object (e.g. `{"aos":"AOS3711"}`).
            external_ids: String,
            version: i32,
            #[serde(with = "time::serde::rfc3339")]
            created_at: OffsetDateTime,
            #[serde(with = "time::serde::rfc3339")]
            updated_at: OffsetDateTime,
        }
        optional {
        /// The agency's name.
        agency_name: String,
        /// The agency's type.
        agency_type: domain::AgencyType,
        /// The agency's USPS state code.
        state: String,
        /// The agency's WGS 84 latitude.
        latitude: f64,
        /// The agency's WGS 84 longitude.
        longitude: f64,
        /// The program's name.
        program_name: String,
        /// When it started, at its known precision (`2019-02-14`, `2019-02`, `2019`).
        start_date: String,
        start_precision: domain::DatePrecision,
        /// When it ended (last day), at its known precision.
        end_date: String,
        end_precision: domain::DatePrecision,
        /// The first day `start_date` can mean (`2019-02` -> `2019-02-01`).
        start_earliest: Day,
        /// The last day `start_date` can mean (`2019-02` -> `2019-02-28`).
        start_latest: Day,
        /// The first day `end_date` can mean.
        end_earliest: Day,
        /// The last day `end_date` can mean.
        end_latest: Day,
        /// The Atlas of Surveillance row id.
        aos_id: String,
        notes: String,
        /// The day of the newest evidence that it was active.
        last_confirmed: Day,
        /// The source of that evidence.
        last_confirmed_source: i64,
        /// The primary source's id.
        source_id: i64,
        /// The primary source's URL.
        source_url: String,
        /// The primary source's title.
        source_title: String,
        /// Metres from the `near` point, with `near`.
        distance_m: f64,
        /// With `active_on`: certain or possible.
        active_on_certainty: String,
        /// With `active_on`: certain or possible when the agency could ask for footage.
        footage_requests: String,
        /// With `active_on`: the program phase in force.
        phase_id: String,
        }
    }
}

properties! {
    /// An agency as flat, typed feature properties: the columns of `agencies.csv`.
    AgencyProperties {
        required {
            /// Stable public id: `us-<state>-<name>`.
            id: String,
            name: String,
            agency_type: domain::AgencyType,
            jurisdiction_type: domain::JurisdictionType,
            /// USPS state or territory code.
            state: String,
            /// ISO 3166-1 alpha-2 country code.
            country: String,
            /// Every id in other datasets, as a JSON object.
            external_ids: String,
            /// What the importer found inconsistent or weak, as a JSON array (`[]` if nothing).
            quality_flags: String,
            version: i32,
            #[serde(with = "time::serde::rfc3339")]
            created_at: OffsetDateTime,
            #[serde(with = "time::serde::rfc3339")]
            updated_at: OffsetDateTime,
        }
        optional {
        /// FBI Originating Agency Identifier.
        ori: String,
        city: String,
        county: String,
        latitude: f64,
        longitude: f64,
        location_precision: domain::LocationPrecision,
        location_source: String,
        /// The Atlas of Surveillance row id.
        aos_id: String,
        notes: String,
        /// Metres from the `near` point, with `near`.
        distance_m: f64,
        /// What the point is (a GeoNames place, the place nearest a county's interior point,
        /// ...).
        location_basis: domain::LocationBasis,
        }
    }
}

impl PartnershipProperties {
    /// The properties of an exported row (with its agency, program, source and day).
    pub fn from_row(r: &PartnershipRow) -> Self {
        let mut props = Self::of(
            &r.partnership,
            r.agency.as_deref(),
            r.program.as_deref(),
            r.source.as_ref(),
        );
        props.distance_m = r.distance_m;
        if let Some(day) = &r.day {
            props.active_on_certainty = day.certainty.map(str::to_string);
            props.footage_requests = day.footage_requests.map(str::to_string);
            props.phase_id = day.phase.as_ref().map(|ph| ph.id.clone());
        }
        props
    }

    /// The properties of a partnership of the catalog (no `near`, no `active_on`).
    pub fn build(p: &domain::Partnership, catalog: &Catalog) -> Self {
        Self::of(
            p,
            catalog.agencies.get(&p.agency_id).map(|a| &**a),
            catalog.programs.get(&p.program_id),
            catalog.primary_source(p),
        )
    }

    fn of(
        p: &domain::Partnership,
        a: Option<&domain::Agency>,
        program: Option<&domain::Program>,
        source: Option<&domain::Source>,
    ) -> Self {
        Self {
            id: p.id,
            agency_id: p.agency_id.clone(),
            program_id: p.program_id.clone(),
            status: p.status,
            video_requests: json_text(&p.video_requests),
            external_ids: json_text(&p.external_ids),
            version: p.meta.version,
            created_at: p.meta.created_at,
            updated_at: p.meta.updated_at,
            agency_name: a.map(|a| a.name.clone()),
            agency_type: a.map(|a| a.agency_type),
            state: a.map(|a| a.state.as_str().to_string()),
            latitude: a.and_then(|a| a.latitude),
            longitude: a.and_then(|a| a.longitude),
            program_name: program.map(|p| p.name.clone()),
            start_date: p.start.map(|d| d.to_string()),
            start_precision: p.start.map(|d| d.precision()),
            end_date: p.end.map(|d| d.to_string()),
            end_precision: p.end.map(|d| d.precision()),
            start_earliest: earliest(p.start),
            start_latest: latest(p.start),
            end_earliest: earliest(p.end),
            end_latest: latest(p.end),
            aos_id: p.external_ids.get("aos").cloned(),
            notes: p.notes.clone(),
            last_confirmed: p.last_confirmed.map(Day),
            last_confirmed_source: p.last_confirmed_source,
            source_id: source.map(|s| s.id),
            source_url: source.map(|s| s.url.clone()),
            source_title: source.map(|s| s.title.clone()),
            distance_m: None,
            active_on_certainty: None,
            footage_requests: None,
            phase_id: None,
        }
    }
}

impl AgencyProperties {
    pub fn from_row(r: &AgencyRow) -> Self {
        Self::of(&r.agency, r.distance_m)
    }

    pub fn of(a: &domain::Agency, distance_m: Option<f64>) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            agency_type: a.agency_type,
            jurisdiction_type: a.jurisdiction_type,
            state: a.state.as_str().to_string(),
            country: a.country.clone(),
            external_ids: json_text(&a.external_ids),
            quality_flags: json_text(&a.quality_flags),
            version: a.meta.version,
            created_at: a.meta.created_at,
            updated_at: a.meta.updated_at,
            ori: a.ori.clone(),
            city: a.city.clone(),
            county: a.county.clone(),
            latitude: a.latitude,
            longitude: a.longitude,
            location_precision: a.location_precision,
            location_source: a.location_source.clone(),
            aos_id: a.external_ids.get("aos").cloned(),
            notes: a.notes.clone(),
            distance_m,
            location_basis: a.location_basis,
        }
    }
}
