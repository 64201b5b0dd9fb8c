//! Distribution-free statistics for the benchmark gate: rank tests, Hodges–Lehmann estimates with
//! their confidence intervals, the paired t test, Holm's step-down adjustment and the sample-size guard.
//!
//! Exact null distributions are computed by polynomial products and cached per sample size.

use crate::model::bench::hodges_lehmann;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The alternative hypothesis of a one-sided test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    /// The location (paired differences) or the second sample is greater.
    Greater,
    /// The location or the second sample is smaller.
    Less,
}

/// How a p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact permutation distribution.
    Exact,
    /// Normal approximation (with tie correction).
    Normal,
    /// Student's t distribution.
    StudentT,
}

/// The outcome of a test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestOutcome {
    /// The test statistic (T+ for Wilcoxon, U of the second sample for Mann–Whitney, t for the t test).
    pub statistic: f64,
    /// One-sided p-value.
    pub p_value: f64,
    /// How it was computed.
    pub method: Method,
}

/// A point estimate with a confidence interval (bounds are `None` when the sample is too small to
/// give a distribution-free interval at the requested level).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub low: Option<f64>,
    /// Upper bound.
    pub high: Option<f64>,
}

/// Largest sample size for which exact distributions are used.
pub(crate) const EXACT_LIMIT: usize = 50;

// ---------------------------------------------------------------- special functions

/// Natural log of the gamma function (Lanczos, g = 7), accurate to about 1e-15 for x > 0.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised upper incomplete gamma Q(a, x).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let gln = ln_gamma(a);
    if x < a + 1.0 {
        // Series for P.
        let mut ap = a;
        let mut sum = 1.0 / a;
        let mut del = sum;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * (-x + a * x.ln() - gln).exp()
    } else {
        // Continued fraction for Q (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (-x + a * x.ln() - gln).exp() * h
    }
}

/// Complementary error function.
pub(crate) fn erfc(x: f64) -> f64 {
    if x >= 0.0 {
        gamma_q(0.5, x * x)
    } else {
        2.0 - gamma_q(0.5, x * x)
    }
}

/// Upper tail of the standard normal distribution, P(Z > z).
pub(crate) fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Lower tail of the standard normal distribution, P(Z ≤ z).
pub(crate) fn normal_cdf(z: f64) -> f64 {
    normal_sf(-z)
}

/// Quantile of the standard normal distribution (Acklam's approximation refined by one Halley step).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p_low = 0.02425;
    let x = if p < p_low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - p_low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // Halley refinement.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Regularised incomplete beta I_x(a, b).
fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Upper tail of Student's t distribution with `df` degrees of freedom, P(T > t).
pub fn student_t_sf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * beta_inc(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

// ---------------------------------------------------------------- descriptive

/// Median of a sample (NaN for an empty sample).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    median_sorted(&v)
}

/// The median of values already sorted.
pub(crate) fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Mean of a sample.
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation (n - 1 denominator).
pub fn std_dev(values: &[f64]) -> f64 {
    let m = mean(values);
    (values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() as f64 - 1.0)).sqrt()
}

/// Midranks (1-based) of `values` and the sizes of the tie groups.
pub(crate) fn rank_with_ties(values: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && values[idx[j]] == values[idx[i]] {
            j += 1;
        }
        let rank = (i + j + 1) as f64 / 2.0; // average of ranks i+1 ..= j
        for &k in &idx[i..j] {
            ranks[k] = rank;
        }
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (ranks, ties)
}

fn tie_sum(ties: &[usize]) -> f64 {
    ties.iter().map(|&t| (t * t * t - t) as f64).sum()
}

// ---------------------------------------------------------------- exact null distributions

type PmfCache<K> = RefCell<HashMap<K, Rc<Vec<f64>>>>;

thread_local! {
    static SIGNED_RANK: PmfCache<usize> = RefCell::new(HashMap::new());
    static RANK_SUM: PmfCache<(usize, usize)> = RefCell::new(HashMap::new());
}

