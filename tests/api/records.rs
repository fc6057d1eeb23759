//! `/phases` and `/citations`: lists with filters, keyset paging and exports; details with
//! their history link.

use crate::helpers::{Fixture, PROGRAM, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;

on_both_backends!(
    phases_list_filters_by_program_and_status_and_pages_by_cursor,
    |app: TestApp| async move {
        let all = app.get_json("/phases?count=true").await;
        let total = all["total"].as_u64().unwrap();
        assert!(total >= 3, "the seeded program has phases: {all}");
        assert!(
            all["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["program_id"] == PROGRAM)
        );

        // One at a time by cursor, following `Link`, gives every phase once, in id order.
        let mut ids = Vec::new();
        let mut path = "/phases?limit=1".to_string();
        loop {
            let resp = app.get(&path).await;
            assert_eq!(resp.status(), 200, "{path}");
            let link = resp
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_string());
            let page: serde_json::Value = resp.json().await.unwrap();
            ids.push(page["data"][0]["id"].as_str().unwrap().to_string());
            match link {
                Some(l) => {
                    path = l
                        .trim_start_matches('<')
                        .split_once(">;")
                        .unwrap()
                        .0
                        .to_string()
                }
                None => {
                    assert!(page["next"].is_null());
                    break;
                }
            }
        }
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len() as u64, total);

        let ended = app.get_json("/phases?status=ended&count=true").await;
        assert!(
            ended["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["status"] == "ended")
        );
        assert!(ended["total"].as_u64().unwrap() < total);
        let both = app.get_json("/phases?status=ended,active&count=true").await;
        let split = app
            .get_json("/phases?status=ended&status=active&count=true")
            .await;
        assert_eq!(both["total"], split["total"]);

        // Values that name nothing are refused, never answered with an empty list.
        for (query, param) in [
            ("program=no-such-program", "program"),
            ("status=over", "status"),
            ("sort=colour", "sort"),
        ] {
            let resp = app.get(&format!("/phases?{query}")).await;
            assert_eq!(resp.status(), 400, "{query}");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["parameter"], param, "{query}: {body}");
        }
        let named = app
            .get_json(&format!("/phases?program={PROGRAM}&sort=-start"))
            .await;
        assert_eq!(named["data"].as_array().unwrap().len() as u64, total);
    }
);

on_both_backends!(
    phase_detail_links_its_history_and_program,
    |app: TestApp| async move {
        let list = app.get_json("/phases").await;
        let id = list["data"][0]["id"].as_str().unwrap().to_string();
        let resp = app.get(&format!("/phases/{id}")).await;
        assert_eq!(resp.status(), 200);
        let link = resp.headers()["link"]
            .to_str()
            .unwrap()
            .replace(&format!("<{}/", app.base), "</");
        assert!(resp.headers().contains_key("etag"));
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["id"], id);
        assert!(body["citations"].is_array());
        assert!(
            link.contains(&format!("</phases/{id}/history>; rel=\"version-history\"")),
            "{link}"
        );
        assert_eq!(
            app.get(&format!("/phases/{id}/history")).await.status(),
            200
        );
        let missing = app.get("/phases/no-such-phase").await;
        assert_eq!(missing.status(), 404);
    }
);

on_both_backends!(
    phase_exports_are_csv_and_ndjson_of_every_match,
    |app: TestApp| async move {
        let json = app.get_json("/phases?count=true").await;
        let total = json["total"].as_u64().unwrap() as usize;
        let csv = app.get("/phases.csv").await;
        assert_eq!(csv.status(), 200);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("id,program_id,name"));
        assert_eq!(lines.count(), total);
        let nd = app
            .get("/phases?format=ndjson&status=ended")
            .await
            .text()
            .await
            .unwrap();
        assert!(nd.lines().count() >= 1);
        for line in nd.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["status"], "ended");
        }
    }
);

