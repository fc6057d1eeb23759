//! Real clients read what they read in the field: pandas the partnerships CSV, GDAL the
//! agencies GeoJSON, OWSLib the OGC API, feedparser the Atom feed. Without them the checks skip with a message, unless `CI` is set.

use crate::helpers::{Backend, TestApp};
use ring_partnerships::service::import::load_sample_if_empty;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs a client, or says why it cannot (a missing client fails the test under CI).
fn run(program: &str, args: &[&str], what: &str) -> Option<String> {
    let out = match Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but `{program}` cannot run ({e}): {what}"
            );
            eprintln!("{program} not available ({e}): skipping; {what}");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/venv/bin/python")
            .to_string_lossy()
            .into_owned()
    })
}

async fn download(app: &TestApp, name: &str, dir: &Path) -> PathBuf {
    let resp = app.get(&format!("/downloads/{name}")).await;
    assert_eq!(resp.status(), 200, "{name}");
    let path = dir.join(name);
    std::fs::write(&path, resp.bytes().await.unwrap()).unwrap();
    path
}

#[tokio::test]
async fn pandas_reads_the_partnerships_csv_with_its_types() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    load_sample_if_empty(&app.dataset).await.unwrap();
    let total = app.get_json("/partnerships?count=true&limit=1").await["total"]
        .as_u64()
        .unwrap();
    assert!(total > 0);
    let dir = tempfile::tempdir().unwrap();
    let csv = download(&app, "partnerships.csv", dir.path()).await;
    let python = python();
    // Checking pandas is there first tells a missing client from a failing check.
    let probe = Command::new(&python)
        .args(["-c", "import pandas"])
        .output()
        .map(|o| o.status.success());
    if probe.as_ref().map_or(true, |ok| !ok) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `{python}` cannot import pandas: run scripts/test.sh (it installs tests/requirements.txt into target/venv)"
        );
        eprintln!("{python} cannot import pandas: skipping (scripts/test.sh installs it)");
        return;
    }
    let script = r#"
import sys, pandas
df = pandas.read_csv(sys.argv[1])
assert len(df) == int(sys.argv[2]), (len(df), sys.argv[2])
for col, dtype in [("id", "int64"), ("latitude", "float64"), ("longitude", "float64"), ("state", "object"), ("agency_id", "object")]:
    assert str(df[col].dtype) == dtype, (col, str(df[col].dtype))
print(len(df))
"#;
    let out = run(
        &python,
        &["-c", script, csv.to_str().unwrap(), &total.to_string()],
        "pandas reads the CSV",
    )
    .unwrap();
    assert_eq!(out.trim(), total.to_string());
}

#[tokio::test]
async fn gdal_reads_the_agencies_geojson_with_its_types() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    load_sample_if_empty(&app.dataset).await.unwrap();
    let total = app.get_json("/agencies?count=true&limit=1").await["total"]
        .as_u64()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let geojson = download(&app, "agencies.geojson", dir.path()).await;
    let geojson = geojson.to_str().unwrap().to_string();
    let Some(info) = run("ogrinfo", &["-so", "-al", &geojson], "install gdal-bin") else {
        return;
    };
    assert!(
        info.contains(&format!("Feature Count: {total}")),
        "expected {total} features: {info}"
    );
    assert!(info.contains("Geometry: Point"), "{info}");
    for field in [
        "id: String",
        "name: String",
        "state: String",
        "latitude: Real",
        "longitude: Real",
    ] {
        assert!(info.contains(field), "`{field}` in {info}");
    }
    let out = dir.path().join("agencies.csv");
    let out = out.to_str().unwrap().to_string();
    run(
        "ogr2ogr",
        &["-f", "CSV", &out, &geojson],
        "install gdal-bin",
    )
    .unwrap();
    let rows = csv::Reader::from_path(&out).unwrap().records().count();
    assert_eq!(rows as u64, total);
}

