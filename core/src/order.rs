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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
