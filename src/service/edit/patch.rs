//! Typed writes: a record's fields as an editor gives them, each absent (kept), `null`
//! (cleared) or a value of the record's own type. A create builds the record from them; an
//! update applies them to the current record as a JSON merge patch would (RFC 7396: a map
//! such as `external_ids` merges, anything else replaces).
//!
//! A value that is none of its field's (a status outside the vocabulary, a malformed date)
//! travels as [`Field::Invalid`] with the domain's own message, and is refused when the
//! record is built, as any rule the record breaks (422 `invalid_record`), after the checks
//! that come first (the id, the version). What is refused, and how it is worded, is what
//! parsing the record from its JSON (the change feed's `data`) refuses: the first bad value
//! by field name, else the first required field left out, in the record's order.

use super::{EditError, invalid};
use crate::domain::{
    Agency, AgencyType, Citation, EntityKind, ExternalIds, JurisdictionType, LocationBasis,
    LocationPrecision, Meta, PartialDate, Partnership, Phase, Program, QualityFlag, Source,
    SourceKind, StateCode, Status, VideoRequestCount,
};
use serde::de::DeserializeOwned;

/// One field of a write.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Field<T> {
    /// Left out: a create takes the default (or refuses a required field); an update keeps
    /// the value.
    #[default]
    Absent,
    /// `null`: clears an optional field.
    Null,
    Value(T),
    /// A value the field cannot hold, and why (`` `paused` is not one of: … ``).
    Invalid(String),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
}

/// Whether a value holds a NUL character, which no text may (PostgreSQL cannot store it).
pub trait HasNul {
    fn has_nul(&self) -> bool {
        false
    }
}

impl HasNul for String {
    fn has_nul(&self) -> bool {
        self.contains('\0')
    }
}

impl HasNul for ExternalIds {
    fn has_nul(&self) -> bool {
        self.iter().any(|(k, v)| k.has_nul() || v.has_nul())
    }
}

macro_rules! no_text {
    ($($ty:ty),*) => { $(impl HasNul for $ty {})* };
}
no_text!(
    bool,
    i64,
    f64,
    AgencyType,
    JurisdictionType,
    LocationPrecision,
    LocationBasis,
    Status,
    SourceKind,
    EntityKind,
    StateCode,
    PartialDate,
    time::Date,
    Vec<QualityFlag>,
    Vec<VideoRequestCount>
);

impl<T: HasNul> HasNul for Field<T> {
    fn has_nul(&self) -> bool {
        match self {
            Field::Value(v) => v.has_nul(),
            Field::Invalid(why) => why.contains('\0'),
            Field::Absent | Field::Null => false,
        }
    }
}

/// What building a record found wrong: the first bad value by field name, else the first
/// required field missing, in the order they are met.
#[derive(Default)]
struct Problems {
    bad: Option<(&'static str, String)>,
    missing: Option<&'static str>,
}

impl Problems {
    fn bad(&mut self, name: &'static str, why: String) {
        if self.bad.as_ref().is_none_or(|(n, _)| name < *n) {
            self.bad = Some((name, why));
        }
    }

    fn missing(&mut self, name: &'static str) {
        self.missing.get_or_insert(name);
    }

    fn result(self) -> Result<(), EditError> {
        match (self.bad, self.missing) {
            (Some((_, why)), _) => Err(invalid(None, why)),
            (None, Some(name)) => Err(invalid(None, format!("missing field `{name}`"))),
            (None, None) => Ok(()),
        }
    }
}

/// How the record's parser refuses `null` for a field of type `T`.
fn null_refused<T: DeserializeOwned>() -> String {
    serde_json::from_value::<T>(serde_json::Value::Null)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_else(|| "a value is required".into())
}

/// A create's value of a field, by how the record holds it: `req` (required), `opt`
/// (`Option`), `def` (a list or map, empty when left out).
mod create {
    use super::{Field, Problems};
    use serde::de::DeserializeOwned;

    pub(super) fn req<T: DeserializeOwned>(
        p: &mut Problems,
        name: &'static str,
        f: Field<T>,
    ) -> Option<T> {
        match f {
            Field::Value(v) => return Some(v),
            Field::Absent => p.missing(name),
            Field::Null => p.bad(name, super::null_refused::<T>()),
            Field::Invalid(why) => p.bad(name, why),
        }
        None
    }