/// OWSLib (the OGC client library QGIS plugins and notebooks use) reads the OGC API:
/// collections, a bbox page of items with the same count the REST list gives, one item,
/// the conformance classes; and a misspelt parameter reaches it as an error, not as every
/// feature.
// Multi-threaded: the server must answer while this test waits for OWSLib.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owslib_reads_the_ogc_api_and_sees_a_misspelt_parameter_as_an_error() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    load_sample_if_empty(&app.dataset).await.unwrap();
    let bbox = "-125,24,-66,50";
    let total = app
        .get_json(&format!("/agencies?count=true&limit=1&bbox={bbox}"))
        .await["total"]
        .as_u64()
        .unwrap();
    assert!(total > 3, "{total}");
    let python = python();
    let probe = Command::new(&python)
        .args(["-c", "import owslib.ogcapi.features"])
        .output()
        .map(|o| o.status.success());
    if probe.as_ref().map_or(true, |ok| !ok) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `{python}` cannot import OWSLib: run scripts/test.sh (it installs tests/requirements.txt into target/venv)"
        );
        eprintln!("{python} cannot import OWSLib: skipping (scripts/test.sh installs it)");
        return;
    }
    let script = r#"
import sys
from owslib.ogcapi.features import Features
base, total = sys.argv[1], int(sys.argv[2])
w = Features(base)
ids = sorted(c["id"] for c in w.collections()["collections"])
assert ids == ["agencies", "partnerships"], ids
assert any(c.endswith("/conf/geojson") for c in w.conformance()["conformsTo"])
page = w.collection_items("agencies", bbox=[-125, 24, -66, 50], limit=3)
assert page["numberMatched"] == total, (page["numberMatched"], total)
assert page["numberReturned"] == 3 and len(page["features"]) == 3, page["numberReturned"]
first = page["features"][0]
one = w.collection_item("agencies", first["id"])
assert one["id"] == first["id"] and one["geometry"] == first["geometry"], one
try:
    w.collection_items("agencies", bbx="-125,24,-66,50")
except Exception as e:
    assert "400" in str(e), e
else:
    raise AssertionError("a misspelt parameter was answered")
print(page["numberMatched"])
"#;
    let out = run(
        &python,
        &["-c", script, &app.base, &total.to_string()],
        "OWSLib reads the OGC API",
    )
    .unwrap();
    assert_eq!(out.trim(), total.to_string());
}

/// feedparser (what news readers and newsroom scripts use) reads the change feed: well
/// formed, entries titled as news, and the RFC 5005 `next` link pages to older entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedparser_reads_the_change_feed_and_pages_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    load_sample_if_empty(&app.dataset).await.unwrap();
    let python = python();
    let probe = Command::new(&python)
        .args(["-c", "import feedparser"])
        .output()
        .map(|o| o.status.success());
    if probe.as_ref().map_or(true, |ok| !ok) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `{python}` cannot import feedparser: run scripts/test.sh (it installs tests/requirements.txt into target/venv)"
        );
        eprintln!("{python} cannot import feedparser: skipping (scripts/test.sh installs it)");
        return;
    }
    let script = r#"
import sys, feedparser
base = sys.argv[1]
d = feedparser.parse(base + "/changes.atom?limit=5")
assert not d.bozo, d.bozo_exception
assert d.feed.title, d.feed
assert len(d.entries) == 5, len(d.entries)
for e in d.entries:
    assert e.title and not e.title.startswith("citation"), e.title
    assert e.link.startswith(base), e.link
nxt = [l.href for l in d.feed.links if l.rel == "next"]
assert nxt, d.feed.links
older = feedparser.parse(nxt[0])
assert not older.bozo, older.bozo_exception
assert older.entries, "an older page"
assert not {e.id for e in d.entries} & {e.id for e in older.entries}
print(d.entries[0].title)
"#;
    let out = run(
        &python,
        &["-c", script, &app.base],
        "feedparser reads the Atom feed",
    )
    .unwrap();
    assert!(!out.trim().is_empty());
}
