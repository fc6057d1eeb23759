//! Writes through the API: tokens and roles, cited changes, If-Match, and refusals that
//! write nothing.

use crate::helpers::{PROGRAM, TestApp};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};

fn change(kind: &str, sources: Value) -> Value {
    json!({"kind": kind, "note": "test change", "sources": sources})
}

/// A source (cited by a new source of its own) and an agency with one partnership.
pub async fn seed_records(app: &TestApp, token: &str) -> (i64, String, i64) {
    let resp = app
        .send(
            Method::POST,
            "/sources",
            Some(token),
            None,
            Some(json!({
                "record": {"url": "https://news.example/a", "title": "Town joins Ring", "kind": "news", "published": "2019-05"},
                "change": {"kind": "created", "note": "found it", "new_sources": [
                    {"url": "https://news.example/b", "title": "Report", "kind": "news"}
                ]}
            })),
        )
        .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let source = resp.json::<Value>().await.unwrap()["record"]["id"]
        .as_i64()
        .unwrap();
    let resp = app
        .send(
            Method::POST,
            "/agencies",
            Some(token),
            None,
            Some(json!({
                "record": {"name": "Town Police Department", "agency_type": "police",
                           "jurisdiction_type": "municipal", "state": "WI",
                           "latitude": 43.0, "longitude": -88.0},
                "change": change("created", json!([source]))
            })),
        )
        .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    assert_eq!(
        resp.headers()["location"],
        format!("{}/agencies/us-wi-town-police-department", app.base).as_str()
    );
    let agency = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = app
        .send(
            Method::POST,
            "/partnerships",
            Some(token),
            None,
            Some(json!({
                "record": {"agency_id": agency, "program_id": PROGRAM, "status": "active",
                           "start": "2019-05", "notes": "first"},
                "change": change("started", json!([source]))
            })),
        )
        .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    assert_eq!(resp.headers()["etag"], "\"v1\"");
    let pid = resp.json::<Value>().await.unwrap()["record"]["id"]
        .as_i64()
        .unwrap();
    (source, agency, pid)
}

on_both_backends!(
    writes_need_a_valid_token_and_deletes_need_admin,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        let (source, _, pid) = seed_records(&app, &editor).await;
        let body =
            json!({"record": {"notes": "x"}, "change": change("correction", json!([source]))});
        let path = format!("/partnerships/{pid}");

        let resp = app
            .send(
                Method::PATCH,
                &path,
                None,
                Some("\"v1\""),
                Some(body.clone()),
            )
            .await;
        assert_eq!(resp.status(), 401);
        assert!(
            resp.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["code"], "unauthorized");

        let forged = "rp_not-a-real-token";
        let resp = app
            .send(
                Method::PATCH,
                &path,
                Some(forged),
                Some("\"v1\""),
                Some(body.clone()),
            )
            .await;
        assert_eq!(resp.status(), 401);
        let text = resp.text().await.unwrap();
        assert!(!text.contains(forged), "errors never echo a token");

        let del = json!({"change": change("retraction", json!([source]))});
        let resp = app
            .send(
                Method::DELETE,
                &path,
                Some(&editor),
                Some("\"v1\""),
                Some(del.clone()),
            )
            .await;
        assert_eq!(resp.status(), 403);
        assert_eq!(resp.json::<Value>().await.unwrap()["code"], "forbidden");

        // A revoked token is refused.
        let admin = app.token("admin", "root").await;
        ring_partnerships::service::tokens::revoke(app.dataset.store(), "root")
            .await
            .unwrap();
        let resp = app
            .send(
                Method::DELETE,
                &path,
                Some(&admin),
                Some("\"v1\""),
                Some(del),
            )
            .await;
        assert_eq!(resp.status(), 401);

        // The write records the token's name as the actor.
        let revs = app
            .dataset
            .history(
                ring_partnerships::domain::EntityKind::Partnership,
                &pid.to_string(),
            )
            .await
            .unwrap();
        assert_eq!(revs[0].revision.actor, "alice");
        assert_eq!(revs[0].sources, vec![source]);
    }
);

on_both_backends!(
    updates_need_the_current_version_and_merge_the_patch,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        let admin = app.token("admin", "root").await;
        let (source, _, pid) = seed_records(&app, &editor).await;
        let path = format!("/partnerships/{pid}");
        let got = app.get(&path).await;
        // A detail's tag is its version, then the dataset version it was read at.
        let tag = got.headers()["etag"].to_str().unwrap().to_string();
        assert!(tag.starts_with("\"v1-ds"), "{tag}");

        let patch = json!({"record": {"status": "ended", "end": "2024-01-31", "notes": null},
                           "change": change("ended", json!([source]))});
        let resp = app
            .send(
                Method::PATCH,
                &path,
                Some(&editor),
                None,
                Some(patch.clone()),
            )
            .await;
        assert_eq!(resp.status(), 428);
        assert_eq!(
            resp.json::<Value>().await.unwrap()["code"],
            "precondition_required"
        );
        let resp = app
            .send(
                Method::PATCH,
                &path,
                Some(&editor),
                Some("\"v7\""),
                Some(patch.clone()),
            )
            .await;
        assert_eq!(resp.status(), 412);
        assert_eq!(
            resp.json::<Value>().await.unwrap()["code"],
            "precondition_failed"
        );

        let resp = app
            .send(
                Method::PATCH,
                &path,
                Some(&editor),
                Some("\"v1\""),
                Some(patch.clone()),
            )
            .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["etag"], "\"v2\"");
        let p = app.get_json(&path).await;
        assert_eq!(p["status"], "ended");
        assert_eq!(p["end_date"], "2024-01-31");
        assert_eq!(p["start_date"], "2019-05", "absent fields keep their value");
        assert!(p["notes"].is_null(), "null clears");
        assert_eq!(p["version"], 2);

        // The old ETag is stale now.
        let resp = app
            .send(
                Method::PATCH,
                &path,
                Some(&editor),
                Some("\"v1\""),
                Some(patch),
            )
            .await;
        assert_eq!(resp.status(), 412);

        let del = json!({"change": change("retraction", json!([source]))});
        let resp = app
            .send(
                Method::DELETE,
                &path,
                Some(&admin),
                Some("\"v2\""),
                Some(del),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        let gone = app.get(&path).await;
        assert_eq!(gone.status(), 410);
        let problem: Value = gone.json().await.unwrap();
        assert_eq!(problem["history"], format!("/partnerships/{pid}/history"));
    }
);