    pub(super) fn opt<T>(p: &mut Problems, name: &'static str, f: Field<T>) -> Option<T> {
        match f {
            Field::Value(v) => return Some(v),
            Field::Invalid(why) => p.bad(name, why),
            Field::Absent | Field::Null => {}
        }
        None
    }

    pub(super) fn def<T: Default + DeserializeOwned>(
        p: &mut Problems,
        name: &'static str,
        f: Field<T>,
    ) -> T {
        match f {
            Field::Value(v) => return v,
            Field::Null => p.bad(name, super::null_refused::<T>()),
            Field::Invalid(why) => p.bad(name, why),
            Field::Absent => {}
        }
        T::default()
    }

    pub(super) use def as map;
}

/// A create's value once no problem is left (see [`create`]).
mod take {
    pub(super) fn req<T>(v: Option<T>) -> T {
        v.expect("a required field left out is a problem reported first")
    }

    pub(super) fn opt<T>(v: T) -> T {
        v
    }

    pub(super) use opt as def;
    pub(super) use opt as map;
}

/// An update of a field, by how the record holds it (see [`create`]); `map` merges.
mod update {
    use super::{ExternalIds, Field, Problems};

    pub(super) fn req<T>(p: &mut Problems, name: &'static str, f: Field<T>, slot: &mut T) {
        match f {
            Field::Value(v) => *slot = v,
            Field::Null => p.missing(name),
            Field::Invalid(why) => p.bad(name, why),
            Field::Absent => {}
        }
    }

    pub(super) fn opt<T>(p: &mut Problems, name: &'static str, f: Field<T>, slot: &mut Option<T>) {
        match f {
            Field::Value(v) => *slot = Some(v),
            Field::Null => *slot = None,
            Field::Invalid(why) => p.bad(name, why),
            Field::Absent => {}
        }
    }

    pub(super) fn def<T: Default>(p: &mut Problems, name: &'static str, f: Field<T>, slot: &mut T) {
        match f {
            Field::Value(v) => *slot = v,
            Field::Null => *slot = T::default(),
            Field::Invalid(why) => p.bad(name, why),
            Field::Absent => {}
        }
    }

