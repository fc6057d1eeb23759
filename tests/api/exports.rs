//! Exports: every matching row of a list as CSV, NDJSON or GeoJSON, streamed.

use crate::helpers::{Fixture, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;

/// 130 partnerships (more than a page of 100), a few with awkward names.
async fn populate(app: &TestApp) {
    let f = Fixture {
        dataset: &app.dataset,
    };
    let source = f.source("https://news.example/x", "Police join Ring").await;
    for i in 0..128 {
        f.agency_with_partnership(
            "WI",
            &format!("Town {i:03} Police Department"),
            AgencyType::Police,
            "2019-05",
            source,
        )
        .await;
    }
    f.agency_with_partnership(
        "MN",
        "Quote \"Q\", Police",
        AgencyType::Police,
        "2020",
        source,
    )
    .await;
    f.agency_with_partnership(
        "CA",
        "Cañon Police Department",
        AgencyType::Police,
        "2018-02-01",
        source,
    )
    .await;
}

on_both_backends!(
    csv_export_has_every_matching_row_not_a_page,
    |app: TestApp| async move {
        populate(&app).await;
        for path in ["/partnerships.csv", "/partnerships?format=csv"] {
            let resp = app.get(path).await;
            assert_eq!(resp.status(), 200, "{path}");
            assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
            assert!(
                resp.headers()["link"]
                    .to_str()
                    .unwrap()
                    .contains("rel=\"license\"")
            );
            let text = resp.text().await.unwrap();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headers = reader.headers().unwrap().clone();
            assert_eq!(&headers[0], "id");
            assert_eq!(&headers[1], "agency_id");
            let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            assert_eq!(rows.len(), 130, "{path}");
            let name = headers.iter().position(|h| h == "agency_name").unwrap();
            assert!(rows.iter().any(|r| &r[name] == "Quote \"Q\", Police"));
            assert!(rows.iter().any(|r| &r[name] == "Cañon Police Department"));
        }
        // By Accept, with a filter applied.
        let resp = app
            .client
            .get(format!("{}/partnerships?state=MN,CA", app.base))
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
        let text = resp.text().await.unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.ends_with("\r\n"));
        // Agencies, programs and sources too.
        let agencies = app
            .get("/agencies.csv?state=WI")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(agencies.lines().count(), 129);
        let programs = app.get("/programs.csv").await.text().await.unwrap();
        assert!(programs.starts_with("id,vendor,name"));
        let sources = app.get("/sources.csv").await.text().await.unwrap();
        assert!(sources.lines().count() >= 2);
        // A page when asked for one, with the next page linked.
        let resp = app.get("/partnerships.csv?limit=10").await;
        assert!(
            resp.headers()["link"]
                .to_str()
                .unwrap()
                .contains("rel=\"next\"")
        );
        assert_eq!(resp.text().await.unwrap().lines().count(), 11);
    }
);

on_both_backends!(
    ndjson_and_geojson_exports_hold_every_row,
    |app: TestApp| async move {
        populate(&app).await;
        let resp = app
            .client
            .get(format!("{}/partnerships", app.base))
            .header("Accept", "application/x-ndjson")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
        let text = resp.text().await.unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 130);
        // The same rows as the JSON list.
        let page = app.get_json("/partnerships?limit=1").await;
        assert_eq!(lines[0], page["data"][0]);
        let fc: serde_json::Value = app.get("/partnerships.geojson").await.json().await.unwrap();
        assert_eq!(fc["type"], "FeatureCollection");
        assert_eq!(fc["features"].as_array().unwrap().len(), 130);
        assert_eq!(fc["numberReturned"], 130);
        assert_eq!(fc["meta"]["license"], "CC BY 4.0");
        assert_eq!(
            fc["features"][0]["geometry"]["coordinates"],
            serde_json::json!([-88.0, 43.0])
        );
        let sources = app.get("/sources.ndjson").await.text().await.unwrap();
        assert!(sources.lines().count() >= 1);
        // Filters, geography and time travel apply to exports.
        let near = app
            .get("/agencies.ndjson?near=43,-88&radius=1km&state=CA")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(near.lines().count(), 1);
        let row: serde_json::Value = serde_json::from_str(near.lines().next().unwrap()).unwrap();
        assert!(row["distance_m"].as_f64().unwrap() < 1.0);
        let active = app
            .get("/partnerships.csv?active_on=2018-03-01")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(active.lines().count(), 2, "{active}");
        assert!(active.contains(",certain,"), "{active}");
        let past = app
            .get("/partnerships.csv?as_of=2000-01-01T00:00:00Z")
            .await;
        assert_eq!(past.status(), 200);
        assert_eq!(past.text().await.unwrap().lines().count(), 1, "header only");
    }
);
