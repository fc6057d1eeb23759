//! Pure types and rules: ids, dates with precision, controlled vocabularies, the records.
//! Imports neither poem nor sea-orm.

pub mod dates;
pub mod evidence;
pub mod external_ids;
pub mod ids;
pub mod records;
pub mod text;
pub mod valid_time;
pub mod vocab;

pub use dates::{DatePrecision, PartialDate};
pub use external_ids::ExternalIds;
pub use ids::{STATE_CODE_LIST, StateCode, slugify};
pub use records::*;
pub use vocab::*;
