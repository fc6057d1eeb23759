use sea_orm::entity::prelude::*;

/// A bearer token for writes. `hash` is the hex SHA-256 of the token; the token itself is
/// never stored. A revoked token keeps its row so its name stays taken and audits can find it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub role: String,
    #[sea_orm(unique)]
    pub hash: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
