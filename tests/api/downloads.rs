//! Bulk downloads: every table as a file, the zip with its Data Package, tagged by version.

use crate::helpers::{Fixture, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;
use std::io::Read;

async fn populate(app: &TestApp) {
    let f = Fixture {
        dataset: &app.dataset,
    };
    let source = f.source("https://news.example/d", "Police join Ring").await;
    for (i, state) in ["WI", "MN", "CA"].into_iter().enumerate() {
        f.agency_with_partnership(
            state,
            &format!("Town {i}, \"Q\" Police Department"),
            AgencyType::Police,
            "2019-05",
            source,
        )
        .await;
    }
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, usize) {
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    (headers, r.records().map(Result::unwrap).count())
}

on_both_backends!(
    downloads_list_every_file_with_its_rows_and_serve_it,
    |app: TestApp| async move {
        populate(&app).await;
        let list = app.get_json("/downloads").await;
        let version = list["meta"]["dataset_version"].as_i64().unwrap();
        let files = list["data"].as_array().unwrap();
        let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
        for n in [
            "agencies.csv",
            "partnerships.csv",
            "programs.csv",
            "phases.csv",
            "sources.csv",
            "citations.csv",
            "agencies.geojson",
            "partnerships.geojson",
        ] {
            assert!(names.contains(&n), "{n} in {names:?}");
        }
        let zip_name = format!("ring-partnerships-{version}.zip");
        assert!(names.contains(&zip_name.as_str()));
        let totals = [
            ("agencies", app.get_json("/agencies?count=true").await),
            (
                "partnerships",
                app.get_json("/partnerships?count=true").await,
            ),
            ("sources", app.get_json("/sources?count=true").await),
        ];
        for f in files {
            assert_eq!(f["dataset_version"], version);
            let name = f["name"].as_str().unwrap();
            let resp = app.get(f["url"].as_str().unwrap()).await;
            assert_eq!(resp.status(), 200, "{name}");
            assert_eq!(
                resp.headers()["content-type"].to_str().unwrap(),
                f["media_type"].as_str().unwrap()
            );
            let etag = resp.headers()["etag"].to_str().unwrap().to_string();
            assert_eq!(etag, format!("\"ds-{version}-{name}\""));
            assert_eq!(resp.headers()["cache-control"], "public, max-age=300");
            assert!(resp.headers().contains_key("last-modified"));
            let disposition = resp.headers()["content-disposition"].to_str().unwrap();
            assert!(
                disposition.contains(&format!("ring-partnerships-{version}")),
                "{disposition}"
            );
            let body = resp.bytes().await.unwrap();
            let rows = f["rows"].as_u64().unwrap() as usize;
            if name.ends_with(".csv") {
                assert_eq!(csv_rows(&body).1, rows, "{name}");
            } else if name.ends_with(".geojson") {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(v["features"].as_array().unwrap().len(), rows, "{name}");
            }
            for (table, list) in &totals {
                if name.starts_with(table) && !name.ends_with(".zip") {
                    assert_eq!(list["total"].as_u64().unwrap() as usize, rows, "{name}");
                }
            }
            // Revalidation.
            let again = app
                .client
                .get(format!("{}{}", app.base, f["url"].as_str().unwrap()))
                .header("If-None-Match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), 304, "{name}");
        }
        assert_eq!(app.get("/downloads/nothing.csv").await.status(), 404);
    }
);

on_both_backends!(
    the_zip_holds_every_csv_described_by_its_datapackage,
    |app: TestApp| async move {
        populate(&app).await;
        let resp = app.get("/downloads/ring-partnerships.zip").await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/zip");
        let body = resp.bytes().await.unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).unwrap();
        let mut read = |name: &str| {
            let mut text = String::new();
            zip.by_name(name)
                .unwrap_or_else(|_| panic!("{name} in the zip"))
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let package: serde_json::Value = serde_json::from_str(&read("datapackage.json")).unwrap();
        assert_eq!(package["licenses"][0]["name"], "CC-BY-4.0");
        let sources = package["sources"].to_string();
        assert!(sources.contains("Atlas of Surveillance") && sources.contains("GeoNames"));
        assert!(read("LICENSE.txt").contains("creativecommons.org/licenses/by/4.0"));
        assert!(read("README.txt").contains("Atlas of Surveillance"));
        let resources = package["resources"].as_array().unwrap();
        assert_eq!(resources.len(), 6);
        let list = app.get_json("/downloads").await;
        for r in resources {
            let path = r["path"].as_str().unwrap();
            let text = read(path);
            let (headers, rows) = csv_rows(text.as_bytes());
            let fields: Vec<String> = r["schema"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(headers, fields, "{path}");
            let listed = list["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == path)
                .unwrap_or_else(|| panic!("{path} listed"));
            assert_eq!(listed["rows"].as_u64().unwrap() as usize, rows, "{path}");
        }
    }
);

on_both_backends!(
    the_tag_and_filename_change_after_a_write,
    |app: TestApp| async move {
        populate(&app).await;
        let first = app.get("/downloads/partnerships.csv").await;
        let tag = first.headers()["etag"].to_str().unwrap().to_string();
        let name = first.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        let f = Fixture {
            dataset: &app.dataset,
        };
        let source = f.source("https://news.example/e", "More").await;
        f.agency_with_partnership("TX", "Later PD", AgencyType::Police, "2020", source)
            .await;
        let after = app
            .client
            .get(format!("{}/downloads/partnerships.csv", app.base))
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 200);
        assert_ne!(after.headers()["etag"].to_str().unwrap(), tag);
        assert_ne!(
            after.headers()["content-disposition"].to_str().unwrap(),
            name
        );
        let length: usize = after.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let body = after.bytes().await.unwrap();
        assert_eq!(length, body.len());
        assert_eq!(csv_rows(&body).1, 4);
        // Compressed on request.
        let gz = app
            .client
            .get(format!("{}/downloads/partnerships.csv", app.base))
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        assert!(
            gz.headers()
                .get("content-length")
                .is_none_or(|l| { l.to_str().unwrap().parse::<usize>().unwrap() != length })
        );
    }
);
