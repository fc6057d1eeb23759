//! The CSV tables: one per record type, each with its columns in a stable order and the map
//! from the read view's fields to them. Nested values are flattened: a partnership carries
//! its agency's id, name, type, state and position and its program's id and name;
//! `external_ids` is both an `aos_id` column (the Atlas of Surveillance row, the one most
//! users join on) and the whole map as JSON text; lists (`video_requests`, `quality_flags`)
//! are JSON text.

use super::ColumnType::{Boolean, Datetime, Integer, Number, String as Text};
use super::{Column, Field, Row, Table, col};
use crate::domain::{
    Agency, AgencyType, Citation, DatePrecision, EntityKind, JurisdictionType, LocationBasis,
    LocationPrecision, PartialDate, Partnership, Phase, Program, STATE_CODE_LIST, Source,
    SourceKind, Status,
};
use std::sync::Arc;

const CREATED: Column = col(
    "created_at",
    Datetime,
    "When the record was created (RFC 3339).",
);
const UPDATED: Column = col(
    "updated_at",
    Datetime,
    "When the record last changed (RFC 3339).",
);
const VERSION: Column = col(
    "version",
    Integer,
    "The record's version: 1, +1 on every change.",
);
const AOS_ID: Column = col(
    "aos_id",
    Text,
    "Atlas of Surveillance row id (`external_ids.aos`), where known.",
);
const EXTERNAL_IDS: Column = col(
    "external_ids",
    Text,
    "Every id in other datasets, as a JSON object (e.g. {\"aos\":\"AOS3711\"}).",
);

/// The interval a start or end date at its precision means, as plain days (programs, phases).
const START_EARLIEST: Column = col(
    "start_earliest",
    super::ColumnType::Date,
    "The first day start_date can mean.",
);
const START_LATEST: Column = col(
    "start_latest",
    super::ColumnType::Date,
    "The last day start_date can mean.",
);
const END_EARLIEST: Column = col(
    "end_earliest",
    super::ColumnType::Date,
    "The first day end_date can mean.",
);
const END_LATEST: Column = col(
    "end_latest",
    super::ColumnType::Date,
    "The last day end_date can mean.",
);

// ---- agencies ----

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

// ---- partnerships ----

/// What a partnership was on the export's `active_on` day.
#[derive(Clone, Debug, Default)]
pub struct DayCells {
    pub certainty: Option<&'static str>,
    pub footage_requests: Option<&'static str>,
    pub phase: Option<Arc<Phase>>,
}

/// A partnership with the agency and program it joins (by `Arc` and id, so a snapshot is
/// cheap), its distance from `near`, and what it was on `active_on`.
pub struct PartnershipRow {
    pub partnership: Arc<Partnership>,
    pub agency: Option<Arc<Agency>>,
    pub program: Option<Arc<Program>>,
    /// The primary source ([`crate::service::catalog::Catalog::primary_source`]).
    pub source: Option<Source>,
    pub distance_m: Option<f64>,
    pub day: Option<DayCells>,
}

pub const PARTNERSHIP_FIELDS: &[(&str, Field)] = &[
    ("id", Field::Column("id")),
    ("agency.id", Field::Column("agency_id")),
    ("agency.name", Field::Column("agency_name")),
    ("agency.agency_type", Field::Column("agency_type")),
    ("agency.state", Field::Column("state")),
    ("agency.latitude", Field::Column("latitude")),
    ("agency.longitude", Field::Column("longitude")),
    ("program.id", Field::Column("program_id")),
    ("program.name", Field::Column("program_name")),
    (
        "program.vendor",
        Field::Omitted("the same for every partnership of a program: see programs.csv"),
    ),
    ("status", Field::Column("status")),
    ("start_date", Field::Column("start_date")),
    ("start_precision", Field::Column("start_precision")),
    ("end_date", Field::Column("end_date")),
    ("end_precision", Field::Column("end_precision")),
    ("start_earliest", Field::Column("start_earliest")),
    ("start_latest", Field::Column("start_latest")),
    ("end_earliest", Field::Column("end_earliest")),
    ("end_latest", Field::Column("end_latest")),
    ("video_requests", Field::Column("video_requests")),
    ("external_ids", Field::Column("external_ids")),
    ("notes", Field::Column("notes")),
    ("last_confirmed", Field::Column("last_confirmed")),
    (
        "last_confirmed_source",
        Field::Column("last_confirmed_source"),
    ),
    ("version", Field::Column("version")),
    ("created_at", Field::Column("created_at")),
    ("updated_at", Field::Column("updated_at")),
    ("distance_m", Field::Column("distance_m")),
    ("active_on_certainty", Field::Column("active_on_certainty")),
    ("footage_requests", Field::Column("footage_requests")),
    ("phase.id", Field::Column("phase_id")),
    (
        "phase.name",
        Field::Omitted("a property of the phase: see phases.csv by phase_id"),
    ),
    (
        "phase.footage_requests",
        Field::Omitted("a property of the phase: see phases.csv by phase_id"),
    ),
    (
        "phase.footage_condition",
        Field::Omitted("a property of the phase: see phases.csv by phase_id"),
    ),
];

