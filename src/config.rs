//! Typed configuration: defaults, then the environment, then the command line. The database
//! URL may hold a password, so it is never printed whole.

use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://ring-partnerships.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: String,
    pub database_url: String,
    /// How often to pick up revisions written by other processes.
    pub follow_interval: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND.into(),
            database_url: DEFAULT_DATABASE_URL.into(),
            follow_interval: Duration::from_millis(500),
        }
    }
}

/// Accepts a URL (`sqlite://…`, `postgres://…`) or a plain path to a SQLite file.
pub fn database_url(value: &str) -> String {
    if value.contains("://") || value.starts_with("sqlite:") {
        value.to_string()
    } else {
        format!("sqlite://{value}")
    }
}

/// The URL with any password replaced, for logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_means_a_sqlite_file() {
        assert_eq!(database_url("data/x.db"), "sqlite://data/x.db");
        assert_eq!(database_url("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redacted("postgres://user:secret@host/db"),
            "postgres://user:***@host/db"
        );
    }
}
