//! Agencies' quality flags: what the importer found inconsistent or weak in an agency's
//! record (`county_not_in_state`, `location_state_fallback`, ...), as a JSON array of the
//! vocabulary's values, sorted. Rows written before it have none (`[]`), as their revisions do.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agencies {
    Table,
    QualityFlags,
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
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
