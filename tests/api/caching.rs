//! HTTP caching: ETags, Cache-Control, 304s, compression of streamed exports.

use crate::helpers::{Fixture, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;

async fn get_with(app: &TestApp, path: &str, header: &str, value: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{}", app.base, path))
        .header(header, value)
        .send()
        .await
        .unwrap()
}

on_both_backends!(
    lists_and_details_answer_304_until_the_data_changes,
    |app: TestApp| async move {
        let f = Fixture {
            dataset: &app.dataset,
        };
        let source = f.source("https://news.example/c", "C").await;
        let (agency, _) = f
            .agency_with_partnership(
                "WI",
                "Alpha Police Department",
                AgencyType::Police,
                "2019",
                source,
            )
            .await;
        for path in [
            "/partnerships?state=WI",
            "/partnerships.csv",
            &format!("/agencies/{agency}"),
        ] {
            let first = app.get(path).await;
            assert_eq!(first.status(), 200, "{path}");
            assert_eq!(
                first.headers()["cache-control"],
                "public, max-age=60",
                "{path}"
            );
            assert!(first.headers().contains_key("last-modified"), "{path}");
            let tag = first.headers()["etag"].to_str().unwrap().to_string();
            let again = get_with(&app, path, "If-None-Match", &tag).await;
            assert_eq!(again.status(), 304, "{path}");
            assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
            let lm = first.headers()["last-modified"]
                .to_str()
                .unwrap()
                .to_string();
            let since = get_with(&app, path, "If-Modified-Since", &lm).await;
            assert_eq!(since.status(), 304, "{path}");
        }
        // Another format of the same list has another tag.
        let json = app.get("/partnerships").await.headers()["etag"].clone();
        let csv = get_with(&app, "/partnerships", "Accept", "text/csv").await;
        assert_ne!(csv.headers()["etag"], json);
        // A change anywhere makes old tags stale; a detail's tag still works for If-Match.
        let path = format!("/agencies/{agency}");
        let tag = app.get(&path).await.headers()["etag"]
            .to_str()
            .unwrap()
            .to_string();
        f.agency_with_partnership(
            "MN",
            "Beta Police Department",
            AgencyType::Police,
            "2019",
            source,
        )
        .await;
        assert_eq!(
            get_with(&app, &path, "If-None-Match", &tag).await.status(),
            200
        );
        let editor = app.token("editor", "e").await;
        let resp = app
            .send(
                reqwest::Method::PATCH,
                &path,
                Some(&editor),
                Some(&tag),
                Some(serde_json::json!({"record": {"notes": "n"}, "change": {"kind": "correction", "note": "n", "sources": [source]}})),
            )
            .await;
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        // Health is never cached.
        assert_eq!(
            app.get("/health").await.headers()["cache-control"],
            "no-store"
        );
    }
);

on_both_backends!(
    exports_are_compressed_on_request_and_still_complete,
    |app: TestApp| async move {
        let f = Fixture {
            dataset: &app.dataset,
        };
        let source = f.source("https://news.example/z", "Z").await;
        for i in 0..40 {
            f.agency_with_partnership(
                "WI",
                &format!("Town {i} Police"),
                AgencyType::Police,
                "2019",
                source,
            )
            .await;
        }
        let resp = get_with(&app, "/partnerships.csv", "Accept-Encoding", "gzip").await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-encoding"], "gzip");
        let bytes = resp.bytes().await.unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        assert_eq!(text.lines().count(), 41);
    }
);
