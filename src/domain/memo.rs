//! A memo slot a record carries for a rendering derived from it (the API's JSON of one
//! agency), filled by the first reader that needs it.
//!
//! Records in the catalog are immutable: a change replaces the whole record, so a memo can
//! never go stale while its record lives. To keep that true everywhere, a memo takes no part
//! in what the record *is*: cloning a record gives an empty memo, comparisons ignore it and
//! serde skips it.

use std::sync::OnceLock;

#[derive(Default)]
pub struct Memo(OnceLock<Box<[u8]>>);

impl Memo {
    /// The memoised bytes, made by `render` on first use.
    pub fn get_or_render(&self, render: impl FnOnce() -> Vec<u8>) -> &[u8] {
        self.0.get_or_init(|| render().into_boxed_slice())
    }
}

impl Clone for Memo {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for Memo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn a_memo_renders_once_and_is_not_copied_by_clone() {
        let m = Memo::default();
        let mut calls = 0;
        assert_eq!(
            m.get_or_render(|| {
                calls += 1;
                b"one".to_vec()
            }),
            b"one"
        );
        assert_eq!(m.get_or_render(|| b"two".to_vec()), b"one");
        assert_eq!(calls, 1);
        assert_eq!(m.clone().get_or_render(|| b"two".to_vec()), b"two");
    }
}