    pub(super) fn map(
        p: &mut Problems,
        name: &'static str,
        f: Field<ExternalIds>,
        slot: &mut ExternalIds,
    ) {
        match f {
            Field::Value(v) => slot.extend(v),
            other => def(p, name, other, slot),
        }
    }
}

/// Declares the patch of one kind of record: its writable fields (each with how the record
/// holds it) and the fields the server sets, with their value on create.
macro_rules! patch {
    (
        $(#[$meta:meta])*
        $patch:ident => $record:ident {
            $($field:ident: $ty:ty = $how:ident),+ $(,)?
        }
        server { $($server:ident: $value:expr),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $patch {
            $(pub $field: Field<$ty>,)+
        }

        impl $patch {
            /// The writable fields, in the record's order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// The first field (by name) whose text holds a NUL.
            fn nul_field(&self) -> Option<&'static str> {
                [$((stringify!($field), self.$field.has_nul())),+]
                    .into_iter()
                    .filter(|(_, nul)| *nul)
                    .map(|(name, _)| name)
                    .min()
            }

            /// The record these fields make, with `meta` as its bookkeeping.
            fn build(self, meta: Meta) -> Result<$record, EditError> {
                let mut p = Problems::default();
                $(let $field = create::$how(&mut p, stringify!($field), self.$field);)+
                p.result()?;
                Ok($record {
                    $($field: take::$how($field),)+
                    $($server: $value,)*
                    meta,
                })
            }

            /// `old` with these fields applied.
            fn apply(self, old: &$record) -> Result<$record, EditError> {
                let mut record = old.clone();
                let mut p = Problems::default();
                $(update::$how(&mut p, stringify!($field), self.$field, &mut record.$field);)+
                p.result()?;
                Ok(record)
            }
        }
    };
}

patch! {
    /// An agency's writable fields.
    AgencyPatch => Agency {
        id: String = req,
        name: String = req,
        agency_type: AgencyType = req,
        jurisdiction_type: JurisdictionType = req,
        ori: String = opt,
        city: String = opt,
        county: String = opt,
        state: StateCode = req,
        country: String = req,
        latitude: f64 = opt,
        longitude: f64 = opt,
        location_precision: LocationPrecision = opt,
        location_basis: LocationBasis = opt,
        location_source: String = opt,
        quality_flags: Vec<QualityFlag> = def,
        external_ids: ExternalIds = map,
        notes: String = opt,
    }
    server {}
}

patch! {
    /// A program's writable fields.
    ProgramPatch => Program {
        id: String = req,
        vendor: String = req,
        name: String = req,
        description: String = opt,
        start: PartialDate = opt,
        end: PartialDate = opt,
    }
    server {}
}

patch! {
    /// A phase's writable fields.
    PhasePatch => Phase {
        id: String = req,
        program_id: String = req,
        name: String = req,
        description: String = opt,
        status: Status = req,
        start: PartialDate = opt,
        end: PartialDate = opt,
        footage_requests: bool = req,
        footage_condition: String = opt,
    }
    server {}
}

patch! {
    /// A partnership's writable fields. Its id is the server's; so is its evidence
    /// (`last_confirmed`), which only a `new_evidence` change moves.
    PartnershipPatch => Partnership {
        agency_id: String = req,
        program_id: String = req,
        status: Status = req,
        start: PartialDate = opt,
        end: PartialDate = opt,
        video_requests: Vec<VideoRequestCount> = def,
        external_ids: ExternalIds = map,
        notes: String = opt,
    }
    server { id: 0, last_confirmed: None, last_confirmed_source: None }
}

patch! {
    /// A source's writable fields (its id is the server's).
    SourcePatch => Source {
        url: String = req,
        title: String = req,
        publisher: String = opt,
        published: PartialDate = opt,
        accessed: time::Date = opt,
        archived_url: String = opt,
        kind: SourceKind = req,
    }
    server { id: 0 }
}

patch! {
    /// A citation's writable fields (its id is the server's).
    CitationPatch => Citation {
        source_id: i64 = req,
        entity_kind: EntityKind = req,
        entity_id: String = req,
        field: String = opt,
        quote: String = opt,
    }
    server { id: 0 }
}

/// The writable fields of a record of any kind.
// One is made per write and moved, never copied in bulk: boxing the agency's would only add
// noise to every conversion.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum RecordPatch {
    Agency(AgencyPatch),
    Program(ProgramPatch),
    Phase(PhasePatch),
    Partnership(PartnershipPatch),
    Source(SourcePatch),
    Citation(CitationPatch),
}

impl RecordPatch {
    pub fn kind(&self) -> EntityKind {
        match self {
            RecordPatch::Agency(_) => EntityKind::Agency,
            RecordPatch::Program(_) => EntityKind::Program,
            RecordPatch::Phase(_) => EntityKind::Phase,
            RecordPatch::Partnership(_) => EntityKind::Partnership,
            RecordPatch::Source(_) => EntityKind::Source,
            RecordPatch::Citation(_) => EntityKind::Citation,
        }
    }

    /// The writable fields of records of `kind`, in the record's order.
    pub fn fields(kind: EntityKind) -> &'static [&'static str] {
        match kind {
            EntityKind::Agency => AgencyPatch::FIELDS,
            EntityKind::Program => ProgramPatch::FIELDS,
            EntityKind::Phase => PhasePatch::FIELDS,
            EntityKind::Partnership => PartnershipPatch::FIELDS,
            EntityKind::Source => SourcePatch::FIELDS,
            EntityKind::Citation => CitationPatch::FIELDS,
        }
    }

    /// Whether the patch sets the id (only a create may).
    pub(super) fn sets_id(&self) -> bool {
        match self {
            RecordPatch::Agency(p) => !p.id.is_absent(),
            RecordPatch::Program(p) => !p.id.is_absent(),
            RecordPatch::Phase(p) => !p.id.is_absent(),
            _ => false,
        }
    }

