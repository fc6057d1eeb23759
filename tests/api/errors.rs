//! Bad input gets 4xx problem+json with a stable code and the parameter at fault; never a 500.

use crate::helpers::TestApp;
use crate::on_both_backends;

async fn problem(app: &TestApp, path: &str, status: u16) -> serde_json::Value {
    let resp = app.get(path).await;
    assert_eq!(resp.status().as_u16(), status, "GET {path}");
    assert_eq!(
        resp.headers()["content-type"],
        "application/problem+json",
        "GET {path}"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    assert_eq!(
        body["type"],
        format!("/problems/{}", body["code"].as_str().unwrap()),
        "{body}"
    );
    body
}

on_both_backends!(
    bad_query_parameters_name_the_parameter_and_its_code,
    |app: TestApp| async move {
        let cases = [
            ("/agencies?limit=-1", "limit"),
            ("/agencies?limit=0", "limit"),
            ("/agencies?limit=1001", "limit"),
            ("/agencies?limit=abc", "limit"),
            ("/partnerships?limit=1.5", "limit"),
            ("/agencies?state=ZZ", "state"),
            ("/partnerships?state=WI,ZZ", "state"),
            ("/agencies?agency_type=cop", "agency_type"),
            ("/partnerships?status=maybe", "status"),
            ("/partnerships?started_after=2019-13-01", "started_after"),
            ("/partnerships?started_before=yesterday", "started_before"),
            ("/agencies?sort=bogus", "sort"),
            ("/agencies?count=perhaps", "count"),
            ("/sources?kind=rumour", "kind"),
        ];
        for (path, param) in cases {
            let body = problem(&app, path, 400).await;
            assert_eq!(body["code"], "invalid_parameter", "{path}: {body}");
            assert_eq!(body["parameter"], param, "{path}: {body}");
        }
    }
);

on_both_backends!(
    forged_and_foreign_cursors_are_invalid_cursor_errors,
    |app: TestApp| async move {
        for cursor in ["abc", "eyJxIjoiMSJ9.0000000000000000", "%00%01", "a.b.c"] {
            let body = problem(&app, &format!("/agencies?cursor={cursor}"), 400).await;
            assert_eq!(body["code"], "invalid_cursor");
            assert_eq!(body["parameter"], "cursor");
        }
        // A real cursor, used with another query.
        let page = app.get_json("/sources?limit=1").await;
        let next = page["next"].as_str().expect("seeded sources span pages");
        let body = problem(
            &app,
            &format!("/sources?limit=1&sort=title&cursor={next}"),
            400,
        )
        .await;
        assert_eq!(body["code"], "invalid_cursor");
    }
);

on_both_backends!(
    missing_records_and_routes_are_404_problems,
    |app: TestApp| async move {
        for path in [
            "/agencies/us-zz-nobody",
            "/partnerships/999999",
            "/partnerships/not-a-number",
            "/sources/999999",
            "/programs/nope",
            "/problems/nope",
        ] {
            let body = problem(&app, path, 404).await;
            assert_eq!(body["code"], "not_found", "{path}");
        }
        let body = problem(&app, "/no/such/route", 404).await;
        assert_eq!(body["code"], "route_not_found");
    }
);

on_both_backends!(a_wrong_method_is_a_405_problem, |app: TestApp| async move {
    let resp = app
        .client
        .delete(format!("{}/agencies", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
});

on_both_backends!(
    error_responses_carry_cors_headers_too,
    |app: TestApp| async move {
        let resp = app
            .client
            .get(format!("{}/agencies?state=ZZ", app.base))
            .header("Origin", "https://news.example")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        assert!(
            resp.headers().contains_key("access-control-allow-origin"),
            "{:?}",
            resp.headers()
        );
    }
);