/// Probability mass of T+ (0..=n(n+1)/2) under the null for n untied, non-zero differences.
fn signed_rank_pmf(n: usize) -> Rc<Vec<f64>> {
    SIGNED_RANK.with(|cache| {
        cache
            .borrow_mut()
            .entry(n)
            .or_insert_with(|| {
                // Coefficients of prod_{i=1..n} (1 + q^i): number of subsets of 1..n with each sum.
                let max = n * (n + 1) / 2;
                let mut counts = vec![0u128; max + 1];
                counts[0] = 1;
                let mut top = 0;
                for i in 1..=n {
                    top += i;
                    for s in (i..=top).rev() {
                        counts[s] += counts[s - i];
                    }
                }
                let total = 2f64.powi(n as i32);
                Rc::new(counts.iter().map(|&c| c as f64 / total).collect())
            })
            .clone()
    })
}

/// Probability mass of the Mann–Whitney U (0..=m·n) under the null for untied samples of sizes m and n.
fn rank_sum_pmf(m: usize, n: usize) -> Rc<Vec<f64>> {
    let (m, n) = if m <= n { (m, n) } else { (n, m) };
    RANK_SUM.with(|cache| {
        cache
            .borrow_mut()
            .entry((m, n))
            .or_insert_with(|| {
                // Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).
                let max = m * n;
                // Multiplying first raises the degree by i above the final degree.
                let mut poly = vec![0i128; max + m + 1];
                poly[0] = 1;
                let mut deg = 0;
                for i in 1..=m {
                    let shift = n + i;
                    for k in (shift..=deg + shift).rev() {
                        poly[k] -= poly[k - shift];
                    }
                    // Divide by (1 - q^i): Q[k] = P[k] + Q[k - i].
                    // The quotient has degree deg + n; the i coefficients above it cancel to zero.
                    deg += n;
                    for k in i..=deg + i {
                        poly[k] += poly[k - i];
                    }
                    debug_assert!(poly[deg + 1..=deg + i].iter().all(|&c| c == 0));
                }
                poly.truncate(max + 1);
                let total: f64 = poly.iter().map(|&c| c as f64).sum();
                Rc::new(poly.iter().map(|&c| c as f64 / total).collect())
            })
            .clone()
    })
}

/// P(X ≥ t) for an integer-valued pmf.
fn upper_tail(pmf: &[f64], t: usize) -> f64 {
    pmf.get(t..)
        .map_or(0.0, |tail| tail.iter().sum::<f64>())
        .min(1.0)
}

/// Largest k ≥ 1 with P(X ≤ k - 1) ≤ gamma, or None.
fn lower_critical(pmf: &[f64], gamma: f64) -> Option<usize> {
    let mut cum = 0.0;
    let mut k = None;
    for (x, p) in pmf.iter().enumerate() {
        cum += p;
        if cum <= gamma * (1.0 + 1e-12) {
            k = Some(x + 1);
        } else {
            break;
        }
    }
    k
}

// ---------------------------------------------------------------- tests

/// Wilcoxon signed-rank test of the differences `d` against zero.
///
/// Zeros are dropped (Wilcoxon's method). The exact distribution is used when there are no ties
/// and no zeros and at most [`EXACT_LIMIT`] differences; otherwise the normal approximation with
/// tie correction and no continuity correction (as scipy's defaults). Returns `None` when every
/// difference is zero.
pub(crate) fn wilcoxon_signed_rank(d: &[f64], alternative: Alternative) -> Option<TestOutcome> {
    let nonzero: Vec<f64> = d.iter().copied().filter(|&x| x != 0.0).collect();
    let n = nonzero.len();
    if n == 0 {
        return None;
    }
    let abs: Vec<f64> = nonzero.iter().map(|x| x.abs()).collect();
    let (ranks, ties) = rank_with_ties(&abs);
    let t_plus: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(x, _)| **x > 0.0)
        .map(|(_, r)| r)
        .sum();
    let zeros = d.len() - n;
    if ties.is_empty() && zeros == 0 && n <= EXACT_LIMIT {
        let pmf = signed_rank_pmf(n);
        let max = n * (n + 1) / 2;
        let t = t_plus.round() as usize;
        let p = match alternative {
            Alternative::Greater => upper_tail(&pmf, t),
            Alternative::Less => upper_tail(&pmf, max - t),
        };
        return Some(TestOutcome {
            statistic: t_plus,
            p_value: p,
            method: Method::Exact,
        });
    }
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_sum(&ties) / 48.0;
    let z = if var > 0.0 {
        (t_plus - mean) / var.sqrt()
    } else {
        0.0
    };
    let p = match alternative {
        Alternative::Greater => normal_sf(z),
        Alternative::Less => normal_cdf(z),
    };
    Some(TestOutcome {
        statistic: t_plus,
        p_value: p,
        method: Method::Normal,
    })
}

