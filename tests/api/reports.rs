//! `/reports`: public correction reports, on both backends: no token needed to report, one
//! needed to triage, the contact never shown publicly, and a report changes no data.

use crate::helpers::{Fixture, TestApp, test_limits};
use crate::on_both_backends;
use reqwest::Method;
use ring_partnerships::config::Limits;
use ring_partnerships::domain::AgencyType;
use serde_json::{Value, json};

const CONTACT: &str = "reader-7731@example.org";

async fn with_agency(app: &TestApp) -> (String, i64) {
    let fx = Fixture {
        dataset: &app.dataset,
    };
    let source = fx.source("https://example.org/original", "Original").await;
    fx.agency_with_partnership(
        "WI",
        "Greenfield Police Department",
        AgencyType::Police,
        "2018-03-22",
        source,
    )
    .await
}

async fn post(app: &TestApp, body: Value) -> reqwest::Response {
    app.send(Method::POST, "/reports", None, None, Some(body))
        .await
}

on_both_backends!(
    anyone_reports_editors_triage_and_the_contact_is_never_public,
    |app: TestApp| async move {
        let (agency, pid) = with_agency(&app).await;
        let seq = app.dataset.read().seq();

        let resp = post(
            &app,
            json!({
                "what": "It left the program in 2024.",
                "record": format!("partnerships/{pid}"),
                "evidence_url": "https://example.org/news/left",
                "contact": CONTACT,
            }),
        )
        .await;
        assert_eq!(resp.status(), 201);
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        let text = resp.text().await.unwrap();
        assert!(!text.contains(CONTACT), "{text}");
        let created: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(created["status"], "open");
        let id = created["id"].as_i64().unwrap();
        assert_eq!(location, format!("{}/reports/{id}", app.base));
        assert_eq!(
            app.dataset.read().seq(),
            seq,
            "a report changes no data by itself"
        );
        assert_eq!(app.dataset.store().head().await.unwrap(), seq);

        // The public sees its status, never its contact.
        let resp = app.get(&location).await;
        assert_eq!(resp.status(), 200);
        let text = resp.text().await.unwrap();
        assert!(
            !text.contains(CONTACT) && !text.contains("contact"),
            "{text}"
        );
        let public: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(public["record"], format!("partnerships/{pid}"));

        // Triage needs a token.
        for (method, path, body) in [
            (Method::GET, "/reports".to_string(), None),
            (
                Method::PATCH,
                format!("/reports/{id}"),
                Some(json!({"status": "rejected", "reason": "no"})),
            ),
        ] {
            let resp = app.send(method.clone(), &path, None, None, body).await;
            assert_eq!(resp.status(), 401, "{method} {path}");
            let p: Value = resp.json().await.unwrap();
            assert_eq!(p["code"], "unauthorized");
        }
        let token = app.token("editor", "triage").await;
        let list = app
            .send(
                Method::GET,
                "/reports?status=open",
                Some(&token),
                None,
                None,
            )
            .await;
        assert_eq!(list.status(), 200);
        let list: Value = list.json().await.unwrap();
        assert_eq!(list["data"][0]["id"], id);
        assert_eq!(list["data"][0]["contact"], CONTACT, "editors see it");

        // A decision's revision must exist, and only an accepted report links one.
        let patch = |body: Value| {
            let app = &app;
            let token = token.clone();
            async move {
                app.send(
                    Method::PATCH,
                    &format!("/reports/{id}"),
                    Some(&token),
                    None,
                    Some(body),
                )
                .await
            }
        };
        let bad = [
            json!({"status": "accepted", "reason": "true", "revision": 999_999}),
            json!({"status": "rejected", "reason": "no", "revision": seq}),
            json!({"status": "accepted", "reason": "  "}),
        ];
        for body in bad {
            let resp = patch(body.clone()).await;
            assert_eq!(resp.status(), 400, "{body}");
            let p: Value = resp.json().await.unwrap();
            assert_eq!(p["code"], "invalid_body", "{body}");
        }
        let resp = patch(json!({"status": "open", "reason": "x"})).await;
        assert_eq!(resp.status(), 400, "open is no decision");
        let resp = patch(
            json!({"status": "accepted", "reason": "The city confirmed it", "revision": seq}),
        )
        .await;
        assert_eq!(resp.status(), 200);
        let decided: Value = resp.json().await.unwrap();
        assert_eq!(decided["decided_by"], "triage");
        let public = app.get_json(&location).await;
        assert_eq!(public["status"], "accepted");
        assert_eq!(public["revision"], seq);
        assert_eq!(public["reason"], "The city confirmed it");
        assert!(public.get("contact").is_none());
        let resp = app
            .send(
                Method::PATCH,
                "/reports/424242",
                Some(&token),
                None,
                Some(json!({"status": "rejected", "reason": "no"})),
            )
            .await;
        assert_eq!(resp.status(), 404);
        assert_eq!(app.get("/reports/424242").await.status(), 404);

        // A missing agency needs no record.
        let resp = post(
            &app,
            json!({
                "what": "Lakeview PD joined in 2021.",
                "missing_agency": "Lakeview Police Department, Lakeview, MI",
                "evidence_url": "http://example.org/lakeview",
            }),
        )
        .await;
        assert_eq!(resp.status(), 201);

        // Bad reports are a 400 naming the field, and store nothing.
        let good = json!({
            "what": "Wrong city",
            "record": format!("agencies/{agency}"),
            "evidence_url": "https://example.org/x",
        });
        let with = |k: &str, v: Value| {
            let mut b = good.clone();
            b[k] = v;
            b
        };
        let cases = [
            (with("record", json!("agencies/us-wi-nowhere")), "record"),
            (with("record", json!("partnerships/999999")), "record"),
            (with("record", json!("widgets/1")), "record"),
            (with("missing_agency", json!("Someone")), "record"),
            (
                with("evidence_url", json!("ftp://example.org/x")),
                "evidence_url",
            ),
            (with("evidence_url", json!("not a url")), "evidence_url"),
            (with("what", json!(" ")), "what"),
            (with("what", json!("x".repeat(4001))), "what"),
            (with("contact", json!("c".repeat(501))), "contact"),
        ];
        for (body, field) in cases {
            let resp = post(&app, body.clone()).await;
            assert_eq!(resp.status(), 400, "{body}");
            let p: Value = resp.json().await.unwrap();
            assert_eq!(
                (p["code"].as_str(), p["parameter"].as_str()),
                (Some("invalid_body"), Some(field)),
                "{body}"
            );
        }
        let resp = post(&app, with("colour", json!("red"))).await;
        assert_eq!(resp.status(), 400, "unknown fields are refused");
        let all = app
            .send(Method::GET, "/reports", Some(&token), None, None)
            .await
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(all["data"].as_array().unwrap().len(), 2, "{all}");

        // A browser's form lands on the report's page.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let resp = client
            .post(format!("{}/reports", app.base))
            .form(&[
                ("what", "Wrong start date"),
                ("record", &format!("agencies/{agency}")),
                ("evidence_url", "https://example.org/y"),
                ("contact", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let to = resp.headers()["location"].to_str().unwrap().to_string();
        assert!(to.starts_with(&format!("{}/reports/", app.base)), "{to}");
        assert_eq!(app.get_json(&to).await["status"], "open");
    }
);

#[tokio::test]
async fn reports_have_a_small_body_limit_and_a_rate_limit_per_address() {
    let app = TestApp::spawn_with_limits(Limits {
        reports_per_hour: 2,
        ..test_limits()
    })
    .await;
    let (agency, _) = with_agency(&app).await;
    let body = json!({
        "what": "Wrong city",
        "record": format!("agencies/{agency}"),
        "evidence_url": "https://example.org/x",
    });
    let big = json!({
        "what": "x".repeat(9 * 1024),
        "record": format!("agencies/{agency}"),
        "evidence_url": "https://example.org/x",
    });
    let resp = post(&app, big).await;
    assert_eq!(resp.status(), 413);
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["code"], "payload_too_large");
    // The refused body counted: one report left this hour.
    assert_eq!(post(&app, body.clone()).await.status(), 201);
    let resp = post(&app, body.clone()).await;
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    let p: Value = resp.json().await.unwrap();
    assert_eq!(p["code"], "rate_limited");
    // A browser's form over the limit is told so on a page.
    let resp = app
        .client
        .post(format!("{}/reports", app.base))
        .header("accept", "text/html")
        .form(&[("what", "x"), ("evidence_url", "https://example.org/x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("correction reports an hour")
    );
    // Other writes and reads are not limited by it.
    assert_eq!(app.get("/reports/999").await.status(), 404);
}
