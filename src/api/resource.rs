//! A resource's `#[OpenApi]` impl, written once: [`resource_api!`] takes the list's own
//! parameters and body, the other reads as written, and generates what is alike for every
//! resource (the list's paging parameters; create, update and delete). One impl holds a
//! resource's reads and writes, so each path is served by one API struct and appears once
//! in the spec.
//!
//! ```text
//! resource::resource_api! {
//!     #[OpenApi(tag = "ApiTags::Programs")]
//!     impl PhasesApi {
//!         /// List program phases …
//!         #[oai(path = "/phases", method = "get", operation_id = "list_phases")]
//!         table_list list_phases(&self, req, /* own parameters */ sort: Query<Option<String>>,)
//!             count: /// Include `total`, the number of matching records.
//!             ;
//!             format: /// `json` (a page; default), or an export …
//!             ;
//!             -> PhaseListResponse |paging| { /* the body, with `req` and `paging` */ }
//!         reads { /* the other reads, as written */ }
//!     }
//!     writes EntityKind::Phase, PhaseEdit {
//!         /// Create a phase …
//!         #[oai(path = "/phases", method = "post", operation_id = "create_phase")]
//!         create create_phase;
//!         /// Update a phase …
//!         #[oai(path = "/phases/:id", method = "patch", operation_id = "update_phase")]
//!         update update_phase(/** the id's doc */ id, /** If-Match's doc */ if_match);
//!         /// Delete a phase …
//!         #[oai(path = "/phases/:id", method = "delete", operation_id = "delete_phase")]
//!         delete delete_phase(id, if_match);
//!     }
//! }
//! ```
//!
//! A table list (programs, phases, sources, citations) ends with `limit`, `cursor`, `count`,
//! `as_of` and `format` (a [`TableFormat`](super::geojson::TableFormat)); a geo list
//! (agencies, partnerships) takes its own filters, then `q` and `near` (generated), then the
//! parameters in `then { … }` (`radius`, `bbox`, `sort`), then `limit`, `cursor`, `count`,
//! `format` (a [`Format`](super::geojson::Format)) and `as_of` (its doc's last line given,
//! after the two every list's has), then any given in `after { … }`. The body gets them as a [`Paging`]. The list names `self` and `req`
//! itself (`&self, req, …`) so that its body, written at the call, can use them.

/// The paging and format parameters every list takes, as its body gets them; a geo list's
/// `q` and `near` too (a table list has its own `q`, or none, and no `near`).
pub struct Paging<F> {
    pub q: Option<String>,
    pub near: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub count: Option<bool>,
    pub as_of: Option<String>,
    pub format: Option<F>,
}

impl<F> Paging<F> {
    /// The page asked for: every row when the answer is an export (`export`) without
    /// `limit` or `cursor`, else the page those give.
    pub fn page(&self, export: bool) -> crate::service::listing::PageRequest {
        page_request(export, self.limit, self.cursor.clone(), self.count)
    }
}

/// The page a list asks for: every row when it is an export (`export`) without `limit` or
/// `cursor`, else the page those give.
pub fn page_request(
    export: bool,
    limit: Option<u32>,
    cursor: Option<String>,
    count: Option<bool>,
) -> crate::service::listing::PageRequest {
    if export && super::geojson::is_export(limit, cursor.as_deref()) {
        crate::service::listing::PageRequest::everything()
    } else {
        super::page_request(limit, cursor, count)
    }
}