impl Table for PartnershipRow {
    const COLUMNS: &'static [Column] = &[
        col("id", Integer, "The partnership's id."),
        col("agency_id", Text, "The agency's id (agencies.csv)."),
        col("agency_name", Text, "The agency's name."),
        col("agency_type", Text, "The agency's type.").one_of(AgencyType::NAMES),
        col("state", Text, "The agency's USPS state code.").one_of(&STATE_CODE_LIST),
        col("latitude", Number, "The agency's WGS 84 latitude."),
        col("longitude", Number, "The agency's WGS 84 longitude."),
        col("program_id", Text, "The program's id (programs.csv)."),
        col("program_name", Text, "The program's name."),
        col("status", Text, "active, ended, announced or cancelled.").one_of(Status::NAMES),
        col(
            "start_date",
            Text,
            "When it started, at its known precision: YYYY-MM-DD, YYYY-MM, YYYY or a range of days YYYY-MM-DD/YYYY-MM-DD.",
        ),
        col(
            "start_precision",
            Text,
            "day, month, year or range (YYYY-MM-DD/YYYY-MM-DD: some day between the two).",
        )
        .one_of(DatePrecision::NAMES),
        col(
            "end_date",
            Text,
            "When it ended (last day), at its known precision.",
        ),
        col(
            "end_precision",
            Text,
            "day, month, year or range (YYYY-MM-DD/YYYY-MM-DD: some day between the two).",
        )
        .one_of(DatePrecision::NAMES),
        col(
            "start_earliest",
            super::ColumnType::Date,
            "The first day start_date can mean (2019-02 -> 2019-02-01).",
        ),
        col(
            "start_latest",
            super::ColumnType::Date,
            "The last day start_date can mean (2019-02 -> 2019-02-28).",
        ),
        col(
            "end_earliest",
            super::ColumnType::Date,
            "The first day end_date can mean.",
        ),
        col(
            "end_latest",
            super::ColumnType::Date,
            "The last day end_date can mean.",
        ),
        col(
            "video_requests",
            Text,
            "Counts of video requests by period, as a JSON array of {from, to, count}.",
        ),
        AOS_ID,
        EXTERNAL_IDS,
        col("notes", Text, "Editors' notes."),
        col(
            "last_confirmed",
            super::ColumnType::Date,
            "The day of the newest evidence that it was active; after it, with no end recorded, it is possible, not certain.",
        ),
        col(
            "last_confirmed_source",
            Integer,
            "The source of that evidence (sources.csv).",
        ),
        col(
            "source_id",
            Integer,
            "The primary source (sources.csv): the first cited for the whole record that is itself evidence (not a compiled dataset such as the Atlas), else the first cited for a field, else the first cited, else the source of the last confirmation.",
        ),
        col("source_url", Text, "The primary source's URL."),
        col("source_title", Text, "The primary source's title."),
        VERSION,
        CREATED,
        UPDATED,
        col(
            "distance_m",
            Number,
            "Metres from the `near` point of the export to the agency; empty without `near`.",
        ),
        col(
            "active_on_certainty",
            Text,
            "With `active_on`: certain or possible; empty otherwise.",
        )
        .one_of(CERTAINTIES),
        col(
            "footage_requests",
            Text,
            "With `active_on`: certain or possible when the agency could ask for footage that day.",
        )
        .one_of(CERTAINTIES),
        col(
            "phase_id",
            Text,
            "With `active_on`: the program phase in force (phases.csv).",
        ),
    ];

    fn cells(&self, row: &mut Row<'_>) {
        let p = &self.partnership;
        let a = self.agency.as_deref();
        row.int(p.id);
        row.text(&p.agency_id);
        row.opt(a.map(|a| a.name.as_str()));
        row.opt(a.map(|a| a.agency_type.as_str()));
        row.opt(a.map(|a| a.state.as_str()));
        row.num(a.and_then(|a| a.latitude));
        row.num(a.and_then(|a| a.longitude));
        row.text(&p.program_id);
        row.opt(self.program.as_deref().map(|p| p.name.as_str()));
        row.text(p.status.as_str());
        row.opt_display(p.start);
        row.opt(p.start.map(|d| d.precision().as_str()));
        row.opt_display(p.end);
        row.opt(p.end.map(|d| d.precision().as_str()));
        row.opt_display(p.start.map(|d| d.earliest()));
        row.opt_display(p.start.map(|d| d.latest()));
        row.opt_display(p.end.map(|d| d.earliest()));
        row.opt_display(p.end.map(|d| d.latest()));
        if p.video_requests.is_empty() {
            row.text("[]");
        } else {
            row.json(&p.video_requests);
        }
        row.opt(p.external_ids.get("aos").map(String::as_str));
        row.json(&p.external_ids);
        row.opt(p.notes.as_deref());
        row.opt_display(p.last_confirmed);
        match p.last_confirmed_source {
            Some(id) => row.int(id),
            None => row.opt(None),
        }
        let source = self.source.as_ref();
        match source {
            Some(s) => row.int(s.id),
            None => row.opt(None),
        }
        row.opt(source.map(|s| s.url.as_str()));
        row.opt(source.map(|s| s.title.as_str()));
        row.int(p.meta.version.into());
        row.datetime(p.meta.created_at);
        row.datetime(p.meta.updated_at);
        row.num(self.distance_m);
        let day = self.day.as_ref();
        row.opt(day.and_then(|d| d.certainty));
        row.opt(day.and_then(|d| d.footage_requests));
        row.opt(day.and_then(|d| d.phase.as_deref()).map(|p| p.id.as_str()));
    }
}

