//! The partnerships table: each partnership with its agency and program flattened in, and
//! optionally what it was on one day.

use super::{AOS_ID, CERTAINTIES, CREATED, EXTERNAL_IDS, UPDATED, VERSION};
use crate::domain::{
    Agency, AgencyType, DatePrecision, Partnership, Phase, Program, STATE_CODE_LIST, Source, Status,
};
use crate::export::ColumnType::{Integer, Number, String as Text};
use crate::export::{Column, Field, Row, Table, col};
use std::sync::Arc;

/// What a partnership was on the export's `active_on` day.
#[derive(Clone, Debug, Default)]
pub struct DayCells {
    pub certainty: Option<&'static str>,
    pub footage_requests: Option<&'static str>,
    pub phase: Option<Arc<Phase>>,
}

/// A partnership with the agency and program it joins (by `Arc` and id, so a batch of rows
/// is cheap to take), its distance from `near`, and what it was on `active_on`.
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
            crate::export::ColumnType::Date,
            "The first day start_date can mean (2019-02 -> 2019-02-01).",
        ),
        col(
            "start_latest",
            crate::export::ColumnType::Date,
            "The last day start_date can mean (2019-02 -> 2019-02-28).",
        ),
        col(
            "end_earliest",
            crate::export::ColumnType::Date,
            "The first day end_date can mean.",
        ),
        col(
            "end_latest",
            crate::export::ColumnType::Date,
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
            crate::export::ColumnType::Date,
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
