//! A list of domains to check in bulk (`mtasts scan`): one domain a line, each once, and
//! the stable partition that lets many machines split one list without talking to each
//! other.

use crate::input::{normalize_domain, DomainInput, InputError};

/// One line of the list that names something to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number in the list.
    pub line: usize,
    /// The line as written, trimmed.
    pub input: String,
    /// The domain, or why the line is not one.
    pub domain: Result<DomainInput, InputError>,
}

impl Entry {
    /// The name the entry is known by in output and in `--skip-done`: the domain's A-label
    /// form, or the input itself when it is not a domain.
    pub fn key(&self) -> &str {
        match &self.domain {
            Ok(d) => &d.ascii,
            Err(_) => &self.input,
        }
    }
}

/// The entries of `list` whose key `keep` accepts: blank lines and `#` comments skipped, a
/// domain that appears again (in any spelling that normalizes the same) kept at its first
/// line only. Filtering here, not after, keeps a machine's memory to its own shard.
pub fn entries(list: &str, keep: impl Fn(&str) -> bool) -> Vec<Entry> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, raw) in list.lines().enumerate() {
        let input = raw.trim();
        if input.is_empty() || input.starts_with('#') {
            continue;
        }
        let entry = Entry {
            line: i + 1,
            input: input.to_string(),
            domain: normalize_domain(input),
        };
        if keep(entry.key()) && seen.insert(entry.key().to_string()) {
            out.push(entry);
        }
    }
    out
}

/// Part `index` of `count` (`K/N`, K from 0 as a Kubernetes Indexed Job numbers its pods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Reads `K/N` with 0 ≤ K < N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("{text:?} is not a shard: give K/N with 0 <= K < N, e.g. 0/4");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// True when `key` (an entry's [`Entry::key`]) falls in this shard.
    pub fn contains(&self, key: &str) -> bool {
        shard_hash(key) % self.count == self.index
    }
}

/// The first 8 bytes of the SHA-256 of the lower-cased key, big-endian: the same on every
/// machine and in every version, and reproducible with `sha256sum` (its first 16 hex digits).
pub fn shard_hash(key: &str) -> u64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(key.to_ascii_lowercase().as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_commented_and_each_domain_kept_once() {
        let list = "# customers\nexample.com\n\n  Example.COM.  \nhttps://example.com/x\nuser@example.org\nnot a domain\n10.0.0.1\n";
        let list = entries(list, |_| true);
        let got: Vec<(usize, &str, bool)> = list
            .iter()
            .map(|e| (e.line, e.key(), e.domain.is_ok()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "example.com", true),
                (6, "example.org", true),
                (7, "not a domain", false),
                (8, "10.0.0.1", false),
            ]
        );
    }

    #[test]
    fn the_filter_applies_to_the_normalized_key() {
        let list = entries("Example.COM\nexample.org\n", |k| k != "example.com");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].key(), "example.org");
    }

    #[test]
    fn the_hash_is_sha256_so_other_tools_can_reproduce_it() {
        // printf %s example.com | sha256sum → a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947
        assert_eq!(shard_hash("example.com"), 0xa379a6f6eeafb9a5);
        assert_eq!(shard_hash("EXAMPLE.com"), shard_hash("example.com"));
    }

    #[test]
    fn shards_are_disjoint_and_cover_everything() {
        let keys: Vec<String> = (0..1000).map(|i| format!("d{i}.example")).collect();
        for count in [1, 2, 3, 7] {
            let mut owners = vec![0u32; keys.len()];
            for index in 0..count {
                let shard = Shard { index, count };
                for (i, k) in keys.iter().enumerate() {
                    if shard.contains(k) {
                        owners[i] += 1;
                    }
                }
            }
            assert!(owners.iter().all(|&n| n == 1), "{count} shards");
        }
        // And roughly even: no shard of 4 gets under a fifth of 1000.
        for index in 0..4 {
            let shard = Shard { index, count: 4 };
            let n = keys.iter().filter(|k| shard.contains(k)).count();
            assert!(n > 200, "shard {index}: {n}");
        }
    }

    #[test]
    fn shard_text_is_k_of_n_from_zero() {
        assert_eq!(Shard::parse("0/4"), Ok(Shard { index: 0, count: 4 }));
        assert_eq!(Shard::parse(" 3 / 4 "), Ok(Shard { index: 3, count: 4 }));
        for bad in ["4/4", "1/0", "-1/4", "a/b", "2", "", "1/2/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
