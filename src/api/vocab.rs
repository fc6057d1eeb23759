//! The domain's vocabularies as OpenAPI types, so the spec lists every value as an `enum`
//! and DTOs and parameters carry the typed value, not a `String`. The domain stays free of
//! poem: the impls live here (the types are this crate's, so the orphan rule allows them).
//!
//! A value outside a vocabulary fails to parse with the domain's own message (`` `cop` is
//! not one of: police, sheriff, … ``), which `error.rs` turns into a 400 `invalid_parameter`
//! (a parameter) or `invalid_body` (a JSON field) naming it. A write body's `record` takes
//! its values as [`Given`], so an unknown one is a rule the record breaks (422), as before.

use crate::domain::ids::STATE_CODES;
use crate::domain::valid_time::Certainty;
use crate::domain::{
    AgencyType, ChangeKind, DatePrecision, EntityKind, JurisdictionType, LocationBasis,
    LocationPrecision, QualityFlag, SourceKind, StateCode, Status,
};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use std::borrow::Cow;

/// A type's raw value for poem-openapi is the value itself.
macro_rules! raw_self {
    () => {
        fn as_raw_value(&self) -> Option<&Self::RawValueType> {
            Some(self)
        }

        fn raw_element_iter<'a>(
            &'a self,
        ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
            Box::new(self.as_raw_value().into_iter())
        }
    };
}
pub(crate) use raw_self;

/// A value written as its text (`as_str`) and parsed from it (`FromStr`, with the domain's
/// message), in JSON and in a parameter.
macro_rules! text_value {
    ($ty:ty) => {
        impl ToJSON for $ty {
            fn to_json(&self) -> Option<serde_json::Value> {
                Some(serde_json::Value::String(self.as_str().into()))
            }
        }

        impl ParseFromJSON for $ty {
            fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    serde_json::Value::String(s) => s.parse().map_err(ParseError::custom),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                value.parse().map_err(ParseError::custom)
            }
        }
    };
}

/// Implements poem-openapi's `Type`, `ToJSON`, `ParseFromJSON` and `ParseFromParameter` for
/// a `string_enum!` type: a named `string` schema with every value in `enum`.
macro_rules! openapi_vocab {
    ($ty:ty, $name:literal, $doc:literal) => {
        impl Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Reference($name.to_string())
            }

            fn register(registry: &mut Registry) {
                registry.create_schema::<Self, _>($name.to_string(), |_| MetaSchema {
                    description: Some($doc),
                    enum_items: <$ty>::ALL
                        .iter()
                        .map(|v| serde_json::Value::String(v.as_str().into()))
                        .collect(),
                    ..MetaSchema::new("string")
                });
            }

            raw_self!();
        }

        text_value!($ty);
    };
}

openapi_vocab!(AgencyType, "AgencyType", "What kind of body the agency is.");
openapi_vocab!(
    JurisdictionType,
    "JurisdictionType",
    "The kind of area the agency serves."
);
openapi_vocab!(
    LocationPrecision,
    "LocationPrecision",
    "How exactly an agency's coordinates place it."
);
openapi_vocab!(
    LocationBasis,
    "LocationBasis",
    "What an agency's point is: `geonames_place` (the GeoNames place matched), `county_place` (the GeoNames place nearest the county's interior point), `county_centroid`, `county_pole` (pole of inaccessibility), `county_interior`, `state_interior`, `source_point` (given by the source, e.g. Ring's map)."
);
openapi_vocab!(
    QualityFlag,
    "QualityFlag",
    "What the importer found inconsistent or weak in an agency's record. `county_not_in_state`: a county the source lists is not in the agency's state, though another state has one of that name; `county_not_found`: a listed county is a county of no state; `place_not_found_in_state`: the source's city is not a place of the agency's state; `place_outside_listed_counties`: the city is in none of the listed counties; `location_county_fallback`: a local agency placed at its county's point for want of its place; `location_state_fallback`: placed at the state's interior point (location essentially unknown)."
);
openapi_vocab!(
    Status,
    "Status",
    "Where a partnership, program or phase stands."
);
openapi_vocab!(
    SourceKind,
    "SourceKind",
    "What kind of evidence a source is."
);
openapi_vocab!(
    ChangeKind,
    "ChangeKind",
    "Why a record changed: `started`, `ended` and `amended` are real-world changes; `correction`, `retraction` and `new_evidence` correct our record."
);
openapi_vocab!(
    EntityKind,
    "RecordKind",
    "The kinds of record: agency, program, phase, partnership, source, citation."
);
openapi_vocab!(
    DatePrecision,
    "DatePrecision",
    "How much of a date is known: day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY)."
);

