use sea_orm::entity::prelude::*;

/// Named counters. The `revision` row hands out revision sequence numbers: updating it inside
/// the write transaction serialises writers, so sequence numbers commit in order with no gaps.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub value: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
