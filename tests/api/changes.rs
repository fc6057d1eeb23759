//! `import changes`: a spreadsheet of cited changes applied in one transaction through the
//! edit path, on both backends.

use crate::helpers::{Fixture, PROGRAM};
use crate::on_both_backends;
use ring_partnerships::domain::{AgencyType, ChangeKind, EntityKind, Status};
use ring_partnerships::import::changes;
use ring_partnerships::service::changes::{ChangesError, Outcome, apply};

const HEADER: &str = "record,set,kind,note,source_url,source_title,source_publisher,source_date";

fn file(rows: &[String]) -> Vec<changes::ChangeRow> {
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    changes::read(text.as_bytes()).expect("the file reads")
}

/// A row ending partnership `id`, citing a new story.
fn end_row(id: i64) -> String {
    format!(
        r#"partnership/{id},"{{""status"": ""ended"", ""end"": ""2021-03""}}",ended,The city ended it,https://example.org/ended,City ends Ring deal,Example Times,2021-03-04"#
    )
}

fn new_agency_rows() -> Vec<String> {
    vec![
        r#"agency,"{""name"": ""Lakeview Police Department"", ""state"": ""MI"", ""agency_type"": ""police"", ""jurisdiction_type"": ""municipal""}",created,Missing agency,https://example.org/lakeview,Lakeview joins Neighbors,Example Times,2021-05"#.to_string(),
        format!(
            r#"partnership,"{{""agency_id"": ""us-mi-lakeview-police-department"", ""program_id"": ""{PROGRAM}"", ""status"": ""active"", ""start"": ""2021-05""}}",created,Its partnership,https://example.org/lakeview,,,"#
        ),
    ]
}

on_both_backends!(
    a_changes_file_applies_cited_in_one_transaction_and_again_writes_nothing,
    |app: crate::helpers::TestApp| async move {
        let fx = Fixture {
            dataset: &app.dataset,
        };
        let source = fx.source("https://example.org/original", "Original").await;
        let (_, pid) = fx
            .agency_with_partnership(
                "WI",
                "Greenfield Police Department",
                AgencyType::Police,
                "2018-03-22",
                source,
            )
            .await;
        let mut rows = vec![end_row(pid)];
        rows.extend(new_agency_rows());
        let rows = file(&rows);
        let before = app.dataset.read().seq();

        let dry = apply(&app.dataset, &rows, true).await.unwrap();
        assert_eq!(app.dataset.read().seq(), before, "a dry run writes nothing");
        assert_eq!(dry.rows[0].outcome, Outcome::Updated);
        let status = dry.rows[0]
            .diff
            .iter()
            .find(|d| d.field == "status")
            .unwrap();
        assert_eq!(
            (status.old.as_str(), status.new.as_str()),
            ("\"active\"", "\"ended\"")
        );
        assert!(matches!(dry.rows[2].outcome, Outcome::Created(_)), "{dry}");

        let report = apply(&app.dataset, &rows, false).await.unwrap();
        assert!(report.seq > before);
        {
            let c = app.dataset.read();
            let p = &c.partnerships[&pid];
            assert_eq!(p.status, Status::Ended);
            assert_eq!(p.end.unwrap().to_string(), "2021-03");
            assert!(c.agencies.contains_key("us-mi-lakeview-police-department"));
            assert_eq!(
                c.partnerships_of("us-mi-lakeview-police-department").len(),
                1
            );
            // One new source per URL, reused by the second row that cites it.
            let lakeview: Vec<_> = c
                .sources
                .values()
                .filter(|s| s.url == "https://example.org/lakeview")
                .collect();
            assert_eq!(lakeview.len(), 1);
            assert_eq!(lakeview[0].publisher.as_deref(), Some("Example Times"));
        }
        // History: the edit is a revision of its kind, by the import, citing the story.
        let revs = app
            .dataset
            .store()
            .revisions_of(EntityKind::Partnership, &pid.to_string())
            .await
            .unwrap();
        let last = revs.first().unwrap(); // newest first
        assert_eq!(last.change_kind, ChangeKind::Ended);
        assert_eq!(last.actor, "import:changes");
        let cited = app
            .dataset
            .store()
            .cited_sources(&[last.seq])
            .await
            .unwrap();
        let story = app
            .dataset
            .read()
            .sources
            .values()
            .find(|s| s.url == "https://example.org/ended")
            .map(|s| s.id)
            .unwrap();
        assert_eq!(cited[&last.seq], vec![story]);
        // The API shows it like any edit.
        let body = app.get_json(&format!("/partnerships/{pid}")).await;
        assert_eq!(body["status"], "ended");

        let seq = app.dataset.read().seq();
        let again = apply(&app.dataset, &rows, false).await.unwrap();
        assert_eq!(again.revisions, 0, "{again}");
        assert!(again.rows.iter().all(|r| r.outcome == Outcome::Unchanged));
        assert_eq!(app.dataset.read().seq(), seq);
    }
);

