//! The exact contract: nothing a client sends is silently ignored (unknown parameters and
//! fields, values that name nothing, text that is not UTF-8), every date form the API writes
//! is read back, every list says how it understood the query, and HTTP is as RFC 9110 says
//! (If-Match, 405 with Allow, HEAD, CORS preflights).

use crate::edits::seed_records;
use crate::helpers::{Backend, Fixture, TestApp};
use crate::on_both_backends;
use reqwest::Method;
use ring_partnerships::domain::AgencyType;
use serde_json::{Value, json};

async fn problem(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "application/problem+json", "status {status}");
    (status, resp.json().await.unwrap())
}

/// Every operation path of the served spec with sample values for its path parameters,
/// with the methods it documents.
async fn spec_paths(app: &TestApp) -> Vec<(String, Vec<String>)> {
    let spec = app.get_json("/openapi.json").await;
    spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(template, item)| {
            let path = template
                .replace("{collection}", "agencies")
                .replace("{collection_id}", "agencies")
                .replace("{code}", "not_found")
                .replace("{file}", "agencies.csv")
                .replace("{n}", "1")
                .replace("{feature_id}", "x")
                .replace("{id}", "x");
            let methods = item
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters")
                .cloned()
                .collect();
            (path, methods)
        })
        .collect()
}

#[tokio::test]
async fn an_unknown_query_parameter_is_refused_on_every_route_naming_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // With a token: an operation that needs one answers 401 first when it has none (who is
    // asking comes before what they asked); with one, every route judges its parameters.
    let token = app.token("admin", "params").await;
    let paths = spec_paths(&app).await;
    assert!(paths.len() > 30, "{paths:?}");
    let extra =
        ["/openapi.json", "/docs", "/metrics"].map(|p| (p.to_string(), vec!["get".to_string()]));
    for (path, methods) in paths.into_iter().chain(extra) {
        for method in methods {
            let m: Method = method.to_uppercase().parse().unwrap();
            let resp = app
                .client
                .request(m.clone(), format!("{}{path}?zzq_unknown=1", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let (status, body) = problem(resp).await;
            assert_eq!(status, 400, "{m} {path}: {body}");
            assert_eq!(body["code"], "unknown_parameter", "{m} {path}");
            assert_eq!(body["parameter"], "zzq_unknown", "{m} {path}");
        }
    }
}

#[tokio::test]
async fn an_unknown_parameter_names_the_closest_known_one() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (query, hint) in [
        ("/partnerships?stat=WI", "did you mean `state`?"),
        (
            "/partnerships?near=43,-88&radius_km=3",
            "did you mean `radius`?",
        ),
        ("/agencies?offset=100", "pages with `cursor`"),
        (
            "/collections/agencies/items?offset=10",
            "pages with `cursor`",
        ),
        ("/stats?State=WI", "did you mean `state`?"),
    ] {
        let (status, body) = problem(app.get(query).await).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["code"], "unknown_parameter");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(hint), "{query}: {detail}");
    }
    // Documented parameters pass, the OGC `f` included.
    for ok in [
        "/partnerships?state=WI&status=active",
        "/collections?f=json",
        "/collections/agencies/items?f=json&limit=1",
        "/conformance?f=json",
        "/?f=json",
        "/agencies.csv?state=WI",
    ] {
        assert_eq!(app.get(ok).await.status(), 200, "{ok}");
    }
    // A format suffix on a route that has no file form is no silent JSON answer.
    assert_eq!(app.get("/agencies/x.csv").await.status(), 404);
}

#[tokio::test]
async fn a_query_that_is_not_utf8_is_a_400_not_a_search_for_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in [
        "/agencies?q=%ff%fe",
        "/partnerships?q=%C3",
        "/sources?%ff=1",
    ] {
        let (status, body) = problem(app.get(path).await).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["code"], "invalid_parameter", "{path}");
    }
    assert_eq!(app.get("/agencies?q=caf%C3%A9").await.status(), 200);
}

