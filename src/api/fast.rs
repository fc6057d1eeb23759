//! A JSON payload serialised straight from the DTO with serde, for the hot list endpoints.
//!
//! poem-openapi's `Json` first builds a `serde_json::Value` tree (a map per object) and then
//! writes it out; for a page of 50 agencies that doubles the work of a `near` query. The
//! schema still comes from the DTO's `Object` derive, and a test checks that both
//! serialisations agree for every type sent this way.

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;

pub struct Fast<T>(pub T);

impl<T: Type + Send> Payload for Fast<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: serde::Serialize + Send> IntoResponse for Fast<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder()
                .content_type(Self::content_type())
                .body(body),
            // Serialising plain DTOs cannot fail (no non-string map keys); answer as every
            // other failure does if it ever did.
            Err(e) => crate::error::ApiError::internal(e).into_response(),
        }
    }
}

impl<T> Fast<T> {
    fn content_type() -> &'static str {
        "application/json; charset=utf-8"
    }
}

#[cfg(test)]
mod tests {
    use super::super::dto::{Agency, AgencyList, Partnership, PartnershipList};
    use super::super::geojson::{AgencyFeature, AgencyFeatureCollection, FeatureCollectionType};
    use poem_openapi::types::{Example, ToJSON};

    fn same<T: ToJSON + serde::Serialize>(value: &T) {
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            value.to_json().unwrap()
        );
    }

    #[test]
    fn serde_and_poem_openapi_write_the_same_json() {
        same(&AgencyList::example());
        same(&PartnershipList::example());
        let mut p = Partnership::example();
        p.distance_m = Some(12.5);
        p.active_on_certainty = Some("possible".into());
        same(&p);
        let mut a = Agency::example();
        a.distance_m = Some(0.0);
        a.latitude = None;
        same(&a);
        same(&AgencyFeatureCollection {
            type_: FeatureCollectionType::FeatureCollection,
            features: vec![AgencyFeature::from(Agency::example())],
            next: None,
            number_matched: Some(1),
            number_returned: 1,
            links: vec![],
            meta: AgencyList::example().meta,
        });
    }
}
