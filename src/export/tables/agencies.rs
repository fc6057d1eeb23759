//! The agencies table.

use super::{AOS_ID, CREATED, EXTERNAL_IDS, UPDATED, VERSION};
use crate::domain::{
    Agency, AgencyType, JurisdictionType, LocationBasis, LocationPrecision, STATE_CODE_LIST,
};
use crate::export::ColumnType::{Number, String as Text};
use crate::export::{Column, Field, Row, Table, col};
use std::sync::Arc;

/// An agency, with its distance from the `near` point when the export was asked with one.
pub struct AgencyRow {
    pub agency: Arc<Agency>,
    pub distance_m: Option<f64>,
}

pub const AGENCY_FIELDS: &[(&str, Field)] = &[
    ("id", Field::Column("id")),
    ("name", Field::Column("name")),
    ("agency_type", Field::Column("agency_type")),
    ("jurisdiction_type", Field::Column("jurisdiction_type")),
    ("ori", Field::Column("ori")),
    ("city", Field::Column("city")),
    ("county", Field::Column("county")),
    ("state", Field::Column("state")),
    ("country", Field::Column("country")),
    ("latitude", Field::Column("latitude")),
    ("longitude", Field::Column("longitude")),
    ("location_precision", Field::Column("location_precision")),
    ("location_source", Field::Column("location_source")),
    ("external_ids", Field::Column("external_ids")),
    ("notes", Field::Column("notes")),
    ("version", Field::Column("version")),
    ("created_at", Field::Column("created_at")),
    ("updated_at", Field::Column("updated_at")),
    ("distance_m", Field::Column("distance_m")),
    ("quality_flags", Field::Column("quality_flags")),
    ("location_basis", Field::Column("location_basis")),
];

impl Table for AgencyRow {
    const COLUMNS: &'static [Column] = &[
        col("id", Text, "Stable public id: us-<state>-<name>."),
        col("name", Text, "The agency's name."),
        col(
            "agency_type",
            Text,
            "police, sheriff, constable, district_attorney, fire or other.",
        )
        .one_of(AgencyType::NAMES),
        col(
            "jurisdiction_type",
            Text,
            "municipal, county, parish, regional, state, tribal, university or other.",
        )
        .one_of(JurisdictionType::NAMES),
        col(
            "ori",
            Text,
            "FBI Originating Agency Identifier, where known.",
        ),
        col("city", Text, "City."),
        col(
            "county",
            Text,
            "The county or counties served, as the source names them.",
        ),
        col("state", Text, "USPS state or territory code.").one_of(&STATE_CODE_LIST),
        col("country", Text, "ISO 3166-1 alpha-2 country code."),
        col(
            "latitude",
            Number,
            "WGS 84 latitude; empty until the agency is placed.",
        ),
        col(
            "longitude",
            Number,
            "WGS 84 longitude; empty until the agency is placed.",
        ),
        col(
            "location_precision",
            Text,
            "How exactly the coordinates place the agency: address, place, county or state.",
        )
        .one_of(LocationPrecision::NAMES),
        col(
            "location_source",
            Text,
            "What placed the agency (e.g. a GeoNames place).",
        ),
        AOS_ID,
        EXTERNAL_IDS,
        col("notes", Text, "Editors' notes."),
        VERSION,
        CREATED,
        UPDATED,
        col(
            "distance_m",
            Number,
            "Metres from the `near` point of the export; empty without `near`.",
        ),
        col(
            "quality_flags",
            Text,
            "What the importer found inconsistent or weak in the record, as a JSON array of QualityFlag values (e.g. [\"county_not_in_state\"]); [] when nothing.",
        ),
        col(
            "location_basis",
            Text,
            "What the point is: geonames_place, county_place (the GeoNames place nearest the county's interior point), county_centroid, county_pole, county_interior, state_interior or source_point; empty when unknown.",
        )
        .one_of(LocationBasis::NAMES),
    ];

    fn cells(&self, row: &mut Row<'_>) {
        let a = &self.agency;
        row.text(&a.id);
        row.text(&a.name);
        row.text(a.agency_type.as_str());
        row.text(a.jurisdiction_type.as_str());
        row.opt(a.ori.as_deref());
        row.opt(a.city.as_deref());
        row.opt(a.county.as_deref());
        row.text(a.state.as_str());
        row.text(&a.country);
        row.num(a.latitude);
        row.num(a.longitude);
        row.opt(a.location_precision.map(|p| p.as_str()));
        row.opt(a.location_source.as_deref());
        row.opt(a.external_ids.get("aos").map(String::as_str));
        row.json(&a.external_ids);
        row.opt(a.notes.as_deref());
        row.int(a.meta.version.into());
        row.datetime(a.meta.created_at);
        row.datetime(a.meta.updated_at);
        row.num(self.distance_m);
        if a.quality_flags.is_empty() {
            row.text("[]");
        } else {
            row.json(&a.quality_flags);
        }
        row.opt(a.location_basis.map(|b| b.as_str()));
    }
}