/// One-sided Mann–Whitney U test of `y` against `x` (`Greater`: y tends to be larger).
///
/// Exact when there are no ties and both samples have at most [`EXACT_LIMIT`] values; otherwise
/// the normal approximation with tie and continuity correction (as scipy's defaults). Returns
/// `None` when a sample is empty.
pub(crate) fn mann_whitney_u(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
) -> Option<TestOutcome> {
    let (m, n) = (x.len(), y.len());
    if m == 0 || n == 0 {
        return None;
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, ties) = rank_with_ties(&all);
    let r_y: f64 = ranks[m..].iter().sum();
    let u_y = r_y - (n * (n + 1)) as f64 / 2.0;
    let mn = (m * n) as f64;
    let u = match alternative {
        Alternative::Greater => u_y,
        Alternative::Less => mn - u_y,
    };
    if ties.is_empty() && m <= EXACT_LIMIT && n <= EXACT_LIMIT {
        let pmf = rank_sum_pmf(m, n);
        return Some(TestOutcome {
            statistic: u_y,
            p_value: upper_tail(&pmf, u.round() as usize),
            method: Method::Exact,
        });
    }
    let big_n = (m + n) as f64;
    let var = mn / 12.0 * ((big_n + 1.0) - tie_sum(&ties) / (big_n * (big_n - 1.0)));
    let p = if var > 0.0 {
        normal_sf((u - mn / 2.0 - 0.5) / var.sqrt())
    } else {
        1.0
    };
    Some(TestOutcome {
        statistic: u_y,
        p_value: p.min(1.0),
        method: Method::Normal,
    })
}

/// One-sample (paired) t test of `d` against zero. Returns `None` for fewer than 2 values.
pub fn paired_t(d: &[f64], alternative: Alternative) -> Option<TestOutcome> {
    let n = d.len();
    if n < 2 {
        return None;
    }
    let sd = std_dev(d);
    let m = mean(d);
    let t = if sd > 0.0 {
        m / (sd / (n as f64).sqrt())
    } else if m == 0.0 {
        0.0
    } else {
        m.signum() * f64::INFINITY
    };
    let df = (n - 1) as f64;
    let p = match alternative {
        Alternative::Greater => student_t_sf(t, df),
        Alternative::Less => student_t_sf(-t, df),
    };
    Some(TestOutcome {
        statistic: t,
        p_value: p,
        method: Method::StudentT,
    })
}

// ---------------------------------------------------------------- estimates

/// One-sample Hodges–Lehmann estimate (median of the Walsh averages) of the centre of `d`, with the
/// distribution-free confidence interval from the order statistics of the Walsh averages at level
/// `confidence` (e.g. 0.95). O(n log n) time, O(n) memory (see [`hodges_lehmann`]). `d` must be
/// free of NaN.
///
/// [`hodges_lehmann`]: crate::model::bench::hodges_lehmann
pub fn hodges_lehmann_paired(d: &[f64], confidence: f64) -> Option<Estimate> {
    let n = d.len();
    if n == 0 {
        return None;
    }
    let gamma = (1.0 - confidence) / 2.0;
    let k = if n <= EXACT_LIMIT {
        lower_critical(&signed_rank_pmf(n), gamma)
    } else {
        let nf = n as f64;
        let sd = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt();
        normal_critical(nf * (nf + 1.0) / 4.0, sd, gamma)
    };
    Some(estimate(hodges_lehmann::walsh(d, k.map(|k| k as u64))))
}

