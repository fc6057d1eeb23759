//! Whether a partnership is in force on a day: the rules are `domain::valid_time`'s; this
//! finds the partnership's program and phases in the catalog for them.

use crate::domain::Partnership;
pub use crate::domain::valid_time::{Activity, Certainty};
use crate::service::catalog::Catalog;
use time::Date;

/// [`crate::domain::valid_time::activity`] of `p` on `day`, with its program's end and
/// phases from `catalog`.
pub fn activity<'c>(catalog: &'c Catalog, p: &Partnership, day: Date) -> Option<Activity<'c>> {
    let program_end = catalog.programs.get(&p.program_id).and_then(|pr| pr.end);
    crate::domain::valid_time::activity(p, program_end, catalog.phases_of(&p.program_id), day)
}
