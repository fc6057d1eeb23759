//! Public correction reports (`POST /reports`): what a reader says is wrong, on which record
//! (or which agency is missing), with an evidence URL and an optional contact that is never
//! published. Editors triage them; a report never changes data by itself, and an accepted one
//! may name the revision it led to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    Status,
    What,
    Record,
    MissingAgency,
    EvidenceUrl,
    Contact,
    CreatedAt,
    Reason,
    RevisionSeq,
    DecidedAt,
    DecidedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(big_integer(Reports::Id).primary_key().auto_increment())
                    .col(string(Reports::Status))
                    .col(text(Reports::What))
                    .col(string_null(Reports::Record))
                    .col(text_null(Reports::MissingAgency))
                    .col(text(Reports::EvidenceUrl))
                    .col(text_null(Reports::Contact))
                    .col(timestamp_with_time_zone(Reports::CreatedAt))
                    .col(text_null(Reports::Reason))
                    .col(big_integer_null(Reports::RevisionSeq))
                    .col(timestamp_with_time_zone_null(Reports::DecidedAt))
                    .col(string_null(Reports::DecidedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_status")
                    .table(Reports::Table)
                    .col(Reports::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reports::Table).to_owned())
            .await
    }
}
