//! The Atlas importer against real databases: SQLite always, PostgreSQL when
//! `TEST_DATABASE_URL` is set. The Atlas export is read where the project keeps shared data
//! (`SHARED_DATA_DIR`, else `../shared/data` next to the crate, else `/work/shared/data`); it
//! is never copied into the repository. Without it the tests that need it are skipped, except
//! under CI (`CI` set), where a missing file fails them; so does a missing
//! `TEST_DATABASE_URL` for the PostgreSQL cases.

use ring_partnerships::domain::{ChangeKind, DatePrecision, EntityKind, Status};
use ring_partnerships::import::atlas::{self, RING_TECHNOLOGY, StartFrom};
use ring_partnerships::import::ori::OriIndex;
use ring_partnerships::service::Dataset;
use ring_partnerships::service::import::{
    self, ATLAS_URL, ImportError, ImportOptions, ImportReport,
};
use ring_partnerships::startup::open_dataset;
use std::path::PathBuf;

const ATLAS_FILE: &str = "eff_atlas_of_surveillance_20201007/Atlas of Surveillance-20201007.csv";
const FBI_FILE: &str = "fbi_cde_agencies_2018/agencies.csv";

fn shared_file(relative: &str) -> Option<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(dir) = std::env::var("SHARED_DATA_DIR") {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    dirs.push(PathBuf::from("/work/shared/data"));
    let found = dirs.iter().map(|d| d.join(relative)).find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{relative} not found under {dirs:?}; CI needs it (set SHARED_DATA_DIR)"
        );
        eprintln!("skipping: {relative} not found under {dirs:?}");
    }
    found
}

/// A fresh, migrated and seeded SQLite database, kept alive by the returned directory.
async fn sqlite() -> (tempfile::TempDir, Dataset) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let dataset = open_dataset(&url).await.expect("open SQLite");
    (dir, dataset)
}

/// A fresh PostgreSQL database on the server of `TEST_DATABASE_URL`, when it is set.
async fn postgres() -> Option<Dataset> {
    use sea_orm::{ConnectionTrait, Database};
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        // Skipping is for a developer's machine; under CI a PostgreSQL case that cannot run
        // fails, as the Atlas file's absence does (`shared_file`).
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but TEST_DATABASE_URL is not: the PostgreSQL import tests must run"
        );
        return None;
    };
    let admin = Database::connect(&base)
        .await
        .expect("connect to TEST_DATABASE_URL");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("rp_test_{}_{nanos}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&base).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    Some(open_dataset(url.as_str()).await.expect("open PostgreSQL"))
}

async fn import_path(
    dataset: &Dataset,
    path: &std::path::Path,
    ori: Option<&OriIndex>,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    import::import_atlas_path(dataset, path, ImportOptions { dry_run, ori }).await
}

