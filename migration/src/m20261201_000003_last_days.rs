//! The last day of every stored date. A date was stored as its first day and a precision,
//! which is enough for a day, a month or a year but not for a range of days (an end known
//! only to lie between two map snapshots): its last day is stored beside it. Every precision
//! fills it, so SQL readers can compare periods without decoding precisions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Programs {
    Table,
}

#[derive(DeriveIden)]
enum Phases {
    Table,
}

#[derive(DeriveIden)]
enum Partnerships {
    Table,
}

#[derive(DeriveIden)]
enum Sources {
    Table,
    PublishedLastDate,
}

#[derive(DeriveIden)]
enum Dated {
    StartLastDate,
    EndLastDate,
}

fn tables() -> [DynIden; 3] {
    [
        Programs::Table.into_iden(),
        Phases::Table.into_iden(),
        Partnerships::Table.into_iden(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        for table in tables() {
            for col in [Dated::StartLastDate, Dated::EndLastDate] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table.clone())
                            .add_column(date_null(col))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sources::Table)
                    .add_column(date_null(Sources::PublishedLastDate))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sources::Table)
                    .drop_column(Sources::PublishedLastDate)
                    .to_owned(),
            )
            .await?;
        for table in tables() {
            for col in [Dated::StartLastDate, Dated::EndLastDate] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table.clone())
                            .drop_column(col)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
