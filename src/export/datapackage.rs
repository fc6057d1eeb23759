//! The Frictionless Data Package (v1) descriptor of the bulk download, `datapackage.json`:
//! licence, sources and contributors, and a Table Schema for every CSV file built from the
//! same column lists the files are written with.

use super::tables::{AgencyRow, PartnershipRow};
use super::{Column, Table};
use crate::domain::{Citation, Phase, Program, Source};
use serde_json::{Value, json};

/// The dataset's licence, and the credit it asks for: in the spec, every list's `meta`, the
/// bulk download and its Data Package.
pub const LICENSE_NAME: &str = "CC BY 4.0";
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
pub const ATTRIBUTION: &str = "Partnership data: Electronic Frontier Foundation and the University of Nevada, Reno Reynolds School of Journalism, Atlas of Surveillance (CC BY 4.0), and the public sources cited with each record. Locations: GeoNames (CC BY 4.0).";

/// A CSV table of the bulk download.
pub struct CsvResource {
    pub name: &'static str,
    pub title: &'static str,
    pub columns: &'static [Column],
    pub primary_key: &'static str,
    /// (column, referenced resource, referenced column).
    pub foreign_keys: &'static [(&'static str, &'static str, &'static str)],
}

/// Every table of the bulk download, in the order of the zip.
pub const CSV_RESOURCES: &[CsvResource] = &[
    CsvResource {
        name: "agencies",
        title: "Agencies",
        columns: <AgencyRow as Table>::COLUMNS,
        primary_key: "id",
        foreign_keys: &[],
    },
    CsvResource {
        name: "partnerships",
        title: "Partnerships",
        columns: <PartnershipRow as Table>::COLUMNS,
        primary_key: "id",
        foreign_keys: &[
            ("agency_id", "agencies", "id"),
            ("program_id", "programs", "id"),
            ("last_confirmed_source", "sources", "id"),
            ("source_id", "sources", "id"),
        ],
    },
    CsvResource {
        name: "programs",
        title: "Programs",
        columns: <Program as Table>::COLUMNS,
        primary_key: "id",
        foreign_keys: &[],
    },
    CsvResource {
        name: "phases",
        title: "Program phases",
        columns: <Phase as Table>::COLUMNS,
        primary_key: "id",
        foreign_keys: &[("program_id", "programs", "id")],
    },
    CsvResource {
        name: "sources",
        title: "Sources",
        columns: <Source as Table>::COLUMNS,
        primary_key: "id",
        foreign_keys: &[],
    },
    CsvResource {
        name: "citations",
        title: "Citations",
        columns: <Citation as Table>::COLUMNS,
        primary_key: "id",
        foreign_keys: &[("source_id", "sources", "id")],
    },
];

fn schema(r: &CsvResource) -> Value {
    let fields: Vec<Value> = r
        .columns
        .iter()
        .map(|c| {
            let mut f =
                json!({"name": c.name, "type": c.kind.as_str(), "description": c.description});
            if c.kind == super::ColumnType::Boolean {
                f["trueValues"] = json!(["true"]);
                f["falseValues"] = json!(["false"]);
            }
            if c.name == r.primary_key {
                f["constraints"] = json!({"required": true, "unique": true});
            } else if !c.values.is_empty() {
                f["constraints"] = json!({"enum": c.values});
            }
            f
        })
        .collect();
    let foreign: Vec<Value> = r
        .foreign_keys
        .iter()
        .map(|(field, resource, to)| {
            json!({"fields": field, "reference": {"resource": resource, "fields": to}})
        })
        .collect();
    let mut s = json!({"fields": fields, "primaryKey": r.primary_key, "missingValues": [""]});
    if !foreign.is_empty() {
        s["foreignKeys"] = json!(foreign);
    }
    s
}

/// The descriptor of the zip's CSV tables (every resource a tabular data resource).
/// `coverage` says how current the data is (the list meta's `coverage`): it goes in the
/// description and, as data, in `x_coverage`.
pub fn descriptor(version: i64, created: &str, coverage: &[CoverageLine]) -> Value {
    let resources: Vec<Value> = CSV_RESOURCES
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "title": r.title,
                "profile": "tabular-data-resource",
                "path": format!("{}.csv", r.name),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true},
                "licenses": [license()],
                "schema": schema(r),
            })
        })
        .collect();
    let description = format!(
        "Which US police and other public safety agencies partner with Amazon Ring, through which programs, from when to when, and on what evidence. Dates keep their known precision (start_date with start_precision), with the interval they mean in start_earliest and start_latest. {}",
        how_old(coverage)
    );
    json!({
        "profile": "tabular-data-package",
        "name": "ring-partnerships",
        "title": "US public safety agencies' partnerships with Amazon Ring",
        "description": description,
        "version": format!("1.0.{version}"),
        "created": created,
        "keywords": ["ring", "police", "surveillance", "partnerships", "open data"],
        "licenses": [license()],
        "sources": [
            {"title": "Atlas of Surveillance, Electronic Frontier Foundation and the University of Nevada, Reno Reynolds School of Journalism (CC BY 4.0)", "path": "https://atlasofsurveillance.org/"},
            {"title": "GeoNames (CC BY 4.0): agency locations", "path": "https://www.geonames.org/"},
            {"title": "The public sources cited with each record (sources.csv, citations.csv)", "path": "sources.csv"}
        ],
        "contributors": [
            {"title": "Electronic Frontier Foundation", "path": "https://www.eff.org/", "role": "author"},
            {"title": "University of Nevada, Reno Reynolds School of Journalism", "role": "author"},
            {"title": "GeoNames", "path": "https://www.geonames.org/", "role": "contributor"},
            {"title": "ring-partnerships editors", "role": "publisher"}
        ],
        "x_dataset_version": version,
        "x_coverage": coverage,
        "resources": resources,
    })
}

