//! The read of the whole revision log that the fold at start-up makes: every revision in
//! sequence order, each handed to a [`LogReader`] with its record's JSON text borrowed.
//!
//! A SQLite file is read on a blocking thread of its own through its own read-only
//! connection (`rusqlite`, the same SQLite library as the pool's), one statement in one read
//! transaction: the reader parses each row where SQLite left it. Through the pool, sqlx's
//! SQLite driver sends every row from its worker thread to the reading task as a message of
//! its own, and with millions of revisions the hand-over of each (a wake-up, a switch) cost
//! more than parsing it. PostgreSQL, and a SQLite database held in memory (which only the
//! pool's connections see), are read through the pool as a stream.

use super::{FoldedRevision, rows};
use sea_orm::{DbErr, EntityTrait, QueryOrder, QuerySelect, sea_query::Expr};
use std::path::PathBuf;
use time::OffsetDateTime;

/// What the fold does with each revision it reads.
pub trait LogReader: Send + 'static {
    /// One revision, `data` its record as the JSON text the log holds. `false` stops the
    /// read (the reader has failed; it knows why).
    fn revision(&mut self, head: FoldedRevision, data: &str) -> bool;
}

impl super::Store {
    /// Every revision in sequence order, handed to `reader` (see the module's notes); the
    /// reader is given back once the log is read or the reader stopped it.
    pub async fn read_log<R: LogReader>(&self, mut reader: R) -> Result<R, DbErr> {
        if let Some(path) = sqlite_file(&self.db) {
            return tokio::task::spawn_blocking(move || {
                read_sqlite_file(&path, &mut reader)
                    .map(|()| reader)
                    .map_err(|e| DbErr::Custom(format!("reading the revision log: {e}")))
            })
            .await
            .map_err(|e| DbErr::Custom(format!("reading the revision log: {e}")))?;
        }
        self.read_log_through_pool(reader).await
    }

    /// [`Store::read_log`] through the pool, whatever the database.
    pub async fn read_log_through_pool<R: LogReader>(&self, mut reader: R) -> Result<R, DbErr> {
        use entity::revisions::{Column, Entity};
        use futures_util::StreamExt;
        let rows = Entity::find()
            .select_only()
            .columns([
                Column::Seq,
                Column::EntityKind,
                Column::EntityId,
                Column::ChangeKind,
                Column::RecordedAt,
            ])
            // JSON as text on both engines (PostgreSQL gives a `json` column's text as stored).
            .column_as(Expr::cust("CAST(data AS TEXT)"), "data")
            .order_by_asc(Column::Seq)
            .into_model::<rows::FoldRow>()
            .stream(&self.db)
            .await?;
        let mut rows = std::pin::pin!(rows);
        while let Some(row) = rows.next().await {
            let (head, data) = rows::folded_from_row(row?)?;
            if !reader.revision(head, &data) {
                break;
            }
        }
        Ok(reader)
    }
}

/// The SQLite file behind a pool, when its database is one (not PostgreSQL, nor SQLite held
/// in memory).
fn sqlite_file(db: &sea_orm::DatabaseConnection) -> Option<PathBuf> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return None;
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let path = options.get_filename();
    // An in-memory database's name is no file's (`file:sqlx-in-memory-…`).
    path.is_file().then(|| path.to_path_buf())
}

fn read_sqlite_file(path: &std::path::Path, reader: &mut impl LogReader) -> rusqlite::Result<()> {
    use rusqlite::OpenFlags;
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // As patient as the pool's connections with a writer that holds the file.
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // One snapshot of the log however long the read takes; a writer may append meanwhile
    // (what it appends is read after the fold, from the sequence the fold reached).
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
    let mut statement = tx.prepare(
        "SELECT seq, entity_kind, entity_id, change_kind, recorded_at, CAST(data AS TEXT) \
         FROM revisions ORDER BY seq",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let bad = |why: String| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, why.into())
        };
        let at = row.get_ref(4)?;
        let at = recorded_at(at)
            .ok_or_else(|| bad(format!("revision {seq}: bad recorded_at {at:?}")))?;
        let head = rows::folded_head(
            seq,
            row.get_ref(1)?.as_str()?,
            row.get(2)?,
            row.get_ref(3)?.as_str()?,
            at,
        )
        .map_err(bad)?;
        if !reader.revision(head, row.get_ref(5)?.as_str()?) {
            break;
        }
    }
    Ok(())
}

/// A revision's time as the pool's driver reads it: RFC 3339 text (what it writes), a date
/// and time with a space, with an offset or without one (UTC), or seconds since 1970.
fn recorded_at(value: rusqlite::types::ValueRef<'_>) -> Option<OffsetDateTime> {
    use rusqlite::types::ValueRef;
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    match value {
        ValueRef::Text(t) => {
            let t = std::str::from_utf8(t).ok()?;
            let offset = format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory]:[offset_minute]"
            );
            let utc = format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"
            );
            OffsetDateTime::parse(t, &Rfc3339)
                .or_else(|_| OffsetDateTime::parse(t, offset))
                .ok()
                .or_else(|| {
                    time::PrimitiveDateTime::parse(t, utc)
                        .ok()
                        .map(|t| t.assume_utc())
                })
        }
        ValueRef::Integer(s) => OffsetDateTime::from_unix_timestamp(s).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::recorded_at;
    use rusqlite::types::ValueRef;
    use time::macros::datetime;

    #[test]
    fn recorded_at_reads_the_forms_the_pool_reads() {
        let text = |t: &'static str| recorded_at(ValueRef::Text(t.as_bytes()));
        let at = datetime!(2026-12-04 18:38:25.2622 UTC);
        assert_eq!(text("2026-12-04T18:38:25.2622Z"), Some(at));
        assert_eq!(text("2026-12-04T19:38:25.2622+01:00"), Some(at));
        assert_eq!(text("2026-12-04 18:38:25.2622+00:00"), Some(at));
        assert_eq!(text("2026-12-04 18:38:25.2622"), Some(at));
        assert_eq!(
            text("2026-12-04 18:38:25"),
            Some(datetime!(2026-12-04 18:38:25 UTC))
        );
        assert_eq!(
            recorded_at(ValueRef::Integer(0)),
            Some(time::OffsetDateTime::UNIX_EPOCH)
        );
        assert_eq!(text("yesterday"), None);
        assert_eq!(recorded_at(ValueRef::Null), None);
    }
}
