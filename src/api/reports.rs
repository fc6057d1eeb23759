//! `/reports`: public correction reports. Anyone may send one (no token; a small body and a
//! per-address rate limit of their own, see the README's limits); editors list and decide
//! them. The public sees a report's status, never its contact. A report changes no data.

use super::ApiTags;
use super::write::BearerAuth;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::service::reports::{self, ReportError, ReportInput, ReportStatus};
use crate::service::tokens::Role;
use crate::store::StoredReport;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Form, Json};
use poem_openapi::{ApiRequest, ApiResponse, Enum, Object, OpenApi};
use time::OffsetDateTime;

super::resource::api_struct!(ReportsApi);

/// A correction report: what is wrong, on which record (or which agency is missing), and the
/// evidence.
#[derive(Object, serde::Deserialize, Clone, Debug)]
#[oai(deny_unknown_fields, example)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// What is wrong, for an editor to read (1–4000 characters).
    pub what: String,
    /// The record it is about: `agencies/{id}`, `partnerships/{id}`, `programs/{id}`,
    /// `phases/{id}`, `sources/{id}` or `citations/{id}`; it must exist. Leave out for a
    /// missing agency.
    #[serde(default)]
    pub record: Option<String>,
    /// Instead of `record`: the agency the dataset lacks, its name and place.
    #[serde(default)]
    pub missing_agency: Option<String>,
    /// A public http(s) page that shows it.
    pub evidence_url: String,
    /// How an editor may reach you (optional). Never published: only editors see it.
    #[serde(default)]
    pub contact: Option<String>,
}

impl poem_openapi::types::Example for ReportIn {
    fn example() -> Self {
        Self {
            what: "The department left the Neighbors app in January 2024.".into(),
            record: Some("partnerships/12".into()),
            missing_agency: None,
            evidence_url: "https://example.org/news/greenfield-leaves-neighbors".into(),
            contact: None,
        }
    }
}

/// A report as JSON, or as a browser's form (answered with a redirect to its page).
#[derive(ApiRequest)]
pub enum ReportBody {
    Json(Json<ReportIn>),
    Form(Form<ReportIn>),
}

/// Where a report stands: open until an editor accepts or rejects it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ReportStatusOut {
    Open,
    Accepted,
    Rejected,
}

impl From<ReportStatus> for ReportStatusOut {
    fn from(s: ReportStatus) -> Self {
        match s {
            ReportStatus::Open => Self::Open,
            ReportStatus::Accepted => Self::Accepted,
            ReportStatus::Rejected => Self::Rejected,
        }
    }
}

/// A report as the public sees it: never its contact.
#[derive(Object, Clone, Debug)]
pub struct Report {
    pub id: i64,
    pub status: ReportStatusOut,
    pub what: String,
    /// The record it is about (`agencies/{id}`, ...), if it is about one.
    pub record: Option<String>,
    /// The agency it says is missing, if it is about one.
    pub missing_agency: Option<String>,
    pub evidence_url: String,
    pub created_at: OffsetDateTime,
    /// When an editor decided it.
    pub decided_at: Option<OffsetDateTime>,
    /// The editor's reason.
    pub reason: Option<String>,
    /// For an accepted report: the revision (`seq` in `/changes`) of the edit it led to.
    pub revision: Option<i64>,
}

/// A report as editors see it: with its contact and who decided it.
#[derive(Object, Clone, Debug)]
pub struct ReportFull {
    #[oai(flatten)]
    pub report: Report,
    /// How the reporter may be reached, if they said. Never published.
    pub contact: Option<String>,
    /// The token name of the editor who decided it.
    pub decided_by: Option<String>,
}

/// Reports, newest first.
#[derive(Object, Clone, Debug)]
pub struct ReportList {
    pub data: Vec<ReportFull>,
    /// The next page (older reports), when there may be one.
    pub next: Option<String>,
}

