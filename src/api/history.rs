//! History: every version of any record, one version as it was, what changed between two,
//! and the change feed (JSON for mirrors, Atom for news readers).

use super::ApiTags;
use crate::domain::{ChangeKind, EntityKind};
use crate::error::ApiError;
use crate::service::history::{Cited, diff};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde_json::Value;
use time::OffsetDateTime;

super::resource::api_struct!(HistoryApi);

/// The collections that keep history.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Collection {
    Agencies,
    Partnerships,
    Programs,
    Phases,
    Sources,
    Citations,
}

impl From<Collection> for EntityKind {
    fn from(c: Collection) -> Self {
        match c {
            Collection::Agencies => EntityKind::Agency,
            Collection::Partnerships => EntityKind::Partnership,
            Collection::Programs => EntityKind::Program,
            Collection::Phases => EntityKind::Phase,
            Collection::Sources => EntityKind::Source,
            Collection::Citations => EntityKind::Citation,
        }
    }
}

/// One version of a record: who changed it, when, why, and on what evidence.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct Version {
    /// The revision's place in the global, gap-free log.
    pub seq: i64,
    /// The record's version (1 for its creation).
    pub version: i32,
    /// created, started, ended, amended, correction, retraction, new_evidence, deleted,
    /// import or seed.
    pub change_kind: ChangeKind,
    /// The token name (or `import`, `seed`) that made the change.
    pub actor: String,
    /// When the change was recorded (transaction time).
    pub recorded_at: OffsetDateTime,
    pub note: Option<String>,
    /// Ids of the sources the change cites.
    pub sources: Vec<i64>,
    /// Whether this version deleted the record.
    pub deleted: bool,
}

impl From<&Cited> for Version {
    fn from(c: &Cited) -> Self {
        let r = &c.revision;
        Self {
            seq: r.seq,
            version: r.version,
            change_kind: r.change_kind,
            actor: r.actor.clone(),
            recorded_at: r.recorded_at,
            note: r.note.clone(),
            sources: c.sources.clone(),
            deleted: r.change_kind == crate::domain::ChangeKind::Deleted,
        }
    }
}

fn example_time() -> OffsetDateTime {
    time::macros::datetime!(2026-12-01 09:30:00 UTC)
}

impl Example for Version {
    fn example() -> Self {
        Self {
            seq: 4568,
            version: 2,
            change_kind: ChangeKind::Ended,
            actor: "alice".into(),
            recorded_at: example_time(),
            note: Some("The department announced it left the Neighbors app.".into()),
            sources: vec![3],
            deleted: false,
        }
    }
}

/// A record's versions, newest first.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct History {
    pub kind: EntityKind,
    pub id: String,
    pub data: Vec<Version>,
}

impl Example for History {
    fn example() -> Self {
        Self {
            kind: EntityKind::Partnership,
            id: "1".into(),
            data: vec![Version::example()],
        }
    }
}

/// A record as it was at one version.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct VersionRecord {
    #[oai(flatten)]
    pub version: Version,
    /// The record at that version, in the change feed's form.
    pub data: Value,
}

impl Example for VersionRecord {
    fn example() -> Self {
        Self {
            version: Version::example(),
            data: serde_json::json!({"id": 1, "status": "ended", "end": "2024-01-31", "version": 2}),
        }
    }
}

/// A field that differs between two versions.
#[derive(Object, Clone, Debug)]
pub struct FieldChange {
    pub field: String,
    /// The value at `from` (null when absent).
    pub old: Value,
    /// The value at `to` (null when absent).
    pub new: Value,
}

/// What changed between two versions of a record (bookkeeping left out).
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct Diff {
    pub kind: EntityKind,
    pub id: String,
    pub from: i32,
    pub to: i32,
    pub changes: Vec<FieldChange>,
}

impl Example for Diff {
    fn example() -> Self {
        Self {
            kind: EntityKind::Partnership,
            id: "1".into(),
            from: 1,
            to: 2,
            changes: vec![FieldChange {
                field: "status".into(),
                old: "active".into(),
                new: "ended".into(),
            }],
        }
    }
}

/// One revision in the change feed.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct Change {
    pub seq: i64,
    pub entity_kind: EntityKind,
    pub entity_id: String,
    pub version: i32,
    pub change_kind: ChangeKind,
    pub actor: String,
    pub recorded_at: OffsetDateTime,
    pub note: Option<String>,
    pub sources: Vec<i64>,
    /// Whether this revision deleted the record (`data` is then its last state).
    pub deleted: bool,
    /// The full record after the change.
    pub data: Value,
}

