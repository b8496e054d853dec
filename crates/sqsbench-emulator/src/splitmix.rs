//! SplitMix64: a tiny, seedable, fast generator for message ids and fault decisions, so that a
//! seed reproduces the same ids and the same injected faults. Depends on nothing.

/// A seeded stream of 64-bit values.
#[derive(Debug, Clone)]
pub struct Mix {
    state: u64,
}

impl Mix {
    pub fn new(seed: u64) -> Self {
        Mix { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        finalize(self.state)
    }

    pub fn next_u128(&mut self) -> u128 {
        ((self.next_u64() as u128) << 64) | self.next_u64() as u128
    }

    /// A uniform draw in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (0 never draws, so a zero rate costs nothing and changes nothing).
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }
}

/// Stateless mixing of a value: the same input always gives the same well-spread output.
pub fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Mixes a string into a seed (FNV-1a then finalized), e.g. to give each queue its own stream.
pub fn seed_for(seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    finalize(seed ^ h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Mix::new(7), Mix::new(7));
        assert_eq!(
            (0..5).map(|_| a.next_u64()).collect::<Vec<_>>(),
            (0..5).map(|_| b.next_u64()).collect::<Vec<_>>()
        );
        assert_ne!(seed_for(1, "a"), seed_for(1, "b"));
    }

    #[test]
    fn chance_tracks_probability() {
        let mut m = Mix::new(1);
        let hits = (0..100_000).filter(|_| m.chance(0.25)).count();
        assert!((24_000..26_000).contains(&hits), "{hits}");
        assert!(!(0..1000).any(|_| m.chance(0.0)));
    }
}
