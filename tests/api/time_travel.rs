//! `as_of` (what the dataset said at a time) and `active_on` (what was active on a day), alone
//! and together, and the footage requests each day's program phases allowed.

use crate::edits::seed_records;
use crate::helpers::{PROGRAM, TestApp};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

fn rfc3339_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn body(app: &TestApp, path: &str) -> String {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.unwrap()
}

/// Makes the next write's time strictly later than anything read so far.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}

on_both_backends!(
    a_list_as_of_a_past_time_equals_byte_for_byte_what_was_served_then,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        let admin = app.token("admin", "root").await;
        let (source, agency, pid) = seed_records(&app, &editor).await;
        let paths = [
            "/partnerships".to_string(),
            "/partnerships?state=WI&sort=-start".to_string(),
            "/agencies".to_string(),
            "/agencies?near=43.0,-88.0&radius=10km".to_string(),
            format!("/agencies/{agency}"),
            format!("/partnerships/{pid}"),
            "/sources?count=true".to_string(),
            format!("/programs/{PROGRAM}"),
        ];
        let mut then = vec![];
        for p in &paths {
            then.push(body(&app, p).await);
        }
        tick().await;
        let t = rfc3339_now();
        tick().await;

        // Change everything the pages show.
        let c = |kind: &str| json!({"kind": kind, "note": "later", "sources": [source]});
        let resp = app
            .send(Method::PATCH, &format!("/agencies/{agency}"), Some(&editor), Some("\"v1\""),
                  Some(json!({"record": {"name": "Renamed PD", "latitude": 10.0, "longitude": 10.0}, "change": c("correction")})))
            .await;
        assert_eq!(resp.status(), 200);
        let resp = app
            .send(
                Method::DELETE,
                &format!("/partnerships/{pid}"),
                Some(&admin),
                Some("\"v1\""),
                Some(json!({"change": c("retraction")})),
            )
            .await;
        assert_eq!(resp.status(), 200);
        let resp = app
            .send(Method::POST, "/sources", Some(&editor), None,
                  Some(json!({"record": {"url": "https://news.example/c", "title": "C", "kind": "news"}, "change": c("created")})))
            .await;
        assert_eq!(resp.status(), 201);

        for (p, before) in paths.iter().zip(&then) {
            let sep = if p.contains('?') { '&' } else { '?' };
            let now = app.get(p).await.text().await.unwrap();
            assert_ne!(&now, before, "{p} should have changed");
            let past = body(&app, &format!("{p}{sep}as_of={}", urlencode(&t))).await;
            assert_eq!(&past, before, "{p} as_of {t}");
        }
        // The version of the dataset is the one of that time too.
        let past: Value = serde_json::from_str(
            &body(&app, &format!("/partnerships?as_of={}", urlencode(&t))).await,
        )
        .unwrap();
        let now = app.get_json("/partnerships").await;
        assert!(past["meta"]["dataset_version"].as_i64() < now["meta"]["dataset_version"].as_i64());

        let bad = app.get("/partnerships?as_of=yesterday").await;
        assert_eq!(bad.status(), 400);
        assert_eq!(bad.json::<Value>().await.unwrap()["parameter"], "as_of");
        let future = app.get("/partnerships?as_of=2999-01-01T00:00:00Z").await;
        assert_eq!(future.status(), 400);
    }
);

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn rows(body: &Value) -> Vec<Value> {
    body["data"].as_array().unwrap().clone()
}

on_both_backends!(
    active_on_follows_imprecise_dates_program_phases_and_footage,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        // seed_records starts the partnership in "2019-05", with no end.
        let (source, _, pid) = seed_records(&app, &editor).await;
        let on = |day: &str, extra: &str| format!("/partnerships?active_on={day}{extra}");

        assert!(rows(&app.get_json(&on("2019-04-30", "")).await).is_empty());
        let may = rows(&app.get_json(&on("2019-05-15", "")).await);
        assert_eq!(may[0]["active_on_certainty"], "possible");
        let later = rows(&app.get_json(&on("2020-01-01", "")).await);
        assert_eq!(later[0]["active_on_certainty"], "certain");
        assert_eq!(later[0]["phase"]["id"], "ring-nps-video-requests");
        assert_eq!(later[0]["footage_requests"], "certain");

        // Between the end of Request for Assistance and Community Requests: no footage.
        assert!(
            rows(
                &app.get_json(&on("2024-06-01", "&footage_requests=true"))
                    .await
            )
            .is_empty()
        );
        let posts = rows(
            &app.get_json(&on("2024-06-01", "&footage_requests=false"))
                .await,
        );
        assert_eq!(posts[0]["phase"]["id"], "ring-nps-posts-only");
        assert!(posts[0].get("footage_requests").is_none());
        // Community Requests through Axon: only agencies with Axon Evidence, so possible.
        let axon = rows(
            &app.get_json(&on("2025-06-01", "&footage_requests=true"))
                .await,
        );
        assert_eq!(axon[0]["footage_requests"], "possible");
        assert_eq!(axon[0]["phase"]["id"], "ring-nps-community-requests-axon");
        let rfa = rows(
            &app.get_json(&on("2022-01-01", "&footage_requests=true"))
                .await,
        );
        assert_eq!(rfa[0]["phase"]["id"], "ring-nps-request-for-assistance");

        let detail = app
            .get_json(&format!("/partnerships/{pid}?active_on=2022-01-01"))
            .await;
        assert_eq!(detail["phase"]["name"], "Request for Assistance");

        assert_eq!(
            app.get("/partnerships?footage_requests=true")
                .await
                .status(),
            400
        );

        // What the dataset said at T about what was active on a day.
        tick().await;
        let t = rfc3339_now();
        tick().await;
        let resp = app
            .send(
                Method::PATCH,
                &format!("/partnerships/{pid}"),
                Some(&editor),
                Some("\"v1\""),
                Some(json!({"record": {"status": "ended", "end": "2020-06-30"},
                              "change": {"kind": "ended", "note": "left", "sources": [source]}})),
            )
            .await;
        assert_eq!(resp.status(), 200);
        assert!(rows(&app.get_json(&on("2021-01-01", "")).await).is_empty());
        let then = rows(
            &app.get_json(&on("2021-01-01", &format!("&as_of={}", urlencode(&t))))
                .await,
        );
        assert_eq!(then.len(), 1);
        assert_eq!(
            rows(&app.get_json(&on("2020-06-30", "")).await).len(),
            1,
            "end days are inclusive"
        );

        // A program's end ends every enrolment in it.
        let program = app.get(&format!("/programs/{PROGRAM}")).await;
        let tag = program.headers()["etag"].to_str().unwrap().to_string();
        let resp = app
            .send(
                Method::PATCH,
                &format!("/programs/{PROGRAM}"),
                Some(&editor),
                Some(&tag),
                Some(json!({"record": {"end": "2020-03"},
                              "change": {"kind": "ended", "note": "test", "sources": [source]}})),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        assert!(rows(&app.get_json(&on("2020-04-01", "")).await).is_empty());
        assert_eq!(
            rows(&app.get_json(&on("2020-03-15", "")).await)[0]["active_on_certainty"],
            "possible"
        );
    }
);
