//! `import ring-map`: snapshots of Ring's Active Agency Map applied in one transaction
//! through the edit path, on both backends. Fixtures: tests/fixtures/ring-map/.

use crate::helpers::Fixture;
use crate::on_both_backends;
use ring_partnerships::domain::{AgencyType, ChangeKind, EntityKind, SourceKind, Status};
use ring_partnerships::import::ringmap::{self, MapFile};
use ring_partnerships::service::ringmap::{ACTOR, RingMapError, apply, source_url};
use time::Date;
use time::macros::date;

const Q1_DAY: Date = date!(2020 - 01 - 15);
const Q2_DAY: Date = date!(2020 - 04 - 15);
const GREENFIELD: &str = "us-wi-greenfield-police-department";
const LAKEVIEW: &str = "us-mi-lakeview-police-dept";
const COOK: &str = "us-il-cook-county-sheriffs-office";
const MESA: &str = "us-az-mesa-police-department";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/ring-map/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn map(name: &str) -> MapFile {
    ringmap::read(&fixture(name)).expect("the fixture reads")
}

fn names(lines: &[ring_partnerships::service::ringmap::Line]) -> Vec<String> {
    lines.iter().map(|l| l.name.clone()).collect()
}

/// The app with Greenfield already recorded (as the Atlas left it), returning its
/// partnership.
async fn with_greenfield(app: &crate::helpers::TestApp) -> i64 {
    let fx = Fixture {
        dataset: &app.dataset,
    };
    let source = fx.source("https://example.org/original", "Original").await;
    let (id, pid) = fx
        .agency_with_partnership(
            "WI",
            "Greenfield Police Department",
            AgencyType::Police,
            "2018-03-22",
            source,
        )
        .await;
    assert_eq!(id, GREENFIELD);
    pid
}

fn partnership_of(app: &crate::helpers::TestApp, agency: &str) -> i64 {
    let c = app.dataset.read();
    let ps = c.partnerships_of(agency);
    assert_eq!(ps.len(), 1, "{agency}");
    ps[0].id
}

