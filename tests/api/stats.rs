//! `/stats`: counts and a timeline that honours date precision.

use crate::helpers::{PROGRAM, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::{
    Agency, AgencyType, ChangeKind, JurisdictionType, Meta, PartialDate, Partnership, Record,
    Status,
};
use ring_partnerships::service::writer::{Reason, now};

async fn partnership(
    app: &TestApp,
    state: &str,
    name: &str,
    status: Status,
    start: &str,
    end: Option<&str>,
) {
    let state = state.parse().unwrap();
    let id = ring_partnerships::domain::ids::agency_slug(state, name);
    let mut w = app.dataset.begin("test").await.unwrap();
    let why = Reason {
        kind: ChangeKind::Created,
        note: Some("test fixture"),
        sources: &[],
    };
    w.create(
        Record::Agency(Agency {
            id: id.clone(),
            name: name.into(),
            agency_type: AgencyType::Police,
            jurisdiction_type: JurisdictionType::Municipal,
            ori: None,
            city: None,
            county: None,
            state,
            country: "US".into(),
            latitude: Some(43.0),
            longitude: Some(-88.0),
            location_precision: None,
            location_basis: None,
            location_source: None,
            quality_flags: Vec::new(),
            external_ids: Default::default(),
            notes: None,
            meta: Meta::new(now()),
        }),
        why,
    )
    .await
    .unwrap();
    w.create(
        Record::Partnership(Partnership {
            id: 0,
            agency_id: id,
            program_id: PROGRAM.into(),
            status,
            start: Some(start.parse::<PartialDate>().unwrap()),
            end: end.map(|e| e.parse::<PartialDate>().unwrap()),
            video_requests: vec![],
            external_ids: Default::default(),
            notes: None,
            last_confirmed: None,
            last_confirmed_source: None,
            meta: Meta::new(now()),
        }),
        why,
    )
    .await
    .unwrap();
    app.dataset.commit(w).await.unwrap();
}

async fn populate(app: &TestApp) {
    partnership(
        app,
        "WI",
        "A Police Department",
        Status::Active,
        "2019-05",
        None,
    )
    .await;
    partnership(
        app,
        "WI",
        "B Police Department",
        Status::Ended,
        "2018",
        Some("2020-06-15"),
    )
    .await;
    partnership(
        app,
        "MN",
        "C Police Department",
        Status::Ended,
        "2019-03-10",
        Some("2021"),
    )
    .await;
    partnership(
        app,
        "WI",
        "D Police Department",
        Status::Announced,
        "2020",
        None,
    )
    .await;
}

fn period<'a>(stats: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    stats["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == name)
        .unwrap_or_else(|| panic!("period {name} in {stats}"))
}

fn counts(p: &serde_json::Value) -> [u64; 4] {
    ["certain", "possible", "starts", "ends"].map(|k| p[k].as_u64().unwrap())
}

on_both_backends!(
    stats_count_by_facet_and_tell_certain_from_possible,
    |app: TestApp| async move {
        populate(&app).await;
        let s = app.get_json("/stats").await;
        assert_eq!(s["total"], 4);
        assert_eq!(s["by_state"]["WI"], 3);
        assert_eq!(s["by_state"]["MN"], 1);
        assert_eq!(s["by_status"]["ended"], 2);
        assert_eq!(s["by_status"]["announced"], 1);
        assert_eq!(s["by_agency_type"]["police"], 4);
        assert_eq!(s["by_program"][PROGRAM], 4);
        assert_eq!(s["interval"], "year");
        assert_eq!(s["meta"]["license"], "CC BY 4.0");
        assert!(s["meta"]["dataset_version"].as_i64().unwrap() > 0);
        assert_eq!(s["timeline"][0]["period"], "2018");
        // [certain, possible, starts, ends]
        assert_eq!(counts(period(&s, "2018")), [0, 1, 1, 0]);
        assert_eq!(counts(period(&s, "2019")), [1, 3, 2, 0]);
        assert_eq!(counts(period(&s, "2020")), [2, 3, 0, 1]);
        assert_eq!(counts(period(&s, "2021")), [1, 2, 0, 1]);
        assert_eq!(counts(period(&s, "2022")), [1, 1, 0, 0]);
        assert_eq!(period(&s, "2020")["first_day"], "2020-01-01");
        assert_eq!(period(&s, "2020")["last_day"], "2020-12-31");

        let m = app.get_json("/stats?interval=month").await;
        assert_eq!(m["timeline"][0]["period"], "2018-01");
        assert_eq!(counts(period(&m, "2019-03")), [1, 2, 1, 0]);
        assert_eq!(counts(period(&m, "2019-04")), [2, 2, 0, 0]);
        assert_eq!(counts(period(&m, "2019-05")), [2, 3, 1, 0]);
        assert_eq!(counts(period(&m, "2019-06")), [3, 3, 0, 0]);
        assert_eq!(counts(period(&m, "2020-06")), [2, 3, 0, 1]);
        assert_eq!(counts(period(&m, "2020-07")), [2, 2, 0, 0]);
        assert_eq!(counts(period(&m, "2021-01")), [1, 2, 0, 1]);
        assert_eq!(counts(period(&m, "2021-02")), [1, 2, 0, 0]);
        assert_eq!(counts(period(&m, "2021-12")), [1, 2, 0, 0]);
        assert_eq!(counts(period(&m, "2022-01")), [1, 1, 0, 0]);

        // The usual filters apply.
        let wi = app.get_json("/stats?state=WI&status=active,ended").await;
        assert_eq!(wi["total"], 2);
        assert_eq!(counts(period(&wi, "2019")), [1, 2, 1, 0]);
        let bad = app.get("/stats?state=XX").await;
        assert_eq!(bad.status(), 400);
        let bad = app.get("/stats?interval=week").await;
        assert_eq!(bad.status(), 400);
    }
);

on_both_backends!(
    stats_and_counted_totals_follow_every_write,
    |app: TestApp| async move {
        // Answers are kept per dataset version: asked again they are the same, and after a
        // write they are new.
        populate(&app).await;
        let total = |v: &serde_json::Value| v["total"].as_u64().unwrap();
        let wi = "/stats?state=WI&interval=month";
        let before = app.get_json(wi).await;
        assert_eq!(app.get_json(wi).await, before);
        let counted = "/partnerships?state=WI&count=true&limit=1";
        let page = app.get_json(counted).await;
        assert_eq!(page["total"], 3, "{page}");
        let ogc = app
            .get_json("/collections/partnerships/items?state=WI&limit=1")
            .await;
        assert_eq!(ogc["numberMatched"], 3);
        partnership(
            &app,
            "WI",
            "E Police Department",
            Status::Active,
            "2021-02",
            None,
        )
        .await;
        let after = app.get_json(wi).await;
        assert_eq!(total(&after), total(&before) + 1);
        assert_eq!(counts(period(&after, "2021-02"))[2], 1, "the new start");
        assert_eq!(app.get_json(counted).await["total"], 4);
        let ogc = app
            .get_json("/collections/partnerships/items?state=WI&limit=1")
            .await;
        assert_eq!(ogc["numberMatched"], 4);
        assert_eq!(app.get_json("/stats?state=MN").await["total"], 1);
    }
);
