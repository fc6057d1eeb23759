//! Agencies' quality flags: what the importer found inconsistent or weak in an agency's
//! record (`county_not_in_state`, `location_state_fallback`, ...), as a JSON array of the
//! vocabulary's values, sorted. Rows written before it have none (`[]`), as their revisions do.
//! And `location_basis`: what the agency's point is (`geonames_place`, `county_place`, ...),
//! null where unknown.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agencies {
    Table,
    QualityFlags,
    LocationBasis,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Agencies::Table)
                    .add_column(json(Agencies::QualityFlags).default("[]"))
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Agencies::Table)
                    .add_column(string_null(Agencies::LocationBasis))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Agencies::Table)
                    .drop_column(Agencies::LocationBasis)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agencies::Table)
                    .drop_column(Agencies::QualityFlags)
                    .to_owned(),
            )
            .await
    }
}
