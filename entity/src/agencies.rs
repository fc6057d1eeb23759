use sea_orm::entity::prelude::*;

/// A public safety agency. `id` is its public slug (`us-wi-greenfield-police-department`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub agency_type: String,
    pub jurisdiction_type: String,
    pub ori: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub state: String,
    pub country: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_precision: Option<String>,
    /// What the point is: a `LocationBasis` value.
    pub location_basis: Option<String>,
    pub location_source: Option<String>,
    /// The agency's quality flags: a JSON array of `QualityFlag` values.
    pub quality_flags: Json,
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
