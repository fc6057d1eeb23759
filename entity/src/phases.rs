use sea_orm::entity::prelude::*;

/// A dated period of a program that changes what every enrolled agency can do.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "phases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub program_id: String,
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub start_date: Option<TimeDate>,
    pub start_precision: Option<String>,
    /// The last day the date can mean (for a range, its end).
    pub start_last_date: Option<TimeDate>,
    pub end_date: Option<TimeDate>,
    pub end_precision: Option<String>,
    /// The last day the date can mean (for a range, its end).
    pub end_last_date: Option<TimeDate>,
    pub footage_requests: bool,
    pub footage_condition: Option<String>,
    pub version: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