/// Two-sample Hodges–Lehmann estimate of the shift `y - x` (median of all pairwise differences),
/// with the distribution-free confidence interval from their order statistics. O((m + n) log(m + n))
/// time, O(m + n) memory. Both samples must be free of NaN.
pub fn hodges_lehmann_shift(x: &[f64], y: &[f64], confidence: f64) -> Option<Estimate> {
    let (m, n) = (x.len(), y.len());
    if m == 0 || n == 0 {
        return None;
    }
    let gamma = (1.0 - confidence) / 2.0;
    let k = if m <= EXACT_LIMIT && n <= EXACT_LIMIT {
        lower_critical(&rank_sum_pmf(m, n), gamma)
    } else {
        let (mf, nf) = (m as f64, n as f64);
        let sd = (mf * nf * (mf + nf + 1.0) / 12.0).sqrt();
        normal_critical(mf * nf / 2.0, sd, gamma)
    };
    Some(estimate(hodges_lehmann::differences(
        x,
        y,
        k.map(|k| k as u64),
    )))
}

fn normal_critical(mean: f64, sd: f64, gamma: f64) -> Option<usize> {
    let k = (mean + normal_quantile(gamma) * sd).floor();
    (k >= 1.0).then_some(k as usize)
}

fn estimate(selected: hodges_lehmann::Selected) -> Estimate {
    Estimate {
        estimate: selected.estimate,
        low: selected.interval.map(|(low, _)| low),
        high: selected.interval.map(|(_, high)| high),
    }
}

// ---------------------------------------------------------------- multiplicity

/// Holm's step-down adjusted p-values, in the order of the input.
pub(crate) fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in idx.iter().enumerate() {
        let adj = ((m - rank) as f64 * p[i]).min(1.0);
        running = running.max(adj);
        out[i] = running;
    }
    out
}

/// The smallest number of pairs for which a paired rank test can reach Holm's first threshold
/// α/N: its smallest one-sided p-value is 2^-n, so n ≥ ⌈log2(N/α)⌉.
pub(crate) fn paired_min_n(tests: usize, alpha: f64) -> usize {
    ((tests.max(1) as f64 / alpha).log2().ceil()).max(1.0) as usize
}