/// Imports the whole export and checks what it holds; then imports it again and checks that
/// nothing at all is written.
async fn full_import_then_again(dataset: &Dataset) {
    let Some(path) = shared_file(ATLAS_FILE) else {
        return;
    };
    let ori = shared_file(FBI_FILE).map(|p| OriIndex::from_path(&p).expect("FBI list"));
    let report = import_path(dataset, &path, ori.as_ref(), false)
        .await
        .expect("import");
    println!("{report}");

    assert_eq!(report.rows_read, 5784);
    assert_eq!(report.ring_rows, 1501);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.merged.len(), 3);
    assert_eq!(report.agencies.created, 1498);
    assert_eq!(report.partnerships.created, 1498);
    let placed = report.geocoded.get("place").copied().unwrap_or(0)
        + report.geocoded.get("county").copied().unwrap_or(0);
    assert!(
        placed >= 1455,
        "{placed} placed at place or county precision"
    );
    if ori.is_some() {
        let matched = report.ori_matched.unwrap_or(0);
        assert!(matched > 1300, "ORI matched {matched}");
    }

    {
        let catalog = dataset.read();
        assert_eq!(catalog.agencies.len(), 1498);
        assert_eq!(catalog.partnerships.len(), 1498);

        // The earliest partnership, to the day.
        let greenfield = "us-wi-greenfield-police-department";
        let agency = &catalog.agencies[greenfield];
        assert_eq!(agency.external_ids["aos"], "AOS3711");
        assert_eq!(agency.country, "US");
        assert!(
            agency
                .location_source
                .as_deref()
                .is_some_and(|s| s.starts_with("GeoNames gazetteer (CC BY 4.0): Greenfield")),
            "{:?}",
            agency.location_source
        );
        assert_eq!(
            agency.location_basis,
            Some(ring_partnerships::domain::LocationBasis::GeonamesPlace)
        );
        let ps = catalog.partnerships_of(greenfield);
        assert_eq!(ps.len(), 1);
        let start = ps[0].start.expect("start");
        assert_eq!(start.to_string(), "2018-03-22");
        assert_eq!(start.precision(), DatePrecision::Day);
        assert_eq!(ps[0].status, Status::Active);

        // The Atlas is cited, and its citation of the partnership quotes the Summary.
        let atlas = catalog
            .sources
            .values()
            .find(|s| s.url == ATLAS_URL)
            .expect("Atlas source");
        let cites = catalog.citations_of(EntityKind::Partnership, &ps[0].id.to_string());
        let quote = cites
            .iter()
            .find(|c| c.source_id == atlas.id)
            .and_then(|c| c.quote.as_deref())
            .expect("quote");
        assert!(quote.starts_with("The Greenfield Police Department signed"));
        assert!(cites.len() >= 2, "the map is cited too");

        // Agencies named twice are one agency with one partnership and both ids.
        let madison = "us-wi-madison-police-department";
        assert_eq!(
            catalog.agencies[madison].external_ids["aos"],
            "AOS4402;AOS4963"
        );
        let ps = catalog.partnerships_of(madison);
        assert_eq!(ps.len(), 1);
        assert_eq!(
            ps[0].start.map(|d| d.to_string()).as_deref(),
            Some("2019-12-05")
        );

        // Sources are unique by URL: every spelling of Ring's map is one source.
        let maps = catalog
            .sources
            .values()
            .filter(|s| s.url.contains("1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB"))
            .count();
        assert_eq!(maps, 1);
    }

    // A row without a date in Link 1 Date takes the month its Summary names.
    let file =
        atlas::read(std::fs::File::open(&path).expect("open"), RING_TECHNOLOGY).expect("read");
    let row = file
        .rows
        .iter()
        .find(|r| r.start_from == StartFrom::Summary)
        .expect("a row dated by its summary");
    {
        let catalog = dataset.read();
        let p = catalog
            .partnerships
            .values()
            .find(|p| p.external_ids.get("aos") == Some(&row.id))
            .expect("partnership of the row");
        let start = p.start.expect("start");
        assert_eq!(start.precision(), DatePrecision::Month, "{}", row.summary);
        assert_eq!(Some(start), atlas::date_in_text(&row.summary));
    }

    // Again: nothing changes and no revision is written.
    let head = dataset.store().head().await.expect("head");
    let again = import_path(dataset, &path, ori.as_ref(), false)
        .await
        .expect("second import");
    assert_eq!(again.agencies.unchanged, 1498);
    assert_eq!(again.partnerships.unchanged, 1498);
    assert_eq!(again.sources_created + again.citations_created, 0);
    assert_eq!(again.revisions, 0);
    assert_eq!(dataset.store().head().await.expect("head"), head);

    // Without the FBI list, the ORIs found before are kept.
    let without_ori = import_path(dataset, &path, None, false)
        .await
        .expect("import without ORI list");
    assert_eq!(without_ori.revisions, 0);
    assert_eq!(dataset.store().head().await.expect("head"), head);
}

#[tokio::test]
async fn full_import_on_sqlite_then_a_second_import_writes_nothing() {
    let (_dir, dataset) = sqlite().await;
    full_import_then_again(&dataset).await;
}

#[tokio::test]
async fn full_import_on_postgres_then_a_second_import_writes_nothing() {
    let Some(dataset) = postgres().await else {
        eprintln!("skipping: TEST_DATABASE_URL is not set");
        return;
    };
    full_import_then_again(&dataset).await;
}

/// A copy of the export with one line changed by `edit`.
fn edited_copy(
    dir: &tempfile::TempDir,
    needle: &str,
    edit: impl Fn(&str) -> String,
) -> Option<(PathBuf, usize)> {
    let path = shared_file(ATLAS_FILE)?;
    let text = std::fs::read_to_string(path).expect("read export");
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.contains(needle))
        .expect("needle in the export");
    lines[at] = edit(&lines[at]);
    let out = dir.path().join("edited.csv");
    std::fs::write(&out, lines.join("\n")).expect("write copy");
    Some((out, at + 1))
}

