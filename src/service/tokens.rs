//! Bearer API tokens. A token is 32 random bytes from the OS, base64url, prefixed `rp_`; only
//! its SHA-256 is stored. Checking a token hashes it and compares the hash with every live
//! token's in constant time, so timing says nothing about how close a guess was.

use crate::store::{Store, StoreError, StoredToken};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const TOKEN_PREFIX: &str = "rp_";

crate::string_enum! {
    /// What a token may do. Editors create and update records; admins may also delete them.
    Role {
        Editor => "editor",
        Admin => "admin",
    }
}

impl Role {
    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        match needed {
            Role::Editor => true,
            Role::Admin => self == Role::Admin,
        }
    }
}

/// Who made a request: the token's name (recorded as the revision's actor) and its role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("a token named `{0}` already exists")]
    NameTaken(String),
    #[error("a token name is 1 to 100 letters, digits, `-`, `_` or `.`")]
    BadName,
    #[error("database: {0}")]
    Store(#[from] StoreError),
}

/// A new random token. Never logged; shown once to whoever made it.
pub fn generate() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The stored form of a token: hex SHA-256.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn valid_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Makes a token and stores its hash. Returns the token: the only time it is ever seen.
pub async fn create(store: &Store, name: &str, role: Role) -> Result<String, TokenError> {
    if !valid_name(name) {
        return Err(TokenError::BadName);
    }
    if store.tokens().await?.iter().any(|t| t.name == name) {
        return Err(TokenError::NameTaken(name.into()));
    }
    let token = generate().map_err(|e| StoreError::Custom(format!("OS random source: {e}")))?;
    store
        .insert_token(
            name,
            role.as_str(),
            &hash(&token),
            crate::service::writer::now(),
        )
        .await?;
    Ok(token)
}

pub async fn list(store: &Store) -> Result<Vec<StoredToken>, StoreError> {
    store.tokens().await
}

pub async fn revoke(store: &Store, name: &str) -> Result<bool, StoreError> {
    store
        .revoke_token(name, crate::service::writer::now())
        .await
}

/// The live token this bearer token is, if any. Compares against every live token, without
/// stopping at a match, in constant time per comparison.
impl super::Dataset {
    /// The caller a bearer token names, if it is known and not revoked. Guarded: an
    /// unreachable database is a `ServiceError` that says so.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Caller>, super::ServiceError> {
        self.guarded(async { Ok(authenticate(self.store(), token).await?) })
            .await
    }
}

pub async fn authenticate(store: &Store, token: &str) -> Result<Option<Caller>, StoreError> {
    let presented = hash(token);
    let mut found = None;
    for t in store.tokens().await? {
        let equal: bool = t.hash.as_bytes().ct_eq(presented.as_bytes()).into();
        if equal && t.revoked_at.is_none() {
            found = t.role.parse::<Role>().ok().map(|role| Caller {
                name: t.name.clone(),
                role,
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_prefixed() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert_ne!(a, b);
    }

    #[test]
    fn the_hash_is_hex_sha256_and_never_the_token() {
        let h = hash("rp_x");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("rp_x"));
    }

    #[test]
    fn only_admins_may_do_admin_things() {
        assert!(Role::Admin.allows(Role::Editor));
        assert!(Role::Admin.allows(Role::Admin));
        assert!(Role::Editor.allows(Role::Editor));
        assert!(!Role::Editor.allows(Role::Admin));
    }
}
