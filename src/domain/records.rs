//! The records the dataset publishes. Their serde form is the `data` of a revision, so a
//! record can be rebuilt exactly from the revision log at any point in time.

use super::{
    AgencyType, EntityKind, ExternalIds, JurisdictionType, LocationBasis, LocationPrecision,
    PartialDate, QualityFlag, SourceKind, StateCode, Status,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, OffsetDateTime};

/// Bookkeeping every versioned record carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// 1 for a new record, +1 on every change.
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Meta {
    /// The keys `Meta` adds to a record's JSON (flattened): bookkeeping that changes with
    /// every version, which a diff leaves out and a write body may not set.
    pub const KEYS: &'static [&'static str] = &["version", "created_at", "updated_at"];

    pub fn new(at: OffsetDateTime) -> Self {
        Self {
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    /// The bookkeeping of the next version of a record.
    pub fn next(&self, at: OffsetDateTime) -> Self {
        Self {
            version: self.version + 1,
            created_at: self.created_at,
            updated_at: at,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub agency_type: AgencyType,
    pub jurisdiction_type: JurisdictionType,
    pub ori: Option<String>,
    pub city: Option<String>,
    /// Kept whole when it names several counties ("DeKalb County, Fulton County").
    pub county: Option<String>,
    pub state: StateCode,
    pub country: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_precision: Option<LocationPrecision>,
    /// What the point is (a GeoNames place, the place standing for a county, a county's or
    /// state's interior point, ...); older revisions have none.
    #[serde(default)]
    pub location_basis: Option<LocationBasis>,
    /// What placed the agency (e.g. the gazetteer entry it was matched to).
    pub location_source: Option<String>,
    /// What the importer found inconsistent or weak about the agency's record, sorted
    /// (see `QualityFlag`); empty when nothing was. Older revisions have none.
    #[serde(default)]
    pub quality_flags: Vec<QualityFlag>,
    #[serde(default)]
    pub external_ids: ExternalIds,
    pub notes: Option<String>,
    #[serde(flatten)]
    pub meta: Meta,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub id: String,
    pub vendor: String,
    pub name: String,
    pub description: Option<String>,
    pub start: Option<PartialDate>,
    /// A program's end ends every enrolment in it.
    pub end: Option<PartialDate>,
    #[serde(flatten)]
    pub meta: Meta,
}

/// A dated period of a program that changes what every enrolled agency can do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub id: String,
    pub program_id: String,
    pub name: String,
    pub description: Option<String>,
    pub status: Status,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    /// Whether enrolled agencies could ask residents for footage through the vendor then.
    pub footage_requests: bool,
    /// Who among the enrolled agencies the phase applies to, where not all of them.
    pub footage_condition: Option<String>,
    #[serde(flatten)]
    pub meta: Meta,
}

/// How many video requests an agency made in a period, where a source says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoRequestCount {
    pub from: PartialDate,
    pub to: Option<PartialDate>,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partnership {
    pub id: i64,
    pub agency_id: String,
    pub program_id: String,
    pub status: Status,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    #[serde(default)]
    pub video_requests: Vec<VideoRequestCount>,
    /// The last day a source (a snapshot of Ring's map) showed the partnership as current.
    #[serde(default)]
    pub last_confirmed: Option<time::Date>,
    #[serde(default)]
    pub external_ids: ExternalIds,
    pub notes: Option<String>,
    /// The source (id) of the newest evidence that the partnership was active, whose day
    /// is `last_confirmed` (see `domain::evidence`).
    #[serde(default)]
    pub last_confirmed_source: Option<i64>,
    #[serde(flatten)]
    pub meta: Meta,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published: Option<PartialDate>,
    pub accessed: Option<Date>,
    pub archived_url: Option<String>,
    pub kind: SourceKind,
    #[serde(flatten)]
    pub meta: Meta,
}

/// "Source S supports record R", optionally only its field F, optionally with a quote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    pub id: i64,
    pub source_id: i64,
    pub entity_kind: EntityKind,
    pub entity_id: String,
    pub field: Option<String>,
    pub quote: Option<String>,
    #[serde(flatten)]
    pub meta: Meta,
}

/// Any record, as the revision log stores it.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Agency(Agency),
    Program(Program),
    Phase(Phase),
    Partnership(Partnership),
    Source(Source),
    Citation(Citation),
}

impl Record {
    pub fn kind(&self) -> EntityKind {
        match self {
            Record::Agency(_) => EntityKind::Agency,
            Record::Program(_) => EntityKind::Program,
            Record::Phase(_) => EntityKind::Phase,
            Record::Partnership(_) => EntityKind::Partnership,
            Record::Source(_) => EntityKind::Source,
            Record::Citation(_) => EntityKind::Citation,
        }
    }

