//! The Atlas's vocabulary in ours: its agency and jurisdiction types, its link kinds, and
//! the many spellings of a link to Ring's map.

use super::{AtlasRow, Link};
use crate::domain::{AgencyType, JurisdictionType, SourceKind};

const RING_MAP_ID: &str = "1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB";

/// Google My Maps links are reduced to the map: `…/maps/d/viewer?mid=<id>`.
pub fn canonical_url(raw: &str) -> String {
    let raw = raw.trim();
    if let Ok(u) = url::Url::parse(raw)
        && u.host_str().is_some_and(|h| h.ends_with("google.com"))
        && u.path().contains("/maps/d/")
        && let Some((_, mid)) = u.query_pairs().find(|(k, _)| k == "mid")
    {
        return format!("https://www.google.com/maps/d/viewer?mid={mid}");
    }
    raw.to_string()
}

/// `Link N Type` when it names a kind; else a guess from the URL and publisher.
pub fn source_kind(link: &Link, row: &AtlasRow) -> SourceKind {
    if let Some(kind) = link.kind.as_deref() {
        let key = kind.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        if let Ok(k) = key.parse() {
            return k;
        }
    }
    let url = link.url.to_ascii_lowercase();
    if url.contains(&RING_MAP_ID.to_ascii_lowercase()) || url.contains("google.com/maps/d/") {
        return SourceKind::OfficialMap;
    }
    if url.contains("documentcloud.org") || url.contains("/foia/") {
        return SourceKind::PublicRecords;
    }
    if url.contains("nextdoor.com/agency-post") || url.contains("crimewatchpa.com") {
        return SourceKind::AgencyPost;
    }
    let Some(publisher) = link.publisher.as_deref().map(str::to_ascii_lowercase) else {
        return SourceKind::Other;
    };
    // A city or its police publishing about its own programme.
    let own = |s: Option<&str>| s.is_some_and(|s| s.to_ascii_lowercase().contains(&publisher));
    if own(row.city.as_deref()) || own(Some(&row.agency)) {
        return SourceKind::AgencyPost;
    }
    SourceKind::News
}

/// `Type of LEA` as one of our agency types.
pub fn agency_type(text: &str) -> AgencyType {
    match text.trim() {
        "Police" => AgencyType::Police,
        "Sheriff" => AgencyType::Sheriff,
        "Constables" | "Constable" => AgencyType::Constable,
        "District Attorney" => AgencyType::DistrictAttorney,
        "Fire" => AgencyType::Fire,
        _ => AgencyType::Other,
    }
}

/// `Type of Juris` as one of our jurisdiction types.
pub fn jurisdiction_type(text: &str) -> JurisdictionType {
    match text.trim() {
        "Municipal" => JurisdictionType::Municipal,
        "County" => JurisdictionType::County,
        "Parish" => JurisdictionType::Parish,
        "Regional" => JurisdictionType::Regional,
        "State" => JurisdictionType::State,
        "Tribal" => JurisdictionType::Tribal,
        "University" => JurisdictionType::University,
        _ => JurisdictionType::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_rings_map_is_one_source() {
        let a = canonical_url(
            "https://www.google.com/maps/d/viewer?mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB&usp=sharing",
        );
        let b = canonical_url(
            "https://www.google.com/maps/d/u/0/viewer?mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB&ll=36.19%2C-103.96&z=148",
        );
        assert_eq!(a, b);
        assert_eq!(
            a,
            "https://www.google.com/maps/d/viewer?mid=1eYVDPh5itXq5acDT9b0BVeQwmESBa4cB"
        );
        assert_eq!(
            canonical_url(" https://example.org/a?b=c "),
            "https://example.org/a?b=c"
        );
    }

    #[test]
    fn atlas_vocabularies_map_to_ours() {
        assert_eq!(agency_type("Constables"), AgencyType::Constable);
        assert_eq!(agency_type("Marshal"), AgencyType::Other);
        assert_eq!(jurisdiction_type("Parish"), JurisdictionType::Parish);
        assert_eq!(jurisdiction_type("Federal"), JurisdictionType::Other);
    }
}
