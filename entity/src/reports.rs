use sea_orm::entity::prelude::*;

/// A public correction report. `contact` is never published; `status` is `open`,
/// `accepted` or `rejected`; `revision_seq` is the revision an accepted report led to.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub what: String,
    pub record: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub missing_agency: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub evidence_url: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub revision_seq: Option<i64>,
    pub decided_at: Option<TimeDateTimeWithTimeZone>,
    pub decided_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
