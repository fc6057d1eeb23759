//! Crash safety: the real binary is killed with SIGKILL at random moments while it
//! acknowledges writes, and separately while it imports; after each kill the SQLite database
//! is intact, holds every acknowledged write, no half-written change, and a gap-free
//! revision sequence.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ring-partnerships");
const WRITE_KILLS: usize = 12;
const IMPORT_KILLS: usize = 8;

/// A random number below `n`, from the standard library's random hasher keys.
fn random_below(n: u64) -> u64 {
    RandomState::new().hash_one(Instant::now()) % n.max(1)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(db: &str, port: u16) -> Child {
    Command::new(BIN)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database",
            db,
        ])
        .env("RATE_LIMIT_WRITES", "0")
        .env("RATE_LIMIT_READS", "0")
        .env("SEED_DATA", "sample")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

async fn wait_healthy(client: &reqwest::Client, base: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = client.get(format!("{base}/health")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become healthy");
}

async fn query(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn one_i64(db: &DatabaseConnection, sql: &str) -> i64 {
    query(db, sql).await[0].try_get_by_index::<i64>(0).unwrap()
}

/// The invariants every crash must leave intact.
async fn check_database(url: &str) -> DatabaseConnection {
    let db = Database::connect(url).await.expect("open the database");
    let integrity: String = query(&db, "PRAGMA integrity_check").await[0]
        .try_get_by_index(0)
        .unwrap();
    assert_eq!(integrity, "ok");
    let migrated = one_i64(
        &db,
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'counters'",
    )
    .await;
    if migrated == 0 {
        return db; // killed before the migrations made the tables
    }
    // The revision sequence has no gap and the counter agrees.
    let max = one_i64(&db, "SELECT COALESCE(MAX(seq), 0) FROM revisions").await;
    let count = one_i64(&db, "SELECT COUNT(*) FROM revisions").await;
    let min = one_i64(&db, "SELECT COALESCE(MIN(seq), 1) FROM revisions").await;
    assert_eq!(
        (min, count),
        (1, max),
        "revision seqs are 1..={max} without gaps"
    );
    let counter = one_i64(&db, "SELECT value FROM counters WHERE name = 'revision'").await;
    assert_eq!(counter, max, "the revision counter is the newest seq");
    // Every revised record has its row, at the version of its newest revision, and has as
    // many revisions as its version: no change was half written.
    for (kind, table, id_expr) in [
        ("agency", "agencies", "id"),
        ("program", "programs", "id"),
        ("phase", "phases", "id"),
        ("partnership", "partnerships", "CAST(id AS TEXT)"),
        ("source", "sources", "CAST(id AS TEXT)"),
        ("citation", "citations", "CAST(id AS TEXT)"),
    ] {
        let bad = one_i64(
            &db,
            &format!(
                "SELECT COUNT(*) FROM (SELECT entity_id, MAX(version) AS v, COUNT(*) AS n \
                 FROM revisions WHERE entity_kind = '{kind}' GROUP BY entity_id) r \
                 LEFT JOIN {table} t ON {id_expr} = r.entity_id \
                 WHERE t.version IS NULL OR t.version <> r.v OR r.n <> r.v"
            ),
        )
        .await;
        assert_eq!(bad, 0, "{kind}: rows that disagree with their revisions");
        let unrevised = one_i64(
            &db,
            &format!(
                "SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM revisions r \
                 WHERE r.entity_kind = '{kind}' AND r.entity_id = {id_expr})"
            ),
        )
        .await;
        assert_eq!(unrevised, 0, "{kind}: rows without a revision");
    }
    db
}

/// What the writers were told was saved: source id -> (url, version).
type Acked = Arc<Mutex<Vec<(i64, String, i64)>>>;

async fn write_until_killed(base: String, token: String, writer: usize, acked: Acked) {
    let client = reqwest::Client::new();
    for n in 0.. {
        let url = format!(
            "https://crash.example/{writer}/{n}/{}",
            random_below(1 << 40)
        );
        let body = json!({
            "record": {"url": url, "title": format!("Crash test {n}"), "kind": "news"},
            "change": {"kind": "created", "note": "crash test", "sources": [1]},
        });
        let Ok(resp) = client
            .post(format!("{base}/sources"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        else {
            return;
        };
        if resp.status() != 201 {
            return;
        }
        let Ok(saved) = resp.json::<Value>().await else {
            return;
        };
        let id = saved["record"]["id"].as_i64().unwrap();
        acked.lock().unwrap().push((id, url.clone(), 1));
        // And an update of it, so records have several versions.
        let Ok(resp) = client
            .patch(format!("{base}/sources/{id}"))
            .bearer_auth(&token)
            .header("If-Match", "\"v1\"")
            .json(&json!({
                "record": {"title": format!("Crash test {n}, corrected")},
                "change": {"kind": "correction", "note": "crash test", "sources": [1]},
            }))
            .send()
            .await
        else {
            return;
        };
        if resp.status() != 200 {
            return;
        }
        if resp.bytes().await.is_ok() {
            acked.lock().unwrap().push((id, url, 2));
        }
    }
}

#[tokio::test]
async fn killing_the_server_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    let token = {
        let store = ring_partnerships::store::Store::connect(&url)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        ring_partnerships::service::tokens::create(&store, "crash", "admin".parse().unwrap())
            .await
            .unwrap()
    };
    let client = reqwest::Client::new();
    let acked: Acked = Arc::default();
    for round in 0..WRITE_KILLS {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = serve(&url, port);
        wait_healthy(&client, &base).await;
        let writers: Vec<_> = (0..4)
            .map(|w| {
                tokio::spawn(write_until_killed(
                    base.clone(),
                    token.clone(),
                    round * 10 + w,
                    acked.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50 + random_below(400))).await;
        child.kill().expect("SIGKILL the server");
        child.wait().unwrap();
        for w in writers {
            w.await.unwrap();
        }
        let db = check_database(&url).await;
        eprintln!(
            "round {round}: {} writes acknowledged so far",
            acked.lock().unwrap().len()
        );
        let so_far = acked.lock().unwrap().clone();
        for (id, source_url, version) in so_far {
            let rows = query(
                &db,
                &format!("SELECT url, version FROM sources WHERE id = {id}"),
            )
            .await;
            assert_eq!(rows.len(), 1, "acknowledged source {id} is missing");
            let stored: String = rows[0].try_get_by_index(0).unwrap();
            let stored_version: i64 = rows[0].try_get_by_index(1).unwrap();
            assert_eq!(stored, source_url);
            assert!(
                stored_version >= version,
                "source {id}: version {version} was acknowledged, {stored_version} is stored"
            );
        }
        db.close().await.unwrap();
    }
    assert!(
        acked.lock().unwrap().len() > WRITE_KILLS,
        "the writers got writes acknowledged"
    );
}

async fn partnerships(url: &str) -> i64 {
    let db = check_database(url).await;
    let tables = one_i64(
        &db,
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'partnerships'",
    )
    .await;
    let n = if tables == 0 {
        0
    } else {
        one_i64(&db, "SELECT COUNT(*) FROM partnerships").await
    };
    db.close().await.unwrap();
    n
}

fn import(db: &str, file: &Path) -> Child {
    Command::new(BIN)
        .args(["import", "atlas"])
        .arg(file)
        .args(["--database", db])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the import")
}

#[tokio::test]
async fn killing_an_import_leaves_all_of_it_or_none() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/partnerships.csv");
    let dir = tempfile::tempdir().unwrap();
    // A full import first: how many partnerships it makes and how long it takes.
    let full_url = format!("sqlite://{}", dir.path().join("full.db").display());
    let started = Instant::now();
    assert!(import(&full_url, &file).wait().unwrap().success());
    let took = started.elapsed().as_millis() as u64;
    let full = partnerships(&full_url).await;
    assert!(full > 0);
    for round in 0..IMPORT_KILLS {
        let url = format!(
            "sqlite://{}",
            dir.path().join(format!("import{round}.db")).display()
        );
        let mut child = import(&url, &file);
        let killed_at = random_below(took + 1);
        std::thread::sleep(Duration::from_millis(killed_at));
        let _ = child.kill();
        child.wait().unwrap();
        if !dir.path().join(format!("import{round}.db")).exists() {
            continue; // killed before it created the file
        }
        let n = partnerships(&url).await;
        assert!(
            n == 0 || n == full,
            "round {round}: {n} of {full} partnerships imported"
        );
        eprintln!("import killed after {killed_at} of {took} ms: {n} of {full} partnerships");
        // Importing again after the crash completes the job.
        assert!(import(&url, &file).wait().unwrap().success());
        assert_eq!(partnerships(&url).await, full);
    }
}
