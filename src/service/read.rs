//! The read facade: one record by the id its URL gives, from a catalog (now or as it stood at
//! a time), or why there is none. Handlers and pages ask here instead of reaching into the
//! catalog's maps, and every "not found" and "deleted" answer starts from one `ReadError`.

use std::sync::Arc;

use super::catalog::{AgencyEntry, Catalog, PartnershipEntry};
use crate::domain::{Citation, EntityKind, Phase, Program, Record, Source};

/// Why a read by id found no record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// No record of this kind has ever had this id.
    #[error("no {0} has the id `{1}`")]
    NotFound(EntityKind, String),
    /// One had, and was deleted; its history remains.
    #[error("{0} `{1}` was deleted")]
    Gone(EntityKind, String),
}

impl ReadError {
    pub fn kind(&self) -> EntityKind {
        match self {
            Self::NotFound(k, _) | Self::Gone(k, _) => *k,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::NotFound(_, id) | Self::Gone(_, id) => id,
        }
    }
}

/// Records with a numeric id: an id that is not a number names nothing.
fn number(id: &str) -> Option<i64> {
    id.parse().ok()
}

impl Catalog {
    /// Why there is no `kind` with this id: deleted (a tombstone), or never seen.
    pub fn absent(&self, kind: EntityKind, id: &str) -> ReadError {
        match self.tombstone(kind, id) {
            Some(_) => ReadError::Gone(kind, id.to_string()),
            None => ReadError::NotFound(kind, id.to_string()),
        }
    }

    /// The agency and its entry's API JSON (it derefs to the `Agency`).
    pub fn agency(&self, id: &str) -> Result<&AgencyEntry, ReadError> {
        self.agencies
            .get(id)
            .ok_or_else(|| self.absent(EntityKind::Agency, id))
    }

    pub fn program(&self, id: &str) -> Result<&Program, ReadError> {
        self.programs
            .get(id)
            .ok_or_else(|| self.absent(EntityKind::Program, id))
    }

    pub fn phase(&self, id: &str) -> Result<&Phase, ReadError> {
        self.phases
            .get(id)
            .ok_or_else(|| self.absent(EntityKind::Phase, id))
    }

    pub fn partnership(&self, id: &str) -> Result<&PartnershipEntry, ReadError> {
        number(id)
            .and_then(|n| self.partnerships.get(&n))
            .ok_or_else(|| self.absent(EntityKind::Partnership, id))
    }

    pub fn source(&self, id: &str) -> Result<&Source, ReadError> {
        number(id)
            .and_then(|n| self.sources.get(&n))
            .ok_or_else(|| self.absent(EntityKind::Source, id))
    }

    pub fn citation(&self, id: &str) -> Result<&Arc<Citation>, ReadError> {
        number(id)
            .and_then(|n| self.citations.get(&n))
            .ok_or_else(|| self.absent(EntityKind::Citation, id))
    }

    /// The current record of any kind, as the writes read it.
    pub fn record(&self, kind: EntityKind, id: &str) -> Result<Record, ReadError> {
        Ok(match kind {
            EntityKind::Agency => Record::Agency((**self.agency(id)?).clone()),
            EntityKind::Program => Record::Program(self.program(id)?.clone()),
            EntityKind::Phase => Record::Phase(self.phase(id)?.clone()),
            EntityKind::Partnership => Record::Partnership((**self.partnership(id)?).clone()),
            EntityKind::Source => Record::Source(self.source(id)?.clone()),
            EntityKind::Citation => Record::Citation((**self.citation(id)?).clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ChangeKind;
    use crate::service::fixtures;

    #[test]
    fn a_deleted_record_is_gone_and_an_unknown_one_not_found() {
        let mut catalog = fixtures::catalog(&[(43.0, -88.0)]);
        let a = (**catalog.agency("a0000").unwrap()).clone();
        assert_eq!(
            catalog.agency("a0001").unwrap_err(),
            ReadError::NotFound(EntityKind::Agency, "a0001".into())
        );
        let seq = catalog.seq() + 1;
        catalog
            .apply(&fixtures::revision(
                seq,
                Record::Agency(a),
                ChangeKind::Deleted,
            ))
            .unwrap();
        let gone = ReadError::Gone(EntityKind::Agency, "a0000".into());
        assert_eq!(catalog.agency("a0000").unwrap_err(), gone);
        assert_eq!(
            catalog.record(EntityKind::Agency, "a0000").unwrap_err(),
            gone
        );
    }

    #[test]
    fn an_id_that_is_not_a_number_names_no_numbered_record() {
        let catalog = fixtures::catalog(&[(43.0, -88.0)]);
        assert!(catalog.partnership("1").is_ok());
        for kind in [
            EntityKind::Partnership,
            EntityKind::Source,
            EntityKind::Citation,
        ] {
            assert_eq!(
                catalog.record(kind, "abc").unwrap_err(),
                ReadError::NotFound(kind, "abc".into())
            );
        }
    }
}
