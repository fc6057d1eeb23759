//! Readers for public data formats, and offline geocoding. Pure: no database, no HTTP.

pub mod geocode;