impl Type for StateCode {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("StateCode")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference("StateCode".into())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<Self, _>("StateCode".into(), |_| MetaSchema {
            description: Some(
                "A USPS state or territory code, upper case (parameters accept lower case too).",
            ),
            enum_items: STATE_CODES
                .iter()
                .map(|(c, _)| serde_json::Value::String((*c).into()))
                .collect(),
            ..MetaSchema::new("string")
        });
    }

    raw_self!();
}

text_value!(StateCode);

/// `certain` or `possible`: a plain `string` to poem-openapi, its two values inline in the
/// spec (`spec::enums`, as the fields that held it as text had them), where it is only ever
/// nullable.
impl Type for Certainty {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("string")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("string")))
    }

    raw_self!();
}

text_value!(Certainty);

/// A vocabulary value (or a state) as a write body gives it: the value, or the text that is
/// none of the vocabulary's, with the domain's reason. A body still parses with an unknown
/// value, which the service refuses when it builds the record, as any rule the record breaks
/// (422 `invalid_record`, after the id and version are checked), so a write body judges its
/// values where the record's own parser did.
///
/// Its schema is the plain `string` a `String` field has; the spec pass (`spec::enums`) gives
/// the field its vocabulary, as for every field the code once held as text.
#[derive(Clone, Debug, PartialEq)]
pub enum Given<T> {
    Known(T),
    Unknown { text: String, why: String },
}

impl<T> Given<T> {
    /// The value, or why the text is none.
    pub fn value(self) -> Result<T, String> {
        match self {
            Given::Known(v) => Ok(v),
            Given::Unknown { why, .. } => Err(why),
        }
    }
}

impl<T: Send + Sync + Clone + 'static> Type for Given<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("string")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("string")))
    }

    raw_self!();
}

impl<T> ParseFromJSON for Given<T>
where
    T: std::str::FromStr + Send + Sync + Clone + 'static,
    T::Err: std::fmt::Display,
{
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            serde_json::Value::String(text) => Ok(match text.parse() {
                Ok(v) => Given::Known(v),
                Err(e) => Given::Unknown {
                    why: e.to_string(),
                    text,
                },
            }),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<T: std::fmt::Display + Send + Sync + Clone + 'static> ToJSON for Given<T> {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(match self {
            Given::Known(v) => v.to_string(),
            Given::Unknown { text, .. } => text.clone(),
        }))
    }
}

/// The values of an optional multi-valued parameter as the text the shared filters parse
/// (a search body carries the same fields as text).
pub fn texts<T: std::fmt::Display>(param: Option<Values<T>>) -> Vec<String> {
    Values::of(param).iter().map(ToString::to_string).collect()
}

/// A multi-valued query parameter: repeated (`kind=news&kind=dataset`) or comma-separated
/// (`kind=news,dataset`), each value parsed as `T`. Empty values are skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values<T>(pub Vec<T>);

impl<T: Type> Type for Values<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = T::RawValueType;

    fn name() -> Cow<'static, str> {
        format!("list_{}", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(T::schema_ref())),
            ..MetaSchema::new("array")
        }))
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.0.iter().filter_map(|item| item.as_raw_value()))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: ParseFromParameter> ParseFromParameter for Values<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse_from_parameters(std::iter::once(value))
    }

    fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
        iter: I,
    ) -> ParseResult<Self> {
        let mut values = Vec::new();
        for text in iter {
            for part in text.as_ref().split(',').map(str::trim) {
                if !part.is_empty() {
                    values.push(T::parse_from_parameter(part).map_err(ParseError::propagate)?);
                }
            }
        }
        Ok(Values(values))
    }
}

impl<T: ToJSON> ToJSON for Values<T> {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::Array(
            self.0.iter().filter_map(ToJSON::to_json).collect(),
        ))
    }
}

impl<T> Values<T> {
    /// The values of an optional parameter: none when it is absent.
    pub fn of(param: Option<Values<T>>) -> Vec<T> {
        param.map(|v| v.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_comma_separated_values_mean_the_same() {
        let a = Values::<SourceKind>::parse_from_parameters(["news,dataset"]).unwrap();
        let b = Values::<SourceKind>::parse_from_parameters(["news", "dataset"]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.0, vec![SourceKind::News, SourceKind::Dataset]);
    }

    #[test]
    fn an_unknown_value_is_refused_with_the_allowed_ones() {
        let err = Values::<Status>::parse_from_parameters(["active,over"]).unwrap_err();
        assert!(err.message().contains("active, ended"), "{}", err.message());
    }

    #[test]
    fn the_schema_lists_every_value() {
        let mut registry = Registry::new();
        AgencyType::register(&mut registry);
        let schema = &registry.schemas["AgencyType"];
        assert_eq!(schema.enum_items.len(), AgencyType::ALL.len());
    }
}
