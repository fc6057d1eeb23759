//! What every write shares: the bearer token and its role, the change body (why, citing what),
//! `If-Match`, the result of a write and how an edit's failure is answered. Each resource's
//! create, update and delete operations sit with its reads (`agencies.rs`, …) and call
//! [`create`], [`update`] and [`delete`] here.
//!
//! Write bodies use the record fields of the change feed's `data` (`start`, `agency_id`, …),
//! not the read views (`start_date`, `agency: {…}`), so what one writes is what the history
//! shows. Every write needs a bearer token, a note and at least one cited source; updates and
//! deletes need `If-Match` with the version read.

use super::AppState;
use super::sources::SourceFields;
use crate::domain::{ChangeKind, EntityKind};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::service::edit::{ChangeRequest, EditError, RecordPatch, Saved};
use crate::service::tokens::{Caller, Role};
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Enum, Object, SecurityScheme};
use serde_json::Value;

/// A bearer token made with `ring-partnerships token create`. Editors may create and update;
/// deletes need an admin token. Reads need no token.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "rp_…")]
pub struct BearerAuth(Bearer);

/// Why a record changed. Real-world changes (`started`, `ended`, `amended`) are told apart
/// from corrections of our record (`correction`, `retraction`, `new_evidence`); `created` is
/// for new records and `deleted` for deletes.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ChangeKindIn {
    Created,
    Started,
    Ended,
    Amended,
    Correction,
    Retraction,
    NewEvidence,
    Deleted,
}

impl From<ChangeKindIn> for ChangeKind {
    fn from(k: ChangeKindIn) -> Self {
        match k {
            ChangeKindIn::Created => ChangeKind::Created,
            ChangeKindIn::Started => ChangeKind::Started,
            ChangeKindIn::Ended => ChangeKind::Ended,
            ChangeKindIn::Amended => ChangeKind::Amended,
            ChangeKindIn::Correction => ChangeKind::Correction,
            ChangeKindIn::Retraction => ChangeKind::Retraction,
            ChangeKindIn::NewEvidence => ChangeKind::NewEvidence,
            ChangeKindIn::Deleted => ChangeKind::Deleted,
        }
    }
}

/// The reason for a write and its evidence: a note and at least one source, existing
/// (`sources`) or new (`new_sources`, created in the same transaction).
#[derive(Object, Clone, Debug)]
#[oai(deny_unknown_fields, example)]
pub struct ChangeIn {
    pub kind: ChangeKindIn,
    /// What changed and why, for the history. Required, not empty.
    pub note: String,
    /// Ids of existing sources the change cites.
    #[oai(default)]
    pub sources: Vec<i64>,
    /// Sources to create and cite.
    #[oai(default)]
    pub new_sources: Vec<SourceFields>,
}

impl Example for ChangeIn {
    fn example() -> Self {
        Self {
            kind: ChangeKindIn::Ended,
            note: "The department announced it left the Neighbors app on 2024-01-31.".into(),
            sources: vec![3],
            new_sources: vec![],
        }
    }
}

impl From<ChangeIn> for ChangeRequest {
    fn from(c: ChangeIn) -> Self {
        Self {
            kind: c.kind.into(),
            note: c.note,
            sources: c.sources,
            new_sources: c.new_sources.into_iter().map(Into::into).collect(),
        }
    }
}

/// The fields of a body (its `record`) as the typed patch the service writes: each field
/// absent, `null` or a value of the record's own type (see `dto::fields`).
pub fn fields<T: Clone + Into<RecordPatch>>(record: &T) -> RecordPatch {
    record.clone().into()
}

/// The body of a create or update of one kind: `record` (its `*Fields`) and `change`.
macro_rules! edit_body {
    ($name:ident, $fields:ty, $doc:literal) => {
        #[doc = $doc]
        ///
        /// `record` holds the fields. To create, give the record's fields. To update, give
        /// a JSON merge patch (RFC 7396): fields present replace, `null` clears, absent fields
        /// keep their value. `change` says why, citing at least one source.
        #[derive(::poem_openapi::Object, Clone, Debug)]
        #[oai(deny_unknown_fields, example)]
        pub struct $name {
            pub record: $fields,
            pub change: $crate::api::write::ChangeIn,
        }

        impl ::poem_openapi::types::Example for $name {
            fn example() -> Self {
                Self {
                    record: <$fields as ::poem_openapi::types::Example>::example(),
                    change:
                        <$crate::api::write::ChangeIn as ::poem_openapi::types::Example>::example(),
                }
            }
        }
    };
}
pub(super) use edit_body;

/// Why a record is deleted, citing at least one source. `change.kind` is `deleted`,
/// `retraction`, `correction` or `ended`; the log records the revision as `deleted` and
/// keeps any other kind at the front of the note.
#[derive(Object, Clone, Debug)]
#[oai(deny_unknown_fields, example)]
pub struct DeleteBody {
    pub change: ChangeIn,
}

impl Example for DeleteBody {
    fn example() -> Self {
        Self {
            change: ChangeIn {
                kind: ChangeKindIn::Retraction,
                note: "The partnership was a duplicate of partnership 12.".into(),
                sources: vec![3],
                new_sources: vec![],
            },
        }
    }
}

/// What a write did.
#[derive(Object, Clone, Debug)]
#[oai(example)]
pub struct EditResult {
    /// agency, program, phase, partnership, source or citation.
    pub kind: EntityKind,
    pub id: String,
    /// The record's version after the write.
    pub version: i32,
    /// The sequence number of the write's revision (`/changes?since=` one less finds it).
    pub seq: i64,
    pub deleted: bool,
    /// The record as written, in the change feed's form.
    pub record: Value,
    /// The record's history.
    pub history: String,
}

