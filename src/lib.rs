//! ring-partnerships: an open-data API of US public safety agencies' partnerships with Ring.
//!
//! Module map (dependencies point one way: `api -> service -> store -> entity`):
//! - [`api`]: HTTP only (poem-openapi): one file per resource, DTOs, no queries.
//! - [`service`]: use cases: writes with history in one transaction; reads from the catalog,
//!   an in-memory fold of the revision log kept in step with the database.
//! - [`store`]: every sea-orm query and the mapping between rows and records.
//! - [`domain`]: pure types and rules: ids, dates with precision, vocabularies, records.
//! - [`export`]: pure writers for exports and bulk files (CSV, NDJSON, GeoJSON, Data
//!   Package); explicit column lists.
//! - [`error`]: the one HTTP error type (RFC 9457 problem+json with stable codes).
//! - [`web`]: the guard around every request: request ids, limits, rate limits, security
//!   headers, metrics.
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
