//! The committed spec is what the code generates, and the server serves the same.

use crate::helpers::{Backend, TestApp};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[tokio::test]
async fn committed_openapi_spec_is_current() {
    let generated = ring_partnerships::api::offline_spec().await.unwrap();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale: run `cargo run -- openapi --write openapi/openapi.json`"
    );
}

#[tokio::test]
async fn served_spec_equals_the_committed_one() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served: serde_json::Value = app.get_json("/openapi.json").await;
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed);
}

#[tokio::test]
async fn every_operation_has_summary_operation_id_and_tag() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut seen = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            seen += 1;
            let at = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: summary"
            );
            assert!(
                op["operationId"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: operationId"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{at}: tag"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("200") || responses.contains_key("201"),
                "{at}: 200 or 201"
            );
        }
    }
    assert!(seen >= 12);
}
