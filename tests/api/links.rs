//! Every link resolves: for a sample response of every GET operation the spec documents
//! (lists, details, OGC, Atom, downloads, history, statistics, reports), each `href`, each
//! `url`, each `Link` header target and each Atom link on this server is followed and must
//! answer 2xx; so is the `Location` of a write. An operation the spec gains without a
//! sample here fails the test, so the sample stays whole.

use crate::edits::seed_records;
use crate::helpers::TestApp;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The links inside a JSON answer: strings under `href`, `url`, `*_url` and `history` keys
/// that are paths or URLs of this server.
fn json_links(v: &Value, base: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let linky = k == "href" || k == "url" || k.ends_with("_url") || k == "history";
                match v {
                    Value::String(s) if linky => {
                        if s.starts_with('/') && !s.starts_with("//") {
                            out.insert(format!("{base}{s}"));
                        } else if s.starts_with(base) {
                            out.insert(s.clone());
                        }
                    }
                    _ => json_links(v, base, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| json_links(i, base, out)),
        _ => {}
    }
}

/// The targets on this server of a `Link` header (`<...>`) or of an Atom document's
/// `href="..."`s.
fn text_links(text: &str, atom: bool, base: &str, out: &mut BTreeSet<String>) {
    let (open, close) = if atom { ("href=\"", "\"") } else { ("<", ">") };
    {
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            let Some(j) = rest.find(close) else { break };
            let target = rest[..j].replace("&amp;", "&");
            if target.starts_with('/') && !target.starts_with("//") {
                out.insert(format!("{base}{target}"));
            } else if target.starts_with(base) {
                out.insert(target);
            }
            rest = &rest[j..];
        }
    }
}

on_both_backends!(
    every_link_of_every_operation_resolves,
    |app: TestApp| async move {
        let token = app.token("admin", "links").await;
        let (source, agency, partnership) = seed_records(&app, &token).await;
        // A report, so that its routes have something to show.
        let resp = app
            .send(
                Method::POST,
                "/reports",
                None,
                None,
                Some(json!({
                    "record": format!("agencies/{agency}"),
                    "what": "The start date is a year off.",
                    "evidence_url": "https://news.example/c",
                })),
            )
            .await;
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
        let mut links: BTreeSet<String> = BTreeSet::new();
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(&app.base), "{location}");
        links.insert(location);
        let report: Value = resp.json().await.unwrap();
        let first = |path: &str| {
            let app = &app;
            let path = path.to_string();
            async move {
                let v = app.get_json(&path).await;
                v["data"][0]["id"].clone()
            }
        };
        let program = first("/programs").await;
        let phase = first("/phases").await;
        let citation = first("/citations").await;
        let problem = app.get_json("/problems").await[0]["code"].clone();
        let downloads = app.get_json("/downloads").await;
        let file = downloads["data"][0]["name"].as_str().unwrap().to_string();
        let s = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // A sample request of each GET operation, by its path template.
        let samples = |template: &str| -> Option<Vec<String>> {
            Some(match template {
                "/" => vec!["/".into()],
                "/health" => vec!["/health".into()],
                "/problems" => vec!["/problems".into()],
                "/problems/{code}" => vec![format!("/problems/{}", s(&problem))],
                "/agencies" => vec!["/agencies?limit=1".into(), "/agencies?state=WI".into()],
                "/agencies/{id}" => vec![format!("/agencies/{agency}")],
                "/partnerships" => vec!["/partnerships?limit=1".into()],
                "/partnerships/{id}" => vec![format!("/partnerships/{partnership}")],
                "/programs" => vec!["/programs".into()],
                "/programs/{id}" => vec![format!("/programs/{}", s(&program))],
                "/sources" => vec!["/sources?limit=1".into()],
                "/sources/{id}" => vec![format!("/sources/{source}")],
                "/phases" => vec!["/phases?limit=1".into()],
                "/phases/{id}" => vec![format!("/phases/{}", s(&phase))],
                "/citations" => vec!["/citations?limit=1".into()],
                "/citations/{id}" => vec![format!("/citations/{}", s(&citation))],
                "/conformance" => vec!["/conformance".into()],
                "/collections" => vec!["/collections".into()],
                "/collections/{collection_id}" => vec![
                    "/collections/agencies".into(),
                    "/collections/partnerships".into(),
                ],
                "/collections/{collection_id}/items" => vec![
                    "/collections/agencies/items?limit=1".into(),
                    "/collections/partnerships/items?limit=1".into(),
                ],
                "/collections/{collection_id}/schema" => vec![
                    "/collections/agencies/schema".into(),
                    "/collections/partnerships/schema".into(),
                ],
                "/collections/{collection_id}/queryables" => vec![
                    "/collections/agencies/queryables".into(),
                    "/collections/partnerships/queryables".into(),
                ],
                "/collections/{collection_id}/items/{feature_id}" => vec![
                    format!("/collections/agencies/items/{agency}"),
                    format!("/collections/partnerships/items/{partnership}"),
                ],
                "/{collection}/{id}/history" => vec![
                    format!("/agencies/{agency}/history"),
                    format!("/partnerships/{partnership}/history"),
                    format!("/sources/{source}/history"),
                ],
                "/{collection}/{id}/versions/{n}" => {
                    vec![format!("/partnerships/{partnership}/versions/1")]
                }
                "/{collection}/{id}/diff" => {
                    vec![format!("/partnerships/{partnership}/diff?from=1&to=1")]
                }
                "/changes" => vec!["/changes?since=0&limit=3".into()],
                "/changes.atom" => vec!["/changes.atom?limit=3".into()],
                "/downloads" => vec!["/downloads".into()],
                "/downloads/{file}" => vec![format!("/downloads/{file}")],
                "/stats" => vec!["/stats".into()],
                "/reports" => vec!["/reports".into()],
                "/reports/{id}" => vec![format!("/reports/{}", report["id"])],
                _ => return None,
            })
        };
        let spec = app.get_json("/openapi.json").await;
        let mut missing = Vec::new();
        for (template, item) in spec["paths"].as_object().unwrap() {
            if item.get("get").is_none() {
                continue;
            }
            let Some(paths) = samples(template) else {
                missing.push(template.clone());
                continue;
            };
            for path in paths {
                let resp = app
                    .client
                    .get(format!("{}{path}", app.base))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert!(resp.status().is_success(), "{path}: {}", resp.status());
                for v in resp.headers().get_all("link") {
                    text_links(v.to_str().unwrap(), false, &app.base, &mut links);
                }
                let json = resp
                    .headers()
                    .get("content-type")
                    .is_some_and(|t| t.to_str().unwrap().contains("json"));
                let atom = resp
                    .headers()
                    .get("content-type")
                    .is_some_and(|t| t.to_str().unwrap().contains("atom"));
                let body = resp.bytes().await.unwrap();
                if json {
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    json_links(&v, &app.base, &mut links);
                } else if atom {
                    text_links(&String::from_utf8_lossy(&body), true, &app.base, &mut links);
                }
            }
        }
        assert!(missing.is_empty(), "no sample for {missing:?}");
        assert!(links.len() > 30, "{} links: {links:?}", links.len());
        let mut broken = Vec::new();
        for link in &links {
            let resp = app
                .client
                .get(link)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            if !resp.status().is_success() {
                broken.push(format!("{} {link}", resp.status()));
            }
        }
        assert!(broken.is_empty(), "{broken:#?}");
    }
);
