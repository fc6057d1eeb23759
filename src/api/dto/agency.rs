//! An agency as clients see it, in full and in brief.

use crate::domain;
use poem_openapi::Object;
use std::collections::BTreeMap;
use time::OffsetDateTime;

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
    pub state: domain::StateCode,
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
            state: "WI".parse().expect("a state"),
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
            state: a.state,
            country: a.country.clone(),
            latitude: a.latitude,
            longitude: a.longitude,
            location_precision: a.location_precision,
            location_basis: a.location_basis,
            location_source: a.location_source.clone(),
            quality_flags: a.quality_flags.clone(),
            external_ids: a.external_ids.to_map(),
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
    pub agency_type: domain::AgencyType,
    pub state: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl From<&domain::Agency> for AgencyBrief {
    fn from(a: &domain::Agency) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            agency_type: a.agency_type,
            state: a.state.as_str().into(),
            latitude: a.latitude,
            longitude: a.longitude,
        }
    }
}

impl poem_openapi::types::Example for AgencyBrief {
    fn example() -> Self {
        Self {
            id: "us-wi-greenfield-police-department".into(),
            name: "Greenfield Police Department".into(),
            agency_type: domain::AgencyType::Police,
            state: "WI".into(),
            latitude: Some(42.9614),
            longitude: Some(-88.01259),
        }
    }
}