    /// The record's public id, as text (numeric ids in decimal).
    pub fn entity_id(&self) -> String {
        match self {
            Record::Agency(r) => r.id.clone(),
            Record::Program(r) => r.id.clone(),
            Record::Phase(r) => r.id.clone(),
            Record::Partnership(r) => r.id.to_string(),
            Record::Source(r) => r.id.to_string(),
            Record::Citation(r) => r.id.to_string(),
        }
    }

    pub fn meta(&self) -> &Meta {
        match self {
            Record::Agency(r) => &r.meta,
            Record::Program(r) => &r.meta,
            Record::Phase(r) => &r.meta,
            Record::Partnership(r) => &r.meta,
            Record::Source(r) => &r.meta,
            Record::Citation(r) => &r.meta,
        }
    }

    pub fn meta_mut(&mut self) -> &mut Meta {
        match self {
            Record::Agency(r) => &mut r.meta,
            Record::Program(r) => &mut r.meta,
            Record::Phase(r) => &mut r.meta,
            Record::Partnership(r) => &mut r.meta,
            Record::Source(r) => &mut r.meta,
            Record::Citation(r) => &mut r.meta,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            Record::Agency(r) => serde_json::to_value(r),
            Record::Program(r) => serde_json::to_value(r),
            Record::Phase(r) => serde_json::to_value(r),
            Record::Partnership(r) => serde_json::to_value(r),
            Record::Source(r) => serde_json::to_value(r),
            Record::Citation(r) => serde_json::to_value(r),
        };
        // Serialising these plain structs cannot fail: no maps with non-string keys.
        v.unwrap_or(serde_json::Value::Null)
    }

    pub fn from_json(kind: EntityKind, data: serde_json::Value) -> serde_json::Result<Self> {
        Self::deserialize_as(kind, data)
    }

    /// [`Record::from_json`] of JSON text (a revision's data as the log stores it), without
    /// building a `serde_json::Value` first.
    pub fn from_json_text(kind: EntityKind, text: &str) -> serde_json::Result<Self> {
        let mut d = serde_json::Deserializer::from_str(text);
        let record = Self::deserialize_as(kind, &mut d)?;
        d.end()?;
        Ok(record)
    }

    /// [`Record::from_json`] of a borrowed value (no copy of it first).
    pub fn from_json_ref(kind: EntityKind, data: &serde_json::Value) -> serde_json::Result<Self> {
        Self::deserialize_as(kind, data)
    }

    fn deserialize_as<'de, D: Deserializer<'de>>(kind: EntityKind, d: D) -> Result<Self, D::Error> {
        Ok(match kind {
            EntityKind::Agency => Record::Agency(Deserialize::deserialize(d)?),
            EntityKind::Program => Record::Program(Deserialize::deserialize(d)?),
            EntityKind::Phase => Record::Phase(Deserialize::deserialize(d)?),
            EntityKind::Partnership => Record::Partnership(Deserialize::deserialize(d)?),
            EntityKind::Source => Record::Source(Deserialize::deserialize(d)?),
            EntityKind::Citation => Record::Citation(Deserialize::deserialize(d)?),
        })
    }
}

impl Serialize for StateCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StateCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_record_survives_the_revision_log_unchanged() {
        let at = datetime!(2026-11-29 13:00:00 UTC);
        let p = Record::Partnership(Partnership {
            id: 7,
            agency_id: "us-wi-greenfield-police-department".into(),
            program_id: "ring-neighbors-public-safety-service".into(),
            status: Status::Active,
            start: Some("2018-03-22".parse().unwrap()),
            end: None,
            video_requests: vec![VideoRequestCount {
                from: "2019".parse().unwrap(),
                to: None,
                count: 12,
            }],
            external_ids: [("aos".to_string(), "AOS3711".to_string())].into(),
            notes: None,
            last_confirmed: Some(time::macros::date!(2020 - 10 - 07)),
            last_confirmed_source: Some(1),
            meta: Meta::new(at),
        });
        let json = p.to_json();
        assert_eq!(json["start"], "2018-03-22");
        assert_eq!(json["last_confirmed"], "2020-10-07");
        assert_eq!(json["version"], 1);
        assert_eq!(Record::from_json(EntityKind::Partnership, json).unwrap(), p);
    }

    #[test]
    fn meta_keys_are_what_meta_writes() {
        let json = serde_json::to_value(Meta::new(datetime!(2026-11-29 13:00:00 UTC))).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut expected = Meta::KEYS.to_vec();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }
}
