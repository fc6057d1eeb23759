//! The whole data model: the records, their citations, and the revision log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
    Name,
    AgencyType,
    JurisdictionType,
    Ori,
    City,
    County,
    State,
    Country,
    Latitude,
    Longitude,
    LocationPrecision,
    LocationSource,
    ExternalIds,
    Notes,
}

#[derive(DeriveIden)]
enum Programs {
    Table,
    Id,
    Vendor,
    Name,
    Description,
}

#[derive(DeriveIden)]
enum Phases {
    Table,
    Id,
    ProgramId,
    Name,
    Description,
    Status,
    FootageRequests,
    FootageCondition,
}

#[derive(DeriveIden)]
enum Partnerships {
    Table,
    Id,
    AgencyId,
    ProgramId,
    Status,
    VideoRequests,
    ExternalIds,
    Notes,
}

#[derive(DeriveIden)]
enum Sources {
    Table,
    Id,
    Url,
    Title,
    Publisher,
    PublishedDate,
    PublishedPrecision,
    AccessedDate,
    ArchivedUrl,
    Kind,
}

#[derive(DeriveIden)]
enum Citations {
    Table,
    Id,
    SourceId,
    EntityKind,
    EntityId,
    Field,
    Quote,
}

#[derive(DeriveIden)]
enum Revisions {
    Table,
    Seq,
    EntityKind,
    EntityId,
    Version,
    ChangeKind,
    Actor,
    Note,
    RecordedAt,
    Data,
}

#[derive(DeriveIden)]
enum RevisionSources {
    Table,
    RevisionSeq,
    SourceId,
}

#[derive(DeriveIden)]
enum Counters {
    Table,
    Name,
    Value,
}

/// Columns every versioned record carries.
#[derive(DeriveIden)]
enum Common {
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
    StartDate,
    StartPrecision,
    EndDate,
    EndPrecision,
}

fn versioned(mut table: TableCreateStatement) -> TableCreateStatement {
    table
        .col(integer(Common::Version))
        .col(timestamp_with_time_zone(Common::CreatedAt))
        .col(timestamp_with_time_zone(Common::UpdatedAt))
        .col(timestamp_with_time_zone_null(Common::DeletedAt))
        .to_owned()
}

