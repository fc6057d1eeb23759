//! A correction report's page (`GET /reports/{id}` as HTML): its status and the editor's
//! reason.

use super::JSON;
use crate::api::AppState;
use crate::error::ApiError;
use crate::pages::layout::{self, Page, alt, timestamp};
use crate::pages::params::Params;
use maud::html;
use poem::Request;

/// A correction report's page: where a browser lands after sending one. Its status and the
/// editor's reason, never its contact. Not cached: a decision changes no dataset version.
pub async fn report(
    state: &AppState,
    req: &Request,
    id: &str,
    q: &Params,
) -> Result<String, ApiError> {
    q.only(&[])?;
    let n = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("report", id))?;
    let r = crate::service::reports::get(&state.dataset, n)
        .await
        .map_err(crate::api::reports::report_error)?;
    let record_link = r.record.as_deref().map(|rec| {
        let pages = ["agencies/", "partnerships/", "programs/", "sources/"];
        (rec.to_string(), pages.iter().any(|p| rec.starts_with(p)))
    });
    let body = html! {
        p { a href="/" { "Home" } }
        h1 { "Correction report #" (r.id) }
        @if r.status == "open" {
            p class="lede" {
                "Thank you: the report is received and waits for an editor. "
                "Keep this page's address to see what becomes of it."
            }
        }
        dl {
            dt { "Status" } dd { strong { (r.status) } }
            dt { "Received" } dd { (timestamp(r.created_at)) }
            dt { "About" } dd {
                @match &record_link {
                    Some((rec, true)) => a href=(format!("/{rec}")) { (rec) },
                    Some((rec, false)) => code { (rec) },
                    None => { "A missing agency: " (r.missing_agency.as_deref().unwrap_or("")) },
                }
            }
            dt { "What is wrong" } dd { (r.what) }
            dt { "Evidence" } dd { code { (r.evidence_url) } }
            @if let Some(d) = r.decided_at { dt { "Decided" } dd { (timestamp(d)) } }
            @if let Some(reason) = &r.reason { dt { "Reason" } dd { (reason) } }
            @if let Some(seq) = r.revision_seq {
                dt { "The edit it led to" } dd { "Revision " (seq) " in " a href="/changes" { "the change history" } }
            }
        }
        p class="muted" { "A report changes no data by itself; the contact given with it is never shown." }
    };
    Ok(layout::render(
        req,
        Page {
            title: format!("Correction report #{}", r.id),
            description: format!("Correction report #{}: {}.", r.id, r.status),
            path: format!("/reports/{}", r.id),
            alternates: vec![alt(JSON, format!("/reports/{}", r.id), "JSON")],
            json_ld: None,
            body,
            embed: false,
        },
    ))
}