/// The smallest one-sided p-value an untied Mann–Whitney test with sample sizes m and n can give: 1 / C(m+n, m).
pub(crate) fn unpaired_min_p(m: usize, n: usize) -> f64 {
    (ln_gamma((m + 1) as f64) + ln_gamma((n + 1) as f64) - ln_gamma((m + n + 1) as f64)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol * b.abs().max(1e-300), "{a} vs {b}");
    }

    // Reference values computed once with scipy 1.17.1 (inputs are in each test).
    const D1: [f64; 11] = [
        1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30, -0.4, -0.7,
    ];

    #[test]
    fn special_functions_match_scipy() {
        close(normal_sf(3.09), 0.001_000_782_476_614_011_5, 1e-12);
        close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-12);
        close(normal_quantile(1e-6), -4.753_424_308_822_899, 1e-12);
        close(student_t_sf(2.1, 7.0), 0.036_935_598_106_461_326, 1e-10);
        close(ln_gamma(0.3), 1.095_797_994_818_075_2, 1e-13);
        close(ln_gamma(50.5), 146.519_255_490_720_6, 1e-13);
    }

    #[test]
    fn wilcoxon_exact_matches_scipy() {
        // scipy.stats.wilcoxon(D1, alternative=..., method='exact')
        let g = wilcoxon_signed_rank(&D1, Alternative::Greater).unwrap();
        assert_eq!(g.method, Method::Exact);
        close(g.p_value, 0.003_417_968_75, 1e-12);
        let l = wilcoxon_signed_rank(&D1, Alternative::Less).unwrap();
        close(l.p_value, 0.997_558_593_75, 1e-12);
    }

    #[test]
    fn wilcoxon_normal_with_ties_and_zero_matches_scipy() {
        // scipy.stats.wilcoxon(d, alternative='greater', method='approx', zero_method='wilcox', correction=False)
        let d = [0.1, 0.2, 0.2, -0.1, 0.3, 0.0, 0.4, 0.4, 0.4, -0.2, 0.5, 0.6];
        let r = wilcoxon_signed_rank(&d, Alternative::Greater).unwrap();
        assert_eq!(r.method, Method::Normal);
        assert_eq!(r.statistic, 60.5);
        close(r.p_value, 0.007_024_784_075_549_852, 1e-10);
    }

    const D3: [f64; 30] = [
        0.646, 1.122, 0.63, -1.003, 1.205, 0.746, -0.237, 0.881, 0.665, 0.594, 0.328, 0.847,
        -0.436, 0.137, -0.182, 0.899, 0.34, 0.008, -0.482, 0.043, 0.308, 0.024, 1.594, 1.307,
        -2.411, -1.589, 0.125, -0.122, 0.514, 0.517,
    ];

    #[test]
    fn wilcoxon_exact_n30_matches_scipy() {
        let r = wilcoxon_signed_rank(&D3, Alternative::Greater).unwrap();
        assert_eq!(r.method, Method::Exact);
        close(r.p_value, 0.013_870_718_888_938_427, 1e-10);
    }

    #[test]
    fn mann_whitney_exact_matches_scipy() {
        // scipy.stats.mannwhitneyu(y, x, alternative=..., method='exact')
        let x = [1.1, 2.3, 0.7, 3.2, 1.9];
        let y = [2.8, 3.9, 2.2, 4.1, 3.3, 2.95];
        let g = mann_whitney_u(&x, &y, Alternative::Greater).unwrap();
        assert_eq!(g.method, Method::Exact);
        close(g.p_value, 0.025_974_025_974_025_976, 1e-12);
        let l = mann_whitney_u(&x, &y, Alternative::Less).unwrap();
        close(l.p_value, 0.984_848_484_848_484_9, 1e-12);
    }

    #[test]
    fn mann_whitney_normal_with_ties_matches_scipy() {
        // scipy.stats.mannwhitneyu(y, x, alternative=..., method='asymptotic', use_continuity=True)
        let x = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0];
        let y = [3.0, 4.0, 4.0, 5.0, 6.0, 7.0, 7.0, 8.0, 9.0];
        let g = mann_whitney_u(&x, &y, Alternative::Greater).unwrap();
        assert_eq!(g.method, Method::Normal);
        close(g.p_value, 0.012_748_034_315_749_793, 1e-10);
        let l = mann_whitney_u(&x, &y, Alternative::Less).unwrap();
        close(l.p_value, 0.990_121_326_400_577, 1e-10);
    }

    #[test]
    fn exact_rank_sum_distribution_sums_to_one_and_is_symmetric() {
        let pmf = rank_sum_pmf(7, 9);
        close(pmf.iter().sum::<f64>(), 1.0, 1e-12);
        for u in 0..=63 {
            close(pmf[u], pmf[63 - u], 1e-9);
            assert!(pmf[u] > 0.0);
        }
        // Count of U = 0 is 1 out of C(16, 7) = 11440.
        close(pmf[0], 1.0 / 11440.0, 1e-12);
    }

    #[test]
    fn paired_t_matches_scipy() {
        // scipy.stats.ttest_1samp(D1, 0, alternative='greater')
        let r = paired_t(&D1, Alternative::Greater).unwrap();
        close(r.p_value, 0.001_420_985_996_773_628_3, 1e-9);
    }

    #[test]
    fn signed_rank_critical_value_matches_table() {
        // Two-sided 5% critical value of T for n = 20 is 52 (Wilcoxon tables), so the CI uses the
        // 53rd smallest and largest of the 210 Walsh averages.
        assert_eq!(lower_critical(&signed_rank_pmf(20), 0.025), Some(53));
        // n = 10: critical value 8.
        assert_eq!(lower_critical(&signed_rank_pmf(10), 0.025), Some(9));
        // n = 5 cannot give a 95% interval.
        assert_eq!(lower_critical(&signed_rank_pmf(5), 0.025), None);
    }

    #[test]
    fn rank_sum_critical_value_matches_table() {
        // Two-sided 5% critical U for m = n = 10 is 23 (Mann–Whitney tables).
        assert_eq!(lower_critical(&rank_sum_pmf(10, 10), 0.025), Some(24));
        // m = n = 5: 2.
        assert_eq!(lower_critical(&rank_sum_pmf(5, 5), 0.025), Some(3));
    }

    #[test]
    fn hodges_lehmann_paired_is_median_of_walsh_averages() {
        let d = [1.0, 2.0, 4.0];
        // Walsh averages: 1, 1.5, 2.5, 2, 3, 4 → median 2.25.
        let e = hodges_lehmann_paired(&d, 0.95).unwrap();
        assert_eq!(e.estimate, 2.25);
        assert_eq!(e.low, None);
        let e = hodges_lehmann_paired(&D3, 0.95).unwrap();
        // numpy: median of the 465 Walsh averages of D3, 95% CI = 138th smallest / largest.
        close(e.estimate, 0.327, 1e-12);
        let (lo, hi) = (e.low.unwrap(), e.high.unwrap());
        assert!(lo < e.estimate && e.estimate < hi);
        close(lo, 0.039, 1e-9);
        close(hi, 0.5825, 1e-9);
    }

    #[test]
    fn hodges_lehmann_equals_the_quadratic_definition_beyond_the_exact_limit() {
        use crate::model::bench::hodges_lehmann::reference;
        // Normal-approximation critical values (n > EXACT_LIMIT), with ties and both signs.
        let d: Vec<f64> = (0..120)
            .map(|i| ((i * 37 % 101) as f64 - 40.0) / 16.0)
            .collect();
        let e = hodges_lehmann_paired(&d, 0.95).unwrap();
        let k = normal_critical(
            120.0 * 121.0 / 4.0,
            (120.0f64 * 121.0 * 241.0 / 24.0).sqrt(),
            0.025,
        );
        let (est, ci) = reference::walsh(&d, k.map(|k| k as u64));
        assert_eq!((e.estimate, e.low.zip(e.high)), (est, ci));
        assert!(ci.is_some());
        let (x, y) = (&d[..70], &d[50..]);
        let e = hodges_lehmann_shift(x, y, 0.95).unwrap();
        let sd = (70.0f64 * 70.0 * 141.0 / 12.0).sqrt();
        let (est, ci) =
            reference::differences(x, y, normal_critical(2450.0, sd, 0.025).map(|k| k as u64));
        assert_eq!((e.estimate, e.low.zip(e.high)), (est, ci));
    }

    #[test]
    fn hodges_lehmann_shift_recovers_a_shift() {
        let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| v + 3.0).collect();
        let e = hodges_lehmann_shift(&x, &y, 0.95).unwrap();
        assert_eq!(e.estimate, 3.0);
        // 24th smallest / largest of the 100 differences.
        assert_eq!(e.low, Some(0.0));
        assert_eq!(e.high, Some(6.0));
    }

    #[test]
    fn holm_matches_textbook_example() {
        // R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm")
        let adj = holm(&[0.01, 0.02, 0.03, 0.04, 0.05]);
        for (a, b) in adj.iter().zip([0.05, 0.08, 0.09, 0.09, 0.09]) {
            close(*a, b, 1e-12);
        }
        // Order of input is kept.
        let adj = holm(&[0.04, 0.005, 0.03, 0.01]);
        for (a, b) in adj.iter().zip([0.06, 0.02, 0.06, 0.03]) {
            close(*a, b, 1e-12);
        }
    }

    #[test]
    fn minimum_n_guard() {
        // 50 benchmarks at α = 0.05: 2^-10 = 0.00098 ≤ 0.001.
        assert_eq!(paired_min_n(50, 0.05), 10);
        assert_eq!(paired_min_n(1, 0.05), 5);
        close(unpaired_min_p(3, 3), 1.0 / 20.0, 1e-12);
    }
}
