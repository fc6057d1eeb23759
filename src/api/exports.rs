//! Exports: every row of a list (not a page) as CSV, NDJSON or GeoJSON, streamed.
//!
//! The handler takes a shared copy of the catalog, current or as `as_of` asks (O(1): the maps
//! are persistent, see `Catalog::shared_copy`), and hands it to a blocking task that reads the
//! matching rows in batches (`service::export_rows::Batches`) and serialises `CHUNK_ROWS` at a
//! time into a bounded channel. Neither the rows nor the body ever exist whole: memory is one
//! batch and a couple of chunks, and a client that stops reading stops the task before its
//! next batch. A page of an export (`limit` or `cursor`) is taken at once instead, so a cursor
//! of another query is a 400.
//!
//! Every stream holds an [`ExportPermit`] (`Limits::export_concurrency`) until its body ends
//! or its client goes away, and its task is done. The handler takes it once `as_of` and the cursor are known good
//! and before it takes anything else; with none free the answer is 503 `too_many_exports`.

use crate::error::ApiError;
use crate::export::{self, CHUNK_ROWS, CsvWriter, Table};
use crate::service::catalog::Catalog;
pub use crate::service::export_rows::Batches;
use crate::service::export_rows::RowPage;
use crate::service::listing::{ListError, PageRequest};
use bytes::Bytes;
use poem::{Body, IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use std::sync::Arc;

pub const CSV: &str = "text/csv; charset=utf-8";
pub const NDJSON: &str = "application/x-ndjson";
/// `Link` to the data's licence, on every export and download.
pub const LICENSE_LINK: &str = "<https://creativecommons.org/licenses/by/4.0/>; rel=\"license\"";

pub fn binary_schema() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "binary")))
}

macro_rules! streamed_payload {
    ($name:ident, $content_type:expr, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub Body);

        impl Payload for $name {
            const CONTENT_TYPE: &'static str = $content_type;

            fn schema_ref() -> MetaSchemaRef {
                binary_schema()
            }
        }

        impl IntoResponse for $name {
            fn into_response(self) -> Response {
                Response::builder()
                    .content_type(Self::CONTENT_TYPE)
                    .body(self.0)
            }
        }
    };
}

streamed_payload!(
    CsvExport,
    CSV,
    "Every matching row as CSV (RFC 4180, UTF-8, header row), streamed."
);
streamed_payload!(
    NdjsonExport,
    NDJSON,
    "Every matching row as newline-delimited JSON (one list row per line), streamed."
);

/// A GeoJSON FeatureCollection: a page built whole, or an export streamed. Both have the
/// schema of `T`.
pub enum GeoJson<T> {
    Page(T),
    Stream(Body),
}

impl<T: Type + Send> Payload for GeoJson<T> {
    const CONTENT_TYPE: &'static str = super::geojson::GEOJSON;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: serde::Serialize + Send> IntoResponse for GeoJson<T> {
    fn into_response(self) -> Response {
        match self {
            GeoJson::Page(page) => {
                let mut resp = super::fast::Fast::of(page).into_response();
                resp.headers_mut().insert(
                    poem::http::header::CONTENT_TYPE,
                    poem::http::HeaderValue::from_static(super::geojson::GEOJSON),
                );
                resp
            }
            GeoJson::Stream(body) => Response::builder()
                .content_type(super::geojson::GEOJSON)
                .body(body),
        }
    }
}

/// One of the `Limits::export_concurrency` permits to stream (see `AppState::export_permit`).
/// A stream owns it, so it is given back when the body ends or is dropped.
pub struct ExportPermit {
    // Never read: held for its `Drop`, which gives the permit back.
    _held: tokio::sync::OwnedSemaphorePermit,
}

impl ExportPermit {
    pub fn new(permit: tokio::sync::OwnedSemaphorePermit) -> Self {
        Self { _held: permit }
    }
}