// ---- programs and phases ----

pub const PROGRAM_FIELDS: &[(&str, Field)] = &[
    ("id", Field::Column("id")),
    ("vendor", Field::Column("vendor")),
    ("name", Field::Column("name")),
    ("description", Field::Column("description")),
    ("start_date", Field::Column("start_date")),
    ("start_precision", Field::Column("start_precision")),
    ("end_date", Field::Column("end_date")),
    ("end_precision", Field::Column("end_precision")),
    ("start_earliest", Field::Column("start_earliest")),
    ("start_latest", Field::Column("start_latest")),
    ("end_earliest", Field::Column("end_earliest")),
    ("end_latest", Field::Column("end_latest")),
    (
        "phases",
        Field::Omitted("a table of its own: phases.csv, joined by program_id"),
    ),
    ("version", Field::Column("version")),
    ("created_at", Field::Column("created_at")),
    ("updated_at", Field::Column("updated_at")),
];

impl Table for Program {
    const COLUMNS: &'static [Column] = &[
        col("id", Text, "The program's id."),
        col("vendor", Text, "Who runs the program."),
        col("name", Text, "The program's name."),
        col("description", Text, "What the program is."),
        col(
            "start_date",
            Text,
            "When it started, at its known precision.",
        ),
        col(
            "start_precision",
            Text,
            "day, month, year or range (YYYY-MM-DD/YYYY-MM-DD: some day between the two).",
        )
        .one_of(DatePrecision::NAMES),
        col(
            "end_date",
            Text,
            "When it ended; its end ends every enrolment.",
        ),
        col(
            "end_precision",
            Text,
            "day, month, year or range (YYYY-MM-DD/YYYY-MM-DD: some day between the two).",
        )
        .one_of(DatePrecision::NAMES),
        START_EARLIEST,
        START_LATEST,
        END_EARLIEST,
        END_LATEST,
        VERSION,
        CREATED,
        UPDATED,
    ];

    fn cells(&self, row: &mut Row<'_>) {
        row.text(&self.id);
        row.text(&self.vendor);
        row.text(&self.name);
        row.opt(self.description.as_deref());
        row.opt_display(self.start);
        row.opt(self.start.map(|d| d.precision().as_str()));
        row.opt_display(self.end);
        row.opt(self.end.map(|d| d.precision().as_str()));
        interval_cells(row, self.start);
        interval_cells(row, self.end);
        row.int(self.meta.version.into());
        row.datetime(self.meta.created_at);
        row.datetime(self.meta.updated_at);
    }
}

