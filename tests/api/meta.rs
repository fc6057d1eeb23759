//! Landing page, health, docs.

use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(health_reports_the_database_up, |app: TestApp| async move {
    let body = app.get_json("/health").await;
    assert_eq!(body["status"], "ok");
});

on_both_backends!(
    the_landing_page_links_every_collection,
    |app: TestApp| async move {
        let body = app.get_json("/").await;
        let hrefs: Vec<&str> = body["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let h = l["href"].as_str().unwrap();
                h.strip_prefix(app.base.as_str()).unwrap_or(h)
            })
            .collect();
        for want in [
            "/agencies",
            "/partnerships",
            "/programs",
            "/sources",
            "/openapi.json",
            "/docs",
        ] {
            assert!(hrefs.contains(&want), "{want}");
        }
        assert!(
            body["attribution"]
                .as_str()
                .unwrap()
                .contains("Electronic Frontier Foundation")
        );
    }
);

on_both_backends!(docs_work_offline, |app: TestApp| async move {
    let resp = app.get("/docs").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger"), "swagger UI is served");
    for cdn in [
        "<script src=\"http",
        "<link href=\"http",
        "unpkg.com",
        "cdn.jsdelivr",
    ] {
        assert!(!html.contains(cdn), "docs must not load {cdn}");
    }
});

on_both_backends!(reads_are_open_to_other_origins, |app: TestApp| async move {
    let resp = app
        .client
        .get(format!("{}/agencies", app.base))
        .header("Origin", "https://news.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("access-control-allow-origin"));
    // A browser client may read paging, caching and back-off headers.
    let exposed = resp
        .headers()
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["link", "etag", "retry-after", "ratelimit-remaining"] {
        assert!(exposed.contains(name), "{name} not in {exposed:?}");
    }
});
