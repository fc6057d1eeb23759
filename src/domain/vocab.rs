//! Controlled vocabularies. Each is a closed set with a stable lowercase spelling on the wire
//! and in the database.

/// Declares a string-backed enum with `as_str`, `FromStr`, `ALL`, `Display` and serde.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The spellings of [`Self::ALL`], in the same order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::vocab::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::vocab::UnknownValue {
                        value: s.to_string(),
                        allowed: &[$($text),+],
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A value outside a vocabulary; says which values are allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not one of: {}", allowed.join(", "))]
pub struct UnknownValue {
    pub value: String,
    pub allowed: &'static [&'static str],
}

string_enum! {
    /// What kind of body the agency is.
    AgencyType {
        Police => "police",
        Sheriff => "sheriff",
        Constable => "constable",
        DistrictAttorney => "district_attorney",
        Fire => "fire",
        Other => "other",
    }
}

string_enum! {
    /// The kind of area the agency serves.
    JurisdictionType {
        Municipal => "municipal",
        County => "county",
        Parish => "parish",
        Regional => "regional",
        State => "state",
        Tribal => "tribal",
        University => "university",
        Other => "other",
    }
}

string_enum! {
    /// How exactly an agency's coordinates place it.
    LocationPrecision {
        Address => "address",
        Place => "place",
        County => "county",
        State => "state",
    }
}

string_enum! {
    /// What an agency's point is, whatever was matched: a county-level location is usually
    /// the GeoNames place nearest the county's interior point, and says so.
    ///
    /// - `geonames_place`: the GeoNames place the agency was matched to.
    /// - `county_place`: the GeoNames place nearest the interior point of the agency's county
    ///   (how the gazetteer places most counties, `tools/gazetteer/README.md`).
    /// - `county_centroid`: the county's centroid (US Census outline).
    /// - `county_pole`: the county's pole of inaccessibility (US Census outline).
    /// - `county_interior`: an interior point of the county, how found not recorded.
    /// - `state_interior`: the state's interior point (US Census outline).
    /// - `source_point`: the point the source gives (a placemark of Ring's map).
    LocationBasis {
        GeonamesPlace => "geonames_place",
        CountyPlace => "county_place",
        CountyCentroid => "county_centroid",
        CountyPole => "county_pole",
        CountyInterior => "county_interior",
        StateInterior => "state_interior",
        SourcePoint => "source_point",
    }
}

string_enum! {
    /// An inconsistency the importer found in what the source says about an agency, or a
    /// weakness of where it placed it. Each says one thing; an agency carries every one that
    /// applies (`quality_flags`, sorted in this order), and none when all is well.
    ///
    /// - `county_not_in_state`: a county the source lists is not a county of the agency's
    ///   state, though another state has one of that name (the Atlas files Wall Township PD,
    ///   of Monmouth County, NJ, under NH).
    /// - `county_not_found`: a county the source lists is a county of no state.
    /// - `place_not_found_in_state`: the source's city is not a place of the agency's state.
    /// - `place_outside_listed_counties`: the city was found in the state, but in none of the
    ///   counties the source lists.
    /// - `location_county_fallback`: a local agency (not county-wide) is placed at its
    ///   county's point because its own place was not found.
    /// - `location_state_fallback`: the agency is placed at its state's interior point:
    ///   where it is, is essentially unknown.
    QualityFlag {
        CountyNotInState => "county_not_in_state",
        CountyNotFound => "county_not_found",
        PlaceNotFoundInState => "place_not_found_in_state",
        PlaceOutsideListedCounties => "place_outside_listed_counties",
        LocationCountyFallback => "location_county_fallback",
        LocationStateFallback => "location_state_fallback",
    }
}

string_enum! {
    /// Where a partnership, program or phase stands.
    Status {
        Active => "active",
        Ended => "ended",
        Announced => "announced",
        Cancelled => "cancelled",
    }
}

string_enum! {
    /// What kind of evidence a source is.
    SourceKind {
        OfficialMap => "official_map",
        News => "news",
        PressRelease => "press_release",
        PublicRecords => "public_records",
        AgencyPost => "agency_post",
        Dataset => "dataset",
        Other => "other",
    }
}

string_enum! {
    /// Why a record changed. Real-world changes (`started`, `ended`, `amended`) are told apart
    /// from corrections of our record (`correction`, `retraction`, `new_evidence`).
    ChangeKind {
        Created => "created",
        Updated => "updated",
        Deleted => "deleted",
        Import => "import",
        Seed => "seed",
        Started => "started",
        Ended => "ended",
        Amended => "amended",
        Correction => "correction",
        Retraction => "retraction",
        NewEvidence => "new_evidence",
    }
}

string_enum! {
    /// The kinds of record the revision log holds.
    EntityKind {
        Agency => "agency",
        Program => "program",
        Phase => "phase",
        Partnership => "partnership",
        Source => "source",
        Citation => "citation",
    }
}

impl EntityKind {
    /// The plural that names this kind's collection, in URL paths (`/agencies/{id}`) and file
    /// names: the one map between kinds and collections.
    pub const fn collection(self) -> &'static str {
        match self {
            Self::Agency => "agencies",
            Self::Program => "programs",
            Self::Phase => "phases",
            Self::Partnership => "partnerships",
            Self::Source => "sources",
            Self::Citation => "citations",
        }
    }

    /// The kind whose collection `plural` names (`agencies` is an agency).
    pub fn of_collection(plural: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.collection() == plural)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_value_round_trips() {
        for v in AgencyType::ALL {
            assert_eq!(v.as_str().parse::<AgencyType>().unwrap(), *v);
        }
        for v in ChangeKind::ALL {
            assert_eq!(v.as_str().parse::<ChangeKind>().unwrap(), *v);
        }
    }

    #[test]
    fn every_kind_has_its_own_collection() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::of_collection(k.collection()), Some(*k));
        }
        assert_eq!(EntityKind::Agency.collection(), "agencies");
        assert_eq!(EntityKind::of_collection("agency"), None);
    }

    #[test]
    fn an_unknown_value_names_the_allowed_ones() {
        let err = "cop".parse::<AgencyType>().unwrap_err();
        assert!(err.to_string().contains("police, sheriff"));
    }
}
