//! The database going away is not a bug: while PostgreSQL is stopped, reads answer from
//! memory, writes and `/health` answer 503 `database_unavailable` with `Retry-After` (never
//! 500), and once it is back writes work again without restarting the server. Runs on a
//! private PostgreSQL server (see `pgserver`), never the shared one.

use crate::helpers::TestApp;
use crate::pgserver::PrivatePg;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The sources this test wrote (the seeded ones aside), in order.
async fn written(app: &TestApp) -> Vec<String> {
    let body: Value = app.get_json("/sources?limit=1000").await;
    let mut urls: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["url"].as_str())
        .filter(|u| u.starts_with("https://news.example/outage-"))
        .map(str::to_string)
        .collect();
    urls.sort();
    urls
}

fn new_source(n: usize) -> Value {
    json!({
        "record": {"url": format!("https://news.example/outage-{n}"), "title": format!("Report {n}"),
                   "kind": "news", "published": "2019-05"},
        "change": {"kind": "created", "note": "outage test", "new_sources": [
            {"url": format!("https://news.example/outage-{n}-evidence"), "title": "Evidence", "kind": "news"}
        ]}
    })
}

async fn assert_unavailable(resp: reqwest::Response, what: &str) {
    assert_eq!(resp.status(), 503, "{what}");
    let retry: u64 = resp
        .headers()
        .get("retry-after")
        .unwrap_or_else(|| panic!("{what}: Retry-After"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "{what}: Retry-After {retry}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "database_unavailable", "{what}: {body}");
}

#[tokio::test]
async fn writes_answer_503_while_postgres_is_down_and_work_again_by_themselves() {
    let Some(pg) = PrivatePg::start() else {
        return;
    };
    let app = TestApp::spawn_on(&pg.url()).await;
    let token = app.token("editor", "outage").await;
    let resp = app
        .send(
            Method::POST,
            "/sources",
            Some(&token),
            None,
            Some(new_source(0)),
        )
        .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());

    pg.stop();

    // Reads answer from memory.
    assert_eq!(app.get("/sources").await.status(), 200);
    assert_eq!(written(&app).await.len(), 2);
    assert_eq!(app.get("/agencies").await.status(), 200);

    // Health and writes say the database is out of reach, and how long to wait.
    assert_unavailable(app.get("/health").await, "health").await;
    let started = Instant::now();
    let resp = app
        .send(
            Method::POST,
            "/sources",
            Some(&token),
            None,
            Some(new_source(1)),
        )
        .await;
    assert_unavailable(resp, "first write while down").await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    // Once it is known to be down, writes fail at once instead of waiting on the pool.
    let started = Instant::now();
    let resp = app
        .send(
            Method::POST,
            "/sources",
            Some(&token),
            None,
            Some(new_source(2)),
        )
        .await;
    assert_unavailable(resp, "second write while down").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // History needs the database too.
    let resp = app.get("/sources/1/history").await;
    assert!(
        resp.status() == 503 || resp.status() == 200,
        "history: {}",
        resp.status()
    );
    // So do the pages that show history (a record's page, the recent changes): a 503 page,
    // never a 500 (the soak test found them answering 500 during a PostgreSQL restart).
    for path in ["/sources/1", "/changes"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(
            resp.status() == 503 || resp.status() == 200,
            "page {path}: {}",
            resp.status()
        );
    }

    pg.ctl_start();

    // No restart of the app: writes work again within a few probe intervals.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let resp = app
            .send(
                Method::POST,
                "/sources",
                Some(&token),
                None,
                Some(new_source(3)),
            )
            .await;
        let status = resp.status();
        if status == 201 || Instant::now() > deadline {
            break status;
        }
        assert_eq!(status, 503, "{}", resp.text().await.unwrap());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(status, 201, "writes work again after the restart");
    assert_eq!(app.get("/health").await.status(), 200);

    // What was acknowledged is there; what was refused is not.
    assert_eq!(
        written(&app).await,
        [
            "https://news.example/outage-0",
            "https://news.example/outage-0-evidence",
            "https://news.example/outage-3",
            "https://news.example/outage-3-evidence",
        ]
    );
}
