//! The run order of an interleaved comparison (ABBA/BAAB blocks in seeded random order), sharding
//! of a benchmark list across CI runners, and the small seeded PRNG both use.

use crate::model::bench::model::{Shard, Side};
use serde::Serialize;

/// SplitMix64: a tiny, seedable, well-mixed generator (Steele, Lea, Flood 2014).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn next_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// How base and head runs are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockOrder {
    /// Blocks of two pairs, each block ABBA or BAAB at random: cancels linear drift within a block.
    Abba,
    /// All base runs, then all head runs (what hyperfine does); only for demonstrating drift bias.
    Sequential,
}

/// One run in the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Pair index (base and head with the same pair are compared).
    pub pair: u32,
    /// Block index.
    pub block: u32,
    /// Which build runs.
    pub side: Side,
    /// Position in the run order.
    pub order: u32,
}

/// The run order for `rounds` pairs. With [`BlockOrder::Abba`] every block of two pairs is ABBA or
/// BAAB, chosen from `seed`; an odd last pair is AB or BA at random.
pub fn plan(rounds: u32, order: BlockOrder, seed: u64) -> Vec<Slot> {
    let mut rng = SplitMix64::new(seed);
    let mut sides: Vec<(u32, u32, Side)> = Vec::with_capacity(2 * rounds as usize);
    match order {
        BlockOrder::Abba => {
            let mut pair = 0;
            let mut block = 0;
            while pair < rounds {
                let base_first = rng.next_u64() & 1 == 0;
                let (x, y) = if base_first {
                    (Side::Base, Side::Head)
                } else {
                    (Side::Head, Side::Base)
                };
                sides.push((pair, block, x));
                sides.push((pair, block, y));
                if pair + 1 < rounds {
                    sides.push((pair + 1, block, y));
                    sides.push((pair + 1, block, x));
                }
                pair += 2;
                block += 1;
            }
        }
        BlockOrder::Sequential => {
            sides.extend((0..rounds).map(|p| (p, 0, Side::Base)));
            sides.extend((0..rounds).map(|p| (p, 0, Side::Head)));
        }
    }
    sides
        .into_iter()
        .enumerate()
        .map(|(i, (pair, block, side))| Slot {
            pair,
            block,
            side,
            order: i as u32,
        })
        .collect()
}

/// Errors in schedule arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// `--shard` not of the form `i/n` with 1 ≤ i ≤ n.
    #[error("--shard `{0}` is not valid; write it as i/n with 1 ≤ i ≤ n, e.g. `--shard 2/4` for the second of four runners")]
    BadShard(String),
}

/// Parses `i/n`.
pub fn parse_shard(text: &str) -> Result<Shard, ScheduleError> {
    let bad = || ScheduleError::BadShard(text.to_string());
    let (i, n) = text.trim().split_once('/').ok_or_else(bad)?;
    let index: u32 = i.trim().parse().map_err(|_| bad())?;
    let count: u32 = n.trim().parse().map_err(|_| bad())?;
    if index == 0 || count == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// The names of `shard`: the sorted, de-duplicated list dealt round-robin, so every runner computes
/// the same split from the same list and the shards are disjoint and cover it.
pub(crate) fn shard_list(names: &[String], shard: Shard) -> Vec<String> {
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    sorted.dedup();
    sorted
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i as u32 % shard.count == shard.index - 1)
        .map(|(_, n)| n.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abba_blocks_pair_every_round_and_balance_position() {
        let slots = plan(10, BlockOrder::Abba, 42);
        assert_eq!(slots.len(), 20);
        for pair in 0..10 {
            let sides: Vec<Side> = slots
                .iter()
                .filter(|s| s.pair == pair)
                .map(|s| s.side)
                .collect();
            assert_eq!(sides.len(), 2);
            assert_ne!(sides[0], sides[1]);
        }
        for block in slots.chunks(4) {
            let s: Vec<Side> = block.iter().map(|s| s.side).collect();
            assert!(
                s == [Side::Base, Side::Head, Side::Head, Side::Base]
                    || s == [Side::Head, Side::Base, Side::Base, Side::Head],
                "{s:?}"
            );
        }
        assert!(slots.iter().enumerate().all(|(i, s)| s.order == i as u32));
    }

    #[test]
    fn block_order_is_random_but_reproducible() {
        let a = plan(40, BlockOrder::Abba, 7);
        assert_eq!(a, plan(40, BlockOrder::Abba, 7));
        assert_ne!(a, plan(40, BlockOrder::Abba, 8));
        let abba = a.chunks(4).filter(|b| b[0].side == Side::Base).count();
        assert!(
            (3..=17).contains(&abba),
            "{abba} of 20 blocks start with base"
        );
    }

    #[test]
    fn odd_rounds_end_with_a_half_block() {
        let slots = plan(3, BlockOrder::Abba, 1);
        assert_eq!(slots.len(), 6);
        assert_eq!(slots[4].pair, 2);
        assert_eq!(slots[5].pair, 2);
        assert_ne!(slots[4].side, slots[5].side);
    }

    #[test]
    fn sequential_runs_all_base_first() {
        let slots = plan(3, BlockOrder::Sequential, 1);
        let sides: Vec<Side> = slots.iter().map(|s| s.side).collect();
        assert_eq!(
            sides,
            [
                Side::Base,
                Side::Base,
                Side::Base,
                Side::Head,
                Side::Head,
                Side::Head
            ]
        );
    }

    #[test]
    fn shards_are_disjoint_and_cover_the_list() {
        let names: Vec<String> = (0..11).rev().map(|i| format!("T.b{i:02}")).collect();
        let mut all = Vec::new();
        for i in 1..=3 {
            let part = shard_list(&names, parse_shard(&format!("{i}/3")).unwrap());
            assert!(part.len() == 3 || part.len() == 4);
            all.extend(part);
        }
        all.sort();
        let mut expected = names.clone();
        expected.sort();
        assert_eq!(all, expected);
    }

    #[test]
    fn bad_shards_are_rejected_with_the_expected_form() {
        for bad in ["0/3", "4/3", "1", "a/b", "1/0", ""] {
            let err = parse_shard(bad).unwrap_err();
            assert!(err.to_string().contains("i/n"), "{bad}");
        }
        assert_eq!(parse_shard(" 2/4 ").unwrap(), Shard { index: 2, count: 4 });
    }

    #[test]
    fn normal_variates_have_unit_variance() {
        let mut rng = SplitMix64::new(3);
        let xs: Vec<f64> = (0..20000).map(|_| rng.next_normal()).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64;
        assert!(m.abs() < 0.03 && (v - 1.0).abs() < 0.03, "{m} {v}");
    }
}
