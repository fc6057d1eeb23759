//! Writes: create, update (JSON merge patch) and delete agencies, partnerships, programs,
//! phases, sources and citations. Every write needs a bearer token, a note and at least one
//! cited source; updates and deletes need `If-Match` with the version read.
//!
//! Write bodies use the record fields of the change feed's `data` (`start`, `agency_id`, …),
//! not the read views (`start_date`, `agency: {…}`), so what one writes is what the history
//! shows.

use super::{ApiTags, AppState};
use crate::domain::{ChangeKind, EntityKind};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::service::edit::{ChangeRequest, EditError, Precondition, Saved};
use crate::service::tokens::{self, Caller, Role};
use poem_openapi::auth::Bearer;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::types::{Example, MaybeUndefined, ToJSON};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, SecurityScheme};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub struct EditsApi {
    state: AppState,
}

impl EditsApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

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
            new_sources: c.new_sources.iter().map(fields).collect(),
        }
    }
}

/// The fields of a body as a JSON object: absent fields left out, `null` kept.
fn fields<T: ToJSON>(record: &T) -> Map<String, Value> {
    match record.to_json() {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// An agency's fields. On create `name`, `agency_type`, `jurisdiction_type` and `state` are
/// required; `id` defaults to `us-<state>-<slug of name>` and `country` to `US`.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct AgencyFields {
    /// Create only: the slug id (never changes).
    pub id: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    /// police, sheriff, constable, district_attorney, fire or other.
    pub agency_type: MaybeUndefined<String>,
    /// municipal, county, parish, regional, state, tribal, university or other.
    pub jurisdiction_type: MaybeUndefined<String>,
    pub ori: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub county: MaybeUndefined<String>,
    /// USPS code.
    pub state: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub latitude: MaybeUndefined<f64>,
    pub longitude: MaybeUndefined<f64>,
    /// address, place, county or state.
    pub location_precision: MaybeUndefined<String>,
    /// What the point is (a `LocationBasis` value).
    pub location_basis: MaybeUndefined<String>,
    pub location_source: MaybeUndefined<String>,
    /// The agency's quality flags (`QualityFlag` values), replacing them all; `null` or
    /// `[]` clears them. Absent: kept.
    pub quality_flags: MaybeUndefined<Vec<String>>,
    pub external_ids: MaybeUndefined<BTreeMap<String, String>>,
    pub notes: MaybeUndefined<String>,
}

impl Example for AgencyFields {
    fn example() -> Self {
        Self {
            name: MaybeUndefined::Value("Greenfield Police Department".into()),
            agency_type: MaybeUndefined::Value("police".into()),
            jurisdiction_type: MaybeUndefined::Value("municipal".into()),
            city: MaybeUndefined::Value("Greenfield".into()),
            state: MaybeUndefined::Value("WI".into()),
            latitude: MaybeUndefined::Value(42.9614),
            longitude: MaybeUndefined::Value(-88.01259),
            ..Default::default()
        }
    }
}

/// A program's fields. On create `id`, `vendor` and `name` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct ProgramFields {
    /// Create only: the slug id.
    pub id: MaybeUndefined<String>,
    pub vendor: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub start: MaybeUndefined<String>,
    /// Last day, at its known precision; ends every enrolment in the program.
    pub end: MaybeUndefined<String>,
}

impl Example for ProgramFields {
    fn example() -> Self {
        Self {
            end: MaybeUndefined::Value("2026-03".into()),
            ..Default::default()
        }
    }
}

/// A phase's fields. On create `id`, `program_id`, `name`, `status` and
/// `footage_requests` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct PhaseFields {
    /// Create only: the slug id.
    pub id: MaybeUndefined<String>,
    pub program_id: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    /// active, ended, announced or cancelled.
    pub status: MaybeUndefined<String>,
    pub start: MaybeUndefined<String>,
    pub end: MaybeUndefined<String>,
    pub footage_requests: MaybeUndefined<bool>,
    pub footage_condition: MaybeUndefined<String>,
}

impl Example for PhaseFields {
    fn example() -> Self {
        Self {
            status: MaybeUndefined::Value("ended".into()),
            end: MaybeUndefined::Value("2026-02-13".into()),
            ..Default::default()
        }
    }
}

