//! The programs and phases tables.

use super::{
    CREATED, END_EARLIEST, END_LATEST, START_EARLIEST, START_LATEST, UPDATED, VERSION,
    interval_cells,
};
use crate::domain::{DatePrecision, Phase, Program, Status};
use crate::export::ColumnType::{Boolean, String as Text};
use crate::export::{Column, Field, Row, Table, col};

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
