//! Hodges–Lehmann estimates and their distribution-free confidence intervals in O(n log n) time
//! and O(n) memory, without materialising the n(n+1)/2 Walsh averages or the m·n pairwise
//! differences.
//!
//! Both estimates are order statistics of a set of pairwise sums that is sorted along each of
//! its two indices once the samples are sorted. The k-th smallest element is found by bisecting
//! over the totally ordered bit patterns of `f64` (at most 64 steps), counting the elements at or
//! below a candidate with one two-pointer pass (O(n)). Every element is computed with the same
//! floating-point expression as the quadratic definition (`(a + b) / 2`, `y - x`), and IEEE
//! rounding is monotone, so the selected values are exactly the quadratic version's order
//! statistics (that version is kept in [`reference`] as the test oracle and the benchmark
//! baseline). Cost: one sort plus at most 3 × 64 linear passes.
//!
//! Inputs must be free of NaN (the analysis refuses NaN, infinite and non-positive timings before
//! it takes logarithms).

/// `f64` bit pattern mapped to a `u64` whose unsigned order is [`f64::total_cmp`]'s order.
fn key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

fn from_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// A set of values `f(i, j)` that is nondecreasing along both sorted indices, known by the
/// number of its elements at or below a bound and the smallest element above one.
trait SortedPairs {
    /// Number of elements.
    fn len(&self) -> u64;
    /// Number of elements `<= t`.
    fn count_le(&self, t: f64) -> u64;
    /// The smallest element `> t`, if any.
    fn next_above(&self, t: f64) -> Option<f64>;
    /// The smallest and the largest element.
    fn bounds(&self) -> (f64, f64);

    /// The k-th smallest element (1-based, `1 <= k <= len`).
    fn select(&self, k: u64) -> f64 {
        debug_assert!(k >= 1 && k <= self.len());
        let (min, max) = self.bounds();
        let (mut lo, mut hi) = (key(min), key(max));
        // Invariant: count_le(from_key(hi)) >= k. Every key between two finite values is finite.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.count_le(from_key(mid)) >= k {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        from_key(hi)
    }

    /// The median as the quadratic version computes it from the sorted elements.
    fn median(&self) -> f64 {
        let len = self.len();
        let lower = self.select(len.div_ceil(2));
        if len % 2 == 1 {
            return lower;
        }
        // The (len/2 + 1)-th element: the same value again, or the next one above it.
        let upper = if self.count_le(lower) > len / 2 {
            lower
        } else {
            self.next_above(lower).unwrap_or(lower)
        };
        (lower + upper) / 2.0
    }
}

/// The Walsh averages `(d[i] + d[j]) / 2`, `i <= j`, of a sorted sample.
struct Walsh<'a>(&'a [f64]);

impl Walsh<'_> {
    fn at(&self, i: usize, j: usize) -> f64 {
        (self.0[i] + self.0[j]) / 2.0
    }
}

impl SortedPairs for Walsh<'_> {
    fn len(&self) -> u64 {
        let n = self.0.len() as u64;
        n * (n + 1) / 2
    }

    fn count_le(&self, t: f64) -> u64 {
        let n = self.0.len();
        let mut count = 0u64;
        // For each i, the largest j >= i with a(i, j) <= t; it never grows as i grows.
        let mut j = n;
        for i in 0..n {
            while j > i && self.at(i, j - 1) > t {
                j -= 1;
            }
            if j <= i {
                break;
            }
            count += (j - i) as u64;
        }
        count
    }

    fn next_above(&self, t: f64) -> Option<f64> {
        let n = self.0.len();
        let mut best: Option<f64> = None;
        // For each i, first(i) is the smallest j >= i with a(i, j) > t; it never grows as i
        // grows. Invariant: a(i, j') > t for every j' >= j.
        let mut j = n;
        for i in 0..n {
            j = j.max(i);
            while j > i && self.at(i, j - 1) > t {
                j -= 1;
            }
            if j < n {
                let v = self.at(i, j);
                if v > t && best.is_none_or(|b| v < b) {
                    best = Some(v);
                }
            }
        }
        best
    }

    fn bounds(&self) -> (f64, f64) {
        let n = self.0.len();
        (self.at(0, 0), self.at(n - 1, n - 1))
    }
}