on_both_backends!(
    a_bad_row_in_the_middle_names_its_line_and_column_and_writes_nothing,
    |app: crate::helpers::TestApp| async move {
        let fx = Fixture {
            dataset: &app.dataset,
        };
        let source = fx.source("https://example.org/original", "Original").await;
        let (_, pid) = fx
            .agency_with_partnership(
                "WI",
                "Greenfield Police Department",
                AgencyType::Police,
                "2018-03-22",
                source,
            )
            .await;
        let bad = [
            // A status outside the vocabulary.
            (
                format!(
                    r#"partnership/{pid},"{{""status"": ""paused""}}",correction,n,https://example.org/x,X,,"#
                ),
                "set",
            ),
            // An end before the start.
            (
                format!(
                    r#"partnership/{pid},"{{""end"": ""2017""}}",correction,n,https://example.org/x,X,,"#
                ),
                "set.end",
            ),
            // No such record.
            (
                r#"partnership/999999,"{""notes"": ""x""}",correction,n,https://example.org/x,X,,"#
                    .to_string(),
                "record",
            ),
            // A new source without a title.
            (
                format!(
                    r#"partnership/{pid},"{{""notes"": ""x""}}",correction,n,https://example.org/untitled,,,"#
                ),
                "source_title",
            ),
            // A partnership for an agency that does not exist.
            (
                format!(
                    r#"partnership,"{{""agency_id"": ""us-mi-nowhere"", ""program_id"": ""{PROGRAM}"", ""status"": ""active""}}",created,n,https://example.org/x,X,,"#
                ),
                "set.agency_id",
            ),
        ];
        let before = app.dataset.read().seq();
        for (row, column) in bad {
            let mut rows = new_agency_rows();
            rows.insert(1, row.clone());
            let rows = file(&rows);
            let err = apply(&app.dataset, &rows, false).await.expect_err(&row);
            let ChangesError::File(e) = err else {
                panic!("{row}: {err}")
            };
            assert_eq!((e.line, e.column.as_str()), (3, column), "{row}: {e}");
            assert_eq!(app.dataset.read().seq(), before, "{row}: nothing written");
            let seq = app.dataset.store().head().await.unwrap();
            assert_eq!(seq, before, "{row}: nothing in the database either");
            assert!(
                !app.dataset
                    .read()
                    .agencies
                    .contains_key("us-mi-lakeview-police-department")
            );
        }
    }
);

on_both_backends!(
    the_documented_example_applies_to_the_shipped_sample,
    |app: crate::helpers::TestApp| async move {
        ring_partnerships::service::import::load_sample_if_empty(&app.dataset)
            .await
            .unwrap();
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/examples/changes.csv"
        ))
        .unwrap();
        let rows = changes::read(text.as_bytes()).unwrap();
        let report = apply(&app.dataset, &rows, false).await.unwrap();
        assert!(
            report.rows.iter().all(|r| r.outcome != Outcome::Unchanged),
            "{report}"
        );
        let again = apply(&app.dataset, &rows, false).await.unwrap();
        assert_eq!(again.revisions, 0, "{again}");
    }
);

on_both_backends!(
    an_end_known_only_between_two_days_is_stored_and_shown_as_a_range,
    |app: crate::helpers::TestApp| async move {
        let fx = Fixture {
            dataset: &app.dataset,
        };
        let source = fx.source("https://example.org/original", "Original").await;
        let (_, pid) = fx
            .agency_with_partnership(
                "WI",
                "Greenfield Police Department",
                AgencyType::Police,
                "2018-03-22",
                source,
            )
            .await;
        let rows = file(&[format!(
            r#"partnership/{pid},"{{""status"": ""ended"", ""end"": ""2020-10-08/2021-03-01""}}",ended,Gone from the map,https://example.org/original,,,"#
        )]);
        apply(&app.dataset, &rows, false).await.unwrap();
        let body = app.get_json(&format!("/partnerships/{pid}")).await;
        assert_eq!(body["end_date"], "2020-10-08/2021-03-01");
        assert_eq!(body["end_precision"], "range");
        let csv = app.get("/partnerships.csv").await.text().await.unwrap();
        assert!(csv.contains("2020-10-08/2021-03-01,range"), "{csv}");
        // Active (possibly) inside the range, not after it.
        let inside = app.get_json("/partnerships?active_on=2020-12-01").await;
        assert_eq!(
            inside["data"][0]["active_on_certainty"], "possible",
            "{inside}"
        );
        let after = app.get_json("/partnerships?active_on=2021-03-02").await;
        assert_eq!(after["data"].as_array().unwrap().len(), 0, "{after}");
    }
);
