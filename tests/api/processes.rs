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

/// Creates a source citing `source`; its answer's `seq` and id.
async fn create_source(app: &TestApp, editor: &str, source: i64, n: usize) -> (i64, String) {
    let body = json!({
        "record": {"url": format!("https://news.example/concurrent-{n}"),
                   "title": format!("Report {n}"), "kind": "news"},
        "change": {"kind": "created", "note": format!("write {n}"), "sources": [source]}
    });
    let resp = app
        .send(Method::POST, "/sources", Some(editor), None, Some(body))
        .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let v: Value = resp.json().await.unwrap();
    (
        v["seq"].as_i64().unwrap(),
        v["id"].as_str().unwrap().to_string(),
    )
}

/// Writes through two servers at once (benches/soak.sh found it): each answer's `seq` is its
/// own revision's, not whatever another writer committed before this one caught up. The
/// race is between a commit and the catching up after it, so this can pass by luck with the
/// bug (it did once); the soak's check of every answered seq against the table is the
/// stronger one. PostgreSQL only: 16 writes at once on SQLite answer some 503s (see the
/// notes of issue 18), which is another matter.
async fn each_write_answers_its_own_revision(backend: Backend, two_servers: bool) {
    let Some(a) = TestApp::try_spawn(backend).await else {
        return;
    };
    let b = if two_servers {
        Some(TestApp::spawn_sharing(&a).await)
    } else {
        None
    };
    let editor = a.token("editor", "alice").await;
    let (source, _, _) = seed_records(&a, &editor).await;
    let mut answered = Vec::new();
    for round in 0..4 {
        let writes = (0..16).map(|k| {
            let n = round * 16 + k;
            let app = match &b {
                Some(b) if k % 2 == 1 => b,
                _ => &a,
            };
            create_source(app, &editor, source, n)
        });
        answered.extend(futures_util::future::join_all(writes).await);
    }
    let mut seqs: Vec<i64> = answered.iter().map(|(s, _)| *s).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        answered.len(),
        "two writes answered one seq: {answered:?}"
    );
    for (seq, id) in &answered {
        let feed: Value = a
            .get(&format!("/changes?since={}&limit=1", seq - 1))
            .await
            .json()
            .await
            .unwrap();
        let rev = &feed["data"][0];
        assert_eq!(rev["seq"], *seq);
        assert_eq!(
            (rev["entity_kind"].as_str(), rev["entity_id"].as_str()),
            (Some("source"), Some(id.as_str())),
            "the answer of the write of source {id} named seq {seq}, another's revision"
        );
    }
    drop(b);
}

#[tokio::test]
async fn concurrent_writes_on_postgres_each_answer_their_own_seq() {
    each_write_answers_its_own_revision(Backend::Postgres, true).await;
}
