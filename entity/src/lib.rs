//! SeaORM entities: one module per table. Only `store` uses them; the API never sees them.

pub mod agencies;
pub mod api_tokens;
pub mod citations;
pub mod counters;
pub mod partnerships;
pub mod phases;
pub mod programs;
pub mod reports;
pub mod revision_sources;
pub mod revisions;
pub mod sources;
