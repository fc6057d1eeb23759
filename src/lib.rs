//! ring-partnerships: an open-data API of US public safety agencies' partnerships with Ring.
//!
//! Module map (dependencies point one way: `api -> service -> store -> entity`; see
//! `docs/ARCHITECTURE.md` for the read and write paths):
//! - [`api`]: HTTP only (poem-openapi): one file per resource with its reads and writes in
//!   one `#[OpenApi]` impl (`resource::resource_api!` writes the parts alike for every
//!   resource; `write` holds what the writes share, `etag` the entity-tag grammar, `exports`
//!   the streamed exports, `fast` and `fast_partnerships` the hot lists' JSON), DTOs (`dto`, a
//!   file a resource), OGC API - Features (`ogc`: `documents`, `collections`, `items`,
//!   `datetime`), the finished spec (`spec`: `ordered`, `components`, `schemas`, `enums`),
//!   no queries.
//! - [`pages`]: the HTML face of the same service calls: pages on the API's URLs, embeds,
//!   oEmbed. `pages::views` holds a file a page or two (`landing`, `agency`, `report`,
//!   `records`, `lists`) and what they share (`sections`, `map`); `pages::docs` is `/docs`
//!   (Swagger UI from `assets`).
//! - [`service`]: use cases: writes with history in one transaction; reads from the catalog,
//!   an in-memory fold of the revision log kept in step with the database; per-version caches.
//!   `service::read` is the read facade: one record by id, or a `ReadError` (not found, gone).
//!   Imports in `service::import` (`plan`, `sources`, `placement`, `write`, `report`); the
//!   lists in `service::listing` (`agencies`, `partnerships`, `activity`, `programs`,
//!   `sources`, `geo`, `strategy`: the walk a list takes, `ordered`: a sorted list read
//!   from its order, and `text`: a `q` search read from the trigram index), the ids by state and flag those walks read in `service::tags`, what
//!   list pages keep per version in `service::list_cache`, their rows for exports in
//!   `service::export_rows` (a page, or every row in batches from a shared copy of the
//!   catalog); a record and its kept API JSON in `service::entry`; edits in `service::edit`
//!   (`rules`, `prepare`).
//! - [`store`]: every sea-orm query and the mapping between rows and records.
//! - [`domain`]: pure types and rules: ids, dates with precision, vocabularies, records,
//!   valid time (whether a partnership is in force on a day).
//! - [`geo`]: pure geometry: request shapes, distances, polygon checks, the spatial index.
//! - [`export`]: pure writers for exports and bulk files (CSV, NDJSON, GeoJSON, Atom, Data
//!   Package); explicit column lists (`export::tables`: `agencies`, `partnerships`,
//!   `programs`, `sources`).
//! - [`import`]: pure readers of public files (the Atlas of Surveillance export, gazetteers)
//!   and offline geocoding. `import::atlas` reads the Atlas (`dates`, and `vocab`: its
//!   vocabulary in ours); `import::geocode` locates agencies (`gazetteer`, `names`).
//! - [`render`]: pure drawing of maps (SVG, PNG) from state outlines and points.
//! - [`error`]: the one HTTP error type (RFC 9457 problem+json with stable codes).
//! - [`web`]: the guard around every request (request ids, limits, rate limits, requests in
//!   progress, security headers, metrics) and the other middleware (query parameters,
//!   compression, absolute links, idle connections).
//! - [`config`], [`startup`]: typed configuration; building and running the app.

pub mod api;
pub mod config;
pub mod domain;
pub mod error;
pub mod export;
pub mod geo;
pub mod import;
pub mod pages;
pub mod render;
pub mod service;
pub mod startup;
pub mod store;
pub mod web;
