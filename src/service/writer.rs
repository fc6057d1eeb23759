//! The write path: a record's row, its revision and the revision's cited sources, all in one
//! transaction. Every change made through the service goes through a `Writer`.

use crate::domain::{ChangeKind, Meta, Record};
use crate::store::{NewRevision, StoreError, StoredRevision, WriteTx};
use time::OffsetDateTime;

/// Why a change was made, and on what evidence.
#[derive(Clone, Copy, Debug)]
pub struct Reason<'a> {
    pub kind: ChangeKind,
    pub note: Option<&'a str>,
    /// Source ids the change cites.
    pub sources: &'a [i64],
}

pub struct Writer {
    tx: WriteTx,
    actor: String,
    /// One time for the whole transaction: its changes happen together.
    at: OffsetDateTime,
    /// The sequence number of the last revision written in this transaction.
    last_seq: i64,
    /// The revisions written so far and not yet taken, so a write of many changes can fold
    /// each into a scratch catalog and check the next one against it.
    staged: Vec<StoredRevision>,
}

/// Now, in UTC, to the microsecond (what both engines store exactly).
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

impl Writer {
    pub(super) fn new(tx: WriteTx, actor: &str) -> Self {
        Self {
            tx,
            actor: actor.to_string(),
            at: now(),
            last_seq: 0,
            staged: Vec::new(),
        }
    }

    /// The revisions written since the last call, in order.
    pub fn take_staged(&mut self) -> Vec<StoredRevision> {
        std::mem::take(&mut self.staged)
    }

    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    /// Creates a record at version 1. Numeric ids are assigned here.
    pub async fn create(
        &mut self,
        mut record: Record,
        why: Reason<'_>,
    ) -> Result<Record, StoreError> {
        *record.meta_mut() = Meta::new(self.at);
        self.tx.insert(&mut record).await?;
        self.log(&record, why).await?;
        Ok(record)
    }

    /// Replaces a record with its next version; `current` is the version being replaced.
    pub async fn update(
        &mut self,
        current: &Meta,
        mut record: Record,
        why: Reason<'_>,
    ) -> Result<Record, StoreError> {
        *record.meta_mut() = current.next(self.at);
        self.tx.update(&record, None).await?;
        self.log(&record, why).await?;
        Ok(record)
    }

    /// Deletes a record, keeping its last state in the log.
    pub async fn delete(
        &mut self,
        mut record: Record,
        note: Option<&str>,
        sources: &[i64],
    ) -> Result<(), StoreError> {
        let current = record.meta().clone();
        *record.meta_mut() = current.next(self.at);
        self.tx.update(&record, Some(self.at)).await?;
        let why = Reason {
            kind: ChangeKind::Deleted,
            note,
            sources,
        };
        self.log(&record, why).await
    }

    async fn log(&mut self, record: &Record, why: Reason<'_>) -> Result<(), StoreError> {
        let seq = self
            .tx
            .append_revision(NewRevision {
                record,
                change_kind: why.kind,
                actor: &self.actor,
                note: why.note,
                at: self.at,
                cited_sources: why.sources,
            })
            .await?;
        self.staged.push(StoredRevision {
            seq,
            entity_kind: record.kind(),
            entity_id: record.entity_id(),
            version: record.meta().version,
            change_kind: why.kind,
            actor: self.actor.clone(),
            note: why.note.map(str::to_string),
            recorded_at: self.at,
            data: record.to_json(),
        });
        self.last_seq = seq;
        Ok(())
    }

    pub(super) fn last_seq(&self) -> i64 {
        self.last_seq
    }

    pub(super) async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await
    }
}