/// A count of video requests over a period.
#[derive(Object, Clone, Debug)]
#[oai(deny_unknown_fields)]
pub struct VideoRequestCountIn {
    pub from: String,
    pub to: Option<String>,
    pub count: u32,
}

/// A partnership's fields. On create `agency_id`, `program_id` and `status` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct PartnershipFields {
    pub agency_id: MaybeUndefined<String>,
    pub program_id: MaybeUndefined<String>,
    /// active, ended, announced or cancelled.
    pub status: MaybeUndefined<String>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub start: MaybeUndefined<String>,
    /// Last day, at its known precision; not before `start`.
    pub end: MaybeUndefined<String>,
    pub video_requests: MaybeUndefined<Vec<VideoRequestCountIn>>,
    pub external_ids: MaybeUndefined<BTreeMap<String, String>>,
    pub notes: MaybeUndefined<String>,
}

impl Example for PartnershipFields {
    fn example() -> Self {
        Self {
            status: MaybeUndefined::Value("ended".into()),
            end: MaybeUndefined::Value("2024-01-31".into()),
            ..Default::default()
        }
    }
}

/// A source's fields. On create `url`, `title` and `kind` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct SourceFields {
    /// http(s) URL; one source per URL.
    pub url: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub publisher: MaybeUndefined<String>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub published: MaybeUndefined<String>,
    /// YYYY-MM-DD.
    pub accessed: MaybeUndefined<String>,
    pub archived_url: MaybeUndefined<String>,
    /// official_map, news, press_release, public_records, agency_post, dataset or other.
    pub kind: MaybeUndefined<String>,
}

impl Example for SourceFields {
    fn example() -> Self {
        Self {
            url: MaybeUndefined::Value("https://news.example/greenfield-leaves-ring".into()),
            title: MaybeUndefined::Value("Greenfield police leave Ring's Neighbors app".into()),
            publisher: MaybeUndefined::Value("Example News".into()),
            published: MaybeUndefined::Value("2024-02-01".into()),
            kind: MaybeUndefined::Value("news".into()),
            ..Default::default()
        }
    }
}

/// A citation's fields. On create `source_id`, `entity_kind` and `entity_id` are required.
#[derive(Object, Clone, Debug, Default)]
#[oai(deny_unknown_fields, example)]
pub struct CitationFields {
    pub source_id: MaybeUndefined<i64>,
    /// agency, program, phase, partnership or source.
    pub entity_kind: MaybeUndefined<String>,
    pub entity_id: MaybeUndefined<String>,
    /// The field the source supports; absent when it supports the whole record.
    pub field: MaybeUndefined<String>,
    pub quote: MaybeUndefined<String>,
}

impl Example for CitationFields {
    fn example() -> Self {
        Self {
            source_id: MaybeUndefined::Value(3),
            entity_kind: MaybeUndefined::Value("partnership".into()),
            entity_id: MaybeUndefined::Value("1".into()),
            field: MaybeUndefined::Value("end".into()),
            quote: MaybeUndefined::Value("The department left the app on January 31.".into()),
        }
    }
}

macro_rules! edit_body {
    ($name:ident, $fields:ty, $doc:literal) => {
        #[doc = $doc]
        ///
        /// `record` holds the fields. To create, give the record's fields. To update, give
        /// a JSON merge patch (RFC 7396): fields present replace, `null` clears, absent fields
        /// keep their value. `change` says why, citing at least one source.
        #[derive(Object, Clone, Debug)]
        #[oai(deny_unknown_fields, example)]
        pub struct $name {
            pub record: $fields,
            pub change: ChangeIn,
        }

        impl Example for $name {
            fn example() -> Self {
                Self {
                    record: <$fields>::example(),
                    change: ChangeIn::example(),
                }
            }
        }
    };
}

edit_body!(AgencyEdit, AgencyFields, "A new agency, or changes to one.");
edit_body!(
    ProgramEdit,
    ProgramFields,
    "A new program, or changes to one."
);
edit_body!(
    PhaseEdit,
    PhaseFields,
    "A new program phase, or changes to one."
);
edit_body!(
    PartnershipEdit,
    PartnershipFields,
    "A new partnership, or changes to one."
);
edit_body!(SourceEdit, SourceFields, "A new source, or changes to one.");
edit_body!(
    CitationEdit,
    CitationFields,
    "A new citation, or changes to one."
);

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
    pub kind: String,
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
            kind: "partnership".into(),
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

