//! Lists, details, filters, sorting and keyset pagination, on real databases.

use crate::helpers::{Fixture, PROGRAM, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;
use std::collections::BTreeSet;

/// Fills the dataset with `n` Wisconsin police agencies and a few others.
async fn populate(app: &TestApp, n: usize) -> i64 {
    let f = Fixture {
        dataset: &app.dataset,
    };
    let source = f
        .source("https://news.example/ring", "Police join Ring")
        .await;
    for i in 0..n {
        f.agency_with_partnership(
            "WI",
            &format!("Town {i:02} Police Department"),
            AgencyType::Police,
            &format!("2019-{:02}-15", i % 12 + 1),
            source,
        )
        .await;
    }
    f.agency_with_partnership(
        "MN",
        "Anoka County Sheriff's Office",
        AgencyType::Sheriff,
        "2020-02",
        source,
    )
    .await;
    f.agency_with_partnership(
        "CA",
        "Cañon Police Department",
        AgencyType::Police,
        "2018",
        source,
    )
    .await;
    source
}

/// Follows `next` cursors (checking `Link` agrees) and returns every id seen.
async fn walk(app: &TestApp, first: &str) -> Vec<String> {
    let mut ids = vec![];
    let mut path = first.to_string();
    loop {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let link = resp
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_string());
        let body: serde_json::Value = resp.json().await.unwrap();
        for item in body["data"].as_array().unwrap() {
            ids.push(item["id"].to_string());
        }
        match body["next"].as_str() {
            Some(next) => {
                let link = link.expect("a page with a next cursor has a Link header");
                assert!(link.ends_with("rel=\"next\""), "{link}");
                let target = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_string();
                assert!(target.contains(&format!("cursor={next}")), "{target}");
                path = target;
            }
            None => {
                assert!(link.is_none());
                return ids;
            }
        }
    }
}

on_both_backends!(
    slugs_and_searches_fold_names_one_way,
    |app: TestApp| async move {
        let f = Fixture {
            dataset: &app.dataset,
        };
        let src = f.source("https://example.org/hawaii", "Hawaii story").await;
        let (id, _) = f
            .agency_with_partnership(
                "HI",
                "Hawaiʻi County Police Department",
                AgencyType::Police,
                "2019",
                src,
            )
            .await;
        // The ʻokina joins its word in the slug as in a search.
        assert_eq!(id, "us-hi-hawaii-county-police-department");
        let count = |body: serde_json::Value| body["data"].as_array().unwrap().len();
        for q in ["hawaii", "Hawai%CA%BBi", "HAWAI%27I", "hawai%E2%80%98i"] {
            assert_eq!(
                count(app.get_json(&format!("/agencies?q={q}")).await),
                1,
                "{q}"
            );
            assert_eq!(
                count(app.get_json(&format!("/partnerships?q={q}")).await),
                1,
                "{q}"
            );
        }
        assert_eq!(count(app.get_json("/agencies?q=hawai%20i").await), 0);
    }
);

on_both_backends!(
    walking_pages_visits_every_agency_once_in_order,
    |app: TestApp| async move {
        populate(&app, 23).await;
        let ids = walk(&app, "/agencies?limit=4").await;
        assert_eq!(ids.len(), 25);
        let unique: BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), 25);
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "default order is by id");

        let by_name_desc = walk(&app, "/agencies?limit=5&sort=-name").await;
        assert_eq!(by_name_desc.len(), 25);
        let first = app.get_json("/agencies?limit=1&sort=-name").await;
        assert_eq!(first["data"][0]["name"], "Town 22 Police Department");

        let partnerships = walk(&app, "/partnerships?limit=6&sort=start").await;
        assert_eq!(partnerships.len(), 25);
    }
);

on_both_backends!(
    total_is_counted_only_when_asked,
    |app: TestApp| async move {
        populate(&app, 3).await;
        let body = app.get_json("/agencies?limit=1").await;
        assert!(body.get("total").is_none());
        let body = app.get_json("/agencies?limit=1&count=true").await;
        assert_eq!(body["total"], 5);
        assert!(body["meta"]["dataset_version"].as_i64().unwrap() > 0);
        assert_eq!(body["meta"]["license"], "CC BY 4.0");
    }
);

on_both_backends!(
    filters_combine_and_accept_repeated_or_comma_separated_values,
    |app: TestApp| async move {
        populate(&app, 5).await;
        let count = |body: serde_json::Value| body["data"].as_array().unwrap().len();
        assert_eq!(count(app.get_json("/agencies?state=WI").await), 5);
        assert_eq!(count(app.get_json("/agencies?state=wi,MN").await), 6);
        assert_eq!(count(app.get_json("/agencies?state=WI&state=CA").await), 6);
        assert_eq!(
            count(app.get_json("/agencies?agency_type=sheriff").await),
            1
        );
        assert_eq!(
            count(
                app.get_json("/partnerships?state=MN&agency_type=sheriff")
                    .await
            ),
            1
        );
        assert_eq!(
            count(
                app.get_json("/partnerships?state=MN&agency_type=police")
                    .await
            ),
            0
        );
        // Case and accents are ignored in text search.
        assert_eq!(count(app.get_json("/agencies?q=CANON").await), 1);
        assert_eq!(count(app.get_json("/partnerships?q=anoka").await), 1);
        assert_eq!(
            count(
                app.get_json(&format!("/partnerships?program={PROGRAM}&status=active"))
                    .await
            ),
            7
        );
        assert_eq!(count(app.get_json("/partnerships?status=ended").await), 0);
    }
);

