//! Two servers on one database, as two `serve` processes would be: a write through one shows
//! through the other, `near` queries included, within two seconds.

use crate::edits::seed_records;
use crate::helpers::{Backend, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn eventually(app: &TestApp, path: &str, ok: impl Fn(&Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let resp = app.get(path).await;
        if resp.status() == 200 && ok(&resp.json().await.unwrap()) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{path} did not show the other server's write within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn writes_through_one_server_show_through_the_other(backend: Backend) {
    let Some(a) = TestApp::try_spawn(backend).await else {
        return;
    };
    let b = TestApp::spawn_sharing(&a).await;
    let editor = a.token("editor", "alice").await;
    let (source, agency, pid) = seed_records(&a, &editor).await;

    let near = "/agencies?near=43.0,-88.0&radius=5km";
    eventually(&b, near, |v| v["data"][0]["id"] == agency.as_str()).await;
    eventually(&b, &format!("/partnerships/{pid}"), |v| v["version"] == 1).await;

    // And back: an edit through the second shows through the first, with its new place.
    let resp = b
        .send(
            Method::PATCH,
            &format!("/agencies/{agency}"),
            Some(&editor),
            Some("\"v1\""),
            Some(json!({"record": {"latitude": 44.5, "longitude": -89.5},
                        "change": {"kind": "correction", "note": "moved", "sources": [source]}})),
        )
        .await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    eventually(&a, "/agencies?near=44.5,-89.5&radius=1km", |v| {
        v["data"][0]["id"] == agency.as_str()
    })
    .await;
    eventually(&a, near, |v| v["data"].as_array().unwrap().is_empty()).await;
    // A stale If-Match through the other server is refused: both check the shared log.
    let resp = a
        .send(
            Method::PATCH,
            &format!("/agencies/{agency}"),
            Some(&editor),
            Some("\"v1\""),
            Some(json!({"record": {"notes": "x"},
                        "change": {"kind": "correction", "note": "late", "sources": [source]}})),
        )
        .await;
    assert_eq!(resp.status(), 412);
    drop(b);
}

#[tokio::test]
async fn two_servers_on_one_postgres_database_see_each_others_writes() {
    writes_through_one_server_show_through_the_other(Backend::Postgres).await;
}

#[tokio::test]
async fn two_servers_on_one_sqlite_file_see_each_others_writes() {
    writes_through_one_server_show_through_the_other(Backend::Sqlite).await;
}