/// A start and an end date, each with the precision it is known to (day, month or year).
fn dated(mut table: TableCreateStatement) -> TableCreateStatement {
    table
        .col(date_null(Common::StartDate))
        .col(string_null(Common::StartPrecision))
        .col(date_null(Common::EndDate))
        .col(string_null(Common::EndPrecision))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Counters::Table)
                    .col(string(Counters::Name).primary_key())
                    .col(big_integer(Counters::Value))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Counters::Table)
                    .columns([Counters::Name, Counters::Value])
                    .values_panic(["revision".into(), 0i64.into()])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .col(big_pk_auto(Sources::Id))
                    .col(string_uniq(Sources::Url))
                    .col(string(Sources::Title))
                    .col(string_null(Sources::Publisher))
                    .col(date_null(Sources::PublishedDate))
                    .col(string_null(Sources::PublishedPrecision))
                    .col(date_null(Sources::AccessedDate))
                    .col(string_null(Sources::ArchivedUrl))
                    .col(string(Sources::Kind))
                    .to_owned()
                    .pipe(versioned),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Agencies::Table)
                    .col(string(Agencies::Id).primary_key())
                    .col(string(Agencies::Name))
                    .col(string(Agencies::AgencyType))
                    .col(string(Agencies::JurisdictionType))
                    .col(string_null(Agencies::Ori))
                    .col(string_null(Agencies::City))
                    .col(string_null(Agencies::County))
                    .col(string(Agencies::State))
                    .col(string(Agencies::Country))
                    .col(double_null(Agencies::Latitude))
                    .col(double_null(Agencies::Longitude))
                    .col(string_null(Agencies::LocationPrecision))
                    .col(string_null(Agencies::LocationSource))
                    .col(json(Agencies::ExternalIds))
                    .col(text_null(Agencies::Notes))
                    .to_owned()
                    .pipe(versioned),
            )
            .await?;
        for (name, col) in [
            ("idx_agencies_state", Agencies::State),
            ("idx_agencies_ori", Agencies::Ori),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Agencies::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Programs::Table)
                    .col(string(Programs::Id).primary_key())
                    .col(string(Programs::Vendor))
                    .col(string(Programs::Name))
                    .col(text_null(Programs::Description))
                    .to_owned()
                    .pipe(dated)
                    .pipe(versioned),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Phases::Table)
                    .col(string(Phases::Id).primary_key())
                    .col(string(Phases::ProgramId))
                    .col(string(Phases::Name))
                    .col(text_null(Phases::Description))
                    .col(string(Phases::Status))
                    .col(boolean(Phases::FootageRequests))
                    .col(text_null(Phases::FootageCondition))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_phases_program")
                            .from(Phases::Table, Phases::ProgramId)
                            .to(Programs::Table, Programs::Id),
                    )
                    .to_owned()
                    .pipe(dated)
                    .pipe(versioned),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Partnerships::Table)
                    .col(big_pk_auto(Partnerships::Id))
                    .col(string(Partnerships::AgencyId))
                    .col(string(Partnerships::ProgramId))
                    .col(string(Partnerships::Status))
                    .col(json(Partnerships::VideoRequests))
                    .col(json(Partnerships::ExternalIds))
                    .col(text_null(Partnerships::Notes))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_partnerships_agency")
                            .from(Partnerships::Table, Partnerships::AgencyId)
                            .to(Agencies::Table, Agencies::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_partnerships_program")
                            .from(Partnerships::Table, Partnerships::ProgramId)
                            .to(Programs::Table, Programs::Id),
                    )
                    .to_owned()
                    .pipe(dated)
                    .pipe(versioned),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partnerships_agency")
                    .table(Partnerships::Table)
                    .col(Partnerships::AgencyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Citations::Table)
                    .col(big_pk_auto(Citations::Id))
                    .col(big_integer(Citations::SourceId))
                    .col(string(Citations::EntityKind))
                    .col(string(Citations::EntityId))
                    .col(string_null(Citations::Field))
                    .col(text_null(Citations::Quote))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_citations_source")
                            .from(Citations::Table, Citations::SourceId)
                            .to(Sources::Table, Sources::Id),
                    )
                    .to_owned()
                    .pipe(versioned),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_citations_entity")
                    .table(Citations::Table)
                    .col(Citations::EntityKind)
                    .col(Citations::EntityId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Revisions::Table)
                    .col(big_integer(Revisions::Seq).primary_key())
                    .col(string(Revisions::EntityKind))
                    .col(string(Revisions::EntityId))
                    .col(integer(Revisions::Version))
                    .col(string(Revisions::ChangeKind))
                    .col(string(Revisions::Actor))
                    .col(text_null(Revisions::Note))
                    .col(timestamp_with_time_zone(Revisions::RecordedAt))
                    .col(json(Revisions::Data))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_revisions_entity_version")
                    .table(Revisions::Table)
                    .col(Revisions::EntityKind)
                    .col(Revisions::EntityId)
                    .col(Revisions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_revisions_recorded_at")
                    .table(Revisions::Table)
                    .col(Revisions::RecordedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RevisionSources::Table)
                    .col(big_integer(RevisionSources::RevisionSeq))
                    .col(big_integer(RevisionSources::SourceId))
                    .primary_key(
                        Index::create()
                            .col(RevisionSources::RevisionSeq)
                            .col(RevisionSources::SourceId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_revision_sources_revision")
                            .from(RevisionSources::Table, RevisionSources::RevisionSeq)
                            .to(Revisions::Table, Revisions::Seq),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_revision_sources_source")
                            .from(RevisionSources::Table, RevisionSources::SourceId)
                            .to(Sources::Table, Sources::Id),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents, so foreign keys never dangle.
        for table in [
            RevisionSources::Table.into_iden(),
            Revisions::Table.into_iden(),
            Citations::Table.into_iden(),
            Partnerships::Table.into_iden(),
            Phases::Table.into_iden(),
            Programs::Table.into_iden(),
            Agencies::Table.into_iden(),
            Sources::Table.into_iden(),
            Counters::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Lets the table helpers above read as a pipeline.
trait Pipe: Sized {
    fn pipe(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }
}
impl Pipe for TableCreateStatement {}