on_both_backends!(
    citations_list_filters_by_source_and_record_and_pages_by_cursor,
    |app: TestApp| async move {
        let f = Fixture {
            dataset: &app.dataset,
        };
        let s1 = f.source("https://example.org/one", "One").await;
        let s2 = f.source("https://example.org/two", "Two").await;
        let (agency, p1) = f
            .agency_with_partnership(
                "WI",
                "Greenfield Police Department",
                AgencyType::Police,
                "2019-02",
                s1,
            )
            .await;
        let (_, p2) = f
            .agency_with_partnership(
                "MN",
                "Duluth Police Department",
                AgencyType::Police,
                "2020",
                s2,
            )
            .await;

        // The seeded programs and phases cite sources too: the fixture's are these four.
        let all = app.get_json("/citations?count=true").await;
        let seeded = all["total"].as_u64().unwrap() - 4;
        let mine = format!("source={s1},{s2}");
        let by_source = app
            .get_json(&format!("/citations?source={s1}&count=true"))
            .await;
        assert_eq!(by_source["total"], 2);
        assert!(
            by_source["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["source_id"] == s1)
        );
        let by_record = app
            .get_json(&format!(
                "/citations?record_kind=partnership&record_id={p2}"
            ))
            .await;
        let data = by_record["data"].as_array().unwrap();
        assert_eq!(data.len(), 1);
        assert_eq!(data[0]["record_kind"], "partnership");
        assert_eq!(data[0]["record_id"], p2.to_string());
        let kinds = app
            .get_json(&format!(
                "/citations?record_kind=agency,partnership&source={s1},{s2}&count=true"
            ))
            .await;
        assert_eq!(kinds["total"], 4);
        let agency_only = app
            .get_json(&format!("/citations?record_id={agency}"))
            .await;
        assert_eq!(agency_only["data"][0]["record_kind"], "agency");
        let _ = p1;

        // Pages of one, ascending then descending, each give every citation once.
        for (sort, descending) in [("id", false), ("-id", true)] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let path = match &cursor {
                    Some(c) => format!("/citations?{mine}&limit=1&sort={sort}&cursor={c}"),
                    None => format!("/citations?{mine}&limit=1&sort={sort}"),
                };
                let page = app.get_json(&path).await;
                seen.push(page["data"][0]["id"].as_i64().unwrap());
                match page["next"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => break,
                }
            }
            let mut want = seen.clone();
            want.sort();
            if descending {
                want.reverse();
            }
            assert_eq!(seen, want, "{sort}");
            assert_eq!(seen.len(), 4);
        }
        // A count asked with a cursor still counts every match.
        let first = app.get_json("/citations?limit=1").await;
        let next = first["next"].as_str().unwrap();
        let second = app
            .get_json(&format!("/citations?limit=1&count=true&cursor={next}"))
            .await;
        assert_eq!(second["total"].as_u64().unwrap(), seeded + 4);
        assert!(seeded > 0);

        for (query, param) in [
            ("source=999999", "source"),
            ("source=abc", "source"),
            ("record_kind=person", "record_kind"),
            ("sort=published", "sort"),
        ] {
            let resp = app.get(&format!("/citations?{query}")).await;
            assert_eq!(resp.status(), 400, "{query}");
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["parameter"], param, "{query}: {body}");
        }

        let csv = app
            .get(&format!("/citations.csv?source={s2}"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .starts_with("id,source_id,entity_kind")
        );
        let nd = app.get("/citations.ndjson").await.text().await.unwrap();
        assert_eq!(nd.lines().count() as u64, seeded + 4);
    }
);

