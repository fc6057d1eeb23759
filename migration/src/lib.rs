//! Database migrations. Append-only: a migration that has landed is never edited; a change to
//! the schema is a new migration with a working `down`.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_initial;
mod m20261201_000002_api_tokens;
mod m20261201_000003_last_days;
mod m20261201_000004_reports;
mod m20261201_000005_agency_quality;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_initial::Migration),
            Box::new(m20261201_000002_api_tokens::Migration),
            Box::new(m20261201_000003_last_days::Migration),
            Box::new(m20261201_000004_reports::Migration),
            Box::new(m20261201_000005_agency_quality::Migration),
        ]
    }
}
