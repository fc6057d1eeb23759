//! Geographic queries over HTTP: `near`, `radius`, `bbox`, polygon search, GeoJSON output.

use crate::helpers::{Fixture, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;

async fn populate(app: &TestApp) {
    let f = Fixture {
        dataset: &app.dataset,
    };
    let source = f.source("https://news.example/geo", "Geo").await;
    // The fixture places every agency at 43,-88; distinct names keep ids apart.
    for name in [
        "Alpha Police Department",
        "Beta Police Department",
        "Gamma Police Department",
    ] {
        f.agency_with_partnership("WI", name, AgencyType::Police, "2019-05-01", source)
            .await;
    }
}

on_both_backends!(
    near_adds_distance_and_sorts_nearest_first,
    |app: TestApp| async move {
        populate(&app).await;
        let body = app.get_json("/agencies?near=43.1,-88&limit=2").await;
        let rows = body["data"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        let d = rows[0]["distance_m"].as_f64().unwrap();
        assert!((d - 11_119.5).abs() < 5.0, "{d}");
        assert!(body["next"].is_string(), "k nearest pages on");
        let none = app.get_json("/agencies?near=43.1,-88&radius=10km").await;
        assert!(none["data"].as_array().unwrap().is_empty());
        let all = app.get_json("/partnerships?near=43.1,-88&radius=7mi").await;
        assert_eq!(all["data"].as_array().unwrap().len(), 3);
        // Without near, there is no distance.
        let plain = app.get_json("/agencies").await;
        assert!(plain["data"][0].get("distance_m").is_none());
    }
);

on_both_backends!(
    bbox_and_polygon_search_filter_by_place,
    |app: TestApp| async move {
        populate(&app).await;
        let inside = app.get_json("/agencies?bbox=-89,42,-87,44").await;
        assert_eq!(inside["data"].as_array().unwrap().len(), 3);
        let outside = app.get_json("/agencies?bbox=-87,42,-86,44").await;
        assert!(outside["data"].as_array().unwrap().is_empty());
        let resp = app
        .client
        .post(format!("{}/partnerships/search", app.base))
        .json(&serde_json::json!({
            "within": {"type": "Polygon", "coordinates": [[[-89,42],[-87,42],[-87,44],[-89,44],[-89,42]]]},
            "limit": 2
        }))
        .send()
        .await
        .unwrap();
        assert_eq!(resp.status(), 200);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["data"].as_array().unwrap().len(), 2);
        let next = body["next"].as_str().unwrap().to_string();
        let resp = app
        .client
        .post(format!("{}/partnerships/search", app.base))
        .json(&serde_json::json!({
            "within": {"type": "Polygon", "coordinates": [[[-89,42],[-87,42],[-87,44],[-89,44],[-89,42]]]},
            "limit": 2,
            "cursor": next
        }))
        .send()
        .await
        .unwrap();
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["data"].as_array().unwrap().len(), 1);
    }
);

on_both_backends!(
    bad_geography_is_a_400_naming_the_parameter,
    |app: TestApp| async move {
        for (path, param) in [
            ("/agencies?near=91,0", "near"),
            ("/agencies?near=0,181", "near"),
            ("/agencies?near=NaN,0", "near"),
            ("/agencies?near=inf,0", "near"),
            ("/agencies?near=43", "near"),
            ("/agencies?near=43,-88&radius=-5", "radius"),
            ("/agencies?near=43,-88&radius=99999km", "radius"),
            ("/agencies?near=43,-88&radius=far", "radius"),
            ("/agencies?radius=5km", "radius"),
            ("/partnerships?bbox=1,2,3", "bbox"),
            ("/partnerships?bbox=0,10,1,5", "bbox"),
            ("/agencies?sort=distance", "sort"),
        ] {
            let resp = app.get(path).await;
            assert_eq!(resp.status(), 400, "{path}");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["parameter"], param, "{path}: {body}");
        }
        for within in [
            serde_json::json!({"type": "Polygon", "coordinates": [[[0,0],[0,1],[1,1],[1,0]]]}),
            serde_json::json!({"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}),
            serde_json::json!({"type": "Point", "coordinates": [0,0]}),
            serde_json::json!("not geojson"),
        ] {
            let resp = app
                .client
                .post(format!("{}/agencies/search", app.base))
                .json(&serde_json::json!({ "within": within }))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 400, "{within}");
            assert_eq!(resp.headers()["content-type"], "application/problem+json");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["code"], "invalid_body", "{body}");
        }
    }
);

on_both_backends!(
    lists_answer_geojson_by_accept_suffix_or_format,
    |app: TestApp| async move {
        populate(&app).await;
        let by_accept = app
            .client
            .get(format!("{}/partnerships?limit=2", app.base))
            .header("Accept", "application/geo+json")
            .send()
            .await
            .unwrap();
        assert_eq!(by_accept.headers()["content-type"], "application/geo+json");
        let link = by_accept.headers()["link"].to_str().unwrap().to_string();
        let fc: serde_json::Value = by_accept.json().await.unwrap();
        assert_eq!(fc["type"], "FeatureCollection");
        assert_eq!(fc["features"].as_array().unwrap().len(), 2);
        let f = &fc["features"][0];
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "Point");
        assert_eq!(
            f["geometry"]["coordinates"],
            serde_json::json!([-88.0, 43.0])
        );
        // Flat properties, not the JSON list's nested `agency`.
        assert_eq!(f["properties"]["state"], "WI");
        assert!(f["properties"].get("agency").is_none());
        assert_eq!(fc["links"][0]["rel"], "next");
        assert!(
            link.contains("format=geojson") || link.contains("cursor="),
            "{link}"
        );

        for path in ["/agencies.geojson", "/agencies?format=geojson"] {
            let resp = app.get(path).await;
            assert_eq!(resp.status(), 200, "{path}");
            assert_eq!(
                resp.headers()["content-type"],
                "application/geo+json",
                "{path}"
            );
            let fc: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(fc["numberReturned"], 3, "{path}");
        }
        // A suffix keeps the other parameters, and paging follows in GeoJSON.
        let page: serde_json::Value = app.get_json("/agencies.geojson?limit=1").await;
        let next = page["links"][0]["href"].as_str().unwrap().to_string();
        let resp = app.get(&next).await;
        assert_eq!(resp.headers()["content-type"], "application/geo+json");
    }
);