pub const PHASE_FIELDS: &[(&str, Field)] = &[
    ("id", Field::Column("id")),
    ("program_id", Field::Column("program_id")),
    ("name", Field::Column("name")),
    ("description", Field::Column("description")),
    ("status", Field::Column("status")),
    ("start_date", Field::Column("start_date")),
    ("start_precision", Field::Column("start_precision")),
    ("end_date", Field::Column("end_date")),
    ("end_precision", Field::Column("end_precision")),
    ("start_earliest", Field::Column("start_earliest")),
    ("start_latest", Field::Column("start_latest")),
    ("end_earliest", Field::Column("end_earliest")),
    ("end_latest", Field::Column("end_latest")),
    ("footage_requests", Field::Column("footage_requests")),
    ("footage_condition", Field::Column("footage_condition")),
    ("version", Field::Column("version")),
];

impl Table for Phase {
    const COLUMNS: &'static [Column] = &[
        col("id", Text, "The phase's id."),
        col(
            "program_id",
            Text,
            "The program it belongs to (programs.csv).",
        ),
        col("name", Text, "The phase's name."),
        col("description", Text, "What changed for enrolled agencies."),
        col("status", Text, "active, ended, announced or cancelled.").one_of(Status::NAMES),
        col(
            "start_date",
            Text,
            "When it started, at its known precision.",
        ),
        col(
            "start_precision",
            Text,
            "day, month, year or range (YYYY-MM-DD/YYYY-MM-DD: some day between the two).",
        )
        .one_of(DatePrecision::NAMES),
        col(
            "end_date",
            Text,
            "Last day it applied, at its known precision.",
        ),
        col(
            "end_precision",
            Text,
            "day, month, year or range (YYYY-MM-DD/YYYY-MM-DD: some day between the two).",
        )
        .one_of(DatePrecision::NAMES),
        START_EARLIEST,
        START_LATEST,
        END_EARLIEST,
        END_LATEST,
        col(
            "footage_requests",
            Boolean,
            "Whether enrolled agencies could ask residents for footage through the vendor.",
        ),
        col(
            "footage_condition",
            Text,
            "Which enrolled agencies the footage requests apply to, where not all.",
        ),
        VERSION,
        CREATED,
        UPDATED,
    ];

    fn cells(&self, row: &mut Row<'_>) {
        row.text(&self.id);
        row.text(&self.program_id);
        row.text(&self.name);
        row.opt(self.description.as_deref());
        row.text(self.status.as_str());
        row.opt_display(self.start);
        row.opt(self.start.map(|d| d.precision().as_str()));
        row.opt_display(self.end);
        row.opt(self.end.map(|d| d.precision().as_str()));
        interval_cells(row, self.start);
        interval_cells(row, self.end);
        row.boolean(self.footage_requests);
        row.opt(self.footage_condition.as_deref());
        row.int(self.meta.version.into());
        row.datetime(self.meta.created_at);
        row.datetime(self.meta.updated_at);
    }
}

// ---- sources and citations ----

