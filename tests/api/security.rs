//! Hostile input is plain data; every response carries the security headers and a request
//! id; tokens never reach the logs; /metrics counts requests by route.

use crate::edits::seed_records;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};

const HOSTILE: &[&str] = &[
    "' OR '1'='1",
    "1; DROP TABLE agencies; --",
    "\" OR 1=1 --",
    "1 UNION SELECT hash FROM api_tokens",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\u{0}\u{1}\u{7}\r\nX-Injected: 1",
    "%00%0d%0a",
    "../../etc/passwd",
    "Ω≈ç√∫˜µ≤≥÷ 𝕏 \u{202e}",
];

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A 2xx or a 4xx problem, never a 5xx; a body that parses.
async fn plain(app: &TestApp, path: &str) -> (u16, Value) {
    let resp = app.get(path).await;
    let status = resp.status().as_u16();
    assert!(status < 500, "GET {path}: {status}");
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    let text = resp.text().await.unwrap();
    if ct.contains("json") {
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        if status >= 400 {
            assert!(ct.starts_with("application/problem+json"), "{path}: {ct}");
            assert!(body["code"].is_string(), "{path}: {body}");
        }
        (status, body)
    } else {
        (status, Value::String(text))
    }
}

on_both_backends!(
    sql_html_and_control_characters_are_plain_data_everywhere,
    |app: TestApp| async move {
        let token = app.token("admin", "mallory").await;
        seed_records(&app, &token).await;
        let before = app.get_json("/changes?since=0&limit=1000").await;
        let text_params = [
            (
                "/agencies",
                &[
                    "q",
                    "state",
                    "agency_type",
                    "jurisdiction_type",
                    "ori",
                    "near",
                    "radius",
                    "bbox",
                    "sort",
                    "cursor",
                    "as_of",
                    "format",
                ][..],
            ),
            (
                "/partnerships",
                &[
                    "q",
                    "agency",
                    "state",
                    "program",
                    "status",
                    "started_after",
                    "active_on",
                    "near",
                    "bbox",
                    "sort",
                    "cursor",
                    "footage_requests",
                ][..],
            ),
            ("/sources", &["q", "kind", "sort", "cursor"][..]),
            ("/programs", &["cursor", "as_of"][..]),
            ("/changes", &["since", "limit"][..]),
            (
                "/collections/agencies/items",
                &["bbox", "datetime", "cursor", "f"][..],
            ),
        ];
        for payload in HOSTILE {
            let p = enc(payload);
            for (path, params) in text_params {
                for param in params {
                    let (status, body) = plain(&app, &format!("{path}?{param}={p}")).await;
                    // (The search folds case, accents and punctuation, so only the SQL
                    // payloads are sure to match nothing.)
                    if status == 200 && *param == "q" && HOSTILE[..4].contains(payload) {
                        assert_eq!(body["data"], json!([]), "{path}?{param}={payload:?}");
                    }
                }
            }
            for path in [
                format!("/agencies/{p}"),
                format!("/partnerships/{p}"),
                format!("/sources/{p}"),
                format!("/programs/{p}"),
                format!("/problems/{p}"),
                format!("/collections/{p}"),
                format!("/collections/agencies/items/{p}"),
                format!("/{p}/1/history"),
                format!("/agencies/{p}/history"),
                format!("/partnerships/1/diff?from={p}"),
            ] {
                let (status, _) = plain(&app, &path).await;
                assert!(status == 200 || (400..500).contains(&status), "{path}");
            }
        }
        // In bodies: searched for, not run; written: stored and given back as sent.
        for payload in HOSTILE {
            let resp = app
                .send(
                    Method::POST,
                    "/agencies/search",
                    None,
                    None,
                    Some(json!({"q": payload})),
                )
                .await;
            assert!(resp.status().is_success() || resp.status().is_client_error());
            // Written: stored and given back exactly as sent.
            let resp = app
                .send(
                    Method::POST,
                    "/sources",
                    Some(&token),
                    None,
                    Some(json!({
                        "record": {"url": format!("https://x.example/{}", enc(payload)), "title": payload, "kind": "news"},
                        "change": {"kind": "created", "note": payload, "sources": [1]},
                    })),
                )
                .await;
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            assert!(
                status == 201 || status == 400 || status == 422,
                "{payload:?}: {body}"
            );
            if status == 201 {
                let id = body["record"]["id"].as_i64().unwrap();
                let read = app.get_json(&format!("/sources/{id}")).await;
                assert_eq!(read["title"], *payload);
            }
        }
        // The database is intact: everything there before is there still, and the feed
        // escapes what it was given.
        let after = app.get_json("/changes?since=0&limit=1000").await;
        let old = before["data"].as_array().unwrap();
        assert_eq!(&after["data"].as_array().unwrap()[..old.len()], &old[..]);
        let atom = app.get("/changes.atom").await.text().await.unwrap();
        assert!(!atom.contains("<script>"), "the Atom feed escapes titles");
        assert_eq!(app.get("/health").await.status(), 200);
    }
);

