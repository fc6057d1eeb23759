//! Readers for public data formats, and offline geocoding. Pure: no database, no HTTP.

pub mod atlas;
pub mod changes;
pub mod geocode;
pub mod ori;
pub mod ringmap;
pub mod text;
