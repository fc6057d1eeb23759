//! Mapping between domain records and table rows.

use super::StoredRevision;
use crate::domain::{PartialDate, Record};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, DatabaseTransaction, DbErr, Set, prelude::Json,
};
use time::{Date, OffsetDateTime};

pub(super) fn revision_from_row(row: entity::revisions::Model) -> Result<StoredRevision, DbErr> {
    let bad = |what: &str, v: &str| DbErr::Type(format!("revision {}: bad {what} `{v}`", row.seq));
    Ok(StoredRevision {
        seq: row.seq,
        entity_kind: row
            .entity_kind
            .parse()
            .map_err(|_| bad("entity kind", &row.entity_kind))?,
        entity_id: row.entity_id.clone(),
        version: row.version,
        change_kind: row
            .change_kind
            .parse()
            .map_err(|_| bad("change kind", &row.change_kind))?,
        actor: row.actor.clone(),
        note: row.note.clone(),
        recorded_at: row.recorded_at,
        data: row.data,
    })
}

/// The columns of a revision the fold reads, `data` as text.
#[derive(sea_orm::FromQueryResult)]
pub(super) struct FoldRow {
    seq: i64,
    entity_kind: String,
    entity_id: String,
    change_kind: String,
    recorded_at: sea_orm::prelude::TimeDateTimeWithTimeZone,
    data: String,
}

/// A fold row's revision, and its data.
pub(super) fn folded_from_row(row: FoldRow) -> Result<(super::FoldedRevision, String), DbErr> {
    let head = folded_head(
        row.seq,
        &row.entity_kind,
        row.entity_id,
        &row.change_kind,
        row.recorded_at,
    )
    .map_err(DbErr::Type)?;
    Ok((head, row.data))
}

/// A revision as the fold reads it, from its columns (either read of the log); `Err` says
/// which column is wrong.
pub(super) fn folded_head(
    seq: i64,
    entity_kind: &str,
    entity_id: String,
    change_kind: &str,
    recorded_at: OffsetDateTime,
) -> Result<super::FoldedRevision, String> {
    let bad = |what: &str, v: &str| format!("revision {seq}: bad {what} `{v}`");
    Ok(super::FoldedRevision {
        seq,
        entity_kind: entity_kind
            .parse()
            .map_err(|_| bad("entity kind", entity_kind))?,
        entity_id,
        change_kind: change_kind
            .parse()
            .map_err(|_| bad("change kind", change_kind))?,
        recorded_at,
    })
}