on_both_backends!(
    start_filters_compare_the_first_day_of_imprecise_dates,
    |app: TestApp| async move {
        populate(&app, 0).await;
        // Anoka starts 2020-02 (month), Cañon 2018 (year).
        let ids = |body: serde_json::Value| -> Vec<String> {
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["agency"]["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            ids(app.get_json("/partnerships?started_after=2020-02-01").await),
            ["us-mn-anoka-county-sheriffs-office"]
        );
        assert!(ids(app.get_json("/partnerships?started_after=2020-02-02").await).is_empty());
        assert_eq!(
            ids(app
                .get_json("/partnerships?started_before=2018-01-02")
                .await),
            ["us-ca-canon-police-department"]
        );
        let all = app.get_json("/partnerships?sort=start").await;
        assert_eq!(all["data"][0]["start_date"], "2018");
        assert_eq!(all["data"][0]["start_precision"], "year");
        assert_eq!(all["data"][1]["start_date"], "2020-02");
        assert_eq!(all["data"][1]["start_precision"], "month");
    }
);

on_both_backends!(
    details_include_citations_with_their_sources_and_related_records,
    |app: TestApp| async move {
        let source = populate(&app, 1).await;
        let agency = app
            .get_json("/agencies/us-wi-town-00-police-department")
            .await;
        assert_eq!(agency["name"], "Town 00 Police Department");
        assert_eq!(agency["version"], 1);
        assert_eq!(agency["citations"][0]["source"]["id"], source);
        assert_eq!(agency["citations"][0]["quote"], "a quote");
        let pid = agency["partnerships"][0]["id"].as_i64().unwrap();
        assert_eq!(agency["partnerships"][0]["program"]["id"], PROGRAM);

        let p = app.get_json(&format!("/partnerships/{pid}")).await;
        assert_eq!(p["agency"]["id"], "us-wi-town-00-police-department");
        assert_eq!(p["agency"]["state"], "WI");
        assert_eq!(p["program"]["name"], "Neighbors Public Safety Service");
        assert_eq!(p["start_date"], "2019-01-15");
        assert_eq!(p["start_precision"], "day");
        assert_eq!(
            p["citations"][0]["source"]["url"],
            "https://news.example/ring"
        );

        let s = app.get_json(&format!("/sources/{source}")).await;
        // Three agencies, each with its partnership, cite the one source.
        assert_eq!(s["cited_by_count"], 6);
    }
);

on_both_backends!(
    the_seeded_program_has_its_dated_phases_and_sources,
    |app: TestApp| async move {
        let list = app.get_json("/programs").await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        let program = app.get_json(&format!("/programs/{PROGRAM}")).await;
        let phases = program["phases"].as_array().unwrap();
        let names: Vec<&str> = phases.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "Video Requests",
                "Request for Assistance",
                "Posts only",
                "Community Requests via Axon Evidence",
                "Community Requests via Flock Safety"
            ]
        );
        assert_eq!(phases[1]["start_date"], "2021-06-07");
        assert_eq!(phases[2]["footage_requests"], false);
        assert_eq!(phases[4]["status"], "cancelled");
        assert!(!program["citations"].as_array().unwrap().is_empty());
    }
);

on_both_backends!(
    every_write_appends_one_gap_free_revision,
    |app: TestApp| async move {
        let store = app.dataset.store();
        let before = store.head().await.unwrap();
        assert!(before > 0, "the seed is written through the revision log");
        populate(&app, 2).await;
        let after = store.head().await.unwrap();
        // 1 source + 4 agencies x (agency, partnership, 2 citations).
        assert_eq!(after - before, 1 + 4 * 4);
        let revs = store.revisions_since(0, 10_000).await.unwrap();
        let seqs: Vec<i64> = revs.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (1..=after).collect::<Vec<_>>());
        assert!(revs.iter().all(|r| !r.actor.is_empty()));
        assert_eq!(app.dataset.read().seq(), after);
    }
);

on_both_backends!(
    an_empty_database_gets_the_shipped_sample_once,
    |app: TestApp| async move {
        use ring_partnerships::service::import::load_sample_if_empty;
        assert!(load_sample_if_empty(&app.dataset).await.unwrap());
        let head = app.dataset.store().head().await.unwrap();
        assert!(!load_sample_if_empty(&app.dataset).await.unwrap());
        assert_eq!(app.dataset.store().head().await.unwrap(), head);
        let body = app.get_json("/partnerships?count=true&limit=1").await;
        let total = body["total"].as_u64().unwrap();
        assert!((20..=40).contains(&total), "{total}");
        let greenfield = app.get_json("/agencies?q=greenfield&state=WI").await;
        assert_eq!(greenfield["data"][0]["location_precision"], "place");
    }
);