/// An editor's decision.
#[derive(Object, Clone, Debug)]
#[oai(deny_unknown_fields)]
pub struct DecisionIn {
    /// `accepted` or `rejected`.
    pub status: DecisionStatus,
    /// Why (1–500 characters).
    pub reason: String,
    /// For an accepted report: the revision (`seq` in `/changes`) of the edit it led to; it
    /// must exist.
    pub revision: Option<i64>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum DecisionStatus {
    Accepted,
    Rejected,
}

#[derive(ApiResponse)]
pub enum SubmitResponse {
    /// Received. `Location` is the report's public status; the contact is not in it.
    #[oai(status = 201)]
    Created(Json<Report>, #[oai(header = "Location")] String),
    /// Received from a browser's form: see the report's page (`Location`).
    #[oai(status = 303)]
    SeeOther(#[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum ReportResponse {
    /// The report's public status.
    #[oai(status = 200)]
    Ok(Json<Report>),
}

#[derive(ApiResponse)]
pub enum ReportFullResponse {
    /// The report as decided, with its contact.
    #[oai(status = 200)]
    Ok(Json<ReportFull>),
}

#[derive(ApiResponse)]
pub enum ReportListResponse {
    /// A page of reports, newest first.
    #[oai(status = 200)]
    Ok(Json<ReportList>),
}

fn public(r: &StoredReport) -> Report {
    Report {
        id: r.id,
        status: r
            .status
            .parse::<ReportStatus>()
            .unwrap_or(ReportStatus::Open)
            .into(),
        what: r.what.clone(),
        record: r.record.clone(),
        missing_agency: r.missing_agency.clone(),
        evidence_url: r.evidence_url.clone(),
        created_at: r.created_at,
        decided_at: r.decided_at,
        reason: r.reason.clone(),
        revision: r.revision_seq,
    }
}

fn full(r: &StoredReport) -> ReportFull {
    ReportFull {
        report: public(r),
        contact: r.contact.clone(),
        decided_by: r.decided_by.clone(),
    }
}

/// Every report failure, as HTTP: bad input is a 400 naming the field.
pub fn report_error(e: ReportError) -> ApiError {
    match e {
        ReportError::Invalid { field, message } => ApiError::from_problem(
            Problem::new(ErrorCode::InvalidBody, message).with_parameter(field),
        ),
        ReportError::NotFound(id) => ApiError::not_found("report", &id.to_string()),
        ReportError::Service(e) => super::service_error(e),
    }
}

fn input(r: ReportIn) -> ReportInput {
    ReportInput {
        what: r.what,
        record: r.record,
        missing_agency: r.missing_agency,
        evidence_url: r.evidence_url,
        contact: r.contact,
    }
}

const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 1000;

#[OpenApi(tag = "ApiTags::Reports")]
impl ReportsApi {
    /// Report a correction
    ///
    /// Needs no token. Say what is wrong and on which record (`record`), or which agency is
    /// missing (`missing_agency`), with a public evidence URL; a contact is optional and never
    /// published. A report changes no data: an editor reads it and, if the evidence holds,
    /// makes the cited edit. Bodies are small (8 KiB by default) and each address may send
    /// a few reports an hour (10 by default; 429 `rate_limited` beyond). A browser's form
    /// (`application/x-www-form-urlencoded`) is answered with a redirect to the report's page.
    #[oai(path = "/reports", method = "post", operation_id = "create_report")]
    async fn create_report(&self, body: ReportBody) -> Result<SubmitResponse, ApiError> {
        let (form, body) = match body {
            ReportBody::Json(j) => (false, j.0),
            ReportBody::Form(f) => (true, f.0),
        };
        let stored = reports::submit(&self.state.dataset, input(body))
            .await
            .map_err(report_error)?;
        let location = format!("/reports/{}", stored.id);
        Ok(if form {
            SubmitResponse::SeeOther(location)
        } else {
            SubmitResponse::Created(Json(public(&stored)), location)
        })
    }

    /// Get a report's status
    ///
    /// Public: what was reported, its status and the editor's reason, never the contact.
    #[oai(path = "/reports/:id", method = "get", operation_id = "get_report")]
    async fn get_report(
        &self,
        /// The report's id.
        id: Path<i64>,
    ) -> Result<ReportResponse, ApiError> {
        let r = reports::get(&self.state.dataset, id.0)
            .await
            .map_err(report_error)?;
        Ok(ReportResponse::Ok(Json(public(&r))))
    }

    /// List reports
    ///
    /// Needs an `editor` or `admin` token: reports with their contacts, newest first.
    #[oai(path = "/reports", method = "get", operation_id = "list_reports")]
    async fn list_reports(
        &self,
        auth: BearerAuth,
        /// Only reports of this status: open, accepted or rejected.
        status: Query<Option<String>>,
        /// Only reports older than this id (the `next` link sets it).
        before: Query<Option<i64>>,
        /// How many (1–1000, default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u64>>,
    ) -> Result<ReportListResponse, ApiError> {
        super::write::authorize(&self.state, &auth, Role::Editor).await?;
        let status = status
            .0
            .as_deref()
            .map(str::parse::<ReportStatus>)
            .transpose()
            .map_err(|e| ApiError::invalid("status", e.to_string()))?;
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("`limit` is 1 to {MAX_LIMIT}"),
            ));
        }
        let rows = reports::list(&self.state.dataset, status, before.0, limit)
            .await
            .map_err(report_error)?;
        let next = (rows.len() as u64 == limit)
            .then(|| rows.last().map(|r| r.id))
            .flatten()
            .map(|last| {
                let mut q = format!("/reports?before={last}&limit={limit}");
                if let Some(s) = status {
                    q.push_str(&format!("&status={s}"));
                }
                q
            });
        Ok(ReportListResponse::Ok(Json(ReportList {
            data: rows.iter().map(full).collect(),
            next,
        })))
    }

    /// Decide a report
    ///
    /// Needs an `editor` or `admin` token. `accepted` or `rejected`, with a reason; an
    /// accepted report may link the revision of the edit it led to (which must exist). The
    /// decision changes no data.
    #[oai(
        path = "/reports/:id",
        method = "patch",
        operation_id = "decide_report"
    )]
    async fn decide_report(
        &self,
        auth: BearerAuth,
        /// The report's id.
        id: Path<i64>,
        body: Json<DecisionIn>,
    ) -> Result<ReportFullResponse, ApiError> {
        let caller = super::write::authorize(&self.state, &auth, Role::Editor).await?;
        let status = match body.0.status {
            DecisionStatus::Accepted => ReportStatus::Accepted,
            DecisionStatus::Rejected => ReportStatus::Rejected,
        };
        let r = reports::decide(
            &self.state.dataset,
            id.0,
            status,
            &body.0.reason,
            body.0.revision,
            &caller.name,
        )
        .await
        .map_err(report_error)?;
        Ok(ReportFullResponse::Ok(Json(full(&r))))
    }
}
