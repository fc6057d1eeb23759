//! Identifiers that read well, and the USPS state codes the dataset covers.

use std::fmt;
use std::str::FromStr;

/// USPS codes of the states, DC and the inhabited territories.
pub const STATE_CODES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "U.S. Virgin Islands"),
    ("AS", "American Samoa"),
    ("MP", "Northern Mariana Islands"),
];

/// The codes of [`STATE_CODES`], in the same order.
pub const STATE_CODE_LIST: [&str; STATE_CODES.len()] = {
    let mut out = [""; STATE_CODES.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = STATE_CODES[i].0;
        i += 1;
    }
    out
};

/// A USPS state or territory code, upper case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateCode(&'static str);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a USPS state or territory code (e.g. WI, PR)")]
pub struct UnknownState(pub String);

impl StateCode {
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    pub fn name(&self) -> &'static str {
        STATE_CODES
            .iter()
            .find(|(c, _)| *c == self.0)
            .map(|(_, n)| *n)
            .unwrap_or(self.0)
    }
}

impl FromStr for StateCode {
    type Err = UnknownState;

    /// Case-insensitive, so `wi` and `WI` name the same state.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        STATE_CODES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(s.trim()))
            .map(|(c, _)| StateCode(c))
            .ok_or_else(|| UnknownState(s.to_string()))
    }
}

impl fmt::Display for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Lower-case ASCII words joined by hyphens: `Sheriff's Office, St. Mary` becomes
/// `sheriffs-office-st-mary` (the words of [`super::text::fold_words`]).
pub fn slugify(text: &str) -> String {
    super::text::fold_words(text).replace(' ', "-")
}

/// Whether `s` is a well-formed slug: lower-case ASCII letters and digits in hyphen-joined runs.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The public id of an agency: `us-<state>-<name>`.
pub fn agency_slug(state: StateCode, name: &str) -> String {
    format!(
        "us-{}-{}",
        state.as_str().to_ascii_lowercase(),
        slugify(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_are_case_insensitive_and_closed() {
        assert_eq!("wi".parse::<StateCode>().unwrap().as_str(), "WI");
        assert_eq!("PR".parse::<StateCode>().unwrap().name(), "Puerto Rico");
        assert!("ZZ".parse::<StateCode>().is_err());
        assert!("".parse::<StateCode>().is_err());
    }

    #[test]
    fn agency_slugs_read_well() {
        let wi = "WI".parse().unwrap();
        assert_eq!(
            agency_slug(wi, "Greenfield Police Department"),
            "us-wi-greenfield-police-department"
        );
        let ca = "CA".parse().unwrap();
        assert_eq!(
            agency_slug(ca, "Orange County Sheriff's Department, Aliso Viejo"),
            "us-ca-orange-county-sheriffs-department-aliso-viejo"
        );
        assert_eq!(slugify("Cañon City  P.D."), "canon-city-p-d");
    }

    #[test]
    fn slug_shape_is_checked() {
        assert!(is_slug("us-wi-greenfield-police-department"));
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a_b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