#[tokio::test]
async fn a_broken_row_in_the_middle_names_its_line_and_writes_nothing() {
    let (dir, dataset) = sqlite().await;
    let head = dataset.store().head().await.expect("head");
    let broken_date = edited_copy(&dir, "\"AOS4500\"", |l| {
        l.replacen("\"Ring\",\"\",\"", "\"Ring\",\"\",\"99/", 1)
    });
    let Some((path, line)) = broken_date else {
        return;
    };
    let err = import_path(&dataset, &path, None, false)
        .await
        .expect_err("a bad date fails the import")
        .to_string();
    assert!(
        err.contains(&format!("line {line}, column `Link 1 Date`")),
        "{err}"
    );

    let (path, line) = edited_copy(&dir, "\"AOS4600\"", |l| {
        l.replacen(
            "\"Ring/Neighbors Partnership\",",
            "\"Ring/Neighbors Partnership\",\"x\",",
            1,
        )
    })
    .expect("copy");
    let err = import_path(&dataset, &path, None, false)
        .await
        .expect_err("an extra field fails the import")
        .to_string();
    assert!(err.contains(&format!("line {line}:")), "{err}");

    assert_eq!(dataset.store().head().await.expect("head"), head);
    assert!(dataset.read().agencies.is_empty());
}

#[tokio::test]
async fn a_wrong_header_is_refused_before_anything_is_written() {
    let (dir, dataset) = sqlite().await;
    let path = dir.path().join("wrong.csv");
    std::fs::write(
        &path,
        "\"AOSNUMBER\",\"City\",\"Agency\"\n\"A\",\"B\",\"C\"\n",
    )
    .expect("write");
    let err = import_path(&dataset, &path, None, false)
        .await
        .expect_err("wrong columns")
        .to_string();
    assert!(
        err.contains("line 1") && err.contains("expected `County`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_changed_row_writes_one_import_revision() {
    let (dir, dataset) = sqlite().await;
    let Some(path) = shared_file(ATLAS_FILE) else {
        return;
    };
    import_path(&dataset, &path, None, false)
        .await
        .expect("import");
    let head = dataset.store().head().await.expect("head");

    // Greenfield's date moves by a day.
    let (changed, _) =
        edited_copy(&dir, "\"AOS3711\"", |l| l.replacen("3/22/18", "3/23/18", 1)).expect("copy");
    let report = import_path(&dataset, &changed, None, false)
        .await
        .expect("import the change");
    assert_eq!(report.partnerships.updated, 1);
    assert_eq!(report.agencies.updated, 0);
    assert_eq!(report.revisions, 1);
    let revs = dataset
        .store()
        .revisions_since(head, 10)
        .await
        .expect("log");
    assert_eq!(revs.len(), 1);
    assert_eq!(revs[0].change_kind, ChangeKind::Import);
    assert_eq!(revs[0].entity_kind, EntityKind::Partnership);
    assert_eq!(revs[0].version, 2);
    let catalog = dataset.read();
    let p = catalog.partnerships_of("us-wi-greenfield-police-department")[0];
    assert_eq!(
        p.start.map(|d| d.to_string()).as_deref(),
        Some("2018-03-23")
    );
}

#[tokio::test]
async fn a_dry_run_reports_the_changes_and_writes_nothing() {
    let (_dir, dataset) = sqlite().await;
    let Some(path) = shared_file(ATLAS_FILE) else {
        return;
    };
    let head = dataset.store().head().await.expect("head");
    let report = import_path(&dataset, &path, None, true)
        .await
        .expect("dry run");
    assert!(report.dry_run);
    assert_eq!(report.agencies.created, 1498);
    assert_eq!(report.revisions, 0);
    assert_eq!(dataset.store().head().await.expect("head"), head);
    assert!(dataset.read().agencies.is_empty());
}

#[tokio::test]
async fn the_sample_loads_into_an_empty_database_once_at_the_precision_of_its_facts() {
    let (_dir, dataset) = sqlite().await;
    assert!(import::load_sample_if_empty(&dataset).await.expect("load"));
    let head = dataset.store().head().await.expect("head");
    assert!(!import::load_sample_if_empty(&dataset).await.expect("again"));
    assert_eq!(dataset.store().head().await.expect("head"), head);

    let catalog = dataset.read();
    assert_eq!(catalog.partnerships.len(), 36);
    let start_of = |agency: &str| {
        let ps = catalog.partnerships_of(agency);
        assert_eq!(ps.len(), 1, "{agency}");
        (ps[0].start, ps[0].status)
    };
    let (start, status) = start_of("us-wi-greenfield-police-department");
    assert_eq!(start.map(|d| d.to_string()).as_deref(), Some("2018-03-22"));
    assert_eq!(status, Status::Active);
    let (start, _) = start_of("us-ga-dunwoody-police-department");
    assert_eq!(start.map(|d| d.to_string()).as_deref(), Some("2019-02"));
    let (_, status) = start_of("us-ca-national-city-police-department");
    assert_eq!(status, Status::Announced);
    let (start, _) = start_of("us-ga-chamblee-police-department");
    assert_eq!(start, None);
    let fox = catalog
        .sources
        .values()
        .find(|s| s.url.contains("fox47news.com"))
        .expect("fox47 source");
    let cited = catalog
        .citations
        .values()
        .filter(|c| c.source_id == fox.id && c.entity_kind == EntityKind::Partnership)
        .count();
    assert_eq!(cited, 9);
    // The sample is our own work: it never cites the Atlas on the Atlas's behalf except
    // where a row links to it itself (Greenfield).
    let atlas = catalog
        .sources
        .values()
        .find(|s| s.url == ATLAS_URL)
        .expect("seeded");
    let atlas_cites = catalog
        .citations
        .values()
        .filter(|c| c.source_id == atlas.id && c.entity_kind == EntityKind::Partnership)
        .count();
    assert_eq!(atlas_cites, 1);
}

#[tokio::test]
async fn the_atlas_imported_over_the_sample_updates_its_partnerships_instead_of_duplicating() {
    let (_dir, dataset) = sqlite().await;
    let Some(path) = shared_file(ATLAS_FILE) else {
        return;
    };
    import::load_sample_if_empty(&dataset)
        .await
        .expect("sample");
    import_path(&dataset, &path, None, false)
        .await
        .expect("import");
    let catalog = dataset.read();
    let ps = catalog.partnerships_of("us-wi-greenfield-police-department");
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].external_ids["aos"], "AOS3711");
    assert_eq!(ps[0].external_ids["sample"], "SAMPLE01");
}

