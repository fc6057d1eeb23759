//! Times a full Atlas import into a fresh SQLite database (the budget is 5 s in a release
//! build). Run with `benches/import.sh` or
//! `cargo run --release --example bench_import -- [atlas.csv] [agencies.csv]`.

use ring_partnerships::import::ori::OriIndex;
use ring_partnerships::service::import::{self, ImportOptions};
use ring_partnerships::startup::open_dataset;
use std::path::PathBuf;
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn shared(relative: &str) -> PathBuf {
    let dir = std::env::var("SHARED_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
            if beside.is_dir() {
                beside
            } else {
                PathBuf::from("/work/shared/data")
            }
        });
    dir.join(relative)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let atlas = args.next().map(PathBuf::from).unwrap_or_else(|| {
        shared("eff_atlas_of_surveillance_20201007/Atlas of Surveillance-20201007.csv")
    });
    let fbi = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| shared("fbi_cde_agencies_2018/agencies.csv"));

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let dataset = open_dataset(&url).await?;

    let t0 = Instant::now();
    let ori = OriIndex::from_path(&fbi)?;
    let t_ori = t0.elapsed();
    let t1 = Instant::now();
    let options = ImportOptions {
        dry_run: false,
        ori: Some(&ori),
    };
    let report = import::import_atlas_path(&dataset, &atlas, options).await?;
    let t_import = t1.elapsed();
    let t2 = Instant::now();
    let again = import::import_atlas_path(&dataset, &atlas, options).await?;
    let t_again = t2.elapsed();

    println!("{report}\n");
    println!("FBI list read:      {:>8.3} s", t_ori.as_secs_f64());
    println!(
        "import (SQLite):    {:>8.3} s  ({} revisions, budget 5 s)",
        t_import.as_secs_f64(),
        report.revisions
    );
    println!(
        "re-import (no-op):  {:>8.3} s  ({} revisions)",
        t_again.as_secs_f64(),
        again.revisions
    );
    Ok(())
}
