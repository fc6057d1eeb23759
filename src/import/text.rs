//! Cleaning the text that public files bring in. Spreadsheets exported to CSV carry things no
//! reader can see or mean: the Atlas of Surveillance has U+200E (LEFT-TO-RIGHT MARK) inside
//! county names and `#N/A` where a county is unknown. Every imported field goes through
//! [`clean`] before it is read, and each kind of repair is counted, so an import report can
//! say what it changed.
//!
//! The rules, in order:
//! 1. Invisible format characters are removed: U+00AD (soft hyphen), U+200B–U+200F (zero
//!    widths, direction marks), U+202A–U+202E and U+2066–U+2069 (direction embeddings and
//!    isolates), U+2060–U+2064 (word joiner, invisible operators), U+FEFF (byte order mark,
//!    zero-width no-break space), U+180E, U+034F, and every other character of Unicode
//!    category Cf that is listed in [`is_invisible`].
//! 2. Control characters (C0 U+0000–U+001F, DEL, C1 U+0080–U+009F) are removed, except tab,
//!    line feed and carriage return, which are whitespace (rule 4).
//! 3. Other spaces (U+00A0 no-break space, U+2000–U+200A, U+202F, U+205F, U+3000) become an
//!    ordinary space.
//! 4. Whitespace is trimmed at both ends; inside a one-line field every run of whitespace
//!    becomes one space (a multi-line field keeps its line breaks, each line trimmed on the
//!    right).
//! 5. A whole value that is a spreadsheet artefact ([`ARTEFACTS`], compared without case)
//!    is empty: it stands for "no value", never for data.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Values that stand for "no value" in spreadsheet exports: the error values of Excel,
/// LibreOffice and Google Sheets, and the usual not-available placeholders. Compared after
/// cleaning and without case. `NA`, `None`, `-` and `?` are left alone: short words a
/// field may really hold.
pub const ARTEFACTS: &[&str] = &[
    "#N/A",
    "#N/A N/A",
    "#NA",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#DIV/0!",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#ERROR!",
    "#GETTING_DATA",
    "N/A",
    "NULL",
    "NaN",
];

/// A kind of repair [`clean`] makes; its text is the import report's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Repair {
    /// An invisible format character was removed (rule 1).
    Invisible,
    /// A control character was removed (rule 2).
    Control,
    /// A no-break or other special space became a plain space (rule 3).
    Space,
    /// Whitespace at either end was removed (rule 4).
    Trimmed,
    /// A run of whitespace inside became one space (rule 4).
    Collapsed,
    /// The value was a spreadsheet artefact and is now empty (rule 5).
    Artefact,
}

impl Repair {
    pub const ALL: [Repair; 6] = [
        Repair::Invisible,
        Repair::Control,
        Repair::Space,
        Repair::Trimmed,
        Repair::Collapsed,
        Repair::Artefact,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Repair::Invisible => "invisible_character_removed",
            Repair::Control => "control_character_removed",
            Repair::Space => "special_space_normalised",
            Repair::Trimmed => "whitespace_trimmed",
            Repair::Collapsed => "whitespace_collapsed",
            Repair::Artefact => "spreadsheet_artefact_emptied",
        }
    }
}

/// How many fields each kind of repair changed (a field with three U+200E counts once).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repairs(pub BTreeMap<Repair, usize>);

impl Repairs {
    pub fn add(&mut self, kinds: &[Repair]) {
        for k in kinds {
            *self.0.entry(*k).or_default() += 1;
        }
    }

    pub fn merge(&mut self, other: &Repairs) {
        for (k, n) in &other.0 {
            *self.0.entry(*k).or_default() += n;
        }
    }

    pub fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// By the repairs' report keys.
    pub fn by_name(&self) -> BTreeMap<&'static str, usize> {
        self.0.iter().map(|(k, n)| (k.as_str(), *n)).collect()
    }
}

/// Format characters that render as nothing (rule 1).
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}')
}

fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Spaces other than U+0020 that are spaces to a reader (rule 3).
fn is_special_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Whether a whole (cleaned) value is a spreadsheet artefact (rule 5).
pub fn is_artefact(s: &str) -> bool {
    ARTEFACTS.iter().any(|a| a.eq_ignore_ascii_case(s))
}