/// The shipped dataset (`data/atlas-2020-10-07/`) is exactly what the importer makes of the
/// Atlas export and the FBI list: regenerate it with
/// `ring-partnerships import atlas FILE --ori FBI --write-seed data/atlas-2020-10-07`.
#[test]
fn the_shipped_dataset_is_what_the_importer_makes_of_the_atlas() {
    use ring_partnerships::service::shipped::{SHIPPED_CSV, SHIPPED_DIR, shipped_csv};
    let (Some(atlas), Some(fbi)) = (shared_file(ATLAS_FILE), shared_file(FBI_FILE)) else {
        return;
    };
    let file = import::read_atlas_path(&atlas).expect("read the Atlas");
    let ori = OriIndex::from_path(&fbi).expect("read the FBI list");
    let made = shipped_csv(&file, Some(&ori)).expect("derive");
    let committed = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("{SHIPPED_DIR}/partnerships.csv")),
    )
    .expect("the committed file");
    assert_eq!(
        committed, SHIPPED_CSV,
        "the binary embeds the committed file"
    );
    if made != committed {
        let line = made
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .map_or(made.lines().count().min(committed.lines().count()), |i| i);
        panic!(
            "{SHIPPED_DIR}/partnerships.csv is stale from line {}: regenerate it with \
             `ring-partnerships import atlas FILE --ori FBI --write-seed {SHIPPED_DIR}`\n\
             made:      {:?}\ncommitted: {:?}",
            line + 1,
            made.lines().nth(line),
            committed.lines().nth(line)
        );
    }
}

/// Loading the shipped dataset and importing the Atlas itself give the same agencies and
/// partnerships: an Atlas import over the shipped data only adds the Summary quotes.
#[tokio::test]
async fn the_atlas_imported_over_the_shipped_dataset_changes_no_agency_or_partnership() {
    use ring_partnerships::service::shipped::load_shipped_if_empty;
    let (_dir, dataset) = sqlite().await;
    assert!(load_shipped_if_empty(&dataset).await.expect("load"));
    assert!(!load_shipped_if_empty(&dataset).await.expect("again"));
    {
        let catalog = dataset.read();
        assert!(catalog.partnerships.len() >= 1490);
        assert_eq!(catalog.agencies.len(), catalog.partnerships.len());
    }
    let Some(path) = shared_file(ATLAS_FILE) else {
        return;
    };
    let report = import_path(&dataset, &path, None, false)
        .await
        .expect("import");
    assert_eq!(
        report.agencies.created + report.agencies.updated,
        0,
        "{report}"
    );
    assert_eq!(
        report.partnerships.created + report.partnerships.updated,
        0,
        "{report}"
    );
    assert_eq!(report.sources_created, 0, "{report}");
    assert_eq!(report.citations_created, 0, "{report}");
}