pub const SOURCE_FIELDS: &[(&str, Field)] = &[
    ("id", Field::Column("id")),
    ("url", Field::Column("url")),
    ("title", Field::Column("title")),
    ("publisher", Field::Column("publisher")),
    ("published_date", Field::Column("published_date")),
    ("published_precision", Field::Column("published_precision")),
    ("published_earliest", Field::Column("published_earliest")),
    ("published_latest", Field::Column("published_latest")),
    ("accessed_date", Field::Column("accessed_date")),
    ("archived_url", Field::Column("archived_url")),
    ("kind", Field::Column("kind")),
    ("version", Field::Column("version")),
    ("created_at", Field::Column("created_at")),
    ("updated_at", Field::Column("updated_at")),
];

impl Table for Source {
    const COLUMNS: &'static [Column] = &[
        col("id", Integer, "The source's id."),
        col("url", Text, "Where the source is."),
        col("title", Text, "Its title."),
        col("publisher", Text, "Who published it."),
        col("published_date", Text, "When, at its known precision."),
        col(
            "published_precision",
            Text,
            "day, month, year or range (YYYY-MM-DD/YYYY-MM-DD: some day between the two).",
        )
        .one_of(DatePrecision::NAMES),
        col(
            "published_earliest",
            super::ColumnType::Date,
            "The first day published_date can mean.",
        ),
        col(
            "published_latest",
            super::ColumnType::Date,
            "The last day published_date can mean.",
        ),
        col(
            "accessed_date",
            super::ColumnType::Date,
            "When it was last read.",
        ),
        col("archived_url", Text, "A snapshot in a web archive."),
        col(
            "kind",
            Text,
            "official_map, news, press_release, public_records, agency_post, dataset or other.",
        )
        .one_of(SourceKind::NAMES),
        VERSION,
        CREATED,
        UPDATED,
    ];

    fn cells(&self, row: &mut Row<'_>) {
        row.int(self.id);
        row.text(&self.url);
        row.text(&self.title);
        row.opt(self.publisher.as_deref());
        row.opt_display(self.published);
        row.opt(self.published.map(|d| d.precision().as_str()));
        interval_cells(row, self.published);
        row.opt_display(self.accessed);
        row.opt(self.archived_url.as_deref());
        row.text(self.kind.as_str());
        row.int(self.meta.version.into());
        row.datetime(self.meta.created_at);
        row.datetime(self.meta.updated_at);
    }
}

pub const CITATION_FIELDS: &[(&str, Field)] = &[
    ("id", Field::Column("id")),
    ("field", Field::Column("field")),
    ("quote", Field::Column("quote")),
    // The rest of the embedded source is a table of its own: sources.csv, by source_id.
    ("source.id", Field::Column("source_id")),
];

impl Table for Citation {
    const COLUMNS: &'static [Column] = &[
        col("id", Integer, "The citation's id."),
        col("source_id", Integer, "The source cited (sources.csv)."),
        col(
            "entity_kind",
            Text,
            "What the citing record is: agency, program, phase, partnership or source.",
        )
        .one_of(EntityKind::NAMES),
        col("entity_id", Text, "The citing record's id."),
        col(
            "field",
            Text,
            "The field the source supports; empty for the whole record.",
        ),
        col("quote", Text, "The passage of the source that supports it."),
        VERSION,
        CREATED,
        UPDATED,
    ];

    fn cells(&self, row: &mut Row<'_>) {
        row.int(self.id);
        row.int(self.source_id);
        row.text(self.entity_kind.as_str());
        row.text(&self.entity_id);
        row.opt(self.field.as_deref());
        row.opt(self.quote.as_deref());
        row.int(self.meta.version.into());
        row.datetime(self.meta.created_at);
        row.datetime(self.meta.updated_at);
    }
}

/// `certain` or `possible`: how sure a statement about a day is.
pub const CERTAINTIES: &[&str] = &["certain", "possible"];

/// The first and last day a date at its precision can mean, as two cells.
fn interval_cells(row: &mut Row<'_>, date: Option<PartialDate>) {
    row.opt_display(date.map(|d| d.earliest()));
    row.opt_display(date.map(|d| d.latest()));
}

impl<T: Table> Table for Arc<T> {
    const COLUMNS: &'static [Column] = T::COLUMNS;
    fn cells(&self, row: &mut Row<'_>) {
        (**self).cells(row)
    }
}
