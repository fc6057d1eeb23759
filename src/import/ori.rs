//! ORI codes from the FBI's agency list (Crime Data Explorer `agencies.csv`, 2018), matched to
//! agencies by state and normalised name.
//!
//! Names are compared in tiers, strictest first; a name is looked up in the first tier that
//! knows it and gets an ORI only when that tier names exactly one (an ambiguous name gets
//! none rather than a guess):
//! 1. words normalised: case, punctuation, "St."/"Saint", "Twp"/"Township", "PD"/"Police
//!    Dept"/"Police Department", "Sheriff's Office"/"Sheriffs Department", "Department of
//!    Public Safety"/"DPS", a leading "City of"/"Town of"/"Village of", a trailing ", WI";
//! 2. also without the words "City", "Town", "Village", "Township", "Borough", "Parish",
//!    "Charter";
//! 3. also without spaces ("De Kalb" = "DeKalb").

use super::geocode::normalize;
use std::collections::HashMap;
use std::io::Read;

#[derive(Debug, thiserror::Error)]
pub enum OriError {
    #[error("cannot read the FBI agency list: {0}")]
    Io(#[from] std::io::Error),
    #[error("FBI agency list, line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("FBI agency list: missing column `{0}`")]
    MissingColumn(&'static str),
}

const TIERS: usize = 3;

/// State and name key to the ORIs that carry it, per tier.
#[derive(Debug, Default)]
pub struct OriIndex {
    tiers: [HashMap<(String, String), Vec<String>>; TIERS],
    agencies: usize,
}

impl OriIndex {
    /// Reads the FBI list (columns `agency_name`, `ori`, `state_abbr` are used).
    pub fn read(input: impl Read) -> Result<Self, OriError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| OriError::Csv {
                line: 1,
                message: e.to_string(),
            })?
            .clone();
        let find = |name: &'static str| {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or(OriError::MissingColumn(name))
        };
        let (name_col, ori_col, state_col) =
            (find("agency_name")?, find("ori")?, find("state_abbr")?);
        let mut index = OriIndex::default();
        for record in reader.records() {
            let record = record.map_err(|e| OriError::Csv {
                line: e.position().map(|p| p.line()).unwrap_or(0),
                message: e.to_string(),
            })?;
            let get = |i: usize| record.get(i).map(str::trim).unwrap_or("");
            let (name, ori, state) = (get(name_col), get(ori_col), get(state_col));
            if name.is_empty() || ori.is_empty() || state.is_empty() {
                continue;
            }
            index.insert(state, name, ori);
        }
        Ok(index)
    }

    pub fn from_path(path: &std::path::Path) -> Result<Self, OriError> {
        Self::read(std::fs::File::open(path)?)
    }

    fn insert(&mut self, state: &str, name: &str, ori: &str) {
        self.agencies += 1;
        let state = state.to_ascii_uppercase();
        for (tier, key) in name_keys(name).into_iter().enumerate() {
            let oris = self.tiers[tier].entry((state.clone(), key)).or_default();
            if !oris.iter().any(|o| o == ori) {
                oris.push(ori.to_string());
            }
        }
    }

    /// Agencies read from the list.
    pub fn len(&self) -> usize {
        self.agencies
    }

    pub fn is_empty(&self) -> bool {
        self.agencies == 0
    }

    /// The ORI of the agency with this name in this state, when exactly one matches.
    pub fn lookup(&self, state: &str, agency_name: &str) -> Option<&str> {
        let state = state.to_ascii_uppercase();
        for (tier, key) in name_keys(agency_name).into_iter().enumerate() {
            if key.is_empty() {
                continue;
            }
            if let Some(oris) = self.tiers[tier].get(&(state.clone(), key)) {
                return match oris.as_slice() {
                    [one] => Some(one.as_str()),
                    _ => None,
                };
            }
        }
        None
    }
}

/// Canonical phrases: each left-hand phrase (in normalised words) is replaced by the right.
const PHRASES: &[(&str, &str)] = &[
    ("police department", "police"),
    ("police dept", "police"),
    ("police services", "police"),
    ("police service", "police"),
    ("police division", "police"),
    ("division of police", "police"),
    ("department of police", "police"),
    ("pd", "police"),
    ("sheriffs office", "sheriff"),
    ("sheriffs department", "sheriff"),
    ("sheriffs dept", "sheriff"),
    ("sheriff office", "sheriff"),
    ("sheriff department", "sheriff"),
    ("sheriff dept", "sheriff"),
    ("sheriffs", "sheriff"),
    ("so", "sheriff"),
    ("department of public safety", "public safety"),
    ("dept of public safety", "public safety"),
    ("public safety department", "public safety"),
    ("public safety dept", "public safety"),
    ("dps", "public safety"),
    ("co", "county"),
    ("hts", "heights"),
];