/// See the module's docs.
macro_rules! resource_api {
    // A table list: its own parameters, then limit, cursor, count, as_of, format.
    (
        $(#[$impl_attr:meta])*
        impl $api:ident {
            $(#[$list_attr:meta])*
            table_list $list:ident(&$self:ident, $req:ident, $($own:tt)*)
                count: $(#[$count_doc:meta])* ;
                format: $(#[$format_doc:meta])* ;
                -> $ret:ident |$paging:ident| $body:block
            reads { $($reads:tt)* }
        }
        writes $($writes:tt)*
    ) => {
        $crate::api::resource::resource_api! {
            @impl [$(#[$impl_attr])*] $api {
                $(#[$list_attr])*
                async fn $list(
                    &$self,
                    $req: &::poem::Request,
                    $($own)*
                    /// Page size, 1 to 1000 (default 100).
                    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
                    limit: ::poem_openapi::param::Query<Option<u32>>,
                    /// The `next` cursor of the previous page.
                    cursor: ::poem_openapi::param::Query<Option<String>>,
                    $(#[$count_doc])*
                    count: ::poem_openapi::param::Query<Option<bool>>,
                    /// What the dataset said at this time (RFC 3339, transaction time), e.g.
                    /// `2026-12-01T09:30:00Z`; or at the end of a day, month or year (UTC): `2020-10-07`,
                    /// `2020-10`, `2020`.
                    #[oai(example = "crate::api::example_as_of")]
                    as_of: ::poem_openapi::param::Query<Option<String>>,
                    $(#[$format_doc])*
                    format: ::poem_openapi::param::Query<Option<$crate::api::geojson::TableFormat>>,
                ) -> ::std::result::Result<$ret, $crate::error::ApiError> {
                    let $paging = $crate::api::resource::Paging {
                        q: None,
                        near: None,
                        limit: limit.0,
                        cursor: cursor.0,
                        count: count.0,
                        as_of: as_of.0,
                        format: format.0,
                    };
                    $body
                }
                $($reads)*
            }
            writes $($writes)*
        }
    };
    // A geo list: its own parameters, then limit, cursor, count, format, as_of, and its
    // parameters after those.
    (
        $(#[$impl_attr:meta])*
        impl $api:ident {
            $(#[$list_attr:meta])*
            geo_list $list:ident(&$self:ident, $req:ident, $($own:tt)*)
                q: $(#[$q_attr:meta])* ;
                then { $($then:tt)* }
                as_of: $(#[$as_of_doc:meta])* ;
                after { $($after:tt)* }
                -> $ret:ident |$paging:ident| $body:block
            reads { $($reads:tt)* }
        }
        writes $($writes:tt)*
    ) => {
        $crate::api::resource::resource_api! {
            @impl [$(#[$impl_attr])*] $api {
                $(#[$list_attr])*
                async fn $list(
                    &$self,
                    $req: &::poem::Request,
                    $($own)*
                    /// Text search in the agency's name and city (case and accents ignored).
                    $(#[$q_attr])*
                    q: ::poem_openapi::param::Query<Option<String>>,
                    /// A point, `lat,lon` in decimal degrees: adds `distance_m` and allows sorting by it.
                    near: ::poem_openapi::param::Query<Option<String>>,
                    $($then)*
                    /// Page size, 1 to 1000 (default 100).
                    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
                    limit: ::poem_openapi::param::Query<Option<u32>>,
                    /// The `next` cursor of the previous page.
                    cursor: ::poem_openapi::param::Query<Option<String>>,
                    /// Include `total`, the number of matching records.
                    count: ::poem_openapi::param::Query<Option<bool>>,
                    /// `json` (a page; default), or an export of every matching row: `geojson`, `csv`
                    /// or `ndjson` (a page only when `limit` or `cursor` is given). Overrides `Accept`
                    /// (`application/geo+json`, `text/csv`, `application/x-ndjson`); the suffixes
                    /// `.geojson`, `.csv` and `.ndjson` on the path do the same.
                    format: ::poem_openapi::param::Query<Option<$crate::api::geojson::Format>>,
                    /// What the dataset said at this time (RFC 3339, transaction time), e.g.
                    /// `2026-12-01T09:30:00Z`; or at the end of a day, month or year (UTC): `2020-10-07`,
                    $(#[$as_of_doc])*
                    #[oai(example = "crate::api::example_as_of")]
                    as_of: ::poem_openapi::param::Query<Option<String>>,
                    $($after)*
                ) -> ::std::result::Result<$ret, $crate::error::ApiError> {
                    let $paging = $crate::api::resource::Paging {
                        q: q.0,
                        near: near.0,
                        limit: limit.0,
                        cursor: cursor.0,
                        count: count.0,
                        as_of: as_of.0,
                        format: format.0,
                    };
                    $body
                }
                $($reads)*
            }
            writes $($writes)*
        }
    };
    // The impl: the list and reads, then the writes, alike for every resource.
    (
        @impl [$(#[$impl_attr:meta])*] $api:ident { $($reads:tt)* }
        writes $kind:path, $edit:ident {
            $(#[$create_attr:meta])*
            create $create:ident;
            $(#[$update_attr:meta])*
            update $update:ident(
                $(#[$update_id:meta])* id,
                $(#[$update_if:meta])* if_match $(,)?
            );
            $(#[$delete_attr:meta])*
            delete $delete:ident(
                $(#[$delete_id:meta])* id,
                $(#[$delete_if:meta])* if_match $(,)?
            );
        }
    ) => {
        $(#[$impl_attr])*
        impl $api {
            $($reads)*

            $(#[$create_attr])*
            async fn $create(
                &self,
                auth: $crate::api::write::BearerAuth,
                body: ::poem_openapi::payload::Json<$edit>,
            ) -> ::std::result::Result<$crate::api::write::EditResponse, $crate::error::ApiError> {
                let b = body.0;
                $crate::api::write::create(
                    &self.state,
                    auth,
                    $kind,
                    $crate::api::write::fields(&b.record),
                    b.change,
                )
                .await
            }

            $(#[$update_attr])*
            async fn $update(
                &self,
                auth: $crate::api::write::BearerAuth,
                $(#[$update_id])*
                id: ::poem_openapi::param::Path<String>,
                $(#[$update_if])*
                #[oai(name = "If-Match")]
                if_match: ::poem_openapi::param::Header<Option<String>>,
                body: ::poem_openapi::payload::Json<$edit>,
            ) -> ::std::result::Result<$crate::api::write::EditResponse, $crate::error::ApiError> {
                let b = body.0;
                $crate::api::write::update(
                    &self.state,
                    auth,
                    if_match.0,
                    $kind,
                    &id.0,
                    $crate::api::write::fields(&b.record),
                    b.change,
                )
                .await
            }

            $(#[$delete_attr])*
            async fn $delete(
                &self,
                auth: $crate::api::write::BearerAuth,
                $(#[$delete_id])*
                id: ::poem_openapi::param::Path<String>,
                $(#[$delete_if])*
                #[oai(name = "If-Match")]
                if_match: ::poem_openapi::param::Header<Option<String>>,
                body: ::poem_openapi::payload::Json<$crate::api::write::DeleteBody>,
            ) -> ::std::result::Result<$crate::api::write::EditResponse, $crate::error::ApiError> {
                $crate::api::write::delete(&self.state, auth, if_match.0, $kind, &id.0, body.0).await
            }
        }
    };
}
pub(crate) use resource_api;

/// A list's body (its JSON page, or an export as CSV or NDJSON, and GeoJSON for a geo list)
/// and its 200 response with the `Link` header. `$doc` is the body's doc, `$ok` the
/// response's.
macro_rules! list_response {
    (
        $(#[$doc:meta])*
        $body:ident($json:ty $(, geo $geo:ty)?);
        $(#[$ok:meta])*
        $resp:ident;
    ) => {
        $(#[$doc])*
        #[derive(::poem_openapi::ResponseContent)]
        pub enum $body {
            Json($json),
            $(
                #[oai(content_type = "application/geo+json")]
                GeoJson($crate::api::exports::GeoJson<$geo>),
            )?
            #[oai(content_type = "text/csv; charset=utf-8")]
            Csv($crate::api::exports::CsvExport),
            #[oai(content_type = "application/x-ndjson")]
            Ndjson($crate::api::exports::NdjsonExport),
        }

        #[derive(::poem_openapi::ApiResponse)]
        pub enum $resp {
            $(#[$ok])*
            #[oai(status = 200)]
            Ok($body, #[oai(header = "Link")] Option<String>),
        }
    };
}
pub(crate) use list_response;

/// An API struct: what its operations read, the app's state.
macro_rules! api_struct {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name {
            state: $crate::api::AppState,
        }

        impl $name {
            pub fn new(state: $crate::api::AppState) -> Self {
                Self { state }
            }
        }
    };
}
pub(crate) use api_struct;