impl Example for EditResult {
    fn example() -> Self {
        Self {
            kind: EntityKind::Partnership,
            id: "1".into(),
            version: 2,
            seq: 4568,
            deleted: false,
            record: serde_json::json!({
                "id": 1, "agency_id": "us-wi-greenfield-police-department",
                "program_id": "ring-neighbors-public-safety-service", "status": "ended",
                "start": "2018-03-22", "end": "2024-01-31", "video_requests": [],
                "external_ids": {}, "notes": null, "version": 2,
                "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-12-01T09:30:00Z"
            }),
            history: "/partnerships/1/history".into(),
        }
    }
}

#[derive(ApiResponse)]
pub enum EditResponse {
    /// Created. `Location` is the new record; `ETag` its version.
    #[oai(status = 201)]
    Created(
        Json<EditResult>,
        #[oai(header = "Location")] String,
        #[oai(header = "ETag")] String,
    ),
    /// Changed (or deleted). `ETag` is the new version.
    #[oai(status = 200)]
    Ok(Json<EditResult>, #[oai(header = "ETag")] String),
}

/// The caller behind a bearer token, if it may do what `needed` may.
pub async fn authorize(
    state: &AppState,
    auth: &BearerAuth,
    needed: Role,
) -> Result<Caller, ApiError> {
    let caller = state
        .dataset
        .authenticate(&auth.0.token)
        .await
        .map_err(super::service_error)?
        .ok_or_else(|| {
            ApiError::from_problem(Problem::new(
                ErrorCode::Unauthorized,
                "the bearer token is unknown or revoked",
            ))
        })?;
    if !caller.role.allows(needed) {
        return Err(ApiError::from_problem(Problem::new(
            ErrorCode::Forbidden,
            format!(
                "a `{}` token may not do this: it needs `{}`",
                caller.role, needed
            ),
        )));
    }
    Ok(caller)
}

/// Every edit failure, as HTTP.
pub fn edit_error(e: EditError) -> ApiError {
    match e {
        EditError::Missing(e) => super::read_error(e),
        EditError::PreconditionRequired => ApiError::from_problem(
            Problem::new(ErrorCode::PreconditionRequired, e.to_string()).with_parameter("If-Match"),
        ),
        EditError::PreconditionFailed { .. } => ApiError::from_problem(
            Problem::new(ErrorCode::PreconditionFailed, e.to_string()).with_parameter("If-Match"),
        ),
        EditError::Invalid { field, message } => {
            let mut p = Problem::new(ErrorCode::InvalidRecord, message);
            p.parameter = field;
            ApiError::from_problem(p)
        }
        EditError::Conflict(message) => {
            ApiError::from_problem(Problem::new(ErrorCode::Conflict, message))
        }
        EditError::Service(e) if e.is_unique_violation() => {
            // The catalog checks run first; a clash found only by the database (a source
            // URL, a race with another process) is still the client's conflict.
            ApiError::from_problem(Problem::new(
                ErrorCode::Conflict,
                "a record with the same unique value (an id or a source URL) exists",
            ))
        }
        EditError::Service(e) => super::service_error(e),
    }
}

fn result(saved: Saved) -> (EditResult, String) {
    let kind = saved.record.kind();
    let id = saved.record.entity_id();
    let version = saved.record.meta().version;
    (
        EditResult {
            kind,
            history: format!("/{}/{id}/history", kind.collection()),
            id,
            version,
            seq: saved.seq,
            deleted: saved.deleted,
            record: saved.record.to_json(),
        },
        super::etag::record(version),
    )
}

/// Creates a record of `kind` from `record`'s fields, as the token's editor.
pub async fn create(
    state: &AppState,
    auth: BearerAuth,
    kind: EntityKind,
    record: RecordPatch,
    change: ChangeIn,
) -> Result<EditResponse, ApiError> {
    debug_assert_eq!(record.kind(), kind, "a body of the operation's kind");
    let caller = authorize(state, &auth, Role::Editor).await?;
    let saved = state
        .dataset
        .create_record(&caller.name, record, change.into())
        .await
        .map_err(edit_error)?;
    let (body, tag) = result(saved);
    let location = format!("/{}/{}", kind.collection(), body.id);
    Ok(EditResponse::Created(Json(body), location, tag))
}

/// Applies `patch` (a merge patch of typed fields) to the record `id` of `kind`, if
/// `If-Match` names its version.
pub async fn update(
    state: &AppState,
    auth: BearerAuth,
    if_match: Option<String>,
    kind: EntityKind,
    id: &str,
    patch: RecordPatch,
    change: ChangeIn,
) -> Result<EditResponse, ApiError> {
    debug_assert_eq!(patch.kind(), kind, "a body of the operation's kind");
    let caller = authorize(state, &auth, Role::Editor).await?;
    let pre = super::etag::precondition(if_match.as_deref())?;
    let saved = state
        .dataset
        .update_record(&caller.name, id, pre, patch, change.into())
        .await
        .map_err(edit_error)?;
    let (body, tag) = result(saved);
    Ok(EditResponse::Ok(Json(body), tag))
}

/// Deletes the record `id` of `kind` (an admin's token), if `If-Match` names its version.
pub async fn delete(
    state: &AppState,
    auth: BearerAuth,
    if_match: Option<String>,
    kind: EntityKind,
    id: &str,
    body: DeleteBody,
) -> Result<EditResponse, ApiError> {
    let caller = authorize(state, &auth, Role::Admin).await?;
    let pre = super::etag::precondition(if_match.as_deref())?;
    let saved = state
        .dataset
        .delete_record(&caller.name, kind, id, pre, body.change.into())
        .await
        .map_err(edit_error)?;
    let (body, tag) = result(saved);
    Ok(EditResponse::Ok(Json(body), tag))
}