const LEADING: &[&str] = &[
    "city of",
    "town of",
    "village of",
    "township of",
    "borough of",
    "the",
];

const PLACE_WORDS: &[&str] = &[
    "city", "town", "village", "township", "borough", "parish", "charter",
];

/// The comparison keys of a name, one per tier.
pub fn name_keys(name: &str) -> [String; TIERS] {
    // "Middletown Police Department, DE": the trailing state adds nothing within a state.
    let name = match name.rsplit_once(',') {
        Some((head, tail))
            if tail.trim().len() == 2 && tail.trim().chars().all(|c| c.is_ascii_uppercase()) =>
        {
            head
        }
        _ => name,
    };
    let words: Vec<String> = normalize(name).split(' ').map(str::to_string).collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    'outer: while i < words.len() {
        for (from, to) in PHRASES {
            let n = from.split(' ').count();
            if i + n <= words.len() && words[i..i + n].join(" ") == *from {
                out.push(to);
                i += n;
                continue 'outer;
            }
        }
        out.push(&words[i]);
        i += 1;
    }
    let mut first = out.join(" ");
    for lead in LEADING {
        if let Some(rest) = first.strip_prefix(lead).and_then(|r| r.strip_prefix(' ')) {
            first = rest.to_string();
            break;
        }
    }
    let second = first
        .split(' ')
        .filter(|w| !PLACE_WORDS.contains(w))
        .collect::<Vec<_>>()
        .join(" ");
    let third = second.replace(' ', "");
    [first, second, third]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(rows: &[(&str, &str, &str)]) -> OriIndex {
        let mut idx = OriIndex::default();
        for (state, name, ori) in rows {
            idx.insert(state, name, ori);
        }
        idx
    }

    #[test]
    fn common_spellings_of_one_agency_share_a_key() {
        let key = |s: &str| name_keys(s)[0].clone();
        assert_eq!(key("Greenfield Police Department"), key("Greenfield PD"));
        assert_eq!(
            key("Greenfield Police Department"),
            key("GREENFIELD POLICE DEPT.")
        );
        assert_eq!(
            key("St. Mary's Sheriff's Office"),
            key("Saint Marys Sheriff Department")
        );
        assert_eq!(
            key("Bloomfield Twp Police"),
            key("Bloomfield Township Police Department")
        );
        assert_eq!(
            key("City of Dover Police Department"),
            key("Dover Police Department")
        );
        assert_eq!(
            key("Middletown Police Department, DE"),
            key("Middletown Police Department")
        );
        assert_eq!(
            name_keys("De Kalb County Police")[2],
            name_keys("DeKalb County PD")[2]
        );
    }

    #[test]
    fn only_an_unambiguous_match_gives_an_ori() {
        let idx = index(&[
            ("WI", "Greenfield Police Department", "WI0400300"),
            ("WI", "Madison Police Department", "WI0130100"),
            ("WI", "Madison Town Police Department", "WI0131000"),
            ("MN", "Greenfield Police Department", "MN0270900"),
        ]);
        assert_eq!(idx.lookup("WI", "Greenfield PD"), Some("WI0400300"));
        assert_eq!(
            idx.lookup("mn", "Greenfield Police Dept"),
            Some("MN0270900")
        );
        // Exact at tier 1 wins before the looser tier sees the Town's entry.
        assert_eq!(
            idx.lookup("WI", "Madison Police Department"),
            Some("WI0130100")
        );
        // Only the loose tier knows "Madison City": two ORIs there, so none.
        assert_eq!(idx.lookup("WI", "Madison City Police Department"), None);
        assert_eq!(idx.lookup("IA", "Greenfield Police Department"), None);
    }

    #[test]
    fn the_fbi_list_is_read_by_column_name() {
        let csv = ",agency_name,agency_type_name,ori,state_abbr\n0,Greenfield Police Department,City,WI0400300,WI\n1,,City,X,WI\n";
        let idx = OriIndex::read(csv.as_bytes()).unwrap();
        assert_eq!(idx.len(), 1);
        assert_eq!(idx.lookup("WI", "Greenfield PD"), Some("WI0400300"));
        let err = OriIndex::read("a,b\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("agency_name"));
    }
}