impl Change {
    /// A version of the record `entity_id` of `entity_kind` as the feed shows it, with the
    /// record's `data` after the change.
    fn of(v: Version, entity_kind: EntityKind, entity_id: String, data: Value) -> Self {
        Self {
            seq: v.seq,
            entity_kind,
            entity_id,
            version: v.version,
            change_kind: v.change_kind,
            actor: v.actor,
            recorded_at: v.recorded_at,
            note: v.note,
            sources: v.sources,
            deleted: v.deleted,
            data,
        }
    }
}

impl From<&Cited> for Change {
    fn from(c: &Cited) -> Self {
        let r = &c.revision;
        Self::of(
            Version::from(c),
            r.entity_kind,
            r.entity_id.clone(),
            r.data.clone(),
        )
    }
}

impl Example for Change {
    fn example() -> Self {
        let VersionRecord { version, data } = VersionRecord::example();
        Self::of(version, EntityKind::Partnership, "1".into(), data)
    }
}

/// A page of the change feed, in sequence order.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct ChangeFeed {
    pub data: Vec<Change>,
    /// Pass as `since` for the next page: the last `seq` here (or `since` when empty).
    pub next: i64,
    /// The newest revision this server has: caught up when `next` equals it.
    pub head: i64,
    /// The dataset version, licence and attribution, and the query as understood.
    pub meta: super::dto::ListMeta,
}

impl Example for ChangeFeed {
    fn example() -> Self {
        Self {
            data: vec![Change::example()],
            next: 4568,
            head: 4570,
            meta: super::dto::ListMeta::of(&crate::service::catalog::Catalog::default())
                .with_query(
                    super::query_echo::QueryEcho {
                        since: Some(4567),
                        limit: Some(1),
                        ..Default::default()
                    },
                    Vec::new(),
                ),
        }
    }
}

#[derive(ApiResponse)]
pub enum HistoryResponse {
    /// The record's versions, newest first.
    #[oai(status = 200)]
    Ok(Json<History>),
}

#[derive(ApiResponse)]
pub enum VersionResponse {
    /// The record at that version.
    #[oai(status = 200)]
    Ok(Json<VersionRecord>),
}

#[derive(ApiResponse)]
pub enum DiffResponse {
    /// The changed fields.
    #[oai(status = 200)]
    Ok(Json<Diff>),
}

pub const ATOM: &str = "application/atom+xml";

#[derive(ApiResponse)]
pub enum ChangesResponse {
    /// Revisions in sequence order (JSON), or the newest as an Atom feed.
    #[oai(status = 200)]
    Ok(ChangesBody),
}

#[derive(poem_openapi::ResponseContent)]
pub enum ChangesBody {
    Json(Json<ChangeFeed>),
    #[oai(content_type = "application/atom+xml")]
    Atom(PlainText<String>),
}

#[derive(ApiResponse)]
pub enum AtomResponse {
    /// An Atom 1.0 feed of the newest revisions, newest first.
    #[oai(status = 200, content_type = "application/atom+xml")]
    Ok(PlainText<String>),
}

