//! The fold's read of the log: a SQLite file read directly gives what the pool gives, and a
//! revision that holds no valid record stops the start with an error naming it.

use super::{Dataset, seed, synthetic};
use crate::domain::EntityKind;
use crate::store::{FoldedRevision, LogReader, Store};

#[derive(Default)]
struct Collect(Vec<(FoldedRevision, String)>);

impl LogReader for Collect {
    fn revision(&mut self, head: FoldedRevision, data: &str) -> bool {
        self.0.push((head, data.to_string()));
        true
    }
}

async fn file_store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}", dir.path().join("fold.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

#[tokio::test]
async fn a_sqlite_file_read_directly_gives_what_the_pool_gives() {
    let dir = tempfile::tempdir().unwrap();
    let store = file_store(&dir).await;
    let dataset = Dataset::open(store.clone()).await.unwrap();
    seed::ensure_programs(&dataset).await.unwrap();
    synthetic::generate(&dataset, 40, 7).await.unwrap();
    let direct = store.read_log(Collect::default()).await.unwrap().0;
    let pooled = store
        .read_log_through_pool(Collect::default())
        .await
        .unwrap()
        .0;
    assert!(direct.len() > 80, "{} revisions", direct.len());
    assert_eq!(direct, pooled);
    let seqs: Vec<i64> = direct.iter().map(|(h, _)| h.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in sequence order");
    // And the fold of it is the catalog the writes left.
    let reopened = Dataset::open(store).await.unwrap();
    let (now, then) = (reopened.read(), dataset.read());
    assert_eq!(now.seq(), then.seq());
    assert_eq!(now.agencies.len(), then.agencies.len());
    assert_eq!(now.partnerships.len(), 40);
}

#[tokio::test]
async fn a_revision_without_a_valid_record_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let store = file_store(&dir).await;
    let dataset = Dataset::open(store.clone()).await.unwrap();
    seed::ensure_programs(&dataset).await.unwrap();
    synthetic::generate(&dataset, 3000, 7).await.unwrap();
    drop(dataset);
    // A revision in the middle of the log whose data is no agency.
    let conn = rusqlite::Connection::open(dir.path().join("fold.db")).unwrap();
    let seq: i64 = conn
        .query_row(
            "SELECT seq FROM revisions WHERE entity_kind = 'agency' ORDER BY seq LIMIT 1 OFFSET 1500",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE revisions SET data = '{\"id\": 3}' WHERE seq = ?1",
        [seq],
    )
    .unwrap();
    let err = Dataset::open(store).await.err().expect("the start fails");
    let text = err.to_string();
    assert!(text.contains(&format!("revision {seq}")), "{text}");
    assert!(text.contains(&EntityKind::Agency.to_string()), "{text}");
}
