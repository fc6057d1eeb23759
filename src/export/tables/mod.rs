//! The CSV tables: one per record type, each with its columns in a stable order and the map
//! from the read view's fields to them. Nested values are flattened: a partnership carries
//! its agency's id, name, type, state and position and its program's id and name;
//! `external_ids` is both an `aos_id` column (the Atlas of Surveillance row, the one most
//! users join on) and the whole map as JSON text; lists (`video_requests`, `quality_flags`)
//! are JSON text.

//!
//! A file a table or two: `agencies`, `partnerships`, `programs` (programs and phases),
//! `sources` (sources and citations); the columns they share are here.

mod agencies;
mod partnerships;
mod programs;
mod sources;

pub use agencies::{AGENCY_FIELDS, AgencyRow};
pub use partnerships::{DayCells, PARTNERSHIP_FIELDS, PartnershipRow};
pub use programs::{PHASE_FIELDS, PROGRAM_FIELDS};
pub use sources::{CITATION_FIELDS, SOURCE_FIELDS};

use super::ColumnType::{Datetime, Integer, String as Text};
use super::{Column, Row, Table, col};
use crate::domain::PartialDate;
use std::sync::Arc;

pub(super) const CREATED: Column = col(
    "created_at",
    Datetime,
    "When the record was created (RFC 3339).",
);

pub(super) const UPDATED: Column = col(
    "updated_at",
    Datetime,
    "When the record last changed (RFC 3339).",
);

pub(super) const VERSION: Column = col(
    "version",
    Integer,
    "The record's version: 1, +1 on every change.",
);

pub(super) const AOS_ID: Column = col(
    "aos_id",
    Text,
    "Atlas of Surveillance row id (`external_ids.aos`), where known.",
);

pub(super) const EXTERNAL_IDS: Column = col(
    "external_ids",
    Text,
    "Every id in other datasets, as a JSON object (e.g. {\"aos\":\"AOS3711\"}).",
);

/// The interval a start or end date at its precision means, as plain days (programs, phases).
pub(super) const START_EARLIEST: Column = col(
    "start_earliest",
    super::ColumnType::Date,
    "The first day start_date can mean.",
);

pub(super) const START_LATEST: Column = col(
    "start_latest",
    super::ColumnType::Date,
    "The last day start_date can mean.",
);

pub(super) const END_EARLIEST: Column = col(
    "end_earliest",
    super::ColumnType::Date,
    "The first day end_date can mean.",
);

pub(super) const END_LATEST: Column = col(
    "end_latest",
    super::ColumnType::Date,
    "The last day end_date can mean.",
);

/// `certain` or `possible`: how sure a statement about a day is.
pub const CERTAINTIES: &[&str] = &["certain", "possible"];

/// The first and last day a date at its precision can mean, as two cells.
pub(super) fn interval_cells(row: &mut Row<'_>, date: Option<PartialDate>) {
    row.opt_display(date.map(|d| d.earliest()));
    row.opt_display(date.map(|d| d.latest()));
}

impl<T: Table> Table for Arc<T> {
    const COLUMNS: &'static [Column] = T::COLUMNS;
    fn cells(&self, row: &mut Row<'_>) {
        (**self).cells(row)
    }
}