/// A field as cleaned, with the kinds of repair it needed (each at most once, in order).
pub fn clean(raw: &str, multiline: bool) -> (Cow<'_, str>, Vec<Repair>) {
    let mut repairs = Vec::new();
    let mut note = |r: Repair| {
        if !repairs.contains(&r) {
            repairs.push(r);
        }
    };
    // The common case, a clean value, is returned as it is.
    let plain = |c: char| c == ' ' || (!c.is_whitespace() && !c.is_control() && !is_invisible(c));
    let trimmed = raw.trim_matches(|c: char| c == ' ');
    if trimmed.len() == raw.len()
        && raw.chars().all(plain)
        && !raw.contains("  ")
        && !is_artefact(raw)
    {
        return (Cow::Borrowed(raw), repairs);
    }

    let mut visible = String::with_capacity(raw.len());
    for c in raw.chars() {
        if is_invisible(c) {
            note(Repair::Invisible);
        } else if is_control(c) {
            note(Repair::Control);
        } else if is_special_space(c) {
            note(Repair::Space);
            visible.push(' ');
        } else {
            visible.push(c);
        }
    }

    let lines: Vec<&str> = if multiline {
        visible.split('\n').collect()
    } else {
        vec![visible.as_str()]
    };
    let mut out_lines = Vec::with_capacity(lines.len());
    for line in lines {
        let line = if multiline {
            line.trim_end_matches('\r')
        } else {
            line
        };
        let mut out = String::with_capacity(line.len());
        // The whitespace seen since the last visible character.
        let mut gap = String::new();
        for c in line.chars() {
            if c.is_whitespace() {
                gap.push(c);
                continue;
            }
            if !gap.is_empty() && !out.is_empty() {
                if gap != " " {
                    note(Repair::Collapsed);
                }
                out.push(' ');
            }
            gap.clear();
            out.push(c);
        }
        out_lines.push(out);
    }
    let joined = out_lines.join("\n");
    let joined = joined.trim_matches('\n').to_string();
    let lead_or_trail =
        |s: &str| s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace);
    if lead_or_trail(&visible)
        || (multiline
            && visible
                .split('\n')
                .map(|l| l.trim_end_matches('\r'))
                .any(lead_or_trail))
    {
        note(Repair::Trimmed);
    }
    if is_artefact(&joined) {
        note(Repair::Artefact);
        return (Cow::Owned(String::new()), repairs);
    }
    if joined == raw {
        return (Cow::Borrowed(raw), Vec::new());
    }
    (Cow::Owned(joined), repairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Repair::*;

    #[test]
    fn cleaning_edge_cases() {
        // (case, input, multiline, output, repairs)
        let cases: &[(&str, &str, bool, &str, &[Repair])] = &[
            (
                "clean_value_unchanged",
                "Greenfield",
                false,
                "Greenfield",
                &[],
            ),
            ("empty", "", false, "", &[]),
            (
                "atlas_lrm_in_county_list",
                "\u{200e}Montgomery County, \u{200e}Fort Bend County\u{200e}",
                false,
                "Montgomery County, Fort Bend County",
                &[Invisible],
            ),
            ("rlm", "Kent\u{200f}", false, "Kent", &[Invisible]),
            (
                "zero_width_space",
                "Green\u{200b}field",
                false,
                "Greenfield",
                &[Invisible],
            ),
            (
                "zwnj_zwj",
                "a\u{200c}b\u{200d}c",
                false,
                "abc",
                &[Invisible],
            ),
            ("bom", "\u{feff}AOS1", false, "AOS1", &[Invisible]),
            (
                "soft_hyphen",
                "Winston\u{ad}Salem",
                false,
                "WinstonSalem",
                &[Invisible],
            ),
            (
                "c0_control",
                "Dane\u{1}County",
                false,
                "DaneCounty",
                &[Control],
            ),
            (
                "c1_control",
                "Dane\u{85} County",
                false,
                "Dane County",
                &[Control],
            ),
            ("del", "Dane\u{7f}", false, "Dane", &[Control]),
            ("nbsp", "Dane\u{a0}County", false, "Dane County", &[Space]),
            (
                "narrow_nbsp",
                "Dane\u{202f}County",
                false,
                "Dane County",
                &[Space],
            ),
            (
                "leading_trailing",
                "  Dane County ",
                false,
                "Dane County",
                &[Trimmed],
            ),
            (
                "inner_run",
                "Dane   County",
                false,
                "Dane County",
                &[Collapsed],
            ),
            (
                "tab_inside",
                "Dane\tCounty",
                false,
                "Dane County",
                &[Collapsed],
            ),
            (
                "newline_in_one_line_field",
                "Dane\nCounty",
                false,
                "Dane County",
                &[Collapsed],
            ),
            (
                "nbsp_and_space_run",
                "Dane \u{a0}County",
                false,
                "Dane County",
                &[Space, Collapsed],
            ),
            ("na_artefact", "#N/A", false, "", &[Artefact]),
            (
                "na_artefact_padded",
                " #n/a ",
                false,
                "",
                &[Trimmed, Artefact],
            ),
            ("value_artefact", "#VALUE!", false, "", &[Artefact]),
            ("ref_artefact", "#REF!", false, "", &[Artefact]),
            ("null_placeholder", "NULL", false, "", &[Artefact]),
            ("slash_placeholder", "n/a", false, "", &[Artefact]),
            ("na_word_kept", "NA", false, "NA", &[]),
            ("none_word_kept", "None", false, "None", &[]),
            (
                "artefact_inside_text_kept",
                "see #N/A",
                false,
                "see #N/A",
                &[],
            ),
            (
                "multiline_keeps_breaks",
                "First line.  \nSecond\u{200e} line.",
                true,
                "First line.\nSecond line.",
                &[Invisible, Trimmed],
            ),
            ("multiline_crlf", "One\r\nTwo", true, "One\nTwo", &[]),
        ];
        for (case, input, multiline, want, repairs) in cases {
            let (got, kinds) = clean(input, *multiline);
            assert_eq!(got, *want, "{case}");
            let mut kinds = kinds;
            kinds.sort();
            let mut want_kinds = repairs.to_vec();
            want_kinds.sort();
            assert_eq!(kinds, want_kinds, "{case}");
        }
    }

    #[test]
    fn repairs_are_counted_per_field_and_kind() {
        let mut r = Repairs::default();
        for raw in ["\u{200e}a\u{200e}", "#N/A", "b", " c"] {
            r.add(&clean(raw, false).1);
        }
        assert_eq!(r.by_name()["invisible_character_removed"], 1);
        assert_eq!(r.by_name()["spreadsheet_artefact_emptied"], 1);
        assert_eq!(r.by_name()["whitespace_trimmed"], 1);
        assert_eq!(r.total(), 3);
    }
}
