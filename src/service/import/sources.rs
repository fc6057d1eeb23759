//! The sources an import cites: matched by URL against the catalog's, or planned anew.

use super::ATLAS_URL;
use super::plan::SourceRef;
use crate::domain::{Meta, Source, SourceKind};
use crate::import::atlas::{AtlasRow, Link, canonical_url, source_kind};
use crate::service::catalog::Catalog;
use std::collections::{HashMap, HashSet};

/// The sources planned so far, by URL.
pub(super) struct SourcePlanner {
    by_url: HashMap<String, SourceRef>,
    /// The sources the import creates, in order (`SourceRef::New` indexes them).
    pub new: Vec<Source>,
    /// Existing sources cited, each counted once.
    pub reused: usize,
    reused_ids: HashSet<i64>,
    placeholder: Meta,
}

impl SourcePlanner {
    pub(super) fn new(catalog: &Catalog, placeholder: Meta) -> Self {
        Self {
            by_url: catalog
                .sources
                .values()
                .map(|s| (s.url.clone(), SourceRef::Existing(s.id)))
                .collect(),
            new: Vec::new(),
            reused: 0,
            reused_ids: HashSet::new(),
            placeholder,
        }
    }

    fn get_or_add(&mut self, source: Source) -> SourceRef {
        if let Some(&r) = self.by_url.get(&source.url) {
            if let SourceRef::Existing(id) = r
                && self.reused_ids.insert(id)
            {
                self.reused += 1;
            }
            return r;
        }
        let r = SourceRef::New(self.new.len());
        self.by_url.insert(source.url.clone(), r);
        self.new.push(source);
        r
    }

    pub(super) fn atlas(&mut self) -> SourceRef {
        let source = Source {
            id: 0,
            url: ATLAS_URL.into(),
            title: "Atlas of Surveillance: Ring/Neighbors partnerships (export of 2020-10-07)"
                .into(),
            publisher: Some(
                "Electronic Frontier Foundation and University of Nevada, Reno Reynolds School of Journalism"
                    .into(),
            ),
            published: "2020-10-07".parse().ok(),
            accessed: None,
            archived_url: None,
            kind: SourceKind::Dataset,
            meta: self.placeholder.clone(),
        };
        self.get_or_add(source)
    }

    pub(super) fn source_for(&mut self, link: &Link, row: &AtlasRow) -> SourceRef {
        let url = canonical_url(&link.url);
        let kind = source_kind(link, row);
        let title = link.title.clone().unwrap_or_else(|| match kind {
            SourceKind::OfficialMap => {
                "Ring's Active Agency Map of Neighbors law enforcement partners (Google My Maps)"
                    .into()
            }
            SourceKind::PublicRecords => format!(
                "Public records on the {}'s ({}) partnership with Ring",
                row.agency, row.state
            ),
            _ => format!("The {}'s ({}) partnership with Ring", row.agency, row.state),
        });
        let source = Source {
            id: 0,
            url,
            title,
            publisher: link.publisher.clone(),
            published: if kind == SourceKind::OfficialMap {
                None
            } else {
                link.date
            },
            accessed: None,
            archived_url: link.snapshot.clone(),
            kind,
            meta: self.placeholder.clone(),
        };
        self.get_or_add(source)
    }
}

/// The day of Ring's map the Atlas export of 2020-10-07 recorded.
pub(super) fn atlas_snapshot_day() -> time::Date {
    time::macros::date!(2020 - 10 - 07)
}
