//! Writing a plan: its new sources, then each agency, partnership and citation, in one
//! transaction.

use super::plan::{Change, CitationChange, Plan, SourceRef};
use super::{ImportError, Profile};
use crate::domain::{ChangeKind, Citation, EntityKind, Meta, Partnership, Record};
use crate::service::Writer;
use crate::service::writer::Reason;

pub(super) async fn execute(
    w: &mut Writer,
    plan: Plan,
    profile: Profile,
) -> Result<usize, ImportError> {
    let mut revisions = 0;
    let mut new_ids = Vec::with_capacity(plan.new_sources.len());
    for source in plan.new_sources {
        let why = Reason {
            kind: ChangeKind::Import,
            note: Some(profile.note),
            sources: &[],
        };
        let Record::Source(s) = w.create(Record::Source(source), why).await? else {
            unreachable!("create returns the record it was given")
        };
        new_ids.push(s.id);
        revisions += 1;
    }
    let resolve = |r: SourceRef| match r {
        SourceRef::Existing(id) => id,
        SourceRef::New(i) => new_ids[i],
    };

    for g in plan.groups {
        let cited: Vec<i64> = g.sources.iter().map(|r| resolve(*r)).collect();
        let why = Reason {
            kind: ChangeKind::Import,
            note: Some(&g.note),
            sources: &cited,
        };
        match g.agency {
            Change::Create(a) => {
                w.create(Record::Agency(a), why).await?;
                revisions += 1;
            }
            Change::Update(a) => {
                let current = a.meta.clone();
                w.update(&current, Record::Agency(a), why).await?;
                revisions += 1;
            }
            Change::Unchanged => {}
        }
        let confirm = |p: &mut Partnership| {
            if let Some(r) = g.confirmed_by {
                p.last_confirmed_source = Some(resolve(r));
            }
        };
        let partnership_id = match g.partnership {
            Change::Create(mut p) => {
                confirm(&mut p);
                let Record::Partnership(p) = w.create(Record::Partnership(p), why).await? else {
                    unreachable!("create returns the record it was given")
                };
                revisions += 1;
                p.id
            }
            Change::Update(mut p) => {
                confirm(&mut p);
                let current = p.meta.clone();
                let id = p.id;
                w.update(&current, Record::Partnership(p), why).await?;
                revisions += 1;
                id
            }
            Change::Unchanged => g.partnership_id.unwrap_or_default(),
        };
        let pid = partnership_id.to_string();
        for (kind, entity, changes) in [
            (EntityKind::Agency, g.agency_id.as_str(), g.agency_citations),
            (
                EntityKind::Partnership,
                pid.as_str(),
                g.partnership_citations,
            ),
        ] {
            for change in changes {
                revisions += write_citation(w, kind, entity, change, &resolve, &g.note).await?;
            }
        }
    }
    Ok(revisions)
}

async fn write_citation(
    w: &mut Writer,
    kind: EntityKind,
    entity_id: &str,
    change: CitationChange,
    resolve: &impl Fn(SourceRef) -> i64,
    note: &str,
) -> Result<usize, ImportError> {
    match change {
        CitationChange::Create { source, quote } => {
            let source_id = resolve(source);
            let citation = Citation {
                id: 0,
                source_id,
                entity_kind: kind,
                entity_id: entity_id.to_string(),
                field: None,
                quote,
                meta: Meta::new(w.at()),
            };
            let why = Reason {
                kind: ChangeKind::Import,
                note: Some(note),
                sources: &[source_id],
            };
            w.create(Record::Citation(citation), why).await?;
        }
        CitationChange::Update(c) => {
            let current = c.meta.clone();
            let source_id = c.source_id;
            let why = Reason {
                kind: ChangeKind::Import,
                note: Some(note),
                sources: &[source_id],
            };
            w.update(&current, Record::Citation(c), why).await?;
        }
    }
    Ok(1)
}
