//! The catalog's ids by tag: every agency filed under its state and each of its quality
//! flags, every partnership under its agency's, each tag's ids in id order. A list filtered
//! by state or flag and read in id order walks these (`listing`'s `Strategy::ByTag`) instead
//! of every record. The catalog keeps them in step with every change, or builds them once
//! at the end of a fold (`Catalog::loaded`).

use crate::domain::{Agency, QualityFlag, StateCode};
use imbl::{OrdMap, OrdSet};
use std::collections::BTreeMap;

/// What an agency is filed under: its state and each of its quality flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    State(StateCode),
    Flag(QualityFlag),
}

impl Tag {
    /// The tags of `a`.
    pub fn of(a: &Agency) -> impl Iterator<Item = Tag> + '_ {
        std::iter::once(Tag::State(a.state)).chain(a.quality_flags.iter().map(|f| Tag::Flag(*f)))
    }
}

/// Agency ids and partnership ids by tag (persistent maps, shared by catalog copies).
#[derive(Clone, Debug, Default)]
pub struct TagIndex {
    agencies: OrdMap<Tag, OrdSet<String>>,
    partnerships: OrdMap<Tag, OrdSet<i64>>,
}

impl TagIndex {
    /// The index of every agency and every partnership (with its agency), built at once.
    pub fn build<'a>(
        agencies: impl Iterator<Item = &'a Agency>,
        partnerships: impl Iterator<Item = (i64, &'a Agency)>,
    ) -> Self {
        let mut by_tag: BTreeMap<Tag, Vec<String>> = BTreeMap::new();
        for a in agencies {
            for tag in Tag::of(a) {
                by_tag.entry(tag).or_default().push(a.id.clone());
            }
        }
        let mut partnerships_by_tag: BTreeMap<Tag, Vec<i64>> = BTreeMap::new();
        for (id, a) in partnerships {
            for tag in Tag::of(a) {
                partnerships_by_tag.entry(tag).or_default().push(id);
            }
        }
        Self {
            agencies: by_tag
                .into_iter()
                .map(|(tag, ids)| (tag, OrdSet::from_iter(ids)))
                .collect(),
            partnerships: partnerships_by_tag
                .into_iter()
                .map(|(tag, ids)| (tag, OrdSet::from_iter(ids)))
                .collect(),
        }
    }

    /// Files `a` and its partnerships under its tags.
    pub fn add_agency(&mut self, a: &Agency, partnerships: &[i64]) {
        for tag in Tag::of(a) {
            set_add(&mut self.agencies, tag, a.id.clone());
            for id in partnerships {
                set_add(&mut self.partnerships, tag, *id);
            }
        }
    }

    /// Takes `a` and its partnerships out of its tags.
    pub fn remove_agency(&mut self, a: &Agency, partnerships: &[i64]) {
        for tag in Tag::of(a) {
            set_remove(&mut self.agencies, tag, &a.id);
            for id in partnerships {
                set_remove(&mut self.partnerships, tag, id);
            }
        }
    }

    /// Files the partnership `id` under its agency's tags.
    pub fn add_partnership(&mut self, agency: &Agency, id: i64) {
        for tag in Tag::of(agency) {
            set_add(&mut self.partnerships, tag, id);
        }
    }

    /// Takes the partnership `id` out of its agency's tags.
    pub fn remove_partnership(&mut self, agency: &Agency, id: i64) {
        for tag in Tag::of(agency) {
            set_remove(&mut self.partnerships, tag, &id);
        }
    }

    /// The ids of the agencies with `tag`, in id order.
    pub fn agencies(&self, tag: Tag) -> Option<&OrdSet<String>> {
        self.agencies.get(&tag)
    }

    /// The ids of the partnerships whose agency has `tag`, in id order.
    pub fn partnerships(&self, tag: Tag) -> Option<&OrdSet<i64>> {
        self.partnerships.get(&tag)
    }
}

/// Puts `item` in `key`'s set.
fn set_add<K: Ord + Clone, V: Ord + Clone>(sets: &mut OrdMap<K, OrdSet<V>>, key: K, item: V) {
    let mut set = sets.get(&key).cloned().unwrap_or_default();
    set.insert(item);
    sets.insert(key, set);
}

/// Takes `item` out of `key`'s set, forgetting a set that comes to be empty.
fn set_remove<K: Ord + Clone, V: Ord + Clone>(sets: &mut OrdMap<K, OrdSet<V>>, key: K, item: &V) {
    if let Some(set) = sets.get(&key) {
        let mut set = set.clone();
        set.remove(item);
        if set.is_empty() {
            sets.remove(&key);
        } else {
            sets.insert(key, set);
        }
    }
}
