use sea_orm::entity::prelude::*;

/// An agency's enrolment in a program, with dates at their known precision.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "partnerships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agency_id: String,
    pub program_id: String,
    pub status: String,
    pub start_date: Option<TimeDate>,
    pub start_precision: Option<String>,
    /// The last day the date can mean (for a range, its end).
    pub start_last_date: Option<TimeDate>,
    pub end_date: Option<TimeDate>,
    pub end_precision: Option<String>,
    /// The last day the date can mean (for a range, its end).
    pub end_last_date: Option<TimeDate>,
    pub video_requests: Json,
    pub external_ids: Json,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