/// What the task that serialises an export sends to its body.
enum Piece {
    Data(Bytes),
    /// Every row was sent: without it, a closed channel means the task failed.
    End,
}

/// Streams `rows`: `head`, then each chunk of rows through `chunk` (told whether it is the
/// first), then `tail` with the number of rows.
///
/// The rows are read and serialised on a blocking thread (a batch of a sorted export scans
/// the whole copy), one batch at a time, `CHUNK_ROWS` rows per message, with at most two
/// messages waiting: memory is one batch and a couple of chunks, whatever the export's size.
/// `head` goes first on its own, so the answer starts before the first batch is ready.
///
/// `permit` is held by both the body and the task, and given back when both are done: the
/// body may still be sending the last chunks after the task ends, and the task finishes the
/// batch in hand after the client goes away (it checks before each batch), so exports never
/// do more work at once than the permits allow.
///
/// The body ends cleanly only after the task's explicit `End`: a batch that fails (it cannot,
/// with cursors made here) or a task that panics ends it with an error instead, so a client
/// sees a broken transfer rather than a short file.
pub fn stream<T, C, E>(
    rows: Batches<T>,
    permit: ExportPermit,
    head: Vec<u8>,
    mut chunk: C,
    tail: E,
) -> Body
where
    T: Send + 'static,
    C: FnMut(&mut Vec<u8>, &[T], bool) + Send + 'static,
    E: FnOnce(&mut Vec<u8>, u64) + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Piece, std::io::Error>>(2);
    let permit = std::sync::Arc::new(permit);
    let held = permit.clone();
    // The task's work is the request's: the guard charges it to the client's rate limit
    // when the body is done (`web::work`). Time waiting for the client to take a chunk is not.
    let meter = crate::web::work::current();
    tokio::task::spawn_blocking(move || {
        let _held = held;
        let clock = std::cell::RefCell::new(crate::web::work::BusyClock::start(meter));
        // A send fails only when the client went away: stop.
        let send = |piece| {
            clock.borrow_mut().pause();
            let sent = tx.blocking_send(Ok(piece)).is_ok();
            clock.borrow_mut().resume();
            sent
        };
        if !head.is_empty() && !send(Piece::Data(Bytes::from(head))) {
            return;
        }
        let mut count = 0u64;
        let mut out = Vec::new();
        let mut first = true;
        for batch in rows {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, "export batch failed; ending the body with an error");
                    let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                    return;
                }
            };
            for rows in batch.chunks(CHUNK_ROWS) {
                chunk(&mut out, rows, first);
                first = false;
                count += rows.len() as u64;
                if !send(Piece::Data(Bytes::from(std::mem::take(&mut out)))) {
                    return;
                }
            }
            if tx.is_closed() {
                return;
            }
        }
        tail(&mut out, count);
        if !out.is_empty() && !send(Piece::Data(Bytes::from(out))) {
            return;
        }
        send(Piece::End);
    });
    Body::from_bytes_stream(futures_util::stream::unfold(
        Some((rx, permit)),
        |state| async move {
            let (mut rx, permit) = state?;
            match rx.recv().await {
                Some(Ok(Piece::Data(bytes))) => Some((Ok(bytes), Some((rx, permit)))),
                Some(Ok(Piece::End)) => None,
                Some(Err(e)) => Some((Err(e), None)),
                None => Some((
                    Err(std::io::Error::other("the export stopped before its end")),
                    None,
                )),
            }
        },
    ))
}

/// Rows as CSV with their table's header.
pub fn csv<T: Table + Send + 'static>(rows: Batches<T>, permit: ExportPermit) -> CsvExport {
    let mut head = CsvWriter::new();
    head.header(T::COLUMNS);
    CsvExport(stream(
        rows,
        permit,
        head.take(),
        |out, batch, _| {
            let mut w = CsvWriter::new();
            for r in batch {
                w.row(r);
            }
            out.extend_from_slice(&w.take());
        },
        |_, _| {},
    ))
}

