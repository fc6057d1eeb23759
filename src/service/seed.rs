//! The programs and phases every database starts with: Ring's Neighbors Public Safety Service
//! and the dated phases that changed what every enrolled agency could do, each with the public
//! sources that report it. Written through the normal write path, so it has history like any
//! other change.

use super::writer::Reason;
use super::{Dataset, ServiceError};
use crate::domain::{
    ChangeKind, Citation, EntityKind, Meta, PartialDate, Phase, Program, Record, Source,
    SourceKind, Status,
};
use std::collections::HashMap;

pub const RING_PROGRAM_ID: &str = "ring-neighbors-public-safety-service";
const ACTOR: &str = "seed";

struct SeedSource {
    key: &'static str,
    url: &'static str,
    title: &'static str,
    publisher: &'static str,
    published: &'static str,
    kind: SourceKind,
}

/// Titles describe what each source reports; publishers are as the sources give them.
const SOURCES: &[SeedSource] = &[
    SeedSource {
        key: "atlas",
        url: "https://atlasofsurveillance.org/",
        title: "Atlas of Surveillance: Ring/Neighbors partnerships (export of 2020-10-07)",
        publisher: "Electronic Frontier Foundation and University of Nevada, Reno Reynolds School of Journalism",
        published: "2020-10-07",
        kind: SourceKind::Dataset,
    },
    SeedSource {
        key: "ring-map",
        url: "https://blog.ring.com/2019/08/28/working-together-for-safer-neighborhoods-introducing-the-neighbors-active-law-enforcement-map/",
        title: "Working together for safer neighborhoods: introducing the Neighbors active law enforcement map",
        publisher: "Ring",
        published: "2019-08-28",
        kind: SourceKind::PressRelease,
    },
    SeedSource {
        key: "markup",
        url: "https://themarkup.org/neighborhood-watch/2023/10/11/how-we-investigated-rings-crime-alert-system-for-police-departments",
        title: "How we investigated Ring's crime alert system for police departments",
        publisher: "The Markup",
        published: "2023-10-11",
        kind: SourceKind::News,
    },
    SeedSource {
        key: "rfa-start",
        url: "https://digitaltrends.com/?p=2709189",
        title: "Ring replaces private police video requests with public Request for Assistance posts",
        publisher: "Digital Trends",
        published: "2021-06",
        kind: SourceKind::News,
    },
    SeedSource {
        key: "rfa-end-nesaus",
        url: "https://nesaus.org/ring-eliminates-police-government-access-to-neighbors-app-content/",
        title: "Ring eliminates police and government access to Neighbors app content",
        publisher: "NESA",
        published: "2024-01",
        kind: SourceKind::News,
    },
    SeedSource {
        key: "rfa-end-bu",
        url: "https://www.businessupturn.com/usa/amazons-ring-ceases-police-access-to-doorbell-video-footage-requests-alters-neighbors-app-features/28598",
        title: "Amazon's Ring ceases police access to doorbell video footage requests, alters Neighbors app features",
        publisher: "Business Upturn",
        published: "2024-01",
        kind: SourceKind::News,
    },
    SeedSource {
        key: "axon-bet",
        url: "https://www.bet.com/article/1kugvz/your-ring-camera-could-soon-be-used-by-police-again",
        title: "Your Ring camera could soon be used by police again",
        publisher: "BET",
        published: "2025-04",
        kind: SourceKind::News,
    },
    SeedSource {
        key: "axon-ring",
        url: "https://ring.com/support/verified-help/articles/5t05p/Community-Request",
        title: "Community Request (Ring help article)",
        publisher: "Ring",
        published: "2025",
        kind: SourceKind::Other,
    },
    SeedSource {
        key: "flock-announce",
        url: "https://www.siliconsnark.com/ring-flock-safetys-community-requests-neighborhood-watch-now-with-an-upload-button",
        title: "Ring and Flock Safety's Community Requests",
        publisher: "Silicon Snark",
        published: "2025-10",
        kind: SourceKind::News,
    },
    SeedSource {
        key: "flock-cancel",
        url: "https://www.findarticles.com/ring-and-flock-safety-end-partnership-amid-scrutiny/?amp=1&noamp=mobile",
        title: "Ring and Flock Safety end partnership amid scrutiny",
        publisher: "FindArticles",
        published: "2026-02",
        kind: SourceKind::News,
    },
];