on_both_backends!(
    citation_detail_links_its_history_source_and_record,
    |app: TestApp| async move {
        let f = Fixture {
            dataset: &app.dataset,
        };
        let s = f.source("https://example.org/one", "One").await;
        let (_, p) = f
            .agency_with_partnership(
                "WI",
                "Greenfield Police Department",
                AgencyType::Police,
                "2019-02",
                s,
            )
            .await;
        let list = app
            .get_json(&format!("/citations?record_kind=partnership&record_id={p}"))
            .await;
        let id = list["data"][0]["id"].as_i64().unwrap();
        let resp = app.get(&format!("/citations/{id}")).await;
        assert_eq!(resp.status(), 200);
        let link = resp.headers()["link"]
            .to_str()
            .unwrap()
            .replace(&format!("<{}/", app.base), "</");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["source_id"], s);
        assert_eq!(body["quote"], "a quote");
        assert!(
            link.contains(&format!("</citations/{id}/history>")),
            "{link}"
        );
        assert!(link.contains(&format!("</sources/{s}>")), "{link}");
        assert!(link.contains(&format!("</partnerships/{p}>")), "{link}");
        for href in link
            .split(", ")
            .map(|l| l.trim_start_matches('<').split_once('>').unwrap().0)
        {
            assert_eq!(app.get(href).await.status(), 200, "{href}");
        }
        assert_eq!(app.get("/citations/987654").await.status(), 404);
        assert_eq!(app.get("/citations/abc").await.status(), 404);
    }
);

/// The `href` of every `<link rel="…">` of the feed (not of its entries).
fn feed_links(xml: &str) -> Vec<(String, String)> {
    let head = xml.split("<entry>").next().unwrap();
    head.split("<link ")
        .skip(1)
        .map(|l| {
            let attr = |name: &str| {
                l.split(&format!("{name}=\""))
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .replace("&amp;", "&")
            };
            (attr("rel"), attr("href"))
        })
        .collect()
}

fn entry_titles(xml: &str) -> Vec<String> {
    xml.split("<entry>")
        .skip(1)
        .map(|e| {
            e.split("<title>")
                .nth(1)
                .unwrap()
                .split("</title>")
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

on_both_backends!(
    atom_feed_pages_by_next_links_and_titles_read_as_news,
    |app: TestApp| async move {
        let editor = app.token("editor", "feed").await;
        let f = Fixture {
            dataset: &app.dataset,
        };
        let s = f.source("https://example.org/one", "One").await;
        let (_, p) = f
            .agency_with_partnership(
                "WI",
                "Greenfield Police Department",
                AgencyType::Police,
                "2019-02",
                s,
            )
            .await;
        let resp = app
            .send(
                reqwest::Method::PATCH,
                &format!("/partnerships/{p}"),
                Some(&editor),
                Some("\"v1\""),
                Some(serde_json::json!({
                    "record": {"status": "ended", "end": "2024-01"},
                    "change": {"kind": "ended", "note": "the city ended it", "sources": [s]}
                })),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());

        let newest = app.get("/changes.atom?limit=2").await.text().await.unwrap();
        let titles = entry_titles(&newest);
        assert_eq!(
            titles[0], "Greenfield Police Department (WI): partnership ended",
            "{newest}"
        );
        assert!(
            !titles
                .iter()
                .any(|t| t.contains("import") || t.contains("version")),
            "{titles:?}"
        );

        // Following `next` from the newest page visits every revision once, newest first;
        // every page link resolves to a feed.
        let head = app.dataset.read().seq();
        let mut seen = Vec::new();
        let mut url = format!("{}/changes.atom?limit=7", app.base);
        let mut pages = 0;
        loop {
            let resp = app.client.get(&url).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{url}");
            let xml = resp.text().await.unwrap();
            pages += 1;
            for id in xml.split("revision/").skip(1) {
                seen.push(id.split('<').next().unwrap().parse::<i64>().unwrap());
            }
            let links = feed_links(&xml);
            for (rel, href) in &links {
                let r = app.client.get(href).send().await.unwrap();
                assert_eq!(r.status(), 200, "{rel} {href}");
            }
            let rel = |name: &str| {
                links
                    .iter()
                    .find(|(r, _)| r == name)
                    .map(|(_, h)| h.clone())
            };
            assert!(rel("first").is_some() && rel("self").is_some());
            if pages > 1 {
                assert!(rel("previous").is_some(), "page {pages} links back");
            }
            match rel("next") {
                Some(next) => url = next,
                None => break,
            }
        }
        let want: Vec<i64> = (1..=head).rev().collect();
        assert_eq!(seen, want);
        assert!(pages > 1);
    }
);
