//! In-process `near` query time over a database (for example 100,000 synthetic agencies made
//! by `ring-partnerships generate`): p50 and p99 of 50-nearest queries with random centres,
//! through the same listing code the API uses. Run with `benches/geo.sh`, or
//! `cargo run --release --example bench_near -- DATABASE_URL [QUERIES]`.

use ring_partnerships::geo::{LatLon, Near};
use ring_partnerships::service::listing::{
    self, AgencyFilter, AgencySortField, GeoFilter, PageRequest, Sort,
};
use ring_partnerships::service::synthetic::{Rng, position};
use ring_partnerships::startup::open_dataset;
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: bench_near DATABASE_URL [QUERIES]")?;
    let queries: usize = args
        .next()
        .map(|q| q.parse())
        .transpose()?
        .unwrap_or(20_000);

    let opened = Instant::now();
    let dataset = open_dataset(&url).await?;
    let catalog = dataset.read();
    eprintln!(
        "loaded {} agencies, {} partnerships in {:.2?}",
        catalog.agencies.len(),
        catalog.partnerships.len(),
        opened.elapsed()
    );

    let mut rng = Rng::new(42);
    let sort = Sort {
        field: AgencySortField::Distance,
        descending: false,
    };
    let req = PageRequest {
        limit: 50,
        cursor: None,
        count: false,
        unbounded: false,
    };
    let mut times = Vec::with_capacity(queries);
    let mut returned = 0;
    for _ in 0..queries {
        let (_, lat, lon) = position(&mut rng);
        let filter = AgencyFilter {
            geo: GeoFilter {
                near: Some(Near {
                    center: LatLon::new(lat, lon).ok_or("bad centre")?,
                    radius_m: None,
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let t = Instant::now();
        let page = listing::agencies(&catalog, &filter, sort, &req)?;
        times.push(t.elapsed());
        returned += page.items.len();
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "near (50 nearest) over {} agencies, {queries} queries: p50 {:.1?}, p99 {:.1?}, max {:.1?} ({} results)",
        catalog.agencies.len(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
        returned
    );
    Ok(())
}
