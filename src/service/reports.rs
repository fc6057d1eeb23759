//! Public correction reports: anyone may say a record is wrong (or an agency is missing),
//! with an evidence URL and an optional contact that is never published; editors accept or
//! reject them with a reason. A report never changes data by itself: an accepted one may
//! name the revision (an edit made through the usual cited path) it led to.

use super::{Dataset, ServiceError};
use crate::domain::EntityKind;
use crate::store::{NewReport, StoredReport};

/// Longest `what`, in characters.
pub const MAX_WHAT: usize = 4000;
/// Longest `missing_agency`, `contact` and `reason`, in characters.
pub const MAX_SHORT: usize = 500;
/// Longest `evidence_url`, in bytes.
pub const MAX_URL: usize = 2000;

crate::string_enum! {
    /// Where a report stands.
    ReportStatus {
        Open => "open",
        Accepted => "accepted",
        Rejected => "rejected",
    }
}

/// What a reader sends.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    pub what: String,
    /// The record: `agencies/{id}`, `partnerships/{id}`, `programs/{id}`, `phases/{id}`,
    /// `sources/{id}` or `citations/{id}`.
    pub record: Option<String>,
    /// Instead of a record: the agency the dataset lacks (its name and place).
    pub missing_agency: Option<String>,
    pub evidence_url: String,
    pub contact: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The report (or decision) cannot be taken as sent; `field` names the part at fault.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("no report has the id `{0}`")]
    NotFound(i64),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<crate::store::StoreError> for ReportError {
    fn from(e: crate::store::StoreError) -> Self {
        ReportError::Service(e.into())
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ReportError {
    ReportError::Invalid {
        field,
        message: message.into(),
    }
}

/// Trimmed text, `None` when empty; refused when too long or holding NUL.
fn text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ReportError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.contains('\0') {
        return Err(invalid(field, "text may not contain NUL characters"));
    }
    let n = v.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("`{field}` is {n} characters; at most {max}"),
        ));
    }
    Ok(Some(v.to_string()))
}

/// Checks an http(s) URL with a host.
pub fn check_url(field: &'static str, url: &str) -> Result<(), ReportError> {
    let ok = url.len() <= MAX_URL
        && url::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("`{url}` is not an http(s) URL (of at most {MAX_URL} bytes)"),
        ))
    }
}

/// Checks a report against the dataset and stores it, `open`.
pub async fn submit(dataset: &Dataset, input: ReportInput) -> Result<StoredReport, ReportError> {
    let what = text("what", Some(&input.what), MAX_WHAT)?
        .ok_or_else(|| invalid("what", "say what is wrong"))?;
    let record = text("record", input.record.as_deref(), MAX_SHORT)?;
    let missing = text("missing_agency", input.missing_agency.as_deref(), MAX_SHORT)?;
    let contact = text("contact", input.contact.as_deref(), MAX_SHORT)?;
    let evidence = input.evidence_url.trim().to_string();
    check_url("evidence_url", &evidence)?;
    match (&record, &missing) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "record",
                "give `record` (what is wrong) or `missing_agency` (what is missing), not both",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "record",
                "name the record (e.g. `agencies/us-wi-greenfield-police-department`) or, for an agency the dataset lacks, `missing_agency`",
            ));
        }
        _ => {}
    }
    if let Some(r) = &record {
        let (collection, id) = r.split_once('/').unwrap_or((r.as_str(), ""));
        let kind = EntityKind::of_collection(collection).ok_or_else(|| {
            invalid(
                "record",
                format!(
                    "`{r}` does not name a record: use agencies/ID, partnerships/ID, programs/ID, phases/ID, sources/ID or citations/ID"
                ),
            )
        })?;
        if dataset.read().record(kind, id).is_err() {
            return Err(invalid(
                "record",
                format!("no {kind} has the id `{id}` (or it was deleted)"),
            ));
        }
    }
    let stored = dataset
        .store()
        .insert_report(NewReport {
            what: &what,
            record: record.as_deref(),
            missing_agency: missing.as_deref(),
            evidence_url: &evidence,
            contact: contact.as_deref(),
            at: super::writer::now(),
        })
        .await?;
    Ok(stored)
}

pub async fn get(dataset: &Dataset, id: i64) -> Result<StoredReport, ReportError> {
    dataset
        .store()
        .report(id)
        .await?
        .ok_or(ReportError::NotFound(id))
}

pub async fn list(
    dataset: &Dataset,
    status: Option<ReportStatus>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredReport>, ReportError> {
    Ok(dataset
        .store()
        .reports(status.map(ReportStatus::as_str), before, limit)
        .await?)
}

/// An editor's decision: `accepted` or `rejected`, with a reason; an accepted report may
/// name the revision it led to, which must exist.
pub async fn decide(
    dataset: &Dataset,
    id: i64,
    status: ReportStatus,
    reason: &str,
    revision: Option<i64>,
    by: &str,
) -> Result<StoredReport, ReportError> {
    if status == ReportStatus::Open {
        return Err(invalid("status", "a decision is `accepted` or `rejected`"));
    }
    let reason = text("reason", Some(reason), MAX_SHORT)?
        .ok_or_else(|| invalid("reason", "give the reason for the decision"))?;
    if let Some(seq) = revision {
        if status != ReportStatus::Accepted {
            return Err(invalid(
                "revision",
                "only an accepted report links the edit it led to",
            ));
        }
        if !dataset.store().revision_exists(seq).await? {
            return Err(invalid(
                "revision",
                format!("no revision has the sequence number {seq}"),
            ));
        }
    }
    dataset
        .store()
        .decide_report(
            id,
            status.as_str(),
            &reason,
            revision,
            by,
            super::writer::now(),
        )
        .await?
        .ok_or(ReportError::NotFound(id))
}