/// The differences `y[j] - x[i]` of two sorted samples.
struct Differences<'a> {
    x: &'a [f64],
    y: &'a [f64],
}

impl SortedPairs for Differences<'_> {
    fn len(&self) -> u64 {
        self.x.len() as u64 * self.y.len() as u64
    }

    fn count_le(&self, t: f64) -> u64 {
        let m = self.x.len();
        let mut count = 0u64;
        // For each j, the elements <= t are those with i >= first(j); first(j) never shrinks.
        let mut i = 0;
        for &yj in self.y {
            while i < m && yj - self.x[i] > t {
                i += 1;
            }
            count += (m - i) as u64;
        }
        count
    }

    fn next_above(&self, t: f64) -> Option<f64> {
        let m = self.x.len();
        let mut best: Option<f64> = None;
        // For each j, the largest i with y[j] - x[i] > t is last(j) - 1; last(j) never shrinks.
        let mut i = 0;
        for &yj in self.y {
            while i < m && yj - self.x[i] > t {
                i += 1;
            }
            if i > 0 {
                let v = yj - self.x[i - 1];
                if best.is_none_or(|b| v < b) {
                    best = Some(v);
                }
            }
        }
        best
    }

    fn bounds(&self) -> (f64, f64) {
        let (m, n) = (self.x.len(), self.y.len());
        (self.y[0] - self.x[m - 1], self.y[n - 1] - self.x[0])
    }
}

/// Point estimate and the `k`-th smallest and largest elements (`k` from the critical value).
pub(crate) struct Selected {
    /// Median of the elements.
    pub estimate: f64,
    /// `(k-th smallest, k-th largest)` when `1 <= k <= len`.
    pub interval: Option<(f64, f64)>,
}

