//! The iteration order of a Java `ConcurrentHashMap<String, _>`, which is
//! the order Confluent lists the subjects and subject-versions of a schema
//! id in (`/schemas/ids/{id}/subjects`, `/versions`): bins by the spread
//! `String.hashCode`, each bin in insertion order, with the partial
//! reversal `transfer` makes when the table doubles.

/// Positions of `keys` (distinct, in insertion order) in the order the
/// Java map iterates them.
pub fn concurrent_hash_map_order(keys: &[String]) -> Vec<usize> {
    let hashes: Vec<u32> = keys.iter().map(|key| spread(java_hash(key))).collect();
    let mut table: Vec<Vec<usize>> = vec![Vec::new(); 16];
    for (position, hash) in hashes.iter().enumerate() {
        let bin = index(*hash, table.len());
        table[bin].push(position);
        // `addCount` doubles the table once the count reaches 3/4 of it.
        if position + 1 >= table.len() - table.len() / 4 {
            table = transfer(&table, &hashes);
        }
    }
    table.into_iter().flatten().collect()
}

/// Java's `String.hashCode` over UTF-16 code units.
fn java_hash(key: &str) -> u32 {
    key.encode_utf16().fold(0u32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}

/// `ConcurrentHashMap.spread`.
fn spread(hash: u32) -> u32 {
    (hash ^ (hash >> 16)) & 0x7fff_ffff
}

fn index(hash: u32, length: usize) -> usize {
    usize::try_from(hash).unwrap_or_default() & (length - 1)
}

/// `ConcurrentHashMap.transfer` to a table twice as long: each bin splits
/// into a low and a high bin; the nodes after the last change of side
/// (`lastRun`) keep their order, the ones before are put in front of
/// them one by one, which reverses them.
fn transfer(table: &[Vec<usize>], hashes: &[u32]) -> Vec<Vec<usize>> {
    let n = table.len();
    let high = |position: usize| usize::try_from(hashes[position]).unwrap_or_default() & n != 0;
    let mut next = vec![Vec::new(); 2 * n];
    for (bin, nodes) in table.iter().enumerate() {
        let Some(&first) = nodes.first() else {
            continue;
        };
        let mut run_bit = high(first);
        let mut last_run = 0;
        for (at, &node) in nodes.iter().enumerate().skip(1) {
            if high(node) != run_bit {
                run_bit = high(node);
                last_run = at;
            }
        }
        let (mut low, mut high_bin) = (Vec::new(), Vec::new());
        let tail = nodes[last_run..].to_vec();
        if run_bit {
            high_bin = tail;
        } else {
            low = tail;
        }
        for &node in &nodes[..last_run] {
            if high(node) {
                high_bin.insert(0, node);
            } else {
                low.insert(0, node);
            }
        }
        next[bin] = low;
        next[bin + n] = high_bin;
    }
    next
}

#[cfg(test)]
mod tests {
    use super::concurrent_hash_map_order;

    fn ordered(keys: &[&str]) -> Vec<String> {
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        concurrent_hash_map_order(&keys)
            .into_iter()
            .map(|position| keys[position].clone())
            .collect()
    }

    // The expected orders were printed by `jshell` (OpenJDK 21):
    // `var m = new ConcurrentHashMap<String,Integer>(); for (...) m.put(k, i);
    // System.out.println(m.keySet());`

    #[test]
    fn small_maps_iterate_by_bin_then_insertion() {
        assert_eq!(
            ordered(&["orders-value", "payments-value", "a", "b"]),
            JAVA_SMALL
        );
        // "Aa" and "BB" share a hash: insertion order within the bin.
        assert_eq!(ordered(&["BB", "Aa"]), ["BB", "Aa"]);
        assert_eq!(ordered(&["Aa", "BB"]), ["Aa", "BB"]);
    }

    #[test]
    fn growing_maps_follow_javas_transfer() {
        let keys: Vec<String> = (0..40).map(|n| format!("subject-{n}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        assert_eq!(ordered(&refs), JAVA_FORTY);
    }

    const JAVA_SMALL: [&str; 4] = ["payments-value", "a", "b", "orders-value"];
    const JAVA_FORTY: [&str; 40] = [
        "subject-29",
        "subject-27",
        "subject-28",
        "subject-25",
        "subject-26",
        "subject-23",
        "subject-24",
        "subject-21",
        "subject-22",
        "subject-30",
        "subject-31",
        "subject-0",
        "subject-18",
        "subject-19",
        "subject-16",
        "subject-38",
        "subject-17",
        "subject-39",
        "subject-14",
        "subject-36",
        "subject-15",
        "subject-37",
        "subject-12",
        "subject-34",
        "subject-13",
        "subject-35",
        "subject-10",
        "subject-32",
        "subject-11",
        "subject-33",
        "subject-9",
        "subject-20",
        "subject-2",
        "subject-1",
        "subject-4",
        "subject-3",
        "subject-6",
        "subject-5",
        "subject-8",
        "subject-7",
    ];
}
