//! The shipped dataset on a clean clone: a copy of the repository with no `../shared` beside
//! it, served by the real binary on a fresh database, publishes every Atlas partnership.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ring-partnerships");

#[tokio::test]
async fn a_clean_clone_without_shared_data_serves_the_whole_atlas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("clone");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(root)
        .arg(&clone)
        .stderr(Stdio::null())
        .status()
        .expect("git");
    assert!(status.success(), "git clone of {}", root.display());
    assert!(
        !clone.join("../shared").exists(),
        "no shared data beside it"
    );
    // What the clone holds (committed, not ignored) is what the binary loads.
    let committed = std::fs::read_to_string(clone.join("data/atlas-2020-10-07/partnerships.csv"))
        .expect("the clone has the shipped dataset");
    assert_eq!(
        committed,
        ring_partnerships::service::shipped::SHIPPED_CSV,
        "the binary embeds the committed dataset"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The default database: a new SQLite file in the clone.
    let mut server = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .current_dir(&clone)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let start = Instant::now();
    let body: serde_json::Value = loop {
        if let Ok(r) = client
            .get(format!("{base}/partnerships?count=true&limit=1"))
            .send()
            .await
            && r.status() == 200
        {
            break r.json().await.unwrap();
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = server.kill();
            panic!("the server on the clone did not answer");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(clone.join("ring-partnerships.db").exists());
    let total = body["total"].as_u64().expect("total");
    assert!(total >= 1490, "{total} partnerships");
}
