//! A stable sort for the short lists a check orders (MX records, findings). The standard
//! library's sort is fast on long inputs and costs about 4 KB of wasm per element type; an
//! insertion sort is a few hundred bytes, and these lists hold tens of items (a DNS answer
//! holds at most a few thousand, still milliseconds).

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal items in their order.
pub fn stable_sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Sorts `v` by a key, keeping items with equal keys in their order.
pub fn stable_sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    stable_sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// A map for the handful of entries a check keeps (requests in flight, probed hosts), in
/// insertion order; a B-tree costs the page several kilobytes of wasm per key type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmallMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<K: PartialEq, V> SmallMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the value of `key`, returning the one it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    pub fn get<Q: PartialEq<K> + ?Sized>(&self, key: &Q) -> Option<&V> {
        self.0.iter().find(|(k, _)| key == k).map(|(_, v)| v)
    }

    pub fn contains_key<Q: PartialEq<K> + ?Sized>(&self, key: &Q) -> bool {
        self.get(key).is_some()
    }

    pub fn remove<Q: PartialEq<K> + ?Sized>(&mut self, key: &Q) -> Option<V> {
        let i = self.0.iter().position(|(k, _)| key == k)?;
        Some(self.0.remove(i).1)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_small_map_keeps_one_value_per_key() {
        let mut m = SmallMap::new();
        assert_eq!(m.insert("a".to_string(), 1), None);
        assert_eq!(m.insert("b".to_string(), 2), None);
        assert_eq!(m.insert("a".to_string(), 3), Some(1));
        assert_eq!((m.len(), m.get("a"), m.get("c")), (2, Some(&3), None));
        assert_eq!(m.remove("b"), Some(2));
        assert!(!m.contains_key("b") && !m.is_empty());
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [3]);
    }

    proptest! {
        #[test]
        fn it_sorts_as_the_standard_stable_sort_does(v in proptest::collection::vec((0u8..5, any::<u16>()), 0..60)) {
            let mut ours = v.clone();
            let mut std_sorted = v;
            stable_sort_by_key(&mut ours, |p| p.0);
            std_sorted.sort_by_key(|p| p.0);
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
