//! The write bodies' `record` (`AgencyFields`, …) as the typed patch the service builds or
//! changes a record with: each field absent, `null` or a value of the record's own type.
//! Vocabulary values arrive parsed (`Given`); dates, which a body gives as text, are parsed
//! here by the record's own parser, so a value that is none travels to the service with
//! the message the record's parser gives and is refused where any rule break is.

use crate::api::agencies::AgencyFields;
use crate::api::citations::CitationFields;
use crate::api::partnerships::{PartnershipFields, VideoRequestCountIn};
use crate::api::phases::PhaseFields;
use crate::api::programs::ProgramFields;
use crate::api::sources::SourceFields;
use crate::api::vocab::Given;
use crate::domain::VideoRequestCount;
use crate::service::edit::{
    AgencyPatch, CitationPatch, Field, PartnershipPatch, PhasePatch, ProgramPatch, RecordPatch,
    SourcePatch,
};
use poem_openapi::types::MaybeUndefined;
use serde::de::DeserializeOwned;

fn keep<T>(m: MaybeUndefined<T>) -> Field<T> {
    match m {
        MaybeUndefined::Undefined => Field::Absent,
        MaybeUndefined::Null => Field::Null,
        MaybeUndefined::Value(v) => Field::Value(v),
    }
}

fn given<T>(m: MaybeUndefined<Given<T>>) -> Field<T> {
    match keep(m) {
        Field::Value(v) => v.value().map_or_else(Field::Invalid, Field::Value),
        Field::Absent => Field::Absent,
        Field::Null => Field::Null,
        Field::Invalid(why) => Field::Invalid(why),
    }
}

fn all_given<T>(m: MaybeUndefined<Vec<Given<T>>>) -> Field<Vec<T>> {
    match keep(m) {
        Field::Value(items) => items
            .into_iter()
            .map(Given::value)
            .collect::<Result<_, _>>()
            .map_or_else(Field::Invalid, Field::Value),
        Field::Absent => Field::Absent,
        Field::Null => Field::Null,
        Field::Invalid(why) => Field::Invalid(why),
    }
}

/// A value given as text (a date), read as the record's JSON reads it.
fn text<T: DeserializeOwned>(s: String) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s)).map_err(|e| e.to_string())
}

fn parsed<T: DeserializeOwned>(m: MaybeUndefined<String>) -> Field<T> {
    match keep(m) {
        Field::Value(s) => text(s).map_or_else(Field::Invalid, Field::Value),
        Field::Absent => Field::Absent,
        Field::Null => Field::Null,
        Field::Invalid(why) => Field::Invalid(why),
    }
}

fn video_requests(m: MaybeUndefined<Vec<VideoRequestCountIn>>) -> Field<Vec<VideoRequestCount>> {
    let count = |v: VideoRequestCountIn| -> Result<VideoRequestCount, String> {
        Ok(VideoRequestCount {
            count: v.count,
            from: text(v.from)?,
            to: v.to.map(text).transpose()?,
        })
    };
    match keep(m) {
        Field::Value(items) => items
            .into_iter()
            .map(count)
            .collect::<Result<_, _>>()
            .map_or_else(Field::Invalid, Field::Value),
        Field::Absent => Field::Absent,
        Field::Null => Field::Null,
        Field::Invalid(why) => Field::Invalid(why),
    }
}

impl From<AgencyFields> for RecordPatch {
    fn from(f: AgencyFields) -> Self {
        RecordPatch::Agency(AgencyPatch {
            id: keep(f.id),
            name: keep(f.name),
            agency_type: given(f.agency_type),
            jurisdiction_type: given(f.jurisdiction_type),
            ori: keep(f.ori),
            city: keep(f.city),
            county: keep(f.county),
            state: given(f.state),
            country: keep(f.country),
            latitude: keep(f.latitude),
            longitude: keep(f.longitude),
            location_precision: given(f.location_precision),
            location_basis: given(f.location_basis),
            location_source: keep(f.location_source),
            quality_flags: all_given(f.quality_flags),
            external_ids: keep(f.external_ids.map_value(Into::into)),
            notes: keep(f.notes),
        })
    }
}

impl From<ProgramFields> for RecordPatch {
    fn from(f: ProgramFields) -> Self {
        RecordPatch::Program(ProgramPatch {
            id: keep(f.id),
            vendor: keep(f.vendor),
            name: keep(f.name),
            description: keep(f.description),
            start: parsed(f.start),
            end: parsed(f.end),
        })
    }
}

impl From<PhaseFields> for RecordPatch {
    fn from(f: PhaseFields) -> Self {
        RecordPatch::Phase(PhasePatch {
            id: keep(f.id),
            program_id: keep(f.program_id),
            name: keep(f.name),
            description: keep(f.description),
            status: given(f.status),
            start: parsed(f.start),
            end: parsed(f.end),
            footage_requests: keep(f.footage_requests),
            footage_condition: keep(f.footage_condition),
        })
    }
}

