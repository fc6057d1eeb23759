//! Data quality: what the importer found inconsistent in the Atlas rows is on each agency as
//! `quality_flags`, in its JSON and CSV, filterable, and kept by editors' writes.

use crate::helpers::TestApp;
use crate::on_both_backends;
use reqwest::Method;
use ring_partnerships::import::atlas::{self, COLUMNS, RING_TECHNOLOGY};
use ring_partnerships::service::import::{ATLAS, ATLAS_URL, ImportOptions, import_file};
use serde_json::{Value, json};

/// An Atlas row, quoted as the export quotes every field.
fn row(id: &str, city: &str, county: &str, state: &str, agency: &str) -> String {
    let mut f: Vec<String> = vec![
        id,
        city,
        county,
        state,
        agency,
        "Police",
        "in 2019",
        "Municipal",
        RING_TECHNOLOGY,
        "Ring",
        "https://www.google.com/maps/d/viewer?mid=x",
        "",
        "Ring",
        "",
        "12/6/19",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    f.resize(COLUMNS.len(), String::new());
    f.iter()
        .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Wall Township PD filed under NH (its county, Monmouth, is in NJ), with the Atlas's
/// invisible marks and `#N/A`; and a clean Greenfield, WI.
async fn import_rows(app: &TestApp) {
    let header: Vec<String> = COLUMNS.iter().map(|c| format!("\"{c}\"")).collect();
    let csv = format!(
        "{}\n{}\n{}\n{}\n",
        header.join(","),
        row(
            "AOS4407",
            "Wall",
            "Monmouth County\u{200e}",
            "NH",
            "Wall Township Police Department"
        ),
        row(
            "AOS3711",
            "Greenfield",
            "Milwaukee County",
            "WI",
            "Greenfield Police Department"
        ),
        row(
            "AOS4864",
            "Kent Lakes",
            "#N/A",
            "NY",
            "Kent Town Police Department"
        ),
    );
    let file = atlas::read(csv.as_bytes(), RING_TECHNOLOGY).expect("read");
    let report = import_file(&app.dataset, &file, ATLAS, ImportOptions::default())
        .await
        .expect("import");
    assert_eq!(
        report.text_repairs["invisible_character_removed"], 1,
        "{report}"
    );
    assert_eq!(
        report.text_repairs["spreadsheet_artefact_emptied"], 1,
        "{report}"
    );
    assert_eq!(report.quality_flags["county_not_in_state"], 1, "{report}");
    assert_eq!(
        report.quality_flags["location_state_fallback"], 2,
        "{report}"
    );
    assert_eq!(report.flagged.len(), 2, "{report}");
    let text = report.to_string();
    assert!(
        text.contains("us-nh-wall-township-police-department (AOS4407): county_not_in_state, place_not_found_in_state, location_state_fallback"),
        "{text}"
    );
}

const WALL: &str = "/agencies/us-nh-wall-township-police-department";

on_both_backends!(
    agencies_carry_quality_flags_in_json_and_csv_and_filter_by_them,
    |app: TestApp| async move {
        import_rows(&app).await;

        let wall = app.get_json(WALL).await;
        assert_eq!(
            wall["quality_flags"],
            json!([
                "county_not_in_state",
                "place_not_found_in_state",
                "location_state_fallback"
            ])
        );
        assert_eq!(wall["county"], "Monmouth County", "cleaned of U+200E");
        assert_eq!(wall["location_precision"], "state");
        assert_eq!(wall["location_basis"], "state_interior");
        let greenfield = app
            .get_json("/agencies/us-wi-greenfield-police-department")
            .await;
        assert_eq!(greenfield["quality_flags"], json!([]), "always an array");
        assert_eq!(greenfield["location_basis"], "geonames_place");
        let kent = app
            .get_json("/agencies/us-ny-kent-town-police-department")
            .await;
        assert_eq!(kent["county"], Value::Null, "#N/A is no county");

        let page = app
            .get_json("/agencies?quality_flag=county_not_in_state")
            .await;
        let ids: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["us-nh-wall-township-police-department"]);
        assert_eq!(
            page["meta"]["query"]["quality_flag"],
            json!(["county_not_in_state"])
        );
        let page = app
            .get_json("/agencies?quality_flag=location_state_fallback,county_not_found")
            .await;
        assert_eq!(page["data"].as_array().unwrap().len(), 2);
        let page = app
            .get_json("/agencies?quality_flag=county_not_found")
            .await;
        assert_eq!(page["data"], json!([]));

        let page = app
            .get_json("/partnerships?quality_flag=county_not_in_state")
            .await;
        let agencies: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["agency"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(agencies, ["us-nh-wall-township-police-department"]);
        let resp = app.get("/partnerships?quality_flag=wrong").await;
        assert_eq!(resp.status(), 400);

        let resp = app.get("/agencies?quality_flag=bad_county").await;
        assert_eq!(resp.status(), 400);
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["code"], "invalid_parameter");
        assert_eq!(problem["parameter"], "quality_flag");

        let resp = app
            .send(
                Method::POST,
                "/agencies/search",
                None,
                None,
                Some(json!({"quality_flag": ["county_not_in_state"]})),
            )
            .await;
        assert_eq!(resp.status(), 200);
        let page: Value = resp.json().await.unwrap();
        assert_eq!(
            page["data"][0]["id"],
            "us-nh-wall-township-police-department"
        );

        let csv = app
            .get("/agencies.csv?quality_flag=county_not_in_state")
            .await
            .text()
            .await
            .unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(
            header[header.len() - 2..],
            ["quality_flags", "location_basis"],
            "new columns go last"
        );
        assert!(
            csv.contains(
                r#""[""county_not_in_state"",""place_not_found_in_state"",""location_state_fallback""]""#
            ),
            "{csv}"
        );
    }
);

on_both_backends!(
    an_agency_edit_keeps_its_quality_flags_unless_it_sets_them,
    |app: TestApp| async move {
        import_rows(&app).await;
        let editor = app.token("editor", "alice").await;
        let source = app
            .dataset
            .read()
            .sources
            .values()
            .find(|s| s.url == ATLAS_URL)
            .map(|s| s.id)
            .unwrap();
        let change = json!({"kind": "correction", "note": "checked", "sources": [source]});

        let resp = app
            .send(
                Method::PATCH,
                WALL,
                Some(&editor),
                Some("\"v1\""),
                Some(json!({"record": {"notes": "Files under NH; is in NJ."}, "change": change})),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        let wall = app.get_json(WALL).await;
        assert_eq!(wall["quality_flags"].as_array().unwrap().len(), 3);

        let resp = app
            .send(
                Method::PATCH,
                WALL,
                Some(&editor),
                Some("\"v2\""),
                Some(
                    json!({"record": {"quality_flags": ["county_not_in_state"]}, "change": change}),
                ),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        assert_eq!(
            app.get_json(WALL).await["quality_flags"],
            json!(["county_not_in_state"])
        );

        let resp = app
            .send(
                Method::PATCH,
                WALL,
                Some(&editor),
                Some("\"v3\""),
                Some(json!({"record": {"quality_flags": ["not_a_flag"]}, "change": change})),
            )
            .await;
        // As for any vocabulary of a record (`agency_type`, `status`): a rule break, 422.
        assert_eq!(resp.status(), 422, "{}", resp.text().await.unwrap());

        let resp = app
            .send(
                Method::PATCH,
                WALL,
                Some(&editor),
                Some("\"v3\""),
                Some(json!({"record": {"quality_flags": null}, "change": change})),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        assert_eq!(app.get_json(WALL).await["quality_flags"], json!([]));
    }
);
