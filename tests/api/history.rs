//! History, versions, diffs, 410 for deleted records, and the change feed (JSON and Atom).

use crate::edits::seed_records;
use crate::helpers::TestApp;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};

async fn end_then_delete(app: &TestApp, token: &str, admin: &str, source: i64, pid: i64) {
    let path = format!("/partnerships/{pid}");
    let resp = app
        .send(
            Method::PATCH,
            &path,
            Some(token),
            Some("\"v1\""),
            Some(json!({"record": {"status": "ended", "end": "2024-01-31"},
                        "change": {"kind": "ended", "note": "left the app", "sources": [source]}})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .send(
            Method::DELETE,
            &path,
            Some(admin),
            Some("\"v2\""),
            Some(json!({"change": {"kind": "retraction", "note": "never existed", "sources": [source]}})),
        )
        .await;
    assert_eq!(resp.status(), 200);
}

on_both_backends!(
    history_lists_versions_newest_first_and_survives_deletion,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        let admin = app.token("admin", "root").await;
        let (source, _, pid) = seed_records(&app, &editor).await;
        end_then_delete(&app, &editor, &admin, source, pid).await;

        let gone = app.get(&format!("/partnerships/{pid}")).await;
        assert_eq!(gone.status(), 410);

        let h = app.get_json(&format!("/partnerships/{pid}/history")).await;
        let versions: Vec<i64> = h["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [3, 2, 1]);
        assert_eq!(h["data"][0]["change_kind"], "deleted");
        assert_eq!(h["data"][0]["deleted"], true);
        assert_eq!(h["data"][0]["actor"], "root");
        assert_eq!(h["data"][0]["note"], "[retraction] never existed");
        assert_eq!(h["data"][1]["change_kind"], "ended");
        assert_eq!(h["data"][1]["actor"], "alice");
        assert_eq!(h["data"][1]["sources"], json!([source]));
        assert!(h["data"][0]["seq"].as_i64() > h["data"][1]["seq"].as_i64());

        let v1 = app
            .get_json(&format!("/partnerships/{pid}/versions/1"))
            .await;
        assert_eq!(v1["data"]["status"], "active");
        assert_eq!(v1["change_kind"], "started");

        let d = app
            .get_json(&format!("/partnerships/{pid}/diff?from=1&to=2"))
            .await;
        let fields: Vec<&str> = d["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["end", "status"]);
        assert_eq!(d["changes"][1]["old"], "active");
        assert_eq!(d["changes"][1]["new"], "ended");

        assert_eq!(app.get("/partnerships/999999/history").await.status(), 404);
        assert_eq!(
            app.get(&format!("/partnerships/{pid}/versions/9"))
                .await
                .status(),
            404
        );
        assert_eq!(
            app.get(&format!("/partnerships/{pid}/diff?from=1&to=9"))
                .await
                .status(),
            400
        );
        // The agency's history works through the same routes.
        let a = app
            .get_json("/agencies/us-wi-town-police-department/history")
            .await;
        assert_eq!(a["data"][0]["version"], 1);
    }
);

on_both_backends!(
    the_change_feed_resumes_from_a_cursor_and_includes_deletes,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        let admin = app.token("admin", "root").await;
        let start = app.get_json("/changes?limit=1").await["head"]
            .as_i64()
            .unwrap();
        let (source, _, pid) = seed_records(&app, &editor).await;
        end_then_delete(&app, &editor, &admin, source, pid).await;

        // Walk the feed two at a time from where we started.
        let mut since = start;
        let mut seen: Vec<Value> = vec![];
        loop {
            let page = app
                .get_json(&format!("/changes?since={since}&limit=2"))
                .await;
            let data = page["data"].as_array().unwrap().clone();
            if data.is_empty() {
                assert_eq!(page["next"], since);
                assert_eq!(page["head"], since);
                break;
            }
            since = page["next"].as_i64().unwrap();
            seen.extend(data);
        }
        let seqs: Vec<i64> = seen.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
        assert_eq!(
            seqs,
            ((start + 1)..=since).collect::<Vec<_>>(),
            "gap-free, in order"
        );
        let last = seen.last().unwrap();
        assert_eq!(last["entity_kind"], "partnership");
        assert_eq!(last["deleted"], true);
        assert_eq!(last["data"]["id"], pid);
        assert!(
            seen.iter()
                .any(|c| c["entity_kind"] == "source"
                    && c["data"]["url"] == "https://news.example/b")
        );

        // The same as Atom.
        for resp in [
            app.get("/changes.atom?limit=3").await,
            app.client
                .get(format!("{}/changes?limit=3", app.base))
                .header("Accept", "application/atom+xml")
                .send()
                .await
                .unwrap(),
        ] {
            assert_eq!(resp.status(), 200);
            assert!(
                resp.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/atom+xml")
            );
            let xml = resp.text().await.unwrap();
            assert!(xml.starts_with("<?xml"));
            assert!(xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
            assert_eq!(xml.matches("<entry>").count(), 3);
            assert!(xml.contains(&format!("revision/{since}</id>")));
            // The partnership is deleted: its entries link its history, which resolves.
            assert!(xml.contains(&format!("/partnerships/{pid}/history\"/>")));
            assert!(xml.contains("[retraction] never existed"));
            assert!(xml.trim_end().ends_with("</feed>"));
        }
    }
);
