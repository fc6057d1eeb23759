//! The human side: HTML on the same URLs for browsers (JSON clients unchanged), escaping of
//! hostile data and queries, error pages, embeds (framing, pinning, filters), oEmbed, the
//! map images and the fingerprinted assets.

use crate::helpers::{Fixture, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;
use serde_json::Value;

const BROWSER: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

async fn page(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .header("accept", BROWSER)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// Two agencies (one with a hostile name) with partnerships starting in 2018 and 2020.
async fn seed(app: &TestApp) -> (String, String) {
    let f = Fixture {
        dataset: &app.dataset,
    };
    let src = f
        .source("https://example.org/story", "A <b>story</b>")
        .await;
    let (plain, _) = f
        .agency_with_partnership(
            "WI",
            "Greenfield Police Department",
            AgencyType::Police,
            "2018-03-22",
            src,
        )
        .await;
    let (hostile, _) = f
        .agency_with_partnership(
            "MN",
            &format!("Evil {HOSTILE} Police"),
            AgencyType::Police,
            "2020-06",
            src,
        )
        .await;
    (plain, hostile)
}

fn circles(html: &str) -> usize {
    html.matches("<circle").count()
}

on_both_backends!(
    browsers_get_html_on_the_same_urls_and_json_clients_keep_json,
    |app: TestApp| async move {
        let (agency, _) = seed(&app).await;
        for path in ["/", &format!("/agencies/{agency}"), "/changes", "/agencies"] {
            let (status, h, body) = page(&app, path).await;
            assert_eq!(status, 200, "{path}: {body}");
            assert!(
                h["content-type"].to_str().unwrap().starts_with("text/html"),
                "{path}"
            );
            assert!(body.starts_with("<!DOCTYPE html>"), "{path}");
            assert_eq!(h["vary"], "Accept, Accept-Encoding", "{path}");
            assert!(
                h["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("script-src 'self'")
            );
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
        }
        // The `.html` suffix needs no Accept header.
        let resp = app.get(&format!("/agencies/{agency}.html")).await;
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        // `*/*` and `application/json` still get JSON, and the same record.
        for accept in ["*/*", "application/json"] {
            let resp = app
                .client
                .get(format!("{}/agencies/{agency}", app.base))
                .header("accept", accept)
                .send()
                .await
                .unwrap();
            assert!(
                resp.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json")
            );
            let v: Value = resp.json().await.unwrap();
            assert_eq!(v["id"], agency.as_str());
        }
        // HTML and JSON of one URL never share a cache entry.
        let (_, html_h, _) = page(&app, &format!("/agencies/{agency}")).await;
        let json = app.get(&format!("/agencies/{agency}")).await;
        assert_ne!(html_h["etag"], json.headers()["etag"]);
    }
);

on_both_backends!(
    pages_link_their_json_csv_and_geojson_forms_and_carry_og_image_and_oembed,
    |app: TestApp| async move {
        let (agency, _) = seed(&app).await;
        for path in ["/".to_string(), format!("/agencies/{agency}")] {
            let (_, _, body) = page(&app, &path).await;
            for t in [
                "application/json",
                "text/csv",
                "application/geo+json",
                "application/json+oembed",
            ] {
                assert!(
                    body.contains(&format!("rel=\"alternate\" type=\"{t}\"")),
                    "{path}: {t}"
                );
            }
            assert!(body.contains("property=\"og:image\""), "{path}");
        }
        let (_, _, landing) = page(&app, "/").await;
        assert!(landing.contains("\"@type\":\"Dataset\""));
        // Every linked alternate resolves.
        for href in [
            "/partnerships.csv",
            "/partnerships.geojson",
            &format!("/partnerships.csv?agency={agency}"),
        ] {
            assert_eq!(app.get(href).await.status(), 200, "{href}");
        }
    }
);

on_both_backends!(
    the_national_map_draws_one_marker_per_placed_partnership_as_the_api_counts,
    |app: TestApp| async move {
        seed(&app).await;
        let (_, _, body) = page(&app, "/").await;
        let total = app.get_json("/partnerships?count=true&limit=1").await["total"]
            .as_u64()
            .unwrap() as usize;
        // The map's markers plus those it could not place: the API's count.
        let unplaced: usize = body
            .split("data-unplaced=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        let map = body
            .split("class=\"map\"")
            .nth(1)
            .unwrap()
            .split("</svg>")
            .next()
            .unwrap();
        assert_eq!(circles(map) + unplaced, total);
        assert_eq!(total, 2);
        // The slider's data: each marker's span agrees with `active_on`.
        let day = "2019-01-01";
        let api = app
            .get_json(&format!("/partnerships?count=true&limit=1&active_on={day}"))
            .await["total"]
            .as_u64()
            .unwrap() as usize;
        let shown = map
            .split("<circle")
            .skip(1)
            .filter(|c| {
                let attr = |n: &str| {
                    c.split(&format!("{n}=\""))
                        .nth(1)
                        .and_then(|s| s.split('"').next())
                };
                attr("data-from").is_none_or(|f| f <= day)
                    && attr("data-to").is_none_or(|t| day <= t)
            })
            .count();
        assert_eq!(shown, api);
        assert_eq!(api, 1);
    }
);

on_both_backends!(
    the_home_page_counts_partnerships_by_state_as_the_api_does,
    |app: TestApp| async move {
        seed(&app).await;
        let (_, _, body) = page(&app, "/").await;
        let table = body.split("By state</h2>").nth(1).unwrap();
        let table = table.split("</table>").next().unwrap();
        let mut rows = 0;
        for row in table.split("<tr>").skip(2) {
            let code = row
                .split("/agencies.html?state=")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let cells: Vec<&str> = row
                .split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap())
                .collect();
            let api = app
                .get_json(&format!("/partnerships?count=true&limit=1&state={code}"))
                .await["total"]
                .as_u64()
                .unwrap();
            assert_eq!(cells[2], api.to_string(), "{code}: {row}");
            rows += 1;
        }
        // One row per state with a partnership: Wisconsin and Minnesota, by name.
        assert_eq!(rows, 2);
        assert!(table.find("Minnesota").unwrap() < table.find("Wisconsin").unwrap());
    }
);

on_both_backends!(
    hostile_agency_names_and_query_strings_never_reach_html_unescaped,
    |app: TestApp| async move {
        let (_, hostile) = seed(&app).await;
        let (status, _, body) = page(&app, &format!("/agencies/{hostile}")).await;
        assert_eq!(status, 200);
        assert!(!body.contains("<script>alert"), "raw script in agency page");
        assert!(!body.contains("<img src=x"), "raw img in agency page");
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        let (_, _, landing) = page(&app, "/").await;
        assert!(!landing.contains("<script>alert") && !landing.contains("<img src=x"));
        let (_, _, embed) = page(&app, "/embed/table").await;
        assert!(!embed.contains("<script>alert") && !embed.contains("<img src=x"));
        // A hostile search is echoed escaped.
        let q: String = url::form_urlencoded::byte_serialize(HOSTILE.as_bytes()).collect();
        let (status, _, body) = page(&app, &format!("/agencies.html?q={q}")).await;
        assert_eq!(status, 200);
        assert!(!body.contains("<script>alert") && !body.contains("<img src=x"));
        // A hostile id or parameter is a page about the error, escaped.
        let (status, _, body) = page(&app, &format!("/agencies/{q}")).await;
        assert_eq!(status, 404);
        assert!(!body.contains("<script>alert"));
        let (status, _, body) = page(&app, &format!("/?{q}=1")).await;
        assert_eq!(status, 400);
        assert!(!body.contains("<script>alert"));
        // A hostile Host header cannot inject either.
        let resp = app
            .client
            .get(format!("{}/", app.base))
            .header("accept", BROWSER)
            .header("host", "x\"><script>alert(3)</script>")
            .send()
            .await
            .unwrap();
        let text = resp.text().await.unwrap();
        assert!(!text.contains("<script>alert(3)"));
    }
);

on_both_backends!(
    a_404_or_410_in_a_browser_is_a_page_that_links_onward_and_stays_json_for_clients,
    |app: TestApp| async move {
        let (status, h, body) = page(&app, "/agencies/us-wi-nowhere").await;
        assert_eq!(status, 404);
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(body.contains("href=\"/\"") && body.contains("href=\"/agencies.html\""));
        let (status, _, body) = page(&app, "/no/such/route").await;
        assert_eq!(status, 404);
        assert!(body.contains("href=\"/\""));
        // A deleted record: 410 with its history.
        let token = app.token("admin", "a").await;
        let (agency, pid) = {
            let f = Fixture {
                dataset: &app.dataset,
            };
            let s = f.source("https://example.org/x", "x").await;
            f.agency_with_partnership(
                "WI",
                "Gone Police Department",
                AgencyType::Police,
                "2019",
                s,
            )
            .await
        };
        let src = app.get_json("/sources?limit=1").await["data"][0]["id"]
            .as_i64()
            .unwrap();
        for path in [
            format!("/partnerships/{pid}"),
            format!("/agencies/{agency}"),
        ] {
            let etag = app.get(&path).await.headers()["etag"]
                .to_str()
                .unwrap()
                .to_string();
            let resp = app
                .send(
                    reqwest::Method::DELETE,
                    &path,
                    Some(&token),
                    Some(&etag),
                    Some(serde_json::json!({"change": {"kind": "retraction", "note": "test", "sources": [src]}})),
                )
                .await;
            assert!(
                resp.status().is_success(),
                "{path}: {}",
                resp.text().await.unwrap()
            );
        }
        let (status, _, body) = page(&app, &format!("/agencies/{agency}")).await;
        assert_eq!(status, 410);
        assert!(body.contains(&format!("/agencies/{agency}/history")));
        // JSON clients still get problem+json.
        let resp = app.get("/agencies/us-wi-nowhere").await;
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
    }
);

on_both_backends!(
    pages_refuse_unknown_parameters_and_bad_values_as_400s,
    |app: TestApp| async move {
        let (status, _, body) = page(&app, "/?colour=red").await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("colour"));
        let (status, _, _) = page(&app, "/?as_of=yesterday").await;
        assert_eq!(status, 400);
        let (status, _, _) = page(&app, "/embed/map?state=ZZ").await;
        assert_eq!(status, 400);
        let (status, _, _) = page(&app, "/embed/map?radius=5km").await;
        assert_eq!(status, 400);
        let resp = app.get("/embed/count?state=ZZ").await;
        assert_eq!(resp.status(), 400);
        let (status, _, _) = page(&app, "/embed/nothing").await;
        assert_eq!(status, 404);
    }
);

on_both_backends!(
    only_embeds_may_be_framed_and_they_honour_the_list_filters,
    |app: TestApp| async move {
        seed(&app).await;
        for path in [
            "/embed/map",
            "/embed/table",
            "/embed/count",
            "/embed/map.svg",
        ] {
            let resp = app.get(path).await;
            assert_eq!(resp.status(), 200, "{path}");
            assert!(resp.headers().get("x-frame-options").is_none(), "{path}");
            let csp = resp.headers()["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors *"), "{path}: {csp}");
        }
        for path in ["/", "/agencies", "/health", "/assets/nothing.css"] {
            let resp = app.get(path).await;
            assert_eq!(resp.headers()["x-frame-options"], "DENY", "{path}");
        }
        for (query, api) in [
            ("", ""),
            ("?state=WI", "&state=WI"),
            ("?state=MN", "&state=MN"),
            ("?active_on=2019-01-01", "&active_on=2019-01-01"),
            ("?near=43,-88&radius=10km", "&near=43,-88&radius=10km"),
            ("?bbox=-90,40,-80,45", "&bbox=-90,40,-80,45"),
            ("?status=ended", "&status=ended"),
        ] {
            let total = app
                .get_json(&format!("/partnerships?count=true&limit=1{api}"))
                .await["total"]
                .as_u64()
                .unwrap() as usize;
            let svg = app
                .get(&format!("/embed/map.svg{query}"))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(circles(&svg), total, "map.svg{query}");
            let count = app
                .get(&format!("/embed/count{query}"))
                .await
                .text()
                .await
                .unwrap();
            assert!(
                count.contains(&format!("<span class=\"big\">{total}</span>")),
                "count{query}"
            );
            let table = app
                .get(&format!("/embed/table{query}"))
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(table.matches("<tr>").count(), total + 1, "table{query}");
        }
    }
);

on_both_backends!(
    a_pinned_embed_keeps_its_version_and_counts_the_changes_since,
    |app: TestApp| async move {
        seed(&app).await;
        let (_, _, landing) = page(&app, "/").await;
        // The snippet on the page pins the dataset version.
        let as_of = landing
            .split("data-as-of=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        assert!(landing.contains("/embed/map?as_of="));
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let f = Fixture {
            dataset: &app.dataset,
        };
        let s = f.source("https://example.org/later", "Later").await;
        f.agency_with_partnership(
            "WI",
            "Later Police Department",
            AgencyType::Police,
            "2021",
            s,
        )
        .await;
        let pin: String = url::form_urlencoded::byte_serialize(as_of.as_bytes()).collect();
        let pinned = app
            .get(&format!("/embed/count?as_of={pin}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(pinned.contains("<span class=\"big\">2</span>"), "{pinned}");
        // Source, agency, partnership and two citations: five revisions since.
        assert!(pinned.contains("5 changes since this version"), "{pinned}");
        assert!(pinned.contains("/changes?since="));
        assert!(pinned.contains("live version"));
        let live = app.get("/embed/count").await.text().await.unwrap();
        assert!(live.contains("<span class=\"big\">3</span>"));
    }
);

on_both_backends!(
    oembed_answers_for_pages_of_this_site_only,
    |app: TestApp| async move {
        let (agency, _) = seed(&app).await;
        let base: String =
            url::form_urlencoded::byte_serialize(format!("{}/", app.base).as_bytes()).collect();
        let v = app
            .get_json(&format!("/oembed?url={base}&format=json"))
            .await;
        assert_eq!(v["type"], "rich");
        assert_eq!(v["version"], "1.0");
        let html = v["html"].as_str().unwrap();
        assert!(html.contains("/embed/map?as_of="), "{html}");
        let page_url: String = url::form_urlencoded::byte_serialize(
            format!("{}/agencies/{agency}", app.base).as_bytes(),
        )
        .collect();
        let v = app
            .get_json(&format!("/oembed?url={page_url}&maxwidth=300"))
            .await;
        assert_eq!(v["width"], 300);
        let other: String =
            url::form_urlencoded::byte_serialize(b"https://elsewhere.example/").collect();
        assert_eq!(app.get(&format!("/oembed?url={other}")).await.status(), 400);
        assert_eq!(
            app.get(&format!("/oembed?url={base}&format=xml"))
                .await
                .status(),
            400
        );
        assert_eq!(app.get("/oembed").await.status(), 400);
    }
);

on_both_backends!(
    assets_are_fingerprinted_and_immutable_and_the_map_rasterises,
    |app: TestApp| async move {
        seed(&app).await;
        let (_, _, body) = page(&app, "/").await;
        let css = body
            .split("href=\"/assets/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let js = body
            .split("src=\"/assets/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        for name in [css, js] {
            assert!(
                name.split('.').nth(1).is_some_and(|h| h.len() == 8),
                "{name}"
            );
            let resp = app.get(&format!("/assets/{name}")).await;
            assert_eq!(resp.status(), 200);
            assert!(
                resp.headers()["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
        }
        assert_eq!(app.get("/assets/site.00000000.css").await.status(), 404);
        // No other origin anywhere in the page's resources.
        assert!(
            !body.contains("src=\"http"),
            "a script or image from elsewhere"
        );
        assert!(!body.contains("<link rel=\"stylesheet\" href=\"http"));
        let png = app.get("/embed/map.png").await;
        assert_eq!(png.headers()["content-type"], "image/png");
        let bytes = png.bytes().await.unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert!(bytes.len() > 5_000);
    }
);

/// `url` as a browser asks for it, in one content coding: (Content-Encoding, decoded body).
async fn page_in(app: &TestApp, url: &str, coding: &str) -> (Option<String>, String) {
    use std::io::Read;
    let resp = app
        .client
        .get(format!("{}{url}", app.base))
        .header("accept", BROWSER)
        .header("accept-encoding", coding)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{url} in {coding}");
    let enc = resp
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string());
    let raw = resp.bytes().await.unwrap();
    let mut out = Vec::new();
    match enc.as_deref() {
        None => out.extend_from_slice(&raw),
        Some("gzip") => {
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("br") => {
            brotli_decompressor::Decompressor::new(&raw[..], 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some(other) => panic!("unexpected coding {other}"),
    }
    (enc, String::from_utf8(out).unwrap())
}

on_both_backends!(
    a_cached_page_is_the_same_page_in_every_coding,
    |app: TestApp| async move {
        let (agency, _) = seed(&app).await;
        for url in [
            "/".to_string(),
            format!("/agencies/{agency}"),
            "/embed/map?state=WI".to_string(),
            "/embed/map.svg".to_string(),
        ] {
            let (none, plain) = page_in(&app, &url, "identity").await;
            assert_eq!(none, None, "{url}");
            assert!(plain.contains('<'), "{url}");
            // Each coding twice: rendered (or compressed) the first time, cached the second.
            for (coding, expect) in [
                ("gzip", "gzip"),
                ("br;q=1, gzip;q=0.5", "br"),
                ("gzip, br", "br"),
            ] {
                for _ in 0..2 {
                    let (enc, body) = page_in(&app, &url, coding).await;
                    assert_eq!(enc.as_deref(), Some(expect), "{url} {coding}");
                    assert_eq!(body, plain, "{url} {coding}");
                }
            }
        }
        // An image that is compressed in itself is sent as it is.
        let png = app
            .client
            .get(format!("{}/embed/map.png", app.base))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(png.status(), 200);
        assert!(png.headers().get("content-encoding").is_none());
        assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
    }
);

on_both_backends!(
    an_agency_page_has_a_correction_form_that_works_without_javascript,
    |app: TestApp| async move {
        let (plain, _) = seed(&app).await;
        let (status, _, html) = page(&app, &format!("/agencies/{plain}")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(r#"<form class="report" method="post" action="/reports">"#),
            "{html}"
        );
        for id in [
            "report-record",
            "report-what",
            "report-evidence",
            "report-contact",
        ] {
            assert!(
                html.contains(&format!(r#"<label for="{id}">"#)),
                "{id} is labelled"
            );
            assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
        }
        assert!(html.contains(&format!(r#"value="agencies/{plain}""#)));

        // A browser submits the form, follows the redirect and lands on the report's page.
        let contact = "form-reader@example.org";
        let resp = app
            .client
            .post(format!("{}/reports", app.base))
            .header("accept", BROWSER)
            .form(&[
                ("record", format!("agencies/{plain}").as_str()),
                ("what", "Wrong <city>"),
                ("evidence_url", "https://example.org/city"),
                ("contact", contact),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "the redirect was followed");
        let landed = resp.url().path().to_string();
        assert!(landed.starts_with("/reports/"), "{landed}");
        let html = resp.text().await.unwrap();
        assert!(html.contains("Thank you"), "{html}");
        assert!(html.contains("<strong>open</strong>"), "{html}");
        assert!(html.contains("Wrong &lt;city&gt;"), "escaped: {html}");
        assert!(!html.contains(contact), "the contact is never shown");
        assert!(html.contains(&format!(r#"href="/agencies/{plain}""#)));

        // A bad form is answered with a page that says what is wrong, and stores nothing.
        let resp = app
            .client
            .post(format!("{}/reports", app.base))
            .header("accept", BROWSER)
            .form(&[
                ("record", format!("agencies/{plain}").as_str()),
                ("what", "Wrong city"),
                ("evidence_url", "javascript:alert(1)"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = resp.text().await.unwrap();
        assert!(html.contains("is not an http(s) URL"), "{html}");
        let (status, _, _) = page(&app, "/reports/2").await;
        assert_eq!(status, 404, "nothing stored");
    }
);
