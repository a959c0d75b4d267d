//! Failure sets: how many there are, and their enumeration — sizes 0, 1, …, K, each
//! size in lexicographic order of the failable components (the order every engine
//! uses, so that the first failing set is the same in the simulator, the concrete path
//! and the SMT stability check).

/// Σ_{i ≤ k} C(n, i), or a value above `cap` once it exceeds `cap`.
pub fn count_sets(n: usize, k: usize, cap: u64) -> u64 {
    let mut total: u64 = 0;
    let mut c: u128 = 1; // C(n, i)
    for i in 0..=k.min(n) {
        total = total.saturating_add(u64::try_from(c).unwrap_or(u64::MAX));
        if total > cap {
            return total;
        }
        // C(n, i + 1) = C(n, i) · (n − i) / (i + 1); exact, and C ≤ total ≤ cap here.
        let (ni, i1) = ((n - i) as u128, (i + 1) as u128);
        c = c.saturating_mul(ni) / i1;
    }
    total
}

/// The next `combo.len()`-subset of `0..n` in lexicographic order; false after the
/// last one.
pub fn next_combination(combo: &mut [usize], n: usize) -> bool {
    let k = combo.len();
    if k > n {
        return false;
    }
    let mut i = k;
    while i > 0 {
        i -= 1;
        let Some(&ci) = combo.get(i) else {
            return false;
        };
        if ci < n - k + i {
            for (v, slot) in (ci + 1..).zip(combo.iter_mut().skip(i)) {
                *slot = v;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_failure_sets() {
        assert_eq!(count_sets(0, 3, 4096), 1);
        assert_eq!(count_sets(5, 0, 4096), 1);
        assert_eq!(count_sets(5, 1, 4096), 6);
        assert_eq!(count_sets(5, 2, 4096), 16);
        assert_eq!(count_sets(5, 9, 4096), 32);
        assert!(count_sets(100, 3, 4096) > 4096);
        assert!(count_sets(usize::MAX / 2, 50, 4096) > 4096);
    }

    #[test]
    fn enumerates_subsets_in_lexicographic_order() {
        let mut all = Vec::new();
        for size in 0..=2 {
            let mut c: Vec<usize> = (0..size).collect();
            loop {
                all.push(c.clone());
                if !next_combination(&mut c, 3) {
                    break;
                }
            }
        }
        let want: Vec<Vec<usize>> = vec![
            vec![],
            vec![0],
            vec![1],
            vec![2],
            vec![0, 1],
            vec![0, 2],
            vec![1, 2],
        ];
        assert_eq!(all, want);
    }
}
