//! The query string of a page or embed. Pages accept exactly the parameters they document:
//! an unknown one is a 400 naming it, as on the JSON routes, never silently ignored.

use crate::error::ApiError;

#[derive(Clone, Debug, Default)]
pub struct Params(Vec<(String, String)>);

/// Parameters the pym.js parent adds to every child's URL: allowed on embeds.
pub const PYM: &[&str] = &["initialWidth", "childId", "parentTitle", "parentUrl"];

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        Params(
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (repeated parameters).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A 400 naming the first parameter not in `allowed`.
    pub fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self.0.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            Some((k, _)) => Err(ApiError::invalid(
                k,
                format!(
                    "`{k}` is not a parameter of this page; it takes {}",
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                ),
            )),
            None => Ok(()),
        }
    }
}

impl Params {
    /// Every pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}