/// How current the partnerships confirmed by one source are (the list meta's `coverage`).
#[derive(serde::Serialize, Clone, Debug)]
pub struct CoverageLine {
    pub source_id: Option<i64>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// The newest day the source confirms a partnership (ISO day).
    pub as_of: Option<String>,
    pub partnerships: u64,
}

/// How old the data is, in sentences: one per source of the partnerships' newest evidence.
pub fn how_old(coverage: &[CoverageLine]) -> String {
    let mut out = String::from(
        "How old the facts are: each partnership's last_confirmed is the day of the newest evidence that it was active; after that day, with no end recorded, it is only possible, not certain.",
    );
    for c in coverage {
        let what = c.title.as_deref().unwrap_or("no evidence date recorded");
        match &c.as_of {
            Some(day) => out.push_str(&format!(
                " {} partnerships were last confirmed by {what}, as of {day}.",
                c.partnerships
            )),
            None => out.push_str(&format!(
                " {} partnerships have no confirmation date ({what}).",
                c.partnerships
            )),
        }
    }
    out
}

fn license() -> Value {
    json!({"name": "CC-BY-4.0", "path": LICENSE_URL, "title": "Creative Commons Attribution 4.0"})
}

const README: &str = "Ring partnerships: the bulk download\n\
====================================\n\n\
Which US police and other public safety agencies partner with Amazon Ring, through which\n\
programs, from when to when, and on what evidence.\n\n\
Files: agencies.csv, partnerships.csv, programs.csv, phases.csv, sources.csv and\n\
citations.csv (RFC 4180, UTF-8, header row), described column by column in\n\
datapackage.json (Frictionless Data Package). Dates keep their known precision:\n\
start_date is YYYY-MM-DD, YYYY-MM or YYYY, and start_precision says which;\n\
start_earliest and start_latest are the first and last day it can mean (plain ISO\n\
days every tool reads as dates), and the same holds for every other date.\n\n";

/// The bulk download's `README.txt`.
pub fn readme(version: i64, coverage: &[CoverageLine]) -> String {
    format!(
        "{README}{}\n\nDataset version: {version}.\n\nLicence: {} ({}). See LICENSE.\n\n{}\n",
        how_old(coverage),
        LICENSE_NAME,
        LICENSE_URL,
        ATTRIBUTION
    )
}

/// The bulk download's `LICENSE.txt`.
pub fn license_text() -> String {
    format!(
        "The data in this archive is licensed under the Creative Commons Attribution 4.0\n\
International licence (CC BY 4.0): {}\n\n\
You may share and adapt it for any purpose, provided you give appropriate credit.\n\
Attribution:\n\n{}\n",
        LICENSE_URL, ATTRIBUTION
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_csv_column_is_described_once_with_a_type() {
        let line = CoverageLine {
            source_id: Some(1),
            title: Some("Atlas".into()),
            url: None,
            as_of: Some("2020-10-07".into()),
            partnerships: 3,
        };
        let d = descriptor(7, "2026-01-01T00:00:00Z", std::slice::from_ref(&line));
        assert_eq!(d["x_coverage"][0]["as_of"], "2020-10-07");
        assert!(
            d["description"]
                .as_str()
                .unwrap()
                .contains("3 partnerships were last confirmed by Atlas, as of 2020-10-07")
        );
        assert_eq!(d["licenses"][0]["name"], "CC-BY-4.0");
        for r in d["resources"].as_array().unwrap() {
            let fields = r["schema"]["fields"].as_array().unwrap();
            let mut names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "duplicate column in {}", r["name"]);
            for f in fields {
                assert!(!f["description"].as_str().unwrap().is_empty());
                assert!(f["type"].is_string());
            }
            let pk = r["schema"]["primaryKey"].as_str().unwrap();
            assert!(names.contains(&pk));
        }
    }
}
