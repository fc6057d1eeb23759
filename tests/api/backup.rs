//! `ring-partnerships backup` copies a live SQLite database consistently: a server started on
//! the copy answers exactly as the original does.

use crate::helpers::{Backend, TestApp};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ring-partnerships");

#[tokio::test]
async fn a_backup_of_a_live_database_serves_the_same_data() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    ring_partnerships::service::import::load_sample_if_empty(&app.dataset)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    // The original is open and serving while it is copied.
    let status = Command::new(BIN)
        .arg("backup")
        .arg(&copy)
        .args(["--database", &app.db.url])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // A second backup to the same file is refused rather than overwriting it.
    let again = Command::new(BIN)
        .arg("backup")
        .arg(&copy)
        .args(["--database", &app.db.url])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!again.success());

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut restored = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database",
        ])
        .arg(format!("sqlite://{}", copy.display()))
        .env("RUST_LOG", "error")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let start = Instant::now();
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "restored server starts"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for path in [
        "/changes?since=0&limit=1000",
        "/agencies?limit=1000",
        "/partnerships?limit=1000",
        "/sources?limit=1000",
    ] {
        let original = app.get_json(path).await;
        let from_copy: serde_json::Value = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(original, from_copy, "{path}");
    }
    assert!(
        !app.get_json("/changes?since=0&limit=1000").await["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    restored.kill().unwrap();
    restored.wait().unwrap();
}
