//! OGC API - Features: the endpoints, and GDAL's OAPIF driver reading every feature.

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use ring_partnerships::service::import::load_sample_if_empty;
use std::process::Command;

async fn with_sample(app: &TestApp) -> u64 {
    load_sample_if_empty(&app.dataset).await.unwrap();
    let body = app.get_json("/partnerships?count=true&limit=1").await;
    body["total"].as_u64().unwrap()
}

on_both_backends!(
    ogc_landing_conformance_and_collections,
    |app: TestApp| async move {
        let landing = app.get_json("/").await;
        let rel = |r: &str| {
            landing["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["rel"] == r)
                .map(|l| {
                    let h = l["href"].as_str().unwrap();
                    h.strip_prefix(app.base.as_str()).unwrap_or(h).to_string()
                })
        };
        assert_eq!(rel("data").as_deref(), Some("/collections"));
        assert_eq!(rel("conformance").as_deref(), Some("/conformance"));
        assert_eq!(rel("service-desc").as_deref(), Some("/openapi.json"));
        let conf = app.get_json("/conformance").await;
        let classes: Vec<&str> = conf["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
        assert!(
            classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson")
        );
        let collections = app.get_json("/collections").await;
        let ids: Vec<&str> = collections["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["agencies", "partnerships"]);
        let one = app.get_json("/collections/partnerships").await;
        assert_eq!(one["itemType"], "feature");
        let missing = app.get("/collections/nope").await;
        assert_eq!(missing.status(), 404);
        let missing = app.get("/collections/nope/items").await;
        assert_eq!(missing.status(), 404);
    }
);

on_both_backends!(ogc_items_page_filter_and_count, |app: TestApp| async move {
    let total = with_sample(&app).await;
    let resp = app.get("/collections/partnerships/items?limit=5").await;
    assert_eq!(resp.headers()["content-type"], "application/geo+json");
    let page: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(page["numberMatched"].as_u64(), Some(total));
    assert_eq!(page["numberReturned"], 5);
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .expect("next link")["href"]
        .as_str()
        .unwrap()
        .to_string();
    let mut seen = 5;
    let mut href = Some(next);
    while let Some(h) = href {
        let page: serde_json::Value = app.get_json(&h).await;
        seen += page["numberReturned"].as_u64().unwrap();
        href = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_string());
    }
    assert_eq!(seen, total);
    // Over the maximum is clamped, not refused, as OGC API - Features asks.
    let big = app.get_json("/collections/agencies/items?limit=5000").await;
    assert!(big["numberReturned"].as_u64().unwrap() > 0);
    // A box around metro Atlanta holds Georgia agencies only.
    let ga = app
        .get_json("/collections/agencies/items?bbox=-85,33.2,-83.5,34.3&limit=100")
        .await;
    for f in ga["features"].as_array().unwrap() {
        assert_eq!(f["properties"]["state"], "GA", "{f}");
    }
    assert!(ga["numberMatched"].as_u64().unwrap() >= 5);
    // Partnerships announced in the sample never meet any period.
    let dated = app
        .get_json("/collections/partnerships/items?datetime=2019-01-01/2019-12-31&limit=100")
        .await;
    for f in dated["features"].as_array().unwrap() {
        let status = f["properties"]["status"].as_str().unwrap();
        assert!(status == "active" || status == "ended", "{f}");
        let start = f["properties"]["start_date"].as_str().unwrap_or("");
        assert!(start.is_empty() || start < "2020", "{f}");
    }
    let feature = app
        .get_json("/collections/agencies/items/us-wi-greenfield-police-department")
        .await;
    assert_eq!(feature["type"], "Feature");
    assert_eq!(
        app.get("/collections/partnerships/items/999999")
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get("/collections/partnerships/items?datetime=soon")
            .await
            .status(),
        400
    );
    assert_eq!(
        app.get("/collections/partnerships/items?f=html")
            .await
            .status(),
        400
    );
});

/// Runs a GDAL command, or says why it cannot (absent GDAL fails the test under CI).
fn gdal(program: &str, args: &[&str]) -> Option<String> {
    let out = match Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but `{program}` cannot run ({e}): install gdal-bin"
            );
            eprintln!("{program} not available: skipping the GDAL check");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn gdal_reads_every_feature_with_its_attributes() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let total = with_sample(&app).await;
    let url = format!("OAPIF:{}", app.base);
    // GDAL blocks; run it off the async runtime so the server keeps answering.
    let (info, dir) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let info = gdal("ogrinfo", &["-so", &url, "partnerships"]);
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("partnerships.csv");
            let out = out.to_str().unwrap().to_string();
            // Small pages, so the client follows `next` links across many pages.
            gdal(
                "ogr2ogr",
                &[
                    "-f",
                    "CSV",
                    &out,
                    &url,
                    "partnerships",
                    "-oo",
                    "PAGE_SIZE=7",
                    "-lco",
                    "GEOMETRY=AS_XY",
                ],
            );
            (info, dir)
        })
        .await
        .unwrap()
    };
    let Some(info) = info else { return };
    assert!(info.contains(&format!("Feature Count: {total}")), "{info}");
    for attr in [
        "start_date: String",
        "status: String",
        "id: Integer",
        "agency_id: String",
        "start_earliest: Date",
        "last_confirmed: Date",
    ] {
        assert!(info.contains(attr), "{attr} missing from:\n{info}");
    }
    let mut reader = csv::Reader::from_path(dir.path().join("partnerships.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    for col in ["X", "Y", "id", "status", "start_date", "start_precision"] {
        assert!(headers.iter().any(|h| h == col), "{col} in {headers:?}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as u64, total);
    let id_col = headers.iter().position(|h| h == "id").unwrap();
    let mut ids: Vec<i64> = rows.iter().map(|r| r[id_col].parse().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, total, "every feature exactly once");
}