#[tokio::test]
async fn every_response_has_security_headers_and_a_request_id() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in [
        "/agencies",
        "/agencies/nope",
        "/no/such/route",
        "/openapi.json",
        "/metrics",
    ] {
        let resp = app.get(path).await;
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert!(!h["x-request-id"].is_empty(), "{path}");
    }
    // The docs page runs Swagger UI from this server's assets: scripts from 'self' only
    // (none inline), nothing from elsewhere.
    let resp = app.get("/docs").await;
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("http"), "{csp}");
    assert_eq!(resp.headers()["x-frame-options"], "DENY");
    let page = resp.text().await.unwrap();
    assert!(!page.contains("<script>"), "no inline script: {page}");
    let scripts: Vec<&str> = page
        .split("<script src=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(scripts.len(), 2, "{page}");
    for src in &scripts {
        assert!(src.starts_with("/assets/"), "{src}");
        let js = app.get(src).await;
        assert_eq!(js.status(), 200, "{src}");
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript"),
            "{src}"
        );
        let body = js.text().await.unwrap();
        assert!(body.contains("SwaggerUIBundle"), "{src}");
    }

    // A sane incoming request id is kept; anything else is replaced.
    let id = |value: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/health", app.base))
                .header("x-request-id", value)
                .send()
                .await
                .unwrap()
                .headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(id("trace-42.a_b").await, "trace-42.a_b");
    assert_ne!(id("<script>").await, "<script>");
    let a = app.get("/health").await.headers()["x-request-id"].clone();
    let b = app.get("/health").await.headers()["x-request-id"].clone();
    assert_ne!(a, b);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.get("/agencies/a").await;
    app.get("/agencies/b").await;
    app.get("/nowhere").await;
    let resp = app.get("/metrics").await;
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("http_requests_total{route=\"/agencies/{id}\",status=\"404\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("http_requests_total{route=\"unmatched\",status=\"404\"} 1"),
        "{text}"
    );
    assert!(
        text.contains(
            "http_request_duration_seconds_bucket{route=\"/agencies/{id}\",le=\"+Inf\"} 2"
        )
    );
    assert!(text.contains("\ndataset_version "));
    assert!(text.contains("\ndb_pool_connections "));
}

#[tokio::test]
async fn tokens_never_reach_the_logs() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let bin = env!("CARGO_BIN_EXE_ring-partnerships");
    let out = Command::new(bin)
        .args([
            "token",
            "create",
            "--role",
            "admin",
            "--name",
            "x",
            "--database",
            &url,
        ])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(bin)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database",
            &url,
        ])
        .env("SEED_DATA", "sample")
        .env("RUST_LOG", "trace,sqlx=trace,sea_orm=trace")
        .env("LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let start = std::time::Instant::now();
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for t in [token.as_str(), "rp_not_a_real_token_but_secret"] {
        client
            .post(format!("{base}/sources"))
            .bearer_auth(t)
            .json(
                &json!({"record": {"url": "https://x.example/", "title": "t", "kind": "news"},
                          "change": {"kind": "created", "note": "n", "sources": [1]}}),
            )
            .send()
            .await
            .unwrap();
    }
    let _ = server.kill();
    let output = server.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains("request_id"), "logs carry request ids");
    assert!(
        logs.lines().any(|l| l.starts_with('{')),
        "LOG_FORMAT=json logs JSON"
    );
    assert!(!logs.contains(&token[3..]), "the token was logged");
    assert!(
        !logs.contains("not_a_real_token"),
        "a presented token was logged"
    );
}
