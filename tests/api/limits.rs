//! Every limit answers with its documented problem: bodies (413), URLs (414), headers (431),
//! rate limits (429 with `Retry-After` and `RateLimit-*`), slow requests (503), silent
//! connections (closed) and polygons with too many vertices (400).

use crate::helpers::{Fixture, TestApp, test_limits};
use crate::on_both_backends;
use ring_partnerships::config::Limits;
use ring_partnerships::domain::AgencyType;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Checks the status, media type and code of a problem; returns its headers and body.
async fn problem(
    resp: reqwest::Response,
    status: u16,
    code: &str,
) -> (reqwest::header::HeaderMap, serde_json::Value) {
    assert_eq!(resp.status().as_u16(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let headers = resp.headers().clone();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    (headers, body)
}

async fn expect_problem(
    resp: reqwest::Response,
    status: u16,
    code: &str,
) -> reqwest::header::HeaderMap {
    problem(resp, status, code).await.0
}

/// Sends raw bytes on a new connection and returns the status line of the answer.
async fn raw_status(app: &TestApp, request: &[u8]) -> String {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(request).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = conn.read(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_body_over_the_limit_is_payload_too_large() {
    let app = TestApp::spawn_with_limits(Limits {
        max_body_bytes: 1024,
        ..test_limits()
    })
    .await;
    let big = serde_json::json!({ "within": "x".repeat(2048) });
    let resp = app
        .send(
            reqwest::Method::POST,
            "/agencies/search",
            None,
            None,
            Some(big),
        )
        .await;
    expect_problem(resp, 413, "payload_too_large").await;
    // Chunked, without a Content-Length: still refused.
    let chunk = " ".repeat(800);
    let request = format!(
        "POST /agencies/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n"
    );
    let status = raw_status(&app, request.as_bytes()).await;
    assert!(status.contains(" 413 "), "{status}");
    // Under the limit the body reaches the operation.
    let resp = app
        .send(
            reqwest::Method::POST,
            "/agencies/search",
            None,
            None,
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_long_url_is_uri_too_long_and_big_headers_are_headers_too_large() {
    let app = TestApp::spawn_with_limits(Limits {
        max_uri_bytes: 200,
        max_header_bytes: 1024,
        ..test_limits()
    })
    .await;
    let resp = app.get(&format!("/agencies?q={}", "a".repeat(300))).await;
    expect_problem(resp, 414, "uri_too_long").await;
    let resp = app
        .client
        .get(format!("{}/agencies", app.base))
        .header("x-padding", "p".repeat(2000))
        .send()
        .await
        .unwrap();
    expect_problem(resp, 431, "headers_too_large").await;
    assert_eq!(app.get("/agencies?q=a").await.status(), 200);
}

#[tokio::test]
async fn reads_over_the_rate_are_rate_limited_with_retry_after() {
    let app = TestApp::spawn_with_limits(Limits {
        reads_per_minute: 3,
        writes_per_minute: 2,
        ..test_limits()
    })
    .await;
    for remaining in (0..3).rev() {
        let resp = app.get("/agencies?limit=1").await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["ratelimit-limit"], "3");
        assert_eq!(resp.headers()["ratelimit-remaining"], remaining.to_string());
        assert!(resp.headers().contains_key("ratelimit-reset"));
    }
    let headers = expect_problem(app.get("/agencies?limit=1").await, 429, "rate_limited").await;
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "Retry-After {retry}");
    assert_eq!(headers["ratelimit-remaining"], "0");

    // Writes have their own bucket, per token: reads being spent does not stop them, and
    // another token has a full bucket.
    let alice = app.token("editor", "alice").await;
    let bob = app.token("editor", "bob").await;
    let write = |token: String| {
        let app = &app;
        async move {
            app.send(
                reqwest::Method::POST,
                "/sources",
                Some(&token),
                None,
                Some(serde_json::json!({})),
            )
            .await
        }
    };
    for _ in 0..2 {
        assert_eq!(
            write(alice.clone()).await.status(),
            400,
            "a bad body, not a limit"
        );
    }
    expect_problem(write(alice.clone()).await, 429, "rate_limited").await;
    assert_eq!(write(bob.clone()).await.status(), 400);
}

#[tokio::test]
async fn a_client_refused_again_without_waiting_waits_for_its_answer() {
    let tarpit = Duration::from_secs(2);
    let app = TestApp::spawn_with_limits(Limits {
        reads_per_minute: 1,
        tarpit,
        ..test_limits()
    })
    .await;
    assert_eq!(app.get("/agencies?limit=1").await.status(), 200);
    // The first refusal is answered at once: a client that honours Retry-After loses nothing.
    let t = Instant::now();
    expect_problem(app.get("/agencies?limit=1").await, 429, "rate_limited").await;
    assert!(t.elapsed() < tarpit, "the first 429 is not held back");
    // Asking again without waiting: the next refusal comes after the tarpit.
    let t = Instant::now();
    let headers = expect_problem(app.get("/agencies?limit=1").await, 429, "rate_limited").await;
    assert!(t.elapsed() >= tarpit, "a repeated 429 waits {tarpit:?}");
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn an_address_over_its_requests_in_progress_waits_for_its_turn() {
    let app = TestApp::spawn_with_limits(Limits {
        max_in_flight_per_address: 1,
        ..test_limits()
    })
    .await;
    // A search whose chunked body never comes holds 127.0.0.1's only place.
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut held = tokio::net::TcpStream::connect(&addr).await.unwrap();
    held.write_all(
        b"POST /agencies/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Transfer-Encoding: chunked\r\n\r\n",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = tokio::spawn({
        let (client, base) = (app.client.clone(), app.base.clone());
        async move { client.get(format!("{base}/health")).send().await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "a second request of the address waits"
    );
    // Another address has its own places.
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let resp = other
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The held request ends (its client goes away): the waiting one is answered.
    drop(held);
    let resp = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("answered once the place is free")
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn what_requests_in_progress_have_cost_counts_against_the_next() {
    let app = TestApp::spawn_with_limits(Limits {
        writes_per_minute: 5,
        cost_unit: Duration::from_millis(10),
        ..test_limits()
    })
    .await;
    let search = |client: reqwest::Client| {
        let base = app.base.clone();
        async move {
            client
                .post(format!("{base}/agencies/search"))
                .json(&serde_json::json!({"limit": 1}))
                .send()
                .await
                .unwrap()
        }
    };
    // A search (the write bucket: five a minute) whose chunked body never comes is in
    // progress from 127.0.0.1, and has spent more than the bucket holds without ending.
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut held = tokio::net::TcpStream::connect(&addr).await.unwrap();
    held.write_all(
        b"POST /agencies/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Transfer-Encoding: chunked\r\n\r\n",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Four shares are left, but the one in progress has cost thirty so far: refused.
    let headers = expect_problem(search(app.client.clone()).await, 429, "rate_limited").await;
    assert_eq!(headers["ratelimit-remaining"], "0");
    // Another address is not affected.
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    assert_eq!(search(other.clone()).await.status(), 200);
    // The held request ends: its cost is charged once, and the address still waits.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let headers = expect_problem(search(app.client.clone()).await, 429, "rate_limited").await;
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        retry >= 60,
        "about thirty shares in debt at five a minute: {retry} s"
    );
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_a_request_timeout() {
    let app = TestApp::spawn_with_limits(Limits {
        request_timeout: Duration::from_secs(1),
        ..test_limits()
    })
    .await;
    // A body that never finishes arriving keeps the operation waiting past the limit.
    let started = Instant::now();
    let status = raw_status(
        &app,
        b"POST /agencies/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"q\":",
    )
    .await;
    assert!(status.contains(" 503 "), "{status}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(app.get("/health").await.status(), 200);
}

#[tokio::test]
async fn a_silent_half_sent_request_is_closed_after_the_idle_timeout() {
    let app = TestApp::spawn_with_limits(Limits {
        idle_timeout: Duration::from_secs(1),
        ..test_limits()
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // Slowloris: the start of a request, then nothing.
    conn.write_all(b"GET /agencies HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf))
        .await
        .expect("the server closes the connection, not the test");
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "closed without an answer: {read:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A closed ring of `n` distinct points within a degree of 43,-88, where the fixtures put every
/// agency: `n + 1` positions.
fn polygon_around_the_fixtures(n: usize) -> serde_json::Value {
    let mut ring: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            json!([-88.0 + a.cos(), 43.0 + a.sin()])
        })
        .collect();
    ring.push(ring[0].clone());
    json!({"type": "Polygon", "coordinates": [ring]})
}

on_both_backends!(
    a_polygon_over_the_vertex_limit_is_invalid_body_naming_within,
    limits = Limits {
        max_polygon_vertices: 8,
        ..test_limits()
    },
    |app: TestApp| async move {
        let f = Fixture {
            dataset: &app.dataset,
        };
        let source = f.source("https://news.example/limits", "Limits").await;
        f.agency_with_partnership(
            "WI",
            "Alpha Police Department",
            AgencyType::Police,
            "2019-05-01",
            source,
        )
        .await;
        let post = |path: &'static str, body: serde_json::Value| {
            let app = &app;
            async move {
                app.send(reqwest::Method::POST, path, None, None, Some(body))
                    .await
            }
        };
        // Seven points and the closing one: at the limit, searched as usual.
        let resp = post(
            "/partnerships/search",
            json!({ "within": polygon_around_the_fixtures(7) }),
        )
        .await;
        assert_eq!(resp.status(), 200);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["data"].as_array().unwrap().len(), 1, "{body}");

        // One more: refused, for either collection, as a page or an export.
        for (path, format) in [
            ("/partnerships/search", "json"),
            ("/partnerships/search", "csv"),
            ("/agencies/search", "json"),
            ("/agencies/search", "geojson"),
        ] {
            let within = polygon_around_the_fixtures(8);
            let resp = post(path, json!({ "within": within, "format": format })).await;
            let (_, body) = problem(resp, 400, "invalid_body").await;
            assert_eq!(body["parameter"], "within", "{path} {format}: {body}");
            let detail = body["detail"].as_str().unwrap();
            assert!(detail.contains("more than 8 vertices"), "{detail}");
        }
    }
);

/// Writes `count` agencies whose notes are `bytes` long each, so that an export of them is
/// larger than the socket buffers between the server and a client that does not read.
async fn agencies_with_long_notes(app: &TestApp, count: usize, bytes: usize) {
    use ring_partnerships::domain::{Agency, ChangeKind, Meta, Record};
    use ring_partnerships::service::writer::{Reason, now};
    let f = Fixture {
        dataset: &app.dataset,
    };
    let source = f.source("https://news.example/long", "Long notes").await;
    let (base_id, _) = f
        .agency_with_partnership(
            "WI",
            "Short Notes Police Department",
            AgencyType::Police,
            "2019-05-01",
            source,
        )
        .await;
    // The others copy it, so this keeps compiling when records gain fields.
    let base: Agency = (*app.dataset.read().agencies[&base_id]).clone();
    let sources = [source];
    let why = Reason {
        kind: ChangeKind::Created,
        note: Some("long notes for the export limit"),
        sources: &sources,
    };
    let mut w = app.dataset.begin("test").await.unwrap();
    for i in 0..count {
        let name = format!("Long Notes {i:02} Police Department");
        let agency = Agency {
            id: ring_partnerships::domain::ids::agency_slug(base.state, &name),
            name,
            notes: Some("n".repeat(bytes)),
            meta: Meta::new(now()),
            ..base.clone()
        };
        w.create(Record::Agency(agency), why).await.unwrap();
    }
    app.dataset.commit(w).await.unwrap();
}

/// Sends `GET path` on a connection with a small receive buffer and reads only the head of
/// the answer: the body stays unread, so the server cannot finish sending it. Returns the
/// connection and the bytes read so far.
async fn start_unread(app: &TestApp, path: &str) -> (tokio::net::TcpStream, Vec<u8>) {
    let addr: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    let mut conn = socket.connect(addr).await.unwrap();
    conn.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf).await.unwrap();
        assert!(
            n > 0,
            "closed before the head: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    let status = String::from_utf8_lossy(&seen)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(status.contains(" 200 "), "{status}");
    (conn, seen)
}

/// Whether an export is answered now (200), after reading it whole.
async fn export_works(app: &TestApp) -> bool {
    let resp = app.get("/partnerships.ndjson").await;
    let ok = resp.status() == 200;
    let _ = resp.bytes().await;
    ok
}

on_both_backends!(
    an_export_over_the_concurrency_limit_is_too_many_exports_until_one_ends,
    limits = Limits {
        export_concurrency: 1,
        ..test_limits()
    },
    |app: TestApp| async move {
        // 16 MiB of CSV: far more than the kernel buffers on either side hold (the server's
        // send buffer grows to 4 MiB at most), so the export below stays in progress, its
        // permit held, until the test reads it.
        const AGENCIES: usize = 16;
        const NOTES: usize = 1024 * 1024;
        agencies_with_long_notes(&app, AGENCIES, NOTES).await;
        let (mut held, mut received) = start_unread(&app, "/agencies.csv").await;

        // Every other export is refused at once, whatever its format or collection.
        for resp in [
            app.get("/partnerships.ndjson").await,
            app.get("/agencies?format=geojson").await,
            app.get("/sources.csv").await,
            app.get("/programs.ndjson").await,
            app.send(
                reqwest::Method::POST,
                "/agencies/search",
                None,
                None,
                Some(json!({ "format": "csv", "state": ["WI"] })),
            )
            .await,
        ] {
            let url = resp.url().to_string();
            let (headers, body) = problem(resp, 503, "too_many_exports").await;
            let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
            assert!(retry >= 1, "{url}: Retry-After {retry}");
            assert!(body["detail"].as_str().unwrap().contains("retry"), "{body}");
        }
        // Pages need no permit, and bad input is still a 400, not a 503.
        assert_eq!(app.get("/agencies?limit=1").await.status(), 200);
        problem(
            app.get("/agencies.csv?cursor=bogus").await,
            400,
            "invalid_cursor",
        )
        .await;
        problem(
            app.get("/agencies.csv?state=ZZ").await,
            400,
            "invalid_parameter",
        )
        .await;
        problem(
            app.get("/partnerships.csv?as_of=yesterday").await,
            400,
            "invalid_parameter",
        )
        .await;

        // The held export was in progress all along: it arrives whole once read.
        assert!(
            received.len() < AGENCIES * NOTES,
            "the server could not finish it"
        );
        held.read_to_end(&mut received).await.unwrap();
        assert!(
            received.len() > AGENCIES * NOTES,
            "{} bytes",
            received.len()
        );
        let text = String::from_utf8_lossy(&received);
        for i in 0..AGENCIES {
            assert!(
                text.contains(&format!("long-notes-{i:02}-police")),
                "agency {i} missing"
            );
        }
        drop(held);
        // Its permit is back: exports work again.
        assert!(export_works(&app).await);

        // A client that goes away without reading gives its permit back too (once the server
        // notices, on its next write).
        let (gone, _) = start_unread(&app, "/agencies.csv").await;
        assert!(
            !export_works(&app).await,
            "the second export holds the permit"
        );
        drop(gone);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !export_works(&app).await {
            assert!(
                Instant::now() < deadline,
                "the permit of a closed connection is never freed"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
);