on_both_backends!(
    two_editors_racing_with_the_same_version_cannot_both_win,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        let other = app.token("editor", "bob").await;
        let (source, _, pid) = seed_records(&app, &editor).await;
        let path = format!("/partnerships/{pid}");
        let patch = |note: &str| json!({"record": {"notes": note}, "change": change("correction", json!([source]))});
        let (a, b) = tokio::join!(
            app.send(
                Method::PATCH,
                &path,
                Some(&editor),
                Some("\"v1\""),
                Some(patch("alice"))
            ),
            app.send(
                Method::PATCH,
                &path,
                Some(&other),
                Some("\"v1\""),
                Some(patch("bob"))
            ),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 412]);
        let p = app.get_json(&path).await;
        assert_eq!(p["version"], 2);
        let history = app
            .dataset
            .history(
                ring_partnerships::domain::EntityKind::Partnership,
                &pid.to_string(),
            )
            .await
            .unwrap();
        assert_eq!(
            history.len(),
            2,
            "one create, one winning update: no lost update"
        );
        assert_eq!(p["notes"], history[0].revision.actor.as_str());
    }
);

on_both_backends!(
    bad_bodies_are_refused_and_write_nothing,
    |app: TestApp| async move {
        let editor = app.token("editor", "alice").await;
        let (source, agency, _) = seed_records(&app, &editor).await;
        let head = app.dataset.store().head().await.unwrap();
        let post = |path: &'static str, body: Value| {
            let editor = editor.clone();
            let app = &app;
            async move {
                let resp = app
                    .send(Method::POST, path, Some(&editor), None, Some(body))
                    .await;
                let status = resp.status().as_u16();
                assert_eq!(resp.headers()["content-type"], "application/problem+json");
                let problem: Value = resp.json().await.unwrap();
                (status, problem["code"].as_str().unwrap().to_string())
            }
        };
        let partnership = |record: Value, sources: Value| json!({"record": record, "change": change("started", sources)});
        let cases = [
            // Unknown field.
            (post("/partnerships", partnership(json!({"agency_id": agency, "program_id": PROGRAM, "status": "active", "colour": "red"}), json!([source]))).await, (400, "invalid_body")),
            // Wrong type.
            (post("/partnerships", partnership(json!({"agency_id": agency, "program_id": PROGRAM, "status": "active", "video_requests": "lots"}), json!([source]))).await, (400, "invalid_body")),
            // Ends before it starts.
            (post("/partnerships", partnership(json!({"agency_id": agency, "program_id": PROGRAM, "status": "ended", "start": "2020-03", "end": "2020-02-28"}), json!([source]))).await, (422, "invalid_record")),
            // Cites a missing source.
            (post("/partnerships", partnership(json!({"agency_id": agency, "program_id": PROGRAM, "status": "active"}), json!([99999]))).await, (422, "invalid_record")),
            // Cites nothing.
            (post("/partnerships", partnership(json!({"agency_id": agency, "program_id": PROGRAM, "status": "active"}), json!([]))).await, (422, "invalid_record")),
            // A missing agency.
            (post("/partnerships", partnership(json!({"agency_id": "us-wi-nowhere", "program_id": PROGRAM, "status": "active"}), json!([source]))).await, (422, "invalid_record")),
            // A missing program.
            (post("/partnerships", partnership(json!({"agency_id": agency, "program_id": "nope", "status": "active"}), json!([source]))).await, (422, "invalid_record")),
            // An unknown status.
            (post("/partnerships", partnership(json!({"agency_id": agency, "program_id": PROGRAM, "status": "paused"}), json!([source]))).await, (422, "invalid_record")),
            // A taken agency slug.
            (post("/agencies", json!({"record": {"name": "Town Police Department", "agency_type": "police", "jurisdiction_type": "municipal", "state": "WI"}, "change": change("created", json!([source]))})).await, (409, "conflict")),
            // An empty note.
            (post("/agencies", json!({"record": {"name": "Other PD", "agency_type": "police", "jurisdiction_type": "municipal", "state": "WI"}, "change": {"kind": "created", "note": "", "sources": [source]}})).await, (422, "invalid_record")),
        ];
        for (i, (got, want)) in cases.iter().enumerate() {
            assert_eq!((got.0, got.1.as_str()), *want, "case {i}");
        }
        assert_eq!(
            app.dataset.store().head().await.unwrap(),
            head,
            "nothing was written"
        );
    }
);