    /// The first field (by name) whose text holds a NUL.
    pub(super) fn nul_field(&self) -> Option<&'static str> {
        match self {
            RecordPatch::Agency(p) => p.nul_field(),
            RecordPatch::Program(p) => p.nul_field(),
            RecordPatch::Phase(p) => p.nul_field(),
            RecordPatch::Partnership(p) => p.nul_field(),
            RecordPatch::Source(p) => p.nul_field(),
            RecordPatch::Citation(p) => p.nul_field(),
        }
    }

    /// The record the fields make, with bookkeeping `meta` (and id 0 for a numeric id, which
    /// the writer assigns).
    pub(crate) fn build(self, meta: Meta) -> Result<crate::domain::Record, EditError> {
        use crate::domain::Record;
        Ok(match self {
            RecordPatch::Agency(p) => Record::Agency(p.build(meta)?),
            RecordPatch::Program(p) => Record::Program(p.build(meta)?),
            RecordPatch::Phase(p) => Record::Phase(p.build(meta)?),
            RecordPatch::Partnership(p) => Record::Partnership(p.build(meta)?),
            RecordPatch::Source(p) => Record::Source(p.build(meta)?),
            RecordPatch::Citation(p) => Record::Citation(p.build(meta)?),
        })
    }

    /// `old` with the fields applied; `None` when `old` is of another kind.
    pub(super) fn apply(
        self,
        old: &crate::domain::Record,
    ) -> Option<Result<crate::domain::Record, EditError>> {
        use crate::domain::Record;
        Some(match (self, old) {
            (RecordPatch::Agency(p), Record::Agency(r)) => p.apply(r).map(Record::Agency),
            (RecordPatch::Program(p), Record::Program(r)) => p.apply(r).map(Record::Program),
            (RecordPatch::Phase(p), Record::Phase(r)) => p.apply(r).map(Record::Phase),
            (RecordPatch::Partnership(p), Record::Partnership(r)) => {
                p.apply(r).map(Record::Partnership)
            }
            (RecordPatch::Source(p), Record::Source(r)) => p.apply(r).map(Record::Source),
            (RecordPatch::Citation(p), Record::Citation(r)) => p.apply(r).map(Record::Citation),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Record;
    use time::macros::datetime;

    fn meta() -> Meta {
        Meta::new(datetime!(2026-11-29 12:00:00 UTC))
    }

    fn partnership() -> PartnershipPatch {
        PartnershipPatch {
            agency_id: Field::Value("us-wi-town-police-department".into()),
            program_id: Field::Value("ring-neighbors-public-safety-service".into()),
            status: Field::Value(Status::Active),
            external_ids: Field::Value([("aos".to_string(), "A1".to_string())].into()),
            ..Default::default()
        }
    }

    /// What parsing the record's JSON says of the same fields.
    fn parsed(json: serde_json::Value) -> String {
        Record::from_json(EntityKind::Partnership, json)
            .unwrap_err()
            .to_string()
    }

    fn message(e: EditError) -> String {
        match e {
            EditError::Invalid {
                field: None,
                message,
            } => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_create_refuses_as_the_records_parser_does() {
        let stamp = serde_json::json!({"id": 0, "version": 1,
            "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z"});
        let with = |extra: serde_json::Value| {
            let mut m = stamp.clone();
            m.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            m
        };
        let p = PartnershipPatch {
            program_id: Field::Absent,
            ..partnership()
        };
        assert_eq!(
            message(p.build(meta()).unwrap_err()),
            parsed(with(
                serde_json::json!({"agency_id": "a", "status": "active"})
            ))
        );
        let p = PartnershipPatch {
            video_requests: Field::Null,
            ..partnership()
        };
        assert_eq!(
            message(p.build(meta()).unwrap_err()),
            parsed(with(
                serde_json::json!({"agency_id": "a", "program_id": "p",
                "status": "active", "video_requests": null})
            ))
        );
        let p = PartnershipPatch {
            status: Field::Null,
            ..partnership()
        };
        assert_eq!(
            message(p.build(meta()).unwrap_err()),
            parsed(with(
                serde_json::json!({"agency_id": "a", "program_id": "p", "status": null})
            ))
        );
    }

    #[test]
    fn an_update_replaces_clears_keeps_and_merges_maps() {
        let old = partnership().build(meta()).unwrap();
        let p = PartnershipPatch {
            status: Field::Value(Status::Ended),
            notes: Field::Value("left".into()),
            external_ids: Field::Value([("x".to_string(), "1".to_string())].into()),
            ..Default::default()
        };
        let new = p.apply(&old).unwrap();
        assert_eq!(new.status, Status::Ended);
        assert_eq!(new.agency_id, old.agency_id);
        assert_eq!(new.notes.as_deref(), Some("left"));
        assert_eq!(new.external_ids.len(), 2);
        let cleared = PartnershipPatch {
            notes: Field::Null,
            external_ids: Field::Null,
            ..Default::default()
        }
        .apply(&new)
        .unwrap();
        assert_eq!((cleared.notes, cleared.external_ids.len()), (None, 0));
        let e = PartnershipPatch {
            program_id: Field::Null,
            status: Field::Invalid("`paused` is not one of: …".into()),
            ..Default::default()
        }
        .apply(&old)
        .unwrap_err();
        assert_eq!(message(e), "`paused` is not one of: …");
    }
}
