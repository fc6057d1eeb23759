//! Pure drawing for the pages: the projection, the state outlines compiled into the binary,
//! and maps as SVG with the points placed on the server (no tile server, no script needed
//! to see them). No poem, no sea-orm.

pub mod albers;
pub mod map;
pub mod outlines;