/// The plural path segment of a kind of record.
pub fn collection(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Agency => "agencies",
        EntityKind::Program => "programs",
        EntityKind::Phase => "phases",
        EntityKind::Partnership => "partnerships",
        EntityKind::Source => "sources",
        EntityKind::Citation => "citations",
    }
}

/// The entity tag of a record version: `"v3"`.
pub fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// Parses `If-Match` (RFC 9110 13.1.1): `*`, or a list of entity-tags. Any well-formed tag
/// is accepted; only ours can match, and only by strong comparison, so a weak tag
/// (`W/"v3"`) or a tag of another server (`"abc"`) is a 412, never a 400. Our tags are
/// `"v3"`, or a detail read's `"v3-ds1234"` (the record version, then the dataset version it
/// was read at: only the record version is compared). Only a malformed header is a 400.
pub fn precondition(header: Option<&str>) -> Result<Precondition, ApiError> {
    let Some(text) = header.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Precondition::Missing);
    };
    if text == "*" {
        return Ok(Precondition::Any);
    }
    let tags = parse_entity_tags(text).ok_or_else(|| {
        ApiError::invalid(
            "If-Match",
            format!(
                "`{text}` is not `*` or a list of entity-tags (RFC 9110: `\"v3\"`, `W/\"v3\"`, `\"v3\", \"v4\"`)"
            ),
        )
    })?;
    Ok(Precondition::Versions(
        tags.into_iter()
            .filter(|(weak, _)| !weak)
            .filter_map(|(_, opaque)| {
                let v = opaque.strip_prefix('v')?;
                v.split_once("-ds")
                    .map_or(v, |(v, _)| v)
                    .parse::<i32>()
                    .ok()
            })
            .collect(),
    ))
}

/// The tags of an RFC 9110 `#entity-tag` list, each `(weak, opaque text)`; `None` when the
/// list is malformed. A quoted tag may hold commas, so the list is scanned, not split.
pub fn parse_entity_tags(text: &str) -> Option<Vec<(bool, &str)>> {
    let bytes = text.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    let skip_ows = |i: &mut usize| {
        while *i < bytes.len() && matches!(bytes[*i], b' ' | b'\t') {
            *i += 1;
        }
    };
    loop {
        skip_ows(&mut i);
        if i == bytes.len() {
            break;
        }
        if bytes[i] == b',' {
            i += 1;
            continue;
        }
        let weak = bytes[i..].starts_with(b"W/");
        if weak {
            i += 2;
        }
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let start = i + 1;
        let len = bytes[start..].iter().position(|&b| b == b'"')?;
        let opaque = &bytes[start..start + len];
        if !opaque
            .iter()
            .all(|&b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
        {
            return None;
        }
        tags.push((weak, &text[start..start + len]));
        i = start + len + 1;
        skip_ows(&mut i);
        match bytes.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) => return None,
        }
    }
    (!tags.is_empty()).then_some(tags)
}

#[cfg(test)]
mod if_match_tests {
    use super::*;

    fn versions(h: &str) -> Vec<i32> {
        match precondition(Some(h)) {
            Ok(Precondition::Versions(v)) => v,
            other => panic!("{h}: {other:?}"),
        }
    }

    #[test]
    fn every_well_formed_tag_is_a_precondition_and_only_strong_ones_of_ours_match() {
        assert_eq!(versions("\"v3\""), vec![3]);
        assert_eq!(versions("\"v3-ds12\""), vec![3]);
        assert_eq!(versions("\"x\", \"v4\" ,,\"v5\""), vec![4, 5]);
        // Well-formed but never ours, or weak: nothing matches (412), not a 400.
        assert_eq!(versions("W/\"v3\""), Vec::<i32>::new());
        assert_eq!(versions("\"abc\""), Vec::<i32>::new());
        assert_eq!(versions("\"a,b\", \"\""), Vec::<i32>::new());
        assert!(matches!(precondition(Some("*")), Ok(Precondition::Any)));
        assert!(matches!(precondition(None), Ok(Precondition::Missing)));
        for bad in [
            "v3",
            "\"v3",
            "\"v3\" x",
            "W/v3",
            "\"v 3\"",
            "*, \"v3\"",
            ",",
        ] {
            assert!(precondition(Some(bad)).is_err(), "{bad}");
        }
    }
}