struct SeedPhase {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    status: Status,
    start: &'static str,
    /// Inclusive: the last day the phase applied.
    end: Option<&'static str>,
    footage_requests: bool,
    footage_condition: Option<&'static str>,
    sources: &'static [&'static str],
}

const PHASES: &[SeedPhase] = &[
    SeedPhase {
        id: "ring-nps-video-requests",
        name: "Video Requests",
        description: "Agencies could ask device owners in an area for footage by private email, sent by Ring on the agency's behalf. Replaced by Request for Assistance on 2021-06-07.",
        status: Status::Ended,
        start: "2018-03",
        end: Some("2021-06-06"),
        footage_requests: true,
        footage_condition: None,
        sources: &["atlas", "ring-map", "rfa-start"],
    },
    SeedPhase {
        id: "ring-nps-request-for-assistance",
        name: "Request for Assistance",
        description: "Agencies asked for footage through public posts in the Neighbors feed. Ring stopped new requests from 2024-01-29; open ones could be answered until 2024-02-29.",
        status: Status::Ended,
        start: "2021-06-07",
        end: Some("2024-01-28"),
        footage_requests: true,
        footage_condition: None,
        sources: &["rfa-start", "rfa-end-nesaus", "rfa-end-bu"],
    },
    SeedPhase {
        id: "ring-nps-posts-only",
        name: "Posts only",
        description: "Agencies can post alerts and updates but cannot ask residents for footage through Ring; footage reaches police only by warrant or subpoena, or Ring's own emergency disclosures.",
        status: Status::Active,
        start: "2024-01-29",
        end: None,
        footage_requests: false,
        footage_condition: None,
        sources: &["rfa-end-nesaus", "rfa-end-bu"],
    },
    SeedPhase {
        id: "ring-nps-community-requests-axon",
        name: "Community Requests via Axon Evidence",
        description: "Agencies that also use Axon Evidence can ask residents in an area to share footage, which arrives in Axon Evidence. Announced in April 2025.",
        status: Status::Active,
        start: "2025-04",
        end: None,
        footage_requests: true,
        footage_condition: Some("Only agencies that also have an Axon Evidence account"),
        sources: &["axon-bet", "axon-ring"],
    },
    SeedPhase {
        id: "ring-nps-community-requests-flock",
        name: "Community Requests via Flock Safety",
        description: "An integration announced in October 2025 to route Community Requests through FlockOS / Flock Nova. Cancelled in February 2026 before launch; no footage was shared through it.",
        status: Status::Cancelled,
        start: "2025-10",
        end: Some("2026-02"),
        footage_requests: false,
        footage_condition: Some("Never launched"),
        sources: &["flock-announce", "flock-cancel"],
    },
];

fn date(text: &str) -> PartialDate {
    // The seed table is ours and checked by a test; a typo is a programming error.
    text.parse().unwrap_or_else(|e| panic!("seed date: {e}"))
}

