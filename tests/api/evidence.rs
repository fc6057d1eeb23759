//! How old each fact is: `last_confirmed`, the certainty rule after it, and `meta.coverage`.

use crate::edits::seed_records;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};

fn rows(body: &Value) -> Vec<Value> {
    body["data"].as_array().unwrap().clone()
}

fn period<'a>(stats: &'a Value, name: &str) -> &'a Value {
    stats["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == name)
        .unwrap_or_else(|| panic!("no period {name}"))
}

#[tokio::test]
async fn six_year_old_evidence_makes_todays_partnerships_possible_not_certain() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    assert!(
        ring_partnerships::service::shipped::load_shipped_if_empty(&app.dataset)
            .await
            .unwrap()
    );
    let list = app.get_json("/partnerships?count=true&limit=5").await;
    let total = list["total"].as_u64().unwrap();
    assert!(total >= 1490, "{total}");
    let atlas = list["meta"]["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["url"] == "https://atlasofsurveillance.org/")
        .expect("the Atlas in meta.coverage")
        .clone();
    assert_eq!(atlas["as_of"], "2020-10-07");
    assert_eq!(atlas["partnerships"].as_u64().unwrap(), total);
    for p in rows(&list) {
        assert_eq!(p["last_confirmed"], "2020-10-07");
        assert_eq!(p["last_confirmed_source"], atlas["source_id"]);
    }

    // In 2026 every one of them is possible and none certain.
    let today = app
        .get_json("/partnerships?active_on=2026-11-30&limit=1000")
        .await;
    let today = rows(&today);
    assert_eq!(today.len(), 1000);
    assert!(today.iter().all(|p| p["active_on_certainty"] == "possible"));
    // On the day of the map, a partnership that started on a known day before it is certain.
    let then = app
        .get_json("/partnerships?active_on=2020-10-07&limit=1000")
        .await;
    assert!(
        rows(&then)
            .iter()
            .any(|p| p["active_on_certainty"] == "certain")
    );
    let csv = app
        .get("/partnerships.csv?active_on=2026-11-30")
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains(",certain,"));

    let stats = app.get_json("/stats").await;
    let y2026 = period(&stats, "2026");
    assert_eq!(y2026["certain"], 0);
    assert!(y2026["possible"].as_u64().unwrap() >= 1490);
    let months = app.get_json("/stats?interval=month").await;
    // Certain through the month of the map, not after it.
    assert!(period(&months, "2020-09")["certain"].as_u64().unwrap() > 1000);
    assert_eq!(period(&months, "2020-11")["certain"], 0);
    assert_eq!(stats["meta"]["coverage"][0]["as_of"], "2020-10-07");
}

fn change(kind: &str, sources: Value) -> Value {
    json!({"kind": kind, "note": "test change", "sources": sources})
}

on_both_backends!(
    new_evidence_moves_last_confirmed_forward_and_never_back,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        // The source is published in 2019-05; the partnership starts then, with no end.
        let (old_source, _, pid) = seed_records(&app, &editor).await;
        let path = format!("/partnerships/{pid}");
        let p = app.get_json(&path).await;
        assert!(p["last_confirmed"].is_null());

        let resp = app
            .send(
                Method::POST,
                "/sources",
                Some(&editor),
                None,
                Some(json!({
                    "record": {"url": "https://news.example/still", "title": "Town still on Ring",
                               "kind": "news", "published": "2025-03-02"},
                    "change": change("created", json!([old_source]))
                })),
            )
            .await;
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
        let new_source = resp.json::<Value>().await.unwrap()["record"]["id"]
            .as_i64()
            .unwrap();

        let confirm = |source: i64, version: i32| {
            let app = &app;
            let path = path.clone();
            let editor = editor.clone();
            async move {
                let resp = app
                    .send(
                        Method::PATCH,
                        &path,
                        Some(&editor),
                        Some(&format!("\"v{version}\"")),
                        Some(json!({"record": {"notes": format!("seen in {source}")},
                                    "change": change("new_evidence", json!([source]))})),
                    )
                    .await;
                assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
                app.get_json(&path).await
            }
        };
        let p = confirm(new_source, 1).await;
        assert_eq!(p["last_confirmed"], "2025-03-02");
        assert_eq!(p["last_confirmed_source"], new_source);
        // Older evidence does not move it back.
        let p = confirm(old_source, 2).await;
        assert_eq!(p["last_confirmed"], "2025-03-02");
        assert_eq!(p["last_confirmed_source"], new_source);

        let on = |day: &str| format!("/partnerships?active_on={day}");
        let before = rows(&app.get_json(&on("2025-03-02")).await);
        assert_eq!(before[0]["active_on_certainty"], "certain");
        let after = rows(&app.get_json(&on("2025-03-03")).await);
        assert_eq!(after[0]["active_on_certainty"], "possible");
        let cov = app.get_json("/partnerships").await["meta"]["coverage"].clone();
        assert_eq!(cov[0]["source_id"], new_source);
        assert_eq!(cov[0]["as_of"], "2025-03-02");
        assert_eq!(cov[0]["partnerships"], 1);
    }
);

/// The pages say how old the facts are, as the API does: the landing page by source, each
/// partnership row with its last confirmation and its age.
#[tokio::test]
async fn pages_say_when_each_fact_was_last_confirmed_and_how_long_ago() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    assert!(
        ring_partnerships::service::shipped::load_shipped_if_empty(&app.dataset)
            .await
            .unwrap()
    );
    let html = |path: String| {
        let app = &app;
        async move {
            let r = app
                .client
                .get(format!("{}{path}", app.base))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.unwrap()
        }
    };
    let list = app.get_json("/partnerships?count=true&limit=1").await;
    let total = list["total"].as_u64().unwrap();
    let home = html("/".into()).await;
    let facts = &home[home.find("How old the facts are").expect("the section")..];
    let years = (ring_partnerships::service::writer::now().date()
        - time::macros::date!(2020 - 10 - 07))
    .whole_days()
        / 365;
    assert!(
        facts.contains(&format!(
            "<b>{total}</b> partnership(s) last confirmed <time datetime=\"2020-10-07\">7 October 2020</time> ({years} years ago) by"
        )),
        "{}",
        &facts[..600.min(facts.len())]
    );
    let p = &list["data"][0];
    let agency = html(format!("/agencies/{}", p["agency"]["id"].as_str().unwrap())).await;
    assert!(agency.contains("Last confirmed</th>"));
    assert!(agency.contains("<td><time datetime=\"2020-10-07\">7 October 2020</time>"));
}