/// Rows as NDJSON, each turned into its list view by `view`.
pub fn ndjson<T, V, F>(rows: Batches<T>, permit: ExportPermit, view: F) -> NdjsonExport
where
    T: Send + 'static,
    V: serde::Serialize,
    F: Fn(&T) -> V + Send + 'static,
{
    NdjsonExport(stream(
        rows,
        permit,
        Vec::new(),
        move |out, batch, _| {
            for r in batch {
                export::ndjson_line(out, &view(r));
            }
        },
        |_, _| {},
    ))
}

/// The rows of an export of a list and what its answer says of them: every matching row in
/// batches, or the page asked for, with its cursor and count.
pub struct Rows<T> {
    pub rows: Batches<T>,
    pub next: Option<String>,
    pub total: Option<u64>,
    pub meta: super::dto::ListMeta,
}

impl<T> Rows<T> {
    /// The `next` page's URL, for the `Link` header and the FeatureCollection's links;
    /// `None` for a search body (its next page is a body, not a URL).
    pub fn next_href(&self, link_base: Option<&poem::Request>) -> Option<String> {
        link_base.and_then(|r| self.next.as_deref().map(|c| super::next_link(r, c)))
    }
}

/// The rows of an export from the dataset as it stood at `as_of`: every row (`page_req`
/// unbounded) in batches from a shared copy, through `all`; else the page asked for, taken at
/// once with the spatial index, through `page`. `check` refuses a filter that names no record
/// in the catalog read; `echo` is the query as the answer's `meta` repeats it.
#[allow(clippy::too_many_arguments)]
pub async fn fetch<T: Send + 'static>(
    state: &super::AppState,
    as_of: Option<&str>,
    page_req: &PageRequest,
    echo: super::query_echo::QueryEcho,
    check: impl Fn(&Catalog) -> Result<(), ApiError>,
    all: impl FnOnce(Arc<Catalog>) -> Batches<T>,
    page: impl FnOnce(&Catalog) -> Result<RowPage<T>, ListError>,
) -> Result<Rows<T>, ApiError> {
    if page_req.unbounded {
        let catalog = super::shared_copy(state, as_of).await?;
        check(&catalog)?;
        let meta = super::dto::ListMeta::of(&catalog).with_query(echo, Vec::new());
        Ok(Rows {
            rows: all(catalog),
            next: None,
            total: None,
            meta,
        })
    } else {
        let catalog = super::view(state, as_of).await?;
        check(&catalog)?;
        let row_page = page(&catalog).map_err(super::list_error)?;
        let meta = super::dto::ListMeta::of(&catalog).with_query(echo, Vec::new());
        Ok(Rows {
            rows: Batches::once(row_page.rows),
            next: row_page.next,
            total: row_page.total.map(|t| t as u64),
            meta,
        })
    }
}

/// Rows as a GeoJSON FeatureCollection; `feature` gives each one's id, position and
/// properties. `next_href` is the next page's URL when the export is a page and has one.
pub fn geojson<T, I, V, F>(
    rows: Rows<T>,
    permit: ExportPermit,
    next_href: Option<String>,
    feature: F,
) -> Body
where
    T: Send + 'static,
    I: serde::Serialize,
    V: serde::Serialize,
    F: Fn(&T) -> (I, Option<(f64, f64)>, V) + Send + 'static,
{
    use super::geojson::{GEOJSON, Link};
    let links: Vec<Link> = next_href
        .map(|href| vec![Link::new(href, "next", Some(GEOJSON), Some("Next page"))])
        .unwrap_or_default();
    let Rows {
        rows,
        next,
        total,
        meta,
    } = rows;
    let mut head = Vec::new();
    export::geojson_head(&mut head, &meta, &links);
    stream(
        rows,
        permit,
        head,
        move |out, batch, first| {
            for (i, r) in batch.iter().enumerate() {
                let (id, at, props) = feature(r);
                export::geojson_feature(out, first && i == 0, &id, at, &props);
            }
        },
        move |out, count| {
            export::geojson_tail(out, count, next.as_deref());
            if let Some(m) = total {
                // Reopen the object for one more member: `…}` becomes `…,"numberMatched":m}`.
                out.pop();
                out.extend_from_slice(format!(",\"numberMatched\":{m}}}").as_bytes());
            }
        },
    )
}

