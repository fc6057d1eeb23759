use sea_orm::entity::prelude::*;

/// A piece of evidence: a page, document or dataset that records cite.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub url: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published_date: Option<TimeDate>,
    pub published_precision: Option<String>,
    /// The last day the date can mean (for a range, its end).
    pub published_last_date: Option<TimeDate>,
    pub accessed_date: Option<TimeDate>,
    pub archived_url: Option<String>,
    pub kind: String,
    pub version: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub deleted_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