/// Writes the seed in one transaction unless the program already exists. Returns whether it
/// wrote anything.
pub async fn ensure_programs(dataset: &Dataset) -> Result<bool, ServiceError> {
    if dataset.read().programs.contains_key(RING_PROGRAM_ID) {
        return Ok(false);
    }
    let mut w = dataset.begin(ACTOR).await?;
    let placeholder = Meta::new(w.at());
    let note =
        Some("Seeded from the project's dated timeline of public facts about Ring's programs");
    let existing: HashMap<String, i64> = dataset
        .read()
        .sources
        .values()
        .map(|s| (s.url.clone(), s.id))
        .collect();

    let mut ids: HashMap<&str, i64> = HashMap::new();
    for s in SOURCES {
        let id = match existing.get(s.url) {
            Some(id) => *id,
            None => {
                let record = Record::Source(Source {
                    id: 0,
                    url: s.url.into(),
                    title: s.title.into(),
                    publisher: Some(s.publisher.into()),
                    published: Some(date(s.published)),
                    accessed: None,
                    archived_url: None,
                    kind: s.kind,
                    meta: placeholder.clone(),
                });
                let why = Reason {
                    kind: ChangeKind::Seed,
                    note,
                    sources: &[],
                };
                match w.create(record, why).await? {
                    Record::Source(s) => s.id,
                    _ => unreachable!("create returns the record it was given"),
                }
            }
        };
        ids.insert(s.key, id);
    }
    let cite = |keys: &[&str]| -> Vec<i64> { keys.iter().map(|k| ids[k]).collect() };

    let program_sources = cite(&["atlas", "ring-map", "markup"]);
    let program = Record::Program(Program {
        id: RING_PROGRAM_ID.into(),
        vendor: "Ring (Amazon)".into(),
        name: "Neighbors Public Safety Service".into(),
        description: Some(
            "Ring's program for police and other public safety agencies (earlier called the Neighbors Portal or Law Enforcement Neighborhood Portal): a verified agency account that posts alerts in the Neighbors app. What the account lets an agency do has changed over time; see the program's phases.".into(),
        ),
        start: Some(date("2018-03")),
        end: None,
        meta: placeholder.clone(),
    });
    let why = Reason {
        kind: ChangeKind::Seed,
        note,
        sources: &program_sources,
    };
    w.create(program, why).await?;
    cite_all(
        &mut w,
        EntityKind::Program,
        RING_PROGRAM_ID,
        &program_sources,
        &placeholder,
        note,
    )
    .await?;

    for p in PHASES {
        let sources = cite(p.sources);
        let phase = Record::Phase(Phase {
            id: p.id.into(),
            program_id: RING_PROGRAM_ID.into(),
            name: p.name.into(),
            description: Some(p.description.into()),
            status: p.status,
            start: Some(date(p.start)),
            end: p.end.map(date),
            footage_requests: p.footage_requests,
            footage_condition: p.footage_condition.map(str::to_string),
            meta: placeholder.clone(),
        });
        let why = Reason {
            kind: ChangeKind::Seed,
            note,
            sources: &sources,
        };
        w.create(phase, why).await?;
        cite_all(
            &mut w,
            EntityKind::Phase,
            p.id,
            &sources,
            &placeholder,
            note,
        )
        .await?;
    }
    dataset.commit(w).await?;
    Ok(true)
}

async fn cite_all(
    w: &mut super::Writer,
    kind: EntityKind,
    id: &str,
    sources: &[i64],
    placeholder: &Meta,
    note: Option<&str>,
) -> Result<(), ServiceError> {
    for source_id in sources {
        let citation = Record::Citation(Citation {
            id: 0,
            source_id: *source_id,
            entity_kind: kind,
            entity_id: id.into(),
            field: None,
            quote: None,
            meta: placeholder.clone(),
        });
        let why = Reason {
            kind: ChangeKind::Seed,
            note,
            sources: std::slice::from_ref(source_id),
        };
        w.create(citation, why).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_dates_parse_and_phases_cite_known_sources() {
        for s in SOURCES {
            date(s.published);
        }
        for p in PHASES {
            let start = date(p.start);
            if let Some(end) = p.end.map(date) {
                assert!(start.earliest() <= end.latest(), "{}", p.id);
            }
            for key in p.sources {
                assert!(SOURCES.iter().any(|s| s.key == *key), "{key}");
            }
        }
    }

    #[test]
    fn no_phase_allowed_footage_requests_between_rfa_sunset_and_axon() {
        let gap_start = date("2024-01-29").earliest();
        let gap_end = date("2025-03-31").earliest();
        for p in PHASES.iter().filter(|p| p.footage_requests) {
            let start = date(p.start).earliest();
            let end = p.end.map(|e| date(e).latest());
            let overlaps = start <= gap_end && end.is_none_or(|e| e >= gap_start);
            assert!(!overlaps, "{} overlaps the gap", p.id);
        }
    }
}
