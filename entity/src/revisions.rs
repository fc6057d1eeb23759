use sea_orm::entity::prelude::*;

/// One change to one record. `seq` is global, gap-free and increasing; `data` is the full
/// record after the change (for a delete: the record as it was when deleted).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub entity_kind: String,
    pub entity_id: String,
    pub version: i32,
    pub change_kind: String,
    pub actor: String,
    pub note: Option<String>,
    pub recorded_at: TimeDateTimeWithTimeZone,
    pub data: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