/// The caller behind a bearer token, if it may do what `needed` may.
pub(super) async fn authorize(
    state: &AppState,
    auth: &BearerAuth,
    needed: Role,
) -> Result<Caller, ApiError> {
    let dataset = &state.dataset;
    let caller = dataset
        .guarded(async { Ok(tokens::authenticate(dataset.store(), &auth.0.token).await?) })
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
        EditError::NotFound(kind, id) => ApiError::not_found(kind.as_str(), &id),
        EditError::Gone(kind, id) => {
            let mut p = Problem::new(ErrorCode::Gone, format!("{kind} `{id}` was deleted"))
                .with_parameter("id");
            p.history = Some(format!("/{}/{id}/history", collection(kind)));
            ApiError::from_problem(p)
        }
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
            kind: kind.as_str().into(),
            history: format!("/{}/{id}/history", collection(kind)),
            id,
            version,
            seq: saved.seq,
            deleted: saved.deleted,
            record: saved.record.to_json(),
        },
        etag(version),
    )
}

impl EditsApi {
    async fn create(
        &self,
        auth: BearerAuth,
        kind: EntityKind,
        record: Map<String, Value>,
        change: ChangeIn,
    ) -> Result<EditResponse, ApiError> {
        let caller = authorize(&self.state, &auth, Role::Editor).await?;
        let saved = self
            .state
            .dataset
            .create_record(&caller.name, kind, record, change.into())
            .await
            .map_err(edit_error)?;
        let (body, tag) = result(saved);
        let location = format!("/{}/{}", collection(kind), body.id);
        Ok(EditResponse::Created(Json(body), location, tag))
    }

    async fn update(
        &self,
        auth: BearerAuth,
        if_match: Option<String>,
        kind: EntityKind,
        id: &str,
        patch: Map<String, Value>,
        change: ChangeIn,
    ) -> Result<EditResponse, ApiError> {
        let caller = authorize(&self.state, &auth, Role::Editor).await?;
        let pre = precondition(if_match.as_deref())?;
        let saved = self
            .state
            .dataset
            .update_record(&caller.name, kind, id, pre, patch, change.into())
            .await
            .map_err(edit_error)?;
        let (body, tag) = result(saved);
        Ok(EditResponse::Ok(Json(body), tag))
    }

    async fn delete(
        &self,
        auth: BearerAuth,
        if_match: Option<String>,
        kind: EntityKind,
        id: &str,
        body: DeleteBody,
    ) -> Result<EditResponse, ApiError> {
        let caller = authorize(&self.state, &auth, Role::Admin).await?;
        let pre = precondition(if_match.as_deref())?;
        let saved = self
            .state
            .dataset
            .delete_record(&caller.name, kind, id, pre, body.change.into())
            .await
            .map_err(edit_error)?;
        let (body, tag) = result(saved);
        Ok(EditResponse::Ok(Json(body), tag))
    }
}

