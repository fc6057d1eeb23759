//! Integration tests: the real app on port 0 against a fresh database — SQLite always, and
//! PostgreSQL when `TEST_DATABASE_URL` is set (required when `CI` is set).

mod helpers;

mod backup;
mod caching;
mod changes;
mod checkpoints;
mod clients;
mod contract;
mod crash;
mod data_clients;
mod downloads;
mod edits;
mod errors;
mod evidence;
mod exports;
mod geo;
mod history;
mod limits;
mod links;
mod lists;
mod meta;
mod ogc;
mod outage;
mod pages;
mod pgserver;
mod processes;
mod quality;
mod records;
mod reports;
mod ringmap;
mod security;
mod shipped;
mod spec;
mod stats;
mod time_travel;
