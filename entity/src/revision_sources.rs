use sea_orm::entity::prelude::*;

/// The sources a change cites (why the change was made).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "revision_sources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub revision_seq: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
