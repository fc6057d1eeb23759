//! The sources and citations tables.

use super::{CREATED, UPDATED, VERSION, interval_cells};
use crate::domain::{Citation, DatePrecision, EntityKind, Source, SourceKind};
use crate::export::ColumnType::{Integer, String as Text};
use crate::export::{Column, Field, Row, Table, col};

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
            crate::export::ColumnType::Date,
            "The first day published_date can mean.",
        ),
        col(
            "published_latest",
            crate::export::ColumnType::Date,
            "The last day published_date can mean.",
        ),
        col(
            "accessed_date",
            crate::export::ColumnType::Date,
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
