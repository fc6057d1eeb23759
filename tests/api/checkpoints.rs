//! `as_of` replays from catalog checkpoints: any past version is the newest checkpoint at or
//! before it plus the revisions after it. Every version replayed that way equals the fold of
//! the whole log up to it.

use crate::helpers::{Fixture, TestApp};
use crate::on_both_backends;
use ring_partnerships::domain::AgencyType;
use ring_partnerships::service::catalog::Catalog;

/// What a catalog holds, in a form that can be compared.
fn contents(c: &Catalog) -> String {
    format!(
        "{} {:?} {:?} {:?} {:?} {:?} {:?}",
        c.seq(),
        c.agencies,
        c.programs,
        c.phases,
        c.partnerships,
        c.sources,
        c.citations
    )
}

on_both_backends!(
    every_past_version_replayed_from_a_checkpoint_equals_the_whole_fold,
    |app: TestApp| async move {
        let ds = &app.dataset;
        // The seeded records are there already; checkpoints start from here.
        let start = ds.read().seq();
        ds.reset_checkpoints(4);
        let fixture = Fixture { dataset: ds };
        let mut source = 0;
        for i in 0..9 {
            source = fixture
                .source(&format!("https://news.example/c{i}"), &format!("S{i}"))
                .await;
        }
        for i in 0..3 {
            fixture
                .agency_with_partnership(
                    "WI",
                    &format!("Town {i} Police Department"),
                    AgencyType::Police,
                    "2019-05",
                    source,
                )
                .await;
        }
        let head = ds.read().seq();
        let (kept, every) = ds.checkpoint_stats();
        assert_eq!(every, 4);
        assert_eq!(
            kept as i64,
            head / 4 - start / 4,
            "a checkpoint every 4 revisions from {start} to {head}"
        );
        let log = ds.store().revisions_since(0, 10_000).await.unwrap();
        assert_eq!(log.len() as i64, head);
        for seq in 0..=head {
            let replayed = ds.at_version(seq).await.unwrap();
            let folded =
                Catalog::from_revisions(log.iter().filter(|r| r.seq <= seq).cloned()).unwrap();
            assert_eq!(contents(&replayed), contents(&folded), "version {seq}");
        }
    }
);
