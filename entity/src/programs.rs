use sea_orm::entity::prelude::*;

/// A vendor program agencies enrol in (Ring's Neighbors Public Safety Service).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "programs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub vendor: String,
    pub name: String,
    pub description: Option<String>,
    pub start_date: Option<TimeDate>,
    pub start_precision: Option<String>,
    /// The last day the date can mean (for a range, its end).
    pub start_last_date: Option<TimeDate>,
    pub end_date: Option<TimeDate>,
    pub end_precision: Option<String>,
    /// The last day the date can mean (for a range, its end).
    pub end_last_date: Option<TimeDate>,
    pub version: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