on_both_backends!(
    two_snapshots_give_the_diff_the_intervals_and_the_citations_and_again_nothing,
    |app: crate::helpers::TestApp| async move {
        let greenfield = with_greenfield(&app).await;
        let q1 = map("2020-q1.kml");
        let before = app.dataset.read().seq();

        // Dry run: the diff, and nothing written.
        let dry = apply(&app.dataset, &q1, Q1_DAY, true).await.unwrap();
        assert_eq!(app.dataset.read().seq(), before, "a dry run writes nothing");
        assert_eq!(app.dataset.store().head().await.unwrap(), before);
        assert_eq!(
            names(&dry.new),
            ["Lakeview Police Dept.", "Cook County Sheriff's Office"],
            "{dry}"
        );
        assert_eq!(names(&dry.confirmed), ["Greenfield Police Department"]);
        assert_eq!(names(&dry.unmatched), ["Toronto Police Service"]);
        assert!(dry.unmatched[0].detail.contains("Toronto, ON"), "{dry}");
        assert!(dry.ended.is_empty() && dry.previous.is_none());
        assert_eq!(dry.source, None, "the source would be new");

        let r1 = apply(&app.dataset, &q1, Q1_DAY, false).await.unwrap();
        assert!(r1.revisions > 0 && r1.seq > before, "{r1}");
        let sid = r1.source.unwrap();
        {
            let c = app.dataset.read();
            let s = &c.sources[&sid];
            assert_eq!(s.kind, SourceKind::OfficialMap);
            assert_eq!(s.accessed, Some(Q1_DAY));
            assert_eq!(s.url, source_url(&q1.sha256));
            assert!(s.title.contains(&q1.sha256), "{}", s.title);
            let g = &c.partnerships[&greenfield];
            assert_eq!(
                (g.last_confirmed, g.last_confirmed_source),
                (Some(Q1_DAY), Some(sid))
            );
            assert_eq!(g.start.unwrap().to_string(), "2018-03-22", "kept");
            let lakeview = &c.agencies[LAKEVIEW];
            assert_eq!(lakeview.agency_type, AgencyType::Police);
            assert_eq!(lakeview.city.as_deref(), Some("Lakeview"));
            assert_eq!(lakeview.latitude, Some(43.4464));
            assert_eq!(c.agencies[COOK].agency_type, AgencyType::Sheriff);
        }
        let lakeview = partnership_of(&app, LAKEVIEW);
        let body = app.get_json(&format!("/partnerships/{lakeview}")).await;
        assert_eq!(body["start_date"], "2019-06-01");
        assert_eq!(body["start_precision"], "day");
        assert_eq!(body["last_confirmed"], "2020-01-15");
        assert_eq!(body["video_requests"][0]["from"], "2019-10");
        assert_eq!(body["video_requests"][0]["to"], "2019-12");
        assert_eq!(body["video_requests"][0]["count"], 3);
        // The new partnership is cited with a citation of the snapshot.
        let cited = app
            .dataset
            .read()
            .citations_of(EntityKind::Partnership, &lakeview.to_string())
            .iter()
            .map(|c| c.source_id)
            .collect::<Vec<_>>();
        assert_eq!(cited, vec![sid]);

        // Every revision the import wrote is by the import and cites the snapshot.
        let head = app.dataset.store().head().await.unwrap();
        let seqs: Vec<i64> = (before + 1..=head).collect();
        let sources = app.dataset.store().cited_sources(&seqs).await.unwrap();
        for kind_id in [
            (EntityKind::Partnership, greenfield.to_string()),
            (EntityKind::Partnership, lakeview.to_string()),
            (EntityKind::Agency, LAKEVIEW.to_string()),
        ] {
            let revs = app
                .dataset
                .store()
                .revisions_of(kind_id.0, &kind_id.1)
                .await
                .unwrap();
            let last = revs.first().unwrap();
            assert_eq!(last.actor, ACTOR);
            assert_eq!(sources[&last.seq], vec![sid], "{kind_id:?}");
        }
        let confirm = app
            .dataset
            .store()
            .revisions_of(EntityKind::Partnership, &greenfield.to_string())
            .await
            .unwrap();
        assert_eq!(confirm[0].change_kind, ChangeKind::NewEvidence);

        // The same file again writes nothing.
        let seq = app.dataset.read().seq();
        let again = apply(&app.dataset, &q1, Q1_DAY, false).await.unwrap();
        assert_eq!(again.revisions, 0, "{again}");
        assert!(
            again.new.is_empty() && again.confirmed.is_empty(),
            "{again}"
        );
        assert_eq!(again.unchanged.len(), 3, "{again}");
        assert_eq!(app.dataset.store().head().await.unwrap(), seq);

        // The next quarter: Mesa is new, Greenfield and Lakeview confirmed, Cook gone.
        let q2 = map("2020-q2.kml");
        let dry = apply(&app.dataset, &q2, Q2_DAY, true).await.unwrap();
        assert_eq!(names(&dry.ended), ["Cook County Sheriff's Office"], "{dry}");
        assert_eq!(app.dataset.store().head().await.unwrap(), seq);
        let r2 = apply(&app.dataset, &q2, Q2_DAY, false).await.unwrap();
        assert_eq!(r2.previous, Some(Q1_DAY));
        assert_eq!(names(&r2.new), ["Mesa Police Department"], "{r2}");
        assert_eq!(
            names(&r2.confirmed),
            ["GREENFIELD POLICE DEPARTMENT", "Lakeview Police Department"]
        );
        assert_eq!(names(&r2.ended), ["Cook County Sheriff's Office"]);
        let sid2 = r2.source.unwrap();
        assert_ne!(sid2, sid);
        let cook = partnership_of(&app, COOK);
        let body = app.get_json(&format!("/partnerships/{cook}")).await;
        assert_eq!(body["status"], "ended");
        assert_eq!(body["end_date"], "2020-01-16/2020-04-15");
        assert_eq!(body["end_precision"], "range");
        assert_eq!(body["end_earliest"], "2020-01-16");
        assert_eq!(body["end_latest"], "2020-04-15");
        assert_eq!(body["last_confirmed"], "2020-01-15", "last seen stays");
        let revs = app
            .dataset
            .store()
            .revisions_of(EntityKind::Partnership, &cook.to_string())
            .await
            .unwrap();
        assert_eq!(revs[0].change_kind, ChangeKind::Ended);
        let cited = app
            .dataset
            .store()
            .cited_sources(&[revs[0].seq])
            .await
            .unwrap();
        assert_eq!(cited[&revs[0].seq], vec![sid2]);
        {
            let c = app.dataset.read();
            let g = &c.partnerships[&greenfield];
            assert_eq!(g.last_confirmed, Some(Q2_DAY));
            assert_eq!(g.video_requests.len(), 2, "one count a quarter");
            assert!(c.agencies.contains_key(MESA));
            assert_eq!(c.partnerships[&cook].status, Status::Ended);
        }
        let seq = app.dataset.read().seq();
        let again = apply(&app.dataset, &q2, Q2_DAY, false).await.unwrap();
        assert_eq!(again.revisions, 0, "{again}");
        assert!(
            again.ended.is_empty(),
            "an ended partnership ends once: {again}"
        );
        assert_eq!(app.dataset.store().head().await.unwrap(), seq);

        // An older snapshot after a newer one is refused.
        let err = apply(&app.dataset, &q1, Q1_DAY, false).await.unwrap_err();
        assert!(matches!(err, RingMapError::Refused(_)), "{err}");
        assert_eq!(app.dataset.store().head().await.unwrap(), seq);
    }
);

on_both_backends!(
    a_failure_in_the_middle_names_the_placemark_and_writes_nothing,
    |app: crate::helpers::TestApp| async move {
        with_greenfield(&app).await;
        let before = app.dataset.read().seq();
        // The malformed fixture is refused as it is read.
        let e = ringmap::read(&fixture("malformed.kml")).unwrap_err();
        assert_eq!(e.placemark, Some(3), "{e}");
        assert_eq!(e.name.as_deref(), Some("Mesa Police Department"));
        // A file that reads but whose third placemark cannot be recorded (a name that
        // gives no id), after two that can: nothing of the first two is written.
        let text = String::from_utf8(fixture("2020-q1.kml"))
            .unwrap()
            .replace("Cook County Sheriff's Office", "???");
        let file = ringmap::read(text.as_bytes()).unwrap();
        let err = apply(&app.dataset, &file, Q1_DAY, false).await.unwrap_err();
        assert!(err.to_string().contains("placemark 3 (`???`)"), "{err}");
        assert_eq!(app.dataset.read().seq(), before);
        assert_eq!(app.dataset.store().head().await.unwrap(), before);
        let c = app.dataset.read();
        assert!(!c.agencies.contains_key(LAKEVIEW));
        assert!(
            !c.sources
                .values()
                .any(|s| s.kind == SourceKind::OfficialMap)
        );
    }
);