on_both_backends!(
    unknown_fields_in_bodies_are_refused_and_a_bare_geometry_is_told_to_use_within,
    |app: TestApp| async move {
        for path in ["/agencies/search", "/partnerships/search"] {
            let resp = app
                .send(Method::POST, path, None, None, Some(json!({})))
                .await;
            assert_eq!(
                resp.status(),
                200,
                "{path}: an empty search is every record"
            );
            let resp = app
                .send(
                    Method::POST,
                    path,
                    None,
                    None,
                    Some(json!({"stat": ["WI"]})),
                )
                .await;
            let (status, body) = problem(resp).await;
            assert_eq!(status, 400, "{path}");
            assert_eq!(body["parameter"], "stat", "{path}: {body}");
            let polygon = json!({"type": "Polygon", "coordinates": [[[-90.0, 42.0], [-87.0, 42.0], [-87.0, 45.0], [-90.0, 42.0]]]});
            let resp = app
                .send(Method::POST, path, None, None, Some(polygon))
                .await;
            let (status, body) = problem(resp).await;
            assert_eq!(status, 400, "{path}");
            assert!(
                body["detail"].as_str().unwrap().contains("`within`"),
                "{path}: {body}"
            );
        }
        // Edits too.
        let token = app.token("editor", "ed").await;
        let resp = app
            .send(
                Method::POST,
                "/sources",
                Some(&token),
                None,
                Some(json!({
                    "record": {"url": "https://news.example/z", "title": "T", "kind": "news", "colour": "red"},
                    "change": {"kind": "created", "note": "n", "new_sources": []}
                })),
            )
            .await;
        let (status, body) = problem(resp).await;
        assert_eq!(status, 400);
        assert!(
            body["detail"].as_str().unwrap().contains("colour"),
            "{body}"
        );
    }
);

on_both_backends!(
    a_value_that_names_nothing_is_a_400,
    |app: TestApp| async move {
        let source = Fixture {
            dataset: &app.dataset,
        }
        .source("https://news.example/1", "One")
        .await;
        Fixture {
            dataset: &app.dataset,
        }
        .agency_with_partnership(
            "WI",
            "Greenfield Police Department",
            AgencyType::Police,
            "2019-08",
            source,
        )
        .await;
        for (path, param) in [
            ("/partnerships?program=ring-neighbours", "program"),
            ("/partnerships.csv?program=nope", "program"),
            ("/stats?program=nope", "program"),
            ("/partnerships?agency=us-wi-nowhere-police", "agency"),
            ("/sources?kind=blog", "kind"),
            ("/agencies?state=ZZ", "state"),
        ] {
            let (status, body) = problem(app.get(path).await).await;
            assert_eq!(status, 400, "{path}: {body}");
            assert_eq!(body["parameter"], param, "{path}");
        }
        let ok = app
            .get_json("/partnerships?program=ring-neighbors-public-safety-service")
            .await;
        assert_eq!(ok["data"].as_array().unwrap().len(), 1);
        let ok = app
            .get_json("/partnerships?agency=us-wi-greenfield-police-department")
            .await;
        assert_eq!(ok["data"].as_array().unwrap().len(), 1);
    }
);