impl From<PartnershipFields> for RecordPatch {
    fn from(f: PartnershipFields) -> Self {
        RecordPatch::Partnership(PartnershipPatch {
            agency_id: keep(f.agency_id),
            program_id: keep(f.program_id),
            status: given(f.status),
            start: parsed(f.start),
            end: parsed(f.end),
            video_requests: video_requests(f.video_requests),
            external_ids: keep(f.external_ids.map_value(Into::into)),
            notes: keep(f.notes),
        })
    }
}

impl From<SourceFields> for SourcePatch {
    fn from(f: SourceFields) -> Self {
        SourcePatch {
            url: keep(f.url),
            title: keep(f.title),
            publisher: keep(f.publisher),
            published: parsed(f.published),
            accessed: parsed(f.accessed),
            archived_url: keep(f.archived_url),
            kind: given(f.kind),
        }
    }
}

impl From<SourceFields> for RecordPatch {
    fn from(f: SourceFields) -> Self {
        RecordPatch::Source(f.into())
    }
}

impl From<CitationFields> for RecordPatch {
    fn from(f: CitationFields) -> Self {
        RecordPatch::Citation(CitationPatch {
            source_id: keep(f.source_id),
            entity_kind: given(f.entity_kind),
            entity_id: keep(f.entity_id),
            field: keep(f.field),
            quote: keep(f.quote),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{EntityKind, Meta};
    use crate::service::edit::RecordPatch;
    use poem_openapi::registry::Registry;
    use poem_openapi::types::{Example, Type};

    /// The properties of a write body's `record` schema.
    fn properties<T: Type>() -> Vec<String> {
        let mut registry = Registry::new();
        T::register(&mut registry);
        let mut names: Vec<String> = registry.schemas[&*T::name()]
            .properties
            .iter()
            .map(|(name, _)| name.to_string())
            .collect();
        names.sort();
        names
    }

    /// The keys of a record of the patch's kind as the change feed writes it, but those the
    /// server keeps: bookkeeping, a numeric id (the writer assigns it) and a partnership's
    /// evidence (a `new_evidence` change moves it).
    fn writable_keys(patch: RecordPatch) -> Vec<String> {
        let kind = patch.kind();
        let record = patch
            .build(Meta::new(time::OffsetDateTime::UNIX_EPOCH))
            .map_err(|e| format!("{kind}: {e}"))
            .unwrap();
        let server: &[&str] = match kind {
            EntityKind::Partnership => &["id", "last_confirmed", "last_confirmed_source"],
            EntityKind::Source | EntityKind::Citation => &["id"],
            _ => &[],
        };
        let serde_json::Value::Object(m) = record.to_json() else {
            panic!("{kind}: a record is an object")
        };
        let mut keys: Vec<String> = m
            .keys()
            .filter(|k| !["version", "created_at", "updated_at"].contains(&k.as_str()))
            .filter(|k| !server.contains(&k.as_str()))
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    /// Each `*Fields` body names exactly the fields of its record a client may write (and
    /// its typed patch, those too): what one writes is what the change feed shows.
    #[test]
    fn every_fields_body_names_its_records_writable_keys() {
        use crate::api::agencies::AgencyFields;
        use crate::api::citations::CitationFields;
        use crate::api::partnerships::PartnershipFields;
        use crate::api::phases::PhaseFields;
        use crate::api::programs::ProgramFields;
        use crate::api::sources::SourceFields;
        use crate::service::edit::Field;

        fn check<T: Type>(patch: RecordPatch) {
            let kind = patch.kind();
            let mut patched: Vec<String> = RecordPatch::fields(kind)
                .iter()
                .map(|f| f.to_string())
                .collect();
            patched.sort();
            let keys = writable_keys(patch);
            assert_eq!(properties::<T>(), keys, "{kind}: the body and the record");
            assert_eq!(patched, keys, "{kind}: the patch and the record");
        }
        let text = |s: &str| Field::Value(s.to_string());
        let RecordPatch::Agency(mut agency) = AgencyFields::example().into() else {
            unreachable!()
        };
        agency.id = text("us-wi-greenfield-police-department");
        agency.country = text("US");
        check::<AgencyFields>(RecordPatch::Agency(agency));
        let RecordPatch::Program(mut program) = ProgramFields::example().into() else {
            unreachable!()
        };
        (program.id, program.vendor, program.name) = (text("p"), text("v"), text("n"));
        check::<ProgramFields>(RecordPatch::Program(program));
        let RecordPatch::Phase(mut phase) = PhaseFields::example().into() else {
            unreachable!()
        };
        (phase.id, phase.program_id, phase.name) = (text("x"), text("p"), text("n"));
        phase.footage_requests = Field::Value(true);
        check::<PhaseFields>(RecordPatch::Phase(phase));
        let RecordPatch::Partnership(mut partnership) = PartnershipFields::example().into() else {
            unreachable!()
        };
        (partnership.agency_id, partnership.program_id) = (text("a"), text("p"));
        check::<PartnershipFields>(RecordPatch::Partnership(partnership));
        check::<SourceFields>(SourceFields::example().into());
        check::<CitationFields>(CitationFields::example().into());
    }
}
