//! Readers for public data formats, and offline geocoding. Pure: no database, no HTTP.

pub mod atlas;
pub mod geocode;
pub mod ori;