on_both_backends!(
    every_date_form_the_api_writes_is_read_with_a_documented_meaning,
    |app: TestApp| async move {
        let f = Fixture {
            dataset: &app.dataset,
        };
        let source = f.source("https://news.example/1", "One").await;
        f.agency_with_partnership(
            "WI",
            "Early Police Department",
            AgencyType::Police,
            "2018-03-22",
            source,
        )
        .await;
        f.agency_with_partnership(
            "WI",
            "Late Police Department",
            AgencyType::Police,
            "2019-08",
            source,
        )
        .await;
        let names = |v: Value| -> Vec<String> {
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["agency"]["name"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        let app = &app;
        let list = |q: &str| {
            let path = format!("/partnerships?sort=start&{q}");
            async move { names(app.get_json(&path).await) }
        };
        // `started_after=2019`: in 2019 or later; `started_before=2019`: before 2019.
        assert_eq!(list("started_after=2019").await, ["Late Police Department"]);
        assert_eq!(
            list("started_after=2019-08").await,
            ["Late Police Department"]
        );
        assert_eq!(list("started_after=2019-09").await, Vec::<String>::new());
        assert_eq!(
            list("started_before=2019").await,
            ["Early Police Department"]
        );
        assert_eq!(
            list("started_before=2018-03-23").await,
            ["Early Police Department"]
        );
        assert_eq!(
            list("started_after=2018&started_before=2020").await,
            ["Early Police Department", "Late Police Department"]
        );
        // `active_on` with a month: possibly active on some day of it.
        assert_eq!(list("active_on=2018-06").await, ["Early Police Department"]);
        assert_eq!(list("active_on=2019").await.len(), 2);
        for bad in [
            "started_after=2019-13",
            "started_before=19",
            "active_on=2019-02-30",
        ] {
            let (status, body) = problem(app.get(&format!("/partnerships?{bad}")).await).await;
            assert_eq!(status, 400, "{bad}");
            let detail = body["detail"].as_str().unwrap();
            assert!(
                detail.contains("YYYY-MM-DD, YYYY-MM or YYYY"),
                "{bad}: {detail}"
            );
        }
        let (status, body) = problem(
            app.get("/partnerships?active_on=2019&footage_requests=true")
                .await,
        )
        .await;
        assert_eq!(
            (status, body["parameter"].as_str()),
            (400, Some("footage_requests"))
        );
    }
);

on_both_backends!(
    every_list_echoes_its_query_and_warns_of_likely_mistakes,
    |app: TestApp| async move {
        let source = Fixture {
            dataset: &app.dataset,
        }
        .source("https://news.example/1", "One")
        .await;
        // The fixture's agencies are at 43, -88 (Wisconsin).
        Fixture {
            dataset: &app.dataset,
        }
        .agency_with_partnership(
            "WI",
            "Greenfield Police Department",
            AgencyType::Police,
            "2019-08",
            source,
        )
        .await;
        let v = app.get_json("/partnerships?near=43,-88&radius=25").await;
        let q = &v["meta"]["query"];
        assert_eq!(q["near"], json!({"lat": 43.0, "lon": -88.0}), "{q}");
        assert_eq!(q["radius_m"], json!(25.0));
        assert_eq!(q["sort"], "distance");
        let codes: Vec<&str> = v["meta"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["radius_without_unit"]);
        // lon,lat by mistake: nothing near the point read, the data near its swap.
        for path in [
            "/agencies?near=-88,43",
            "/partnerships?near=-88,43",
            "/stats?near=-88,43",
        ] {
            let v = app.get_json(path).await;
            let w = &v["meta"]["warnings"];
            assert_eq!(w[0]["code"], "near_maybe_swapped", "{path}: {w}");
            assert!(
                w[0]["detail"].as_str().unwrap().contains("near=43,-88"),
                "{w}"
            );
        }
        let v = app.get_json("/agencies?near=43,-88&radius=25km").await;
        assert_eq!(v["meta"]["warnings"], json!([]));
        assert_eq!(v["meta"]["query"]["radius_m"], json!(25000.0));
        let v = app
            .get_json("/partnerships?state=wi&started_after=2019&active_on=2019-02&limit=5")
            .await;
        let q = &v["meta"]["query"];
        assert_eq!(q["state"], json!(["WI"]));
        assert_eq!(q["started_on_or_after"], "2019-01-01");
        assert_eq!(
            q["active_during"],
            json!({"from": "2019-02-01", "to": "2019-02-28"})
        );
        assert_eq!(q["limit"], 5);
        let v = app.get_json("/sources?kind=news&sort=-published").await;
        assert_eq!(v["meta"]["query"]["kind"], json!(["news"]));
        assert_eq!(v["meta"]["query"]["sort"], "-published");
        assert!(app.get_json("/programs").await["meta"]["query"].is_object());
    }
);

on_both_backends!(
    if_match_with_any_well_formed_tag_that_does_not_match_is_412,
    |app: TestApp| async move {
        let token = app.token("editor", "ed").await;
        let (source, agency, _) = seed_records(&app, &token).await;
        let path = format!("/agencies/{agency}");
        let body = || {
            Some(json!({"record": {"notes": "n"},
                        "change": {"kind": "correction", "note": "t", "sources": [source]}}))
        };
        for tag in [
            "W/\"v1\"",
            "\"abc\"",
            "\"v9\", \"x\"",
            "W/\"v1\", \"v2\"",
            "\"a,b\"",
        ] {
            let resp = app
                .send(Method::PATCH, &path, Some(&token), Some(tag), body())
                .await;
            let (status, p) = problem(resp).await;
            assert_eq!(status, 412, "{tag}: {p}");
        }
        for bad in ["v1", "\"v1", "W/v1", "\"v1\" \"v2\""] {
            let resp = app
                .send(Method::PATCH, &path, Some(&token), Some(bad), body())
                .await;
            let (status, p) = problem(resp).await;
            assert_eq!(status, 400, "{bad}: {p}");
        }
        let resp = app
            .send(Method::PATCH, &path, Some(&token), Some("*"), body())
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        let resp = app
            .send(
                Method::PATCH,
                &path,
                Some(&token),
                Some("\"x\", \"v2\""),
                body(),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    }
);

#[tokio::test]
async fn http_methods_are_as_rfc_9110_says() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // 405 with Allow.
    let resp = app
        .client
        .put(format!("{}/agencies", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let allow = resp.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let (_, body) = problem(resp).await;
    assert_eq!(body["code"], "method_not_allowed");
    // HEAD answers every GET route as GET does, without a body.
    for (path, methods) in spec_paths(&app).await {
        if !methods.iter().any(|m| m == "get") {
            continue;
        }
        let get = app.get(&path).await.status();
        let head = app
            .client
            .head(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get, "HEAD {path}");
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path}");
    }
    // A plain OPTIONS says what the route allows.
    let resp = app
        .client
        .request(Method::OPTIONS, format!("{}/agencies/x", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(resp.headers()["allow"].to_str().unwrap().contains("PATCH"));
    // A CORS preflight allows every request header the API documents.
    let wanted = "x-request-id, if-match, if-none-match, accept, accept-language, authorization, content-type";
    let resp = app
        .client
        .request(Method::OPTIONS, format!("{}/agencies", app.base))
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", wanted)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let allowed = resp.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in wanted.split(", ") {
        assert!(allowed.contains(h), "{h} not in {allowed}");
    }
}

on_both_backends!(
    location_link_and_ogc_links_are_absolute_under_the_public_address,
    |app: TestApp| async move {
        let token = app.token("editor", "abs").await;
        seed_records(&app, &token).await;
        // A list's `Link` header: the address the client used (its Host), then a proxy's.
        let resp = app.get("/sources?limit=1").await;
        let link = resp.headers()["link"].to_str().unwrap().to_string();
        assert!(
            link.starts_with(&format!("<{}/sources?", app.base)),
            "{link}"
        );
        let resp = app
            .client
            .get(format!("{}/sources?limit=1", app.base))
            .header("host", "ring.example.org")
            .send()
            .await
            .unwrap();
        let link = resp.headers()["link"].to_str().unwrap();
        assert!(
            link.starts_with("<http://ring.example.org/sources?"),
            "{link}"
        );
        // Each OGC link, on the landing page, the collections and a page of items.
        for path in [
            "/",
            "/collections",
            "/collections/agencies",
            "/collections/agencies/items?limit=1",
        ] {
            let body = app.get_json(path).await;
            let mut hrefs = Vec::new();
            let mut todo = vec![&body];
            while let Some(v) = todo.pop() {
                match v {
                    Value::Object(m) => {
                        if let Some(Value::Array(links)) = m.get("links") {
                            hrefs.extend(links.iter().filter_map(|l| l["href"].as_str()));
                        }
                        todo.extend(m.values());
                    }
                    Value::Array(items) => todo.extend(items),
                    _ => {}
                }
            }
            assert!(hrefs.len() >= 2, "{path}: {hrefs:?}");
            for h in hrefs {
                assert!(h.starts_with(&format!("{}/", app.base)), "{path}: {h}");
                // And each resolves.
                let r = app.client.get(h).send().await.unwrap();
                assert!(r.status().is_success(), "{path}: {h} -> {}", r.status());
            }
        }
    }
);

on_both_backends!(
    a_body_value_of_the_wrong_json_type_is_a_400_naming_the_field_and_writes_nothing,
    |app: TestApp| async move {
        let token = app.token("editor", "types").await;
        let (source, agency, _) = seed_records(&app, &token).await;
        let before = app.get_json("/changes?since=0&limit=1000").await["data"]
            .as_array()
            .unwrap()
            .len();
        // A search: a boolean for a string, a number in a list of strings, a string limit.
        for (body, field) in [
            (json!({"q": false}), "q"),
            (json!({"state": ["WI", 5]}), "state[1]"),
            (json!({"limit": "5"}), "limit"),
        ] {
            for path in ["/agencies/search", "/partnerships/search"] {
                let resp = app
                    .send(Method::POST, path, None, None, Some(body.clone()))
                    .await;
                assert_eq!(resp.status(), 400, "{path} {body}");
                let p: Value = resp.json().await.unwrap();
                assert_eq!(p["code"], "invalid_body", "{path} {body}");
                assert_eq!(p["parameter"], field, "{path} {body}");
            }
        }
        // An edit: a number for the name would have been stored as the text "5".
        let current = app.get(&format!("/agencies/{agency}")).await;
        let etag = current.headers()["etag"].to_str().unwrap().to_string();
        let resp = app
            .send(
                Method::PATCH,
                &format!("/agencies/{agency}"),
                Some(&token),
                Some(&etag),
                Some(json!({
                    "record": {"name": 5},
                    "change": {"kind": "correction", "note": "typo", "sources": [source]}
                })),
            )
            .await;
        assert_eq!(resp.status(), 400);
        let p: Value = resp.json().await.unwrap();
        assert_eq!(p["parameter"], "record.name", "{p}");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("must be a string, not an integer"),
            "{p}"
        );
        let after = app.get_json("/changes?since=0&limit=1000").await["data"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(before, after);
        assert_eq!(
            app.get_json(&format!("/agencies/{agency}")).await["name"],
            "Town Police Department"
        );
    }
);

on_both_backends!(
    an_empty_parameter_value_is_a_400_not_every_record,
    |app: TestApp| async move {
        let token = app.token("editor", "empty").await;
        seed_records(&app, &token).await;
        for (path, name) in [
            ("/partnerships?state=", "state"),
            ("/stats?status=", "status"),
            ("/agencies?q=&limit=5", "q"),
            ("/collections/agencies/items?bbox=", "bbox"),
            ("/partnerships?near=&radius=10km", "near"),
        ] {
            let resp = app.get(path).await;
            assert_eq!(resp.status(), 400, "{path}");
            let p: Value = resp.json().await.unwrap();
            assert_eq!(p["code"], "invalid_parameter", "{path}");
            assert_eq!(p["parameter"], name, "{path}");
            assert!(p["detail"].as_str().unwrap().contains("is empty"), "{path}");
        }
        // Left out, it is every record.
        assert_eq!(app.get("/stats").await.status(), 200);
    }
);

on_both_backends!(
    ogc_items_and_the_change_feed_echo_the_query_as_understood,
    |app: TestApp| async move {
        let token = app.token("editor", "echo").await;
        seed_records(&app, &token).await;
        let feed = app.get_json("/changes?since=1&limit=2").await;
        assert_eq!(feed["meta"]["query"], json!({"since": 1, "limit": 2}));
        assert!(feed["meta"]["dataset_version"].as_i64().unwrap() >= 2);
        let items = app
            .get_json("/collections/partnerships/items?bbox=-90,40,-85,45&datetime=2019-01-01/2019-12-31&limit=5000")
            .await;
        let q = &items["meta"]["query"];
        assert_eq!(
            q["bbox"],
            json!({"min_lon": -90.0, "min_lat": 40.0, "max_lon": -85.0, "max_lat": 45.0})
        );
        // Asked 5,000: a page holds at most 1,000, and the echo says so.
        assert_eq!(q["limit"], 1000);
        assert_eq!(
            q["active_during"],
            json!({"from": "2019-01-01", "to": "2019-12-31"})
        );
        let agencies = app
            .get_json("/collections/agencies/items?datetime=2019-06-01")
            .await;
        assert_eq!(agencies["meta"]["query"]["limit"], 10);
        assert_eq!(
            agencies["meta"]["query"]["active_during"],
            json!({"from": "2019-06-01", "to": "2019-06-01"})
        );
    }
);

#[tokio::test]
async fn an_operation_that_needs_a_token_answers_401_before_judging_its_parameters() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for (m, path) in [
        (Method::GET, "/reports?status=&zzq=1"),
        (Method::PATCH, "/agencies/x?zzq=1"),
        (Method::DELETE, "/sources/1?zzq=1"),
    ] {
        let resp = app
            .client
            .request(m.clone(), format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(resp).await;
        assert_eq!(status, 401, "{m} {path}: {body}");
        assert_eq!(body["code"], "unauthorized", "{m} {path}");
    }
}