fn select_all(set: &impl SortedPairs, k: Option<u64>) -> Selected {
    let len = set.len();
    Selected {
        estimate: set.median(),
        interval: k
            .filter(|k| (1..=len).contains(k))
            .map(|k| (set.select(k), set.select(len - k + 1))),
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Median of the Walsh averages of `d` and, for a critical value `k`, the k-th smallest and k-th
/// largest of them. `d` must be non-empty and free of NaN.
pub(crate) fn walsh(d: &[f64], k: Option<u64>) -> Selected {
    select_all(&Walsh(&sorted(d)), k)
}

/// Median of the differences `y - x` and, for a critical value `k`, the k-th smallest and k-th
/// largest of them. Both samples must be non-empty and free of NaN.
pub(crate) fn differences(x: &[f64], y: &[f64], k: Option<u64>) -> Selected {
    let (x, y) = (sorted(x), sorted(y));
    select_all(&Differences { x: &x, y: &y }, k)
}

/// The quadratic definitions, every element materialised and sorted: the oracle the tests
/// compare with, and the baseline `benches/hodges_lehmann.rs` times. Memory: 8 bytes per element.
pub mod reference {
    use crate::model::bench::stats::median_sorted;

    fn select_all(sorted: &[f64], k: Option<u64>) -> (f64, Option<(f64, f64)>) {
        let len = sorted.len();
        let interval = match k {
            Some(k) if k >= 1 && k as usize <= len => {
                Some((sorted[k as usize - 1], sorted[len - k as usize]))
            }
            _ => None,
        };
        (median_sorted(sorted), interval)
    }

    /// Median of the Walsh averages and the k-th smallest/largest, quadratically.
    pub fn walsh(d: &[f64], k: Option<u64>) -> (f64, Option<(f64, f64)>) {
        let n = d.len();
        let mut walsh = Vec::with_capacity(n * (n + 1) / 2);
        for i in 0..n {
            for j in i..n {
                walsh.push((d[i] + d[j]) / 2.0);
            }
        }
        walsh.sort_unstable_by(f64::total_cmp);
        select_all(&walsh, k)
    }

    /// Median of the differences `y - x` and the k-th smallest/largest, quadratically.
    pub fn differences(x: &[f64], y: &[f64], k: Option<u64>) -> (f64, Option<(f64, f64)>) {
        let mut diffs = Vec::with_capacity(x.len() * y.len());
        for yj in y {
            for xi in x {
                diffs.push(yj - xi);
            }
        }
        diffs.sort_unstable_by(f64::total_cmp);
        select_all(&diffs, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fast_walsh(d: &[f64], k: Option<u64>) -> (f64, Option<(f64, f64)>) {
        let s = walsh(d, k);
        (s.estimate, s.interval)
    }

    fn fast_differences(x: &[f64], y: &[f64], k: Option<u64>) -> (f64, Option<(f64, f64)>) {
        let s = differences(x, y, k);
        (s.estimate, s.interval)
    }

    #[test]
    fn key_order_is_total_order() {
        let v = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            5e-324,
            1.0,
            f64::MAX,
            f64::INFINITY,
        ];
        for w in v.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} < {}", w[0], w[1]);
            assert_eq!(from_key(key(w[0])).to_bits(), w[0].to_bits());
        }
    }

    #[test]
    fn small_cases_match_the_quadratic_definition() {
        let d = [1.0, 2.0, 4.0];
        assert_eq!(fast_walsh(&d, Some(1)), reference::walsh(&d, Some(1)));
        assert_eq!(fast_walsh(&d, None).0, 2.25);
        let ties = [0.5, 0.5, 0.5, -0.25, 0.5, 0.0, 0.0];
        for k in 0..=30 {
            assert_eq!(fast_walsh(&ties, Some(k)), reference::walsh(&ties, Some(k)));
        }
        let (x, y) = ([3.0, 1.0, 2.0, 2.0], [2.5, 2.0, 9.0]);
        for k in 0..=13 {
            assert_eq!(
                fast_differences(&x, &y, Some(k)),
                reference::differences(&x, &y, Some(k))
            );
        }
        assert_eq!(fast_walsh(&[7.0], Some(1)), (7.0, Some((7.0, 7.0))));
        assert_eq!(fast_differences(&[1.0], &[3.0], None), (2.0, None));
    }

    /// Finite values from a few scales, with many ties (rounded timings are quantised).
    fn sample(max: usize) -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(
            prop_oneof![
                (-20i32..20).prop_map(|i| f64::from(i) / 8.0),
                -1e3f64..1e3,
                prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
            ],
            1..max,
        )
        .prop_map(|v| {
            v.into_iter()
                // Sums of two finite halves never overflow.
                .map(|x| if x.abs() > 1e300 { x / 1e10 } else { x })
                .collect()
        })
    }

    fn same(a: (f64, Option<(f64, f64)>), b: (f64, Option<(f64, f64)>)) -> bool {
        // PartialEq: -0.0 == 0.0, the only difference the selection may show.
        a == b
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn walsh_selection_equals_the_quadratic_oracle(d in sample(60), k in 0u64..2000) {
            let fast = fast_walsh(&d, Some(k));
            let slow = reference::walsh(&d, Some(k));
            prop_assert!(same(fast, slow), "{fast:?} vs {slow:?} for {d:?}");
        }

        #[test]
        fn difference_selection_equals_the_quadratic_oracle(
            x in sample(40), y in sample(40), k in 0u64..1700
        ) {
            let fast = fast_differences(&x, &y, Some(k));
            let slow = reference::differences(&x, &y, Some(k));
            prop_assert!(same(fast, slow), "{fast:?} vs {slow:?} for {x:?} {y:?}");
        }
    }
}