/// A table list's export (`format` CSV or NDJSON) of `rows`, as the list's body: `csv` or
/// `ndjson` wraps it (`PhaseListBody::Csv`, …); NDJSON writes each row as `view` makes it.
pub fn table<T, V, B>(
    format: super::geojson::TableFormat,
    rows: Batches<T>,
    permit: ExportPermit,
    view: impl Fn(&T) -> V + Send + 'static,
    csv_body: impl FnOnce(CsvExport) -> B,
    ndjson_body: impl FnOnce(NdjsonExport) -> B,
) -> B
where
    T: Table + Send + 'static,
    V: serde::Serialize,
{
    match format {
        super::geojson::TableFormat::Csv => csv_body(csv(rows, permit)),
        _ => ndjson_body(ndjson(rows, permit, view)),
    }
}

/// The `Link` header of an export: the next page when it is one, and the licence.
pub fn link_header(next: Option<String>) -> Option<String> {
    Some(match next {
        Some(n) => format!("{n}, {LICENSE_LINK}"),
        None => LICENSE_LINK.to_string(),
    })
}

#[cfg(test)]
mod stream_tests {
    use super::*;
    use crate::service::export_rows::RowPage;
    use crate::service::listing::ListError;
    use std::sync::Arc;

    fn permit() -> (Arc<tokio::sync::Semaphore>, ExportPermit) {
        let permits = Arc::new(tokio::sync::Semaphore::new(1));
        let p = ExportPermit::new(permits.clone().try_acquire_owned().unwrap());
        (permits, p)
    }

