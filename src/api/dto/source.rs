//! Sources and the citations that tie them to records, as clients see them.

use super::{date_text, earliest, example_time, latest, precision};
use crate::domain::{self, EntityKind};
use crate::service::catalog::Catalog;
use poem_openapi::Object;
use time::OffsetDateTime;

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
