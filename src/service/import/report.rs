//! What an import did, or in a dry run would do: counts, skipped and merged rows, flagged
//! agencies; and how the command line shows it.

use crate::domain::QualityFlag;
use std::collections::BTreeMap;
use std::fmt;

/// Created / updated / unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub line: u64,
    pub id: String,
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows in the file, all technologies.
    pub rows_read: usize,
    /// Rows of Ring partnerships.
    pub ring_rows: usize,
    pub skipped: Vec<Skipped>,
    /// Agencies named by more than one row, with the rows' ids.
    pub merged: Vec<(String, Vec<String>)>,
    pub agencies: Tally,
    pub partnerships: Tally,
    pub sources_created: usize,
    pub sources_reused: usize,
    pub citations_created: usize,
    pub citations_updated: usize,
    /// Agencies placed, by precision (`place`, `county`, `state`).
    pub geocoded: BTreeMap<&'static str, usize>,
    pub not_geocoded: usize,
    /// Partnership starts by precision (`day`, `month`, `year`, `unknown`).
    pub start_precision: BTreeMap<&'static str, usize>,
    /// Agencies given an ORI by the FBI list; `None` without a list.
    pub ori_matched: Option<usize>,
    /// Fields of the Ring rows that cleaning repaired, by kind of repair
    /// (`import::text::Repair`), e.g. `invisible_character_removed`.
    pub text_repairs: BTreeMap<&'static str, usize>,
    /// Agencies carrying each quality flag.
    pub quality_flags: BTreeMap<&'static str, usize>,
    /// Every agency with a quality flag: its id, its rows and its flags, in file order.
    pub flagged: Vec<(String, String, Vec<QualityFlag>)>,
    /// Revisions written (0 in a dry run, and when nothing changed).
    pub revisions: usize,
}

impl ImportReport {
    /// Whether the import changes anything.
    pub fn changes(&self) -> bool {
        self.agencies.created + self.agencies.updated > 0
            || self.partnerships.created + self.partnerships.updated > 0
            || self.sources_created + self.citations_created + self.citations_updated > 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = |t: &Tally| {
            format!(
                "{} created, {} updated, {} unchanged",
                t.created, t.updated, t.unchanged
            )
        };
        let counts = |m: &BTreeMap<&str, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        writeln!(f, "rows read:        {}", self.rows_read)?;
        writeln!(f, "Ring rows:        {}", self.ring_rows)?;
        writeln!(f, "skipped:          {}", self.skipped.len())?;
        for s in &self.skipped {
            writeln!(f, "  line {} ({}): {}", s.line, s.id, s.reason)?;
        }
        writeln!(f, "merged:           {}", self.merged.len())?;
        for (agency, ids) in &self.merged {
            writeln!(f, "  {agency}: rows {}", ids.join(", "))?;
        }
        writeln!(f, "agencies:         {}", t(&self.agencies))?;
        writeln!(f, "partnerships:     {}", t(&self.partnerships))?;
        writeln!(f, "start dates:      {}", counts(&self.start_precision))?;
        writeln!(f, "geocoded:         {}", counts(&self.geocoded))?;
        writeln!(f, "not geocoded:     {}", self.not_geocoded)?;
        let none = |m: &BTreeMap<&str, usize>| {
            if m.is_empty() {
                "none".to_string()
            } else {
                counts(m)
            }
        };
        writeln!(f, "text repairs:     {}", none(&self.text_repairs))?;
        writeln!(f, "quality flags:    {}", none(&self.quality_flags))?;
        for (agency, rows, flags) in &self.flagged {
            let flags: Vec<&str> = flags.iter().map(|q| q.as_str()).collect();
            writeln!(f, "  {agency} ({rows}): {}", flags.join(", "))?;
        }
        writeln!(
            f,
            "sources:          {} created, {} reused",
            self.sources_created, self.sources_reused
        )?;
        writeln!(
            f,
            "citations:        {} created, {} updated",
            self.citations_created, self.citations_updated
        )?;
        match self.ori_matched {
            Some(n) => writeln!(f, "ORI matched:      {n}")?,
            None => writeln!(f, "ORI matched:      (no --ori list given)")?,
        }
        write!(f, "revisions:        {}", self.revisions)
    }
}