    /// Whether the permit comes back (the task may end a moment after the body).
    async fn permit_returns(permits: &tokio::sync::Semaphore) -> bool {
        for _ in 0..200 {
            if permits.available_permits() == 1 {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        false
    }

    /// Batches of numbers 0..n, `size` at a time; the batch after `fail_after` fails.
    fn numbers(n: u32, size: usize, fail_after: Option<u32>) -> Batches<u32> {
        let mut next = 0u32;
        Batches::new(size, move |req| {
            if fail_after.is_some_and(|f| next >= f) {
                return Err(ListError::ForgedCursor);
            }
            let rows: Vec<u32> = (next..n).take(req.limit).collect();
            next += rows.len() as u32;
            Ok(RowPage {
                rows,
                next: (next < n).then(|| "more".to_string()),
                total: None,
            })
        })
    }

    fn lines(rows: Batches<u32>, permit: ExportPermit) -> Body {
        stream(
            rows,
            permit,
            b"head\n".to_vec(),
            |out, rows, _| {
                for r in rows {
                    out.extend_from_slice(format!("{r}\n").as_bytes());
                }
            },
            |out, n| out.extend_from_slice(format!("tail {n}\n").as_bytes()),
        )
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn every_batch_is_streamed_and_the_permit_held_until_the_end() {
        let (permits, p) = permit();
        let body = lines(numbers(3000, 1000, None), p);
        assert_eq!(permits.available_permits(), 0);
        let text = String::from_utf8(body.into_vec().await.unwrap()).unwrap();
        let mut want = String::from("head\n");
        for i in 0..3000 {
            want.push_str(&format!("{i}\n"));
        }
        want.push_str("tail 3000\n");
        assert_eq!(text, want);
        assert!(permit_returns(&permits).await);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_panic_while_serialising_breaks_the_body_instead_of_ending_it_short() {
        let (permits, p) = permit();
        let body = stream(
            numbers(3000, 1000, None),
            p,
            b"head\n".to_vec(),
            |out, rows, _| {
                for r in rows {
                    assert!(*r < 1500, "a bug while serialising");
                    out.extend_from_slice(format!("{r}\n").as_bytes());
                }
            },
            |_, _| {},
        );
        assert!(body.into_vec().await.is_err());
        assert!(permit_returns(&permits).await);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_failed_batch_breaks_the_body_instead_of_ending_it_short() {
        let (_permits, p) = permit();
        let body = lines(numbers(3000, 1000, Some(2000)), p);
        assert!(body.into_vec().await.is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::super::dto::{Agency, Partnership, Phase, Program, Source};
    use crate::export::Field;
    use crate::export::tables::*;
    use crate::export::{Column, Table};
    use poem_openapi::types::Example;
    use std::collections::BTreeSet;

    /// Every field path of a view's JSON, nested objects flattened with dots (one level).
    fn paths(value: &serde_json::Value) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (k, v) in value.as_object().unwrap() {
            match v {
                serde_json::Value::Object(inner) if k != "external_ids" => {
                    for k2 in inner.keys() {
                        out.insert(format!("{k}.{k2}"));
                    }
                }
                _ => {
                    out.insert(k.clone());
                }
            }
        }
        out
    }

    fn check(view: serde_json::Value, fields: &[(&str, Field)], columns: &[Column], what: &str) {
        let names: BTreeSet<&str> = columns.iter().map(|c| c.name).collect();
        let mapped: BTreeSet<&str> = fields.iter().map(|(f, _)| *f).collect();
        for path in paths(&view) {
            assert!(
                mapped.contains(path.as_str()),
                "{what}: field `{path}` is neither exported nor deliberately omitted: add it to the table's FIELDS"
            );
        }
        for (field, dest) in fields {
            if let Field::Column(c) = dest {
                assert!(
                    names.contains(c),
                    "{what}: `{field}` maps to missing column `{c}`"
                );
            }
        }
    }

    #[test]
    fn every_view_field_is_a_csv_column_or_deliberately_omitted() {
        let mut p = Partnership::example();
        p.distance_m = Some(1.0);
        p.active_on_certainty = Some(crate::domain::valid_time::Certainty::Certain);
        p.footage_requests = Some(crate::domain::valid_time::Certainty::Possible);
        p.phase = Some(super::super::dto::PhaseBrief {
            id: "x".into(),
            name: "x".into(),
            footage_requests: true,
            footage_condition: None,
        });
        check(
            serde_json::to_value(&p).unwrap(),
            PARTNERSHIP_FIELDS,
            PartnershipRow::COLUMNS,
            "partnerships",
        );
        let mut a = Agency::example();
        a.distance_m = Some(1.0);
        check(
            serde_json::to_value(&a).unwrap(),
            AGENCY_FIELDS,
            AgencyRow::COLUMNS,
            "agencies",
        );
        check(
            serde_json::to_value(Program::example()).unwrap(),
            PROGRAM_FIELDS,
            <crate::domain::Program as Table>::COLUMNS,
            "programs",
        );
        check(
            serde_json::to_value(Phase::example()).unwrap(),
            PHASE_FIELDS,
            <crate::domain::Phase as Table>::COLUMNS,
            "phases",
        );
        check(
            serde_json::to_value(Source::example()).unwrap(),
            SOURCE_FIELDS,
            <crate::domain::Source as Table>::COLUMNS,
            "sources",
        );
        let c = super::super::dto::Citation::example();
        let json = serde_json::json!({"id": c.id, "field": c.field, "quote": c.quote, "source": {"id": 1}});
        check(
            json,
            CITATION_FIELDS,
            <crate::domain::Citation as Table>::COLUMNS,
            "citations",
        );
    }
}