/// An Atom feed page of `changes` (in sequence order; the feed lists them newest first):
/// each entry's headline, a link to its record (to its history once the record is
/// deleted), and the page links in `links`.
pub fn atom(
    changes: &[Cited],
    catalog: &crate::service::catalog::Catalog,
    base: &str,
    updated: OffsetDateTime,
    links: Vec<(&'static str, String)>,
) -> String {
    use crate::service::history::headline;
    let entries = changes
        .iter()
        .rev()
        .map(|c| {
            let r = &c.revision;
            let record = format!(
                "{base}/{}/{}",
                r.entity_kind.collection(),
                super::path_segment(&r.entity_id)
            );
            let alternate = if catalog.tombstone(r.entity_kind, &r.entity_id).is_some() {
                format!("{record}/history")
            } else {
                record
            };
            let summary = format!(
                "{} {} (version {}), {} by {}{}{}",
                r.entity_kind,
                r.entity_id,
                r.version,
                r.change_kind,
                r.actor,
                r.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default(),
                if c.sources.is_empty() {
                    String::new()
                } else {
                    let ids: Vec<String> = c.sources.iter().map(|s| s.to_string()).collect();
                    format!(" (sources {})", ids.join(", "))
                }
            );
            crate::export::atom::Entry {
                id: format!("tag:ring-partnerships.api,2026:revision/{}", r.seq),
                title: headline(r, catalog),
                updated: r.recorded_at,
                author: r.actor.clone(),
                alternate,
                summary,
            }
        })
        .collect();
    crate::export::atom::render(&crate::export::atom::Feed {
        id: "tag:ring-partnerships.api,2026:changes".into(),
        title: "Ring partnerships: changes".into(),
        updated,
        author: "Ring partnerships API".into(),
        links,
        entries,
    })
}

const DEFAULT_CHANGES: u32 = 100;
const ATOM_ENTRIES: u32 = 50;

impl HistoryApi {
    async fn versions(&self, kind: EntityKind, id: &str) -> Result<Vec<Cited>, ApiError> {
        if id.contains('\0') {
            // No id holds NUL, and PostgreSQL refuses to compare text with one.
            return Err(ApiError::not_found(kind.as_str(), id));
        }
        let history = self
            .state
            .dataset
            .history(kind, id)
            .await
            .map_err(super::service_error)?;
        if history.is_empty() {
            return Err(ApiError::not_found(kind.as_str(), id));
        }
        Ok(history)
    }

    /// A page of the Atom feed (RFC 5005 paged feed): the newest `limit` revisions below
    /// `before` (all when absent), newest first, linking the newest page (`first`), older
    /// entries (`next`) and newer ones (`previous`).
    async fn atom_feed(
        &self,
        req: &Request,
        before: Option<i64>,
        limit: u32,
    ) -> Result<String, ApiError> {
        let dataset = &self.state.dataset;
        let catalog = dataset.read().shared_copy();
        let head = catalog.seq();
        let w = crate::export::atom::window(head, before, i64::from(limit));
        let changes = if w.newest == 0 {
            Default::default()
        } else {
            dataset
                .changes(w.oldest - 1, (w.newest - w.oldest + 1) as u64)
                .await
                .map_err(super::service_error)?
        };
        // The feed's `updated` is its newest entry's, on every page.
        let updated = dataset
            .changes(head - 1, 1)
            .await
            .map_err(super::service_error)?
            .first()
            .map(|c| c.revision.recorded_at)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let base = self.state.public_url.base_url(req);
        let page = |before: Option<i64>| {
            let mut q = Vec::new();
            if let Some(b) = before {
                q.push(format!("before={b}"));
            }
            if limit != ATOM_ENTRIES {
                q.push(format!("limit={limit}"));
            }
            if q.is_empty() {
                format!("{base}/changes.atom")
            } else {
                format!("{base}/changes.atom?{}", q.join("&"))
            }
        };
        let mut links = vec![("self", page(before)), ("first", page(None))];
        if let Some(b) = w.next_before {
            links.push(("next", page(Some(b))));
        }
        if let Some(b) = w.previous_before {
            links.push(("previous", page(b)));
        }
        Ok(atom(&changes, &catalog, &base, updated, links))
    }
}

#[OpenApi(tag = "ApiTags::History")]
impl HistoryApi {
    /// Get a record's history
    ///
    /// Every version of a record, newest first: sequence number, version, actor, time,
    /// change kind, note and cited sources. Works for deleted records too.
    #[oai(
        path = "/:collection/:id/history",
        method = "get",
        operation_id = "get_history"
    )]
    async fn get_history(
        &self,
        /// agencies, partnerships, programs, phases, sources or citations.
        collection: Path<Collection>,
        /// The record's id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
    ) -> Result<HistoryResponse, ApiError> {
        let kind: EntityKind = collection.0.into();
        let history = self.versions(kind, &id.0).await?;
        Ok(HistoryResponse::Ok(Json(History {
            kind,
            id: id.0,
            data: history.iter().map(Version::from).collect(),
        })))
    }

    /// Get a version of a record
    ///
    /// The record as it was at version `n`, with who changed it, when and why.
    #[oai(
        path = "/:collection/:id/versions/:n",
        method = "get",
        operation_id = "get_version"
    )]
    async fn get_version(
        &self,
        /// agencies, partnerships, programs, phases, sources or citations.
        collection: Path<Collection>,
        /// The record's id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The version, from 1.
        n: Path<i32>,
    ) -> Result<VersionResponse, ApiError> {
        let kind: EntityKind = collection.0.into();
        let history = self.versions(kind, &id.0).await?;
        let found = history
            .iter()
            .find(|c| c.revision.version == n.0)
            .ok_or_else(|| ApiError::not_found("version", &n.0.to_string()))?;
        Ok(VersionResponse::Ok(Json(VersionRecord {
            version: Version::from(found),
            data: found.revision.data.clone(),
        })))
    }

    /// Compare two versions of a record
    ///
    /// The fields whose values differ between version `from` and version `to`, with both
    /// values. Defaults: `to` the newest, `from` the one before it.
    #[oai(
        path = "/:collection/:id/diff",
        method = "get",
        operation_id = "get_diff"
    )]
    async fn get_diff(
        &self,
        /// agencies, partnerships, programs, phases, sources or citations.
        collection: Path<Collection>,
        /// The record's id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The older version.
        from: Query<Option<i32>>,
        /// The newer version.
        to: Query<Option<i32>>,
    ) -> Result<DiffResponse, ApiError> {
        let kind: EntityKind = collection.0.into();
        let history = self.versions(kind, &id.0).await?;
        let newest = history[0].revision.version;
        let to_v = to.0.unwrap_or(newest);
        let from_v = from.0.unwrap_or(to_v.saturating_sub(1));
        let at = |v: i32, name: &str| {
            history
                .iter()
                .find(|c| c.revision.version == v)
                .ok_or_else(|| {
                    ApiError::invalid(
                        name,
                        format!("the record has no version {v} (1 to {newest})"),
                    )
                })
        };
        let old = at(from_v, "from")?;
        let new = at(to_v, "to")?;
        let changes = diff(&old.revision.data, &new.revision.data)
            .into_iter()
            .map(|c| FieldChange {
                field: c.field,
                old: c.old,
                new: c.new,
            })
            .collect();
        Ok(DiffResponse::Ok(Json(Diff {
            kind,
            id: id.0,
            from: from_v,
            to: to_v,
            changes,
        })))
    }

    /// List changes
    ///
    /// Every revision after `since`, in sequence order, with the full record: enough for a
    /// mirror to stay in step (deletes included). Resume with `since=<next>`. With
    /// `Accept: application/atom+xml`, the newest revisions as an Atom feed instead.
    #[oai(path = "/changes", method = "get", operation_id = "list_changes")]
    async fn list_changes(
        &self,
        req: &Request,
        /// Only revisions with a greater sequence number (default 0: from the start).
        #[oai(validator(minimum(value = "0")))]
        since: Query<Option<i64>>,
        /// How many, 1 to 1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
    ) -> Result<ChangesResponse, ApiError> {
        let wants_atom = req
            .headers()
            .get("accept")
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains(ATOM));
        if wants_atom {
            let feed = self
                .atom_feed(req, None, limit.0.unwrap_or(ATOM_ENTRIES))
                .await?;
            return Ok(ChangesResponse::Ok(ChangesBody::Atom(PlainText(feed))));
        }
        let since = since.0.unwrap_or(0);
        let limit = limit.0.unwrap_or(DEFAULT_CHANGES);
        let dataset = &self.state.dataset;
        let (head, meta) = {
            let catalog = dataset.read();
            let echo = super::query_echo::QueryEcho {
                since: Some(since),
                limit: Some(u64::from(limit)),
                ..Default::default()
            };
            (
                catalog.seq(),
                super::dto::ListMeta::of(&catalog).with_query(echo, Vec::new()),
            )
        };
        let changes = dataset
            .changes(since, u64::from(limit))
            .await
            .map_err(super::service_error)?;
        let next = changes.last().map_or(since, |c| c.revision.seq);
        Ok(ChangesResponse::Ok(ChangesBody::Json(Json(ChangeFeed {
            data: changes.iter().map(Change::from).collect(),
            next,
            head,
            meta,
        }))))
    }

    /// Atom feed of changes
    ///
    /// The newest revisions (default 50) as an Atom 1.0 feed for news readers: one entry per
    /// revision, titled as news ("Greenfield Police Department (WI): partnership ended") and
    /// linking to the record. Paged as RFC 5005 says: `next` links the older entries
    /// (`before=`), `previous` the newer ones, `first` the newest page.
    #[oai(
        path = "/changes.atom",
        method = "get",
        operation_id = "get_changes_atom"
    )]
    async fn changes_atom(
        &self,
        req: &Request,
        /// Only revisions with a smaller sequence number: a page of older entries, as the
        /// `next` link gives it (default: the newest).
        #[oai(validator(minimum(value = "1")))]
        before: Query<Option<i64>>,
        /// How many entries, 1 to 1000 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
    ) -> Result<AtomResponse, ApiError> {
        let feed = self
            .atom_feed(req, before.0, limit.0.unwrap_or(ATOM_ENTRIES))
            .await?;
        Ok(AtomResponse::Ok(PlainText(feed)))
    }
}
