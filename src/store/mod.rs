//! Every database query lives here: connecting, migrating, the revision log, and the mapping
//! between domain records and rows. Callers above never see an entity.

mod fold_read;
mod rows;

use crate::domain::{ChangeKind, EntityKind, Record};
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use std::time::Duration;
use time::OffsetDateTime;

pub use fold_read::LogReader;
pub use sea_orm::DbErr as StoreError;

/// A connection pool to SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

/// One revision as read back from the log.
#[derive(Clone, Debug)]
pub struct StoredRevision {
    pub seq: i64,
    pub entity_kind: EntityKind,
    pub entity_id: String,
    pub version: i32,
    pub change_kind: ChangeKind,
    pub actor: String,
    pub note: Option<String>,
    pub recorded_at: OffsetDateTime,
    pub data: serde_json::Value,
}

/// A revision as the fold at start-up reads it: what the catalog needs besides the record,
/// which it parses from the JSON text the log stores (see [`Store::read_log`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FoldedRevision {
    pub seq: i64,
    pub entity_kind: EntityKind,
    pub entity_id: String,
    pub change_kind: ChangeKind,
    pub recorded_at: OffsetDateTime,
}

/// An API token as stored: never the token itself, only its hash.
#[derive(Clone, Debug)]
pub struct StoredToken {
    pub name: String,
    pub role: String,
    /// Hex SHA-256 of the token.
    pub hash: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<entity::api_tokens::Model> for StoredToken {
    fn from(m: entity::api_tokens::Model) -> Self {
        Self {
            name: m.name,
            role: m.role,
            hash: m.hash,
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A correction report as stored (see `service::reports`).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredReport {
    pub id: i64,
    pub status: String,
    pub what: String,
    pub record: Option<String>,
    pub missing_agency: Option<String>,
    pub evidence_url: String,
    pub contact: Option<String>,
    pub created_at: OffsetDateTime,
    pub reason: Option<String>,
    pub revision_seq: Option<i64>,
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
}

impl From<entity::reports::Model> for StoredReport {
    fn from(m: entity::reports::Model) -> Self {
        Self {
            id: m.id,
            status: m.status,
            what: m.what,
            record: m.record,
            missing_agency: m.missing_agency,
            evidence_url: m.evidence_url,
            contact: m.contact,
            created_at: m.created_at,
            reason: m.reason,
            revision_seq: m.revision_seq,
            decided_at: m.decided_at,
            decided_by: m.decided_by,
        }
    }
}

/// A new report's fields.
#[derive(Clone, Debug)]
pub struct NewReport<'a> {
    pub what: &'a str,
    pub record: Option<&'a str>,
    pub missing_agency: Option<&'a str>,
    pub evidence_url: &'a str,
    pub contact: Option<&'a str>,
    pub at: OffsetDateTime,
}

/// Whether a failure is the database being out of reach (stopped, restarting, refusing or
/// dropping connections) rather than a fault of the query: the caller may retry later.
pub fn is_unavailable(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    match e {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => match &**s {
            Sqlx::Io(_)
            | Sqlx::Tls(_)
            | Sqlx::Protocol(_)
            | Sqlx::PoolTimedOut
            | Sqlx::PoolClosed
            | Sqlx::WorkerCrashed => true,
            // SQLSTATE class 08 is "connection exception"; 57P01-57P03 are the server shutting
            // down or starting up; 53300 is "too many connections".
            Sqlx::Database(d) => d.code().is_some_and(|c| {
                c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03" | "53300")
            }),
            _ => false,
        },
        DbErr::Conn(_) => true,
        _ => false,
    }
}

/// Which engine a URL names.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Store {
    /// Opens a pool. A SQLite file is created when missing and runs in WAL mode with full
    /// synchronous commits, so an acknowledged write survives a crash of the process or the OS.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10));
        if is_postgres(url) {
            opts.max_connections(16);
        } else {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
            });
        }
        let db = Database::connect(opts).await?;
        Ok(Self { db })
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Applies pending migrations, all or none: sea-orm-migration wraps each migration in a
    /// transaction only on PostgreSQL, so on SQLite a crash half-way left a half-made schema
    /// that the next start could not finish. SQLite's DDL is transactional; one transaction
    /// holds every pending migration and its record.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        if self.backend() == DbBackend::Sqlite {
            let txn = self.db.begin().await?;
            Migrator::up(&txn, None).await?;
            txn.commit().await
        } else {
            Migrator::up(&self.db, None).await
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.db.ping().await
    }

    /// The pool's open and idle connections, for metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        match self.backend() {
            DbBackend::Postgres => {
                let p = self.db.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
            _ => {
                let p = self.db.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
        }
    }

    /// Writes a consistent copy of a SQLite database to `path` (`VACUUM INTO`), while it
    /// serves: the copy is the database as of the last committed transaction.
    pub async fn backup_sqlite(&self, path: &str) -> Result<(), DbErr> {
        if self.backend() != DbBackend::Sqlite {
            return Err(DbErr::Custom(
                "backup copies SQLite databases; for PostgreSQL use pg_dump".into(),
            ));
        }
        self.db
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [path.into()],
            ))
            .await
            .map(|_| ())
    }

    /// The newest revision of every record as recorded at `as_of` (now when `None`), in
    /// sequence order, read from the database as they are consumed (never all at once).
    /// Folding them gives the dataset as it stood then.
    pub async fn latest_revisions(
        &self,
        as_of: Option<OffsetDateTime>,
    ) -> Result<impl futures_util::Stream<Item = Result<StoredRevision, DbErr>> + Send + '_, DbErr>
    {
        use entity::revisions::{Column, Entity};
        use futures_util::StreamExt;
        let mut latest = Query::select();
        latest
            .expr(Expr::col(Column::Seq).max())
            .from(Entity)
            .group_by_columns([Column::EntityKind, Column::EntityId]);
        if let Some(t) = as_of {
            latest.and_where(Expr::col(Column::RecordedAt).lte(t.to_offset(time::UtcOffset::UTC)));
        }
        let rows = Entity::find()
            .filter(Column::Seq.in_subquery(latest))
            .order_by_asc(Column::Seq)
            .stream(&self.db)
            .await?;
        Ok(rows.map(|row| row.and_then(rows::revision_from_row)))
    }

    /// Revisions after `seq`, in order, at most `limit`.
    pub async fn revisions_since(
        &self,
        seq: i64,
        limit: u64,
    ) -> Result<Vec<StoredRevision>, DbErr> {
        use entity::revisions::{Column, Entity};
        let rows = Entity::find()
            .filter(Column::Seq.gt(seq))
            .order_by_asc(Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.into_iter().map(rows::revision_from_row).collect()
    }

    /// The sequence number of the newest revision (0 for an empty log).
    pub async fn head(&self) -> Result<i64, DbErr> {
        let row = entity::counters::Entity::find_by_id("revision".to_string())
            .one(&self.db)
            .await?;
        Ok(row.map(|r| r.value).unwrap_or(0))
    }

    /// Every revision of one record, newest first.
    pub async fn revisions_of(
        &self,
        kind: EntityKind,
        id: &str,
    ) -> Result<Vec<StoredRevision>, DbErr> {
        use entity::revisions::{Column, Entity};
        let rows = Entity::find()
            .filter(Column::EntityKind.eq(kind.as_str()))
            .filter(Column::EntityId.eq(id))
            .order_by_desc(Column::Seq)
            .all(&self.db)
            .await?;
        rows.into_iter().map(rows::revision_from_row).collect()
    }

    /// The sources each of these revisions cites, by revision, in id order.
    pub async fn cited_sources(
        &self,
        seqs: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<i64>>, DbErr> {
        use entity::revision_sources::{Column, Entity};
        let mut out: std::collections::HashMap<i64, Vec<i64>> = Default::default();
        for chunk in seqs.chunks(500) {
            let rows = Entity::find()
                .filter(Column::RevisionSeq.is_in(chunk.iter().copied()))
                .order_by_asc(Column::RevisionSeq)
                .order_by_asc(Column::SourceId)
                .all(&self.db)
                .await?;
            for r in rows {
                out.entry(r.revision_seq).or_default().push(r.source_id);
            }
        }
        Ok(out)
    }

    /// The sequence number of the newest revision recorded at or before `t` (0 if none): the
    /// dataset version at that time.
    pub async fn head_at(&self, t: OffsetDateTime) -> Result<i64, DbErr> {
        use entity::revisions::{Column, Entity};
        let row = Entity::find()
            .filter(Column::RecordedAt.lte(t.to_offset(time::UtcOffset::UTC)))
            .order_by_desc(Column::Seq)
            .one(&self.db)
            .await?;
        Ok(row.map(|r| r.seq).unwrap_or(0))
    }

    /// The dataset version at `t` and when it was last modified: the newest sequence number
    /// and the latest `recorded_at` of the revisions recorded at or before `t` (`(0, None)`
    /// if none). Two indexed look-ups, without folding the log.
    pub async fn version_at(
        &self,
        t: OffsetDateTime,
    ) -> Result<(i64, Option<OffsetDateTime>), DbErr> {
        use entity::revisions::{Column, Entity};
        let t = t.to_offset(time::UtcOffset::UTC);
        let seq = self.head_at(t).await?;
        let latest = Entity::find()
            .filter(Column::RecordedAt.lte(t))
            .order_by_desc(Column::RecordedAt)
            .one(&self.db)
            .await?;
        Ok((seq, latest.map(|r| r.recorded_at)))
    }

    /// Stores a new API token's hash. Fails when the name is taken.
    pub async fn insert_token(
        &self,
        name: &str,
        role: &str,
        hash: &str,
        at: OffsetDateTime,
    ) -> Result<(), DbErr> {
        entity::api_tokens::ActiveModel {
            id: sea_orm::ActiveValue::NotSet,
            name: Set(name.to_string()),
            role: Set(role.to_string()),
            hash: Set(hash.to_string()),
            created_at: Set(at.to_offset(time::UtcOffset::UTC)),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await
        .map(drop)
    }

    /// Every token, revoked ones included, by name.
    pub async fn tokens(&self) -> Result<Vec<StoredToken>, DbErr> {
        use entity::api_tokens::{Column, Entity};
        let rows = Entity::find()
            .order_by_asc(Column::Name)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(StoredToken::from).collect())
    }

    /// Marks a live token revoked. Returns whether one was.
    pub async fn revoke_token(&self, name: &str, at: OffsetDateTime) -> Result<bool, DbErr> {
        use entity::api_tokens::{Column, Entity};
        let res = Entity::update_many()
            .col_expr(
                Column::RevokedAt,
                Expr::value(at.to_offset(time::UtcOffset::UTC)),
            )
            .filter(Column::Name.eq(name))
            .filter(Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// Stores a new report, `open`. Returns it.
    pub async fn insert_report(&self, r: NewReport<'_>) -> Result<StoredReport, DbErr> {
        let model = entity::reports::ActiveModel {
            id: sea_orm::ActiveValue::NotSet,
            status: Set("open".into()),
            what: Set(r.what.to_string()),
            record: Set(r.record.map(str::to_string)),
            missing_agency: Set(r.missing_agency.map(str::to_string)),
            evidence_url: Set(r.evidence_url.to_string()),
            contact: Set(r.contact.map(str::to_string)),
            created_at: Set(r.at.to_offset(time::UtcOffset::UTC)),
            reason: Set(None),
            revision_seq: Set(None),
            decided_at: Set(None),
            decided_by: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(model.into())
    }

    pub async fn report(&self, id: i64) -> Result<Option<StoredReport>, DbErr> {
        Ok(entity::reports::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(StoredReport::from))
    }

    /// Reports, newest first, of one status or all; at most `limit`, with ids below
    /// `before` when given.
    pub async fn reports(
        &self,
        status: Option<&str>,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<StoredReport>, DbErr> {
        use entity::reports::{Column, Entity};
        let mut q = Entity::find().order_by_desc(Column::Id).limit(limit);
        if let Some(s) = status {
            q = q.filter(Column::Status.eq(s));
        }
        if let Some(b) = before {
            q = q.filter(Column::Id.lt(b));
        }
        Ok(q.all(&self.db)
            .await?
            .into_iter()
            .map(StoredReport::from)
            .collect())
    }

    /// Records an editor's decision on a report. Returns the report, or `None` if no report
    /// has the id.
    pub async fn decide_report(
        &self,
        id: i64,
        status: &str,
        reason: &str,
        revision_seq: Option<i64>,
        by: &str,
        at: OffsetDateTime,
    ) -> Result<Option<StoredReport>, DbErr> {
        use entity::reports::{Column, Entity};
        let res = Entity::update_many()
            .col_expr(Column::Status, Expr::value(status))
            .col_expr(Column::Reason, Expr::value(reason))
            .col_expr(Column::RevisionSeq, Expr::value(revision_seq))
            .col_expr(Column::DecidedBy, Expr::value(by))
            .col_expr(
                Column::DecidedAt,
                Expr::value(at.to_offset(time::UtcOffset::UTC)),
            )
            .filter(Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        self.report(id).await
    }

    /// Whether the log holds a revision with this sequence number.
    pub async fn revision_exists(&self, seq: i64) -> Result<bool, DbErr> {
        use entity::revisions::{Column, Entity};
        Ok(Entity::find()
            .filter(Column::Seq.eq(seq))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Starts a write. The first statement takes the writer's lock (the revision counter row),
    /// so concurrent writers queue instead of failing half-way, on both engines.
    pub async fn begin(&self) -> Result<WriteTx, DbErr> {
        let tx = self.db.begin().await?;
        use entity::counters::{Column, Entity};
        Entity::update_many()
            .col_expr(Column::Value, Expr::col(Column::Value))
            .filter(Column::Name.eq("revision"))
            .exec(&tx)
            .await?;
        Ok(WriteTx { tx })
    }
}

/// A revision to append, with the sources the change cites.
#[derive(Clone, Debug)]
pub struct NewRevision<'a> {
    pub record: &'a Record,
    pub change_kind: ChangeKind,
    pub actor: &'a str,
    pub note: Option<&'a str>,
    pub at: OffsetDateTime,
    pub cited_sources: &'a [i64],
}

/// An open write transaction. Dropped without `commit`, it rolls back.
pub struct WriteTx {
    tx: DatabaseTransaction,
}

impl WriteTx {
    /// Inserts a new record's row. Records with numeric ids get theirs from the database and
    /// are updated in place; slug-keyed records keep the id they carry.
    pub async fn insert(&self, record: &mut Record) -> Result<(), DbErr> {
        rows::insert(&self.tx, record).await
    }

    /// Writes the current state of an existing record's row (`deleted` marks it gone).
    pub async fn update(
        &self,
        record: &Record,
        deleted: Option<OffsetDateTime>,
    ) -> Result<(), DbErr> {
        rows::update(&self.tx, record, deleted).await
    }

    /// Appends a revision with the next sequence number and returns that number.
    pub async fn append_revision(&self, rev: NewRevision<'_>) -> Result<i64, DbErr> {
        let seq = self.next_seq().await?;
        entity::revisions::ActiveModel {
            seq: Set(seq),
            entity_kind: Set(rev.record.kind().as_str().to_string()),
            entity_id: Set(rev.record.entity_id()),
            version: Set(rev.record.meta().version),
            change_kind: Set(rev.change_kind.as_str().to_string()),
            actor: Set(rev.actor.to_string()),
            note: Set(rev.note.map(str::to_string)),
            recorded_at: Set(rev.at.to_offset(time::UtcOffset::UTC)),
            data: Set(rev.record.to_json()),
        }
        .insert(&self.tx)
        .await?;
        let mut sources = rev.cited_sources.to_vec();
        sources.sort_unstable();
        sources.dedup();
        for source_id in sources {
            entity::revision_sources::ActiveModel {
                revision_seq: Set(seq),
                source_id: Set(source_id),
            }
            .insert(&self.tx)
            .await?;
        }
        Ok(seq)
    }

    async fn next_seq(&self) -> Result<i64, DbErr> {
        use entity::counters::{Column, Entity};
        Entity::update_many()
            .col_expr(Column::Value, Expr::col(Column::Value).add(1))
            .filter(Column::Name.eq("revision"))
            .exec(&self.tx)
            .await?;
        let row = Entity::find_by_id("revision".to_string())
            .one(&self.tx)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("revision counter".into()))?;
        Ok(row.value)
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.tx.commit().await
    }

    /// The connection of this transaction, for reads that must see its own writes.
    pub fn conn(&self) -> &impl ConnectionTrait {
        &self.tx
    }
}