/// A date's columns: its first day, its precision and its last day.
fn date_parts(d: Option<PartialDate>) -> (Option<Date>, Option<String>, Option<Date>) {
    match d {
        Some(d) => (
            Some(d.earliest()),
            Some(d.precision().as_str().to_string()),
            Some(d.latest()),
        ),
        None => (None, None, None),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

pub(super) async fn insert(tx: &DatabaseTransaction, record: &mut Record) -> Result<(), DbErr> {
    match record {
        Record::Partnership(p) => {
            let mut am = partnership(p, None);
            am.id = NotSet;
            p.id = am.insert(tx).await?.id;
        }
        Record::Source(s) => {
            let mut am = source(s, None);
            am.id = NotSet;
            s.id = am.insert(tx).await?.id;
        }
        Record::Citation(c) => {
            let mut am = citation(c, None);
            am.id = NotSet;
            c.id = am.insert(tx).await?.id;
        }
        Record::Agency(a) => {
            agency(a, None).insert(tx).await?;
        }
        Record::Program(p) => {
            program(p, None).insert(tx).await?;
        }
        Record::Phase(p) => {
            phase(p, None).insert(tx).await?;
        }
    }
    Ok(())
}

pub(super) async fn update(
    tx: &DatabaseTransaction,
    record: &Record,
    deleted: Option<OffsetDateTime>,
) -> Result<(), DbErr> {
    match record {
        Record::Agency(r) => agency(r, deleted).update(tx).await.map(drop),
        Record::Program(r) => program(r, deleted).update(tx).await.map(drop),
        Record::Phase(r) => phase(r, deleted).update(tx).await.map(drop),
        Record::Partnership(r) => partnership(r, deleted).update(tx).await.map(drop),
        Record::Source(r) => source(r, deleted).update(tx).await.map(drop),
        Record::Citation(r) => citation(r, deleted).update(tx).await.map(drop),
    }
}

fn agency(
    a: &crate::domain::Agency,
    deleted: Option<OffsetDateTime>,
) -> entity::agencies::ActiveModel {
    entity::agencies::ActiveModel {
        id: Set(a.id.clone()),
        name: Set(a.name.clone()),
        agency_type: Set(a.agency_type.as_str().into()),
        jurisdiction_type: Set(a.jurisdiction_type.as_str().into()),
        ori: Set(a.ori.clone()),
        city: Set(a.city.clone()),
        county: Set(a.county.clone()),
        state: Set(a.state.as_str().into()),
        country: Set(a.country.clone()),
        latitude: Set(a.latitude),
        longitude: Set(a.longitude),
        location_precision: Set(a.location_precision.map(|p| p.as_str().into())),
        location_basis: Set(a.location_basis.map(|b| b.as_str().into())),
        location_source: Set(a.location_source.clone()),
        quality_flags: Set(json(&a.quality_flags)),
        external_ids: Set(json(&a.external_ids)),
        notes: Set(a.notes.clone()),
        version: Set(a.meta.version),
        created_at: Set(a.meta.created_at),
        updated_at: Set(a.meta.updated_at),
        deleted_at: Set(deleted),
    }
}

fn program(
    p: &crate::domain::Program,
    deleted: Option<OffsetDateTime>,
) -> entity::programs::ActiveModel {
    let (start_date, start_precision, start_last_date) = date_parts(p.start);
    let (end_date, end_precision, end_last_date) = date_parts(p.end);
    entity::programs::ActiveModel {
        id: Set(p.id.clone()),
        vendor: Set(p.vendor.clone()),
        name: Set(p.name.clone()),
        description: Set(p.description.clone()),
        start_date: Set(start_date),
        start_precision: Set(start_precision),
        start_last_date: Set(start_last_date),
        end_date: Set(end_date),
        end_precision: Set(end_precision),
        end_last_date: Set(end_last_date),
        version: Set(p.meta.version),
        created_at: Set(p.meta.created_at),
        updated_at: Set(p.meta.updated_at),
        deleted_at: Set(deleted),
    }
}

fn phase(p: &crate::domain::Phase, deleted: Option<OffsetDateTime>) -> entity::phases::ActiveModel {
    let (start_date, start_precision, start_last_date) = date_parts(p.start);
    let (end_date, end_precision, end_last_date) = date_parts(p.end);
    entity::phases::ActiveModel {
        id: Set(p.id.clone()),
        program_id: Set(p.program_id.clone()),
        name: Set(p.name.clone()),
        description: Set(p.description.clone()),
        status: Set(p.status.as_str().into()),
        start_date: Set(start_date),
        start_precision: Set(start_precision),
        start_last_date: Set(start_last_date),
        end_date: Set(end_date),
        end_precision: Set(end_precision),
        end_last_date: Set(end_last_date),
        footage_requests: Set(p.footage_requests),
        footage_condition: Set(p.footage_condition.clone()),
        version: Set(p.meta.version),
        created_at: Set(p.meta.created_at),
        updated_at: Set(p.meta.updated_at),
        deleted_at: Set(deleted),
    }
}

fn partnership(
    p: &crate::domain::Partnership,
    deleted: Option<OffsetDateTime>,
) -> entity::partnerships::ActiveModel {
    let (start_date, start_precision, start_last_date) = date_parts(p.start);
    let (end_date, end_precision, end_last_date) = date_parts(p.end);
    entity::partnerships::ActiveModel {
        id: Set(p.id),
        agency_id: Set(p.agency_id.clone()),
        program_id: Set(p.program_id.clone()),
        status: Set(p.status.as_str().into()),
        start_date: Set(start_date),
        start_precision: Set(start_precision),
        start_last_date: Set(start_last_date),
        end_date: Set(end_date),
        end_precision: Set(end_precision),
        end_last_date: Set(end_last_date),
        video_requests: Set(json(&p.video_requests)),
        external_ids: Set(json(&p.external_ids)),
        notes: Set(p.notes.clone()),
        version: Set(p.meta.version),
        created_at: Set(p.meta.created_at),
        updated_at: Set(p.meta.updated_at),
        deleted_at: Set(deleted),
    }
}

fn source(
    s: &crate::domain::Source,
    deleted: Option<OffsetDateTime>,
) -> entity::sources::ActiveModel {
    let (published_date, published_precision, published_last_date) = date_parts(s.published);
    entity::sources::ActiveModel {
        id: Set(s.id),
        url: Set(s.url.clone()),
        title: Set(s.title.clone()),
        publisher: Set(s.publisher.clone()),
        published_date: Set(published_date),
        published_precision: Set(published_precision),
        published_last_date: Set(published_last_date),
        accessed_date: Set(s.accessed),
        archived_url: Set(s.archived_url.clone()),
        kind: Set(s.kind.as_str().into()),
        version: Set(s.meta.version),
        created_at: Set(s.meta.created_at),
        updated_at: Set(s.meta.updated_at),
        deleted_at: Set(deleted),
    }
}

fn citation(
    c: &crate::domain::Citation,
    deleted: Option<OffsetDateTime>,
) -> entity::citations::ActiveModel {
    entity::citations::ActiveModel {
        id: Set(c.id),
        source_id: Set(c.source_id),
        entity_kind: Set(c.entity_kind.as_str().into()),
        entity_id: Set(c.entity_id.clone()),
        field: Set(c.field.clone()),
        quote: Set(c.quote.clone()),
        version: Set(c.meta.version),
        created_at: Set(c.meta.created_at),
        updated_at: Set(c.meta.updated_at),
        deleted_at: Set(deleted),
    }
}