#[OpenApi]
impl EditsApi {
    /// Create an agency
    ///
    /// Needs an `editor` or `admin` token. The id defaults to `us-<state>-<slug of name>`;
    /// a taken id is a 409.
    #[oai(
        path = "/agencies",
        method = "post",
        operation_id = "create_agency",
        tag = "ApiTags::Agencies"
    )]
    async fn create_agency(
        &self,
        auth: BearerAuth,
        body: Json<AgencyEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.create(auth, EntityKind::Agency, fields(&b.record), b.change)
            .await
    }

    /// Update an agency
    ///
    /// A JSON merge patch of its fields (present replace, `null` clears, absent keep), with
    /// `If-Match` set to the `ETag` read. Needs an `editor` or `admin` token.
    #[oai(
        path = "/agencies/:id",
        method = "patch",
        operation_id = "update_agency",
        tag = "ApiTags::Agencies"
    )]
    async fn update_agency(
        &self,
        auth: BearerAuth,
        /// The agency's id.
        #[oai(example = "super::example_agency_id")]
        id: Path<String>,
        /// The `ETag` of the version read, e.g. `"v3"`. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<AgencyEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.update(
            auth,
            if_match.0,
            EntityKind::Agency,
            &id.0,
            fields(&b.record),
            b.change,
        )
        .await
    }

    /// Delete an agency
    ///
    /// Needs an `admin` token and `If-Match`. An agency with partnerships cannot be deleted
    /// (409). The id answers 410 afterwards; its history remains.
    #[oai(
        path = "/agencies/:id",
        method = "delete",
        operation_id = "delete_agency",
        tag = "ApiTags::Agencies"
    )]
    async fn delete_agency(
        &self,
        auth: BearerAuth,
        /// The agency's id.
        #[oai(example = "super::example_agency_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<DeleteBody>,
    ) -> Result<EditResponse, ApiError> {
        self.delete(auth, if_match.0, EntityKind::Agency, &id.0, body.0)
            .await
    }

    /// Create a partnership
    ///
    /// Needs an `editor` or `admin` token. The agency and program must exist; `end` may not
    /// come before `start`.
    #[oai(
        path = "/partnerships",
        method = "post",
        operation_id = "create_partnership",
        tag = "ApiTags::Partnerships"
    )]
    async fn create_partnership(
        &self,
        auth: BearerAuth,
        body: Json<PartnershipEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.create(auth, EntityKind::Partnership, fields(&b.record), b.change)
            .await
    }

    /// Update a partnership
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(
        path = "/partnerships/:id",
        method = "patch",
        operation_id = "update_partnership",
        tag = "ApiTags::Partnerships"
    )]
    async fn update_partnership(
        &self,
        auth: BearerAuth,
        /// The partnership's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<PartnershipEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.update(
            auth,
            if_match.0,
            EntityKind::Partnership,
            &id.0,
            fields(&b.record),
            b.change,
        )
        .await
    }

    /// Delete a partnership
    ///
    /// Needs an `admin` token and `If-Match`. Its citations are deleted with it.
    #[oai(
        path = "/partnerships/:id",
        method = "delete",
        operation_id = "delete_partnership",
        tag = "ApiTags::Partnerships"
    )]
    async fn delete_partnership(
        &self,
        auth: BearerAuth,
        /// The partnership's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<DeleteBody>,
    ) -> Result<EditResponse, ApiError> {
        self.delete(auth, if_match.0, EntityKind::Partnership, &id.0, body.0)
            .await
    }

    /// Create a program
    ///
    /// Needs an `editor` or `admin` token.
    #[oai(
        path = "/programs",
        method = "post",
        operation_id = "create_program",
        tag = "ApiTags::Programs"
    )]
    async fn create_program(
        &self,
        auth: BearerAuth,
        body: Json<ProgramEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.create(auth, EntityKind::Program, fields(&b.record), b.change)
            .await
    }

    /// Update a program
    ///
    /// A JSON merge patch of its fields with `If-Match`. A program's `end` ends every
    /// enrolment in it. Needs an `editor` or `admin` token.
    #[oai(
        path = "/programs/:id",
        method = "patch",
        operation_id = "update_program",
        tag = "ApiTags::Programs"
    )]
    async fn update_program(
        &self,
        auth: BearerAuth,
        /// The program's id.
        #[oai(example = "super::example_program_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<ProgramEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.update(
            auth,
            if_match.0,
            EntityKind::Program,
            &id.0,
            fields(&b.record),
            b.change,
        )
        .await
    }

    /// Delete a program
    ///
    /// Needs an `admin` token and `If-Match`. A program with partnerships or phases cannot be
    /// deleted (409).
    #[oai(
        path = "/programs/:id",
        method = "delete",
        operation_id = "delete_program",
        tag = "ApiTags::Programs"
    )]
    async fn delete_program(
        &self,
        auth: BearerAuth,
        /// The program's id.
        #[oai(example = "super::example_program_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<DeleteBody>,
    ) -> Result<EditResponse, ApiError> {
        self.delete(auth, if_match.0, EntityKind::Program, &id.0, body.0)
            .await
    }

    /// Create a program phase
    ///
    /// Needs an `editor` or `admin` token. The program must exist.
    #[oai(
        path = "/phases",
        method = "post",
        operation_id = "create_phase",
        tag = "ApiTags::Programs"
    )]
    async fn create_phase(
        &self,
        auth: BearerAuth,
        body: Json<PhaseEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.create(auth, EntityKind::Phase, fields(&b.record), b.change)
            .await
    }

    /// Update a program phase
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(
        path = "/phases/:id",
        method = "patch",
        operation_id = "update_phase",
        tag = "ApiTags::Programs"
    )]
    async fn update_phase(
        &self,
        auth: BearerAuth,
        /// The phase's id, e.g. `ring-nps-posts-only`.
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<PhaseEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.update(
            auth,
            if_match.0,
            EntityKind::Phase,
            &id.0,
            fields(&b.record),
            b.change,
        )
        .await
    }

    /// Delete a program phase
    ///
    /// Needs an `admin` token and `If-Match`.
    #[oai(
        path = "/phases/:id",
        method = "delete",
        operation_id = "delete_phase",
        tag = "ApiTags::Programs"
    )]
    async fn delete_phase(
        &self,
        auth: BearerAuth,
        /// The phase's id.
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<DeleteBody>,
    ) -> Result<EditResponse, ApiError> {
        self.delete(auth, if_match.0, EntityKind::Phase, &id.0, body.0)
            .await
    }

    /// Create a source
    ///
    /// Needs an `editor` or `admin` token. One source per URL (409 for a known URL).
    #[oai(
        path = "/sources",
        method = "post",
        operation_id = "create_source",
        tag = "ApiTags::Sources"
    )]
    async fn create_source(
        &self,
        auth: BearerAuth,
        body: Json<SourceEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.create(auth, EntityKind::Source, fields(&b.record), b.change)
            .await
    }

    /// Update a source
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(
        path = "/sources/:id",
        method = "patch",
        operation_id = "update_source",
        tag = "ApiTags::Sources"
    )]
    async fn update_source(
        &self,
        auth: BearerAuth,
        /// The source's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<SourceEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.update(
            auth,
            if_match.0,
            EntityKind::Source,
            &id.0,
            fields(&b.record),
            b.change,
        )
        .await
    }

    /// Delete a source
    ///
    /// Needs an `admin` token and `If-Match`. A source that citations cite cannot be deleted
    /// (409).
    #[oai(
        path = "/sources/:id",
        method = "delete",
        operation_id = "delete_source",
        tag = "ApiTags::Sources"
    )]
    async fn delete_source(
        &self,
        auth: BearerAuth,
        /// The source's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<DeleteBody>,
    ) -> Result<EditResponse, ApiError> {
        self.delete(auth, if_match.0, EntityKind::Source, &id.0, body.0)
            .await
    }

    /// Create a citation
    ///
    /// "This source supports this record (or its field)". Needs an `editor` or `admin` token;
    /// the source and the record must exist.
    #[oai(
        path = "/citations",
        method = "post",
        operation_id = "create_citation",
        tag = "ApiTags::Sources"
    )]
    async fn create_citation(
        &self,
        auth: BearerAuth,
        body: Json<CitationEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.create(auth, EntityKind::Citation, fields(&b.record), b.change)
            .await
    }

    /// Update a citation
    ///
    /// A JSON merge patch of its fields with `If-Match`. Needs an `editor` or `admin` token.
    #[oai(
        path = "/citations/:id",
        method = "patch",
        operation_id = "update_citation",
        tag = "ApiTags::Sources"
    )]
    async fn update_citation(
        &self,
        auth: BearerAuth,
        /// The citation's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<CitationEdit>,
    ) -> Result<EditResponse, ApiError> {
        let b = body.0;
        self.update(
            auth,
            if_match.0,
            EntityKind::Citation,
            &id.0,
            fields(&b.record),
            b.change,
        )
        .await
    }

    /// Delete a citation
    ///
    /// Needs an `admin` token and `If-Match`.
    #[oai(
        path = "/citations/:id",
        method = "delete",
        operation_id = "delete_citation",
        tag = "ApiTags::Sources"
    )]
    async fn delete_citation(
        &self,
        auth: BearerAuth,
        /// The citation's numeric id.
        #[oai(example = "super::example_numeric_id")]
        id: Path<String>,
        /// The `ETag` of the version read. Required.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<DeleteBody>,
    ) -> Result<EditResponse, ApiError> {
        self.delete(auth, if_match.0, EntityKind::Citation, &id.0, body.0)
            .await
    }
}
