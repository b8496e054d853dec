//! MD5 of several bodies at once, one body per SIMD lane. A SendMessageBatch carries up to ten
//! bodies and SQS answers each with its MD5; one MD5 is a serial chain of 64 dependent steps
//! per block, so hashing bodies side by side in lanes runs several chains in the time of one.
//! The lanes are `wide::u32x8` (SSE2/AVX2 or NEON registers, plain integers elsewhere), so
//! there is no `unsafe` and no per-target code here. Output equals `md5_of` for every input
//! (property-tested). Pure: depends on nothing but `std`, `wide` and `message::md5_of`.

use wide::u32x8;

use super::message::md5_of;

/// Bodies hashed side by side (eight u32 lanes: one AVX2 register or two SSE2 ones).
const LANES: usize = 8;
/// Fewer bodies than this left over are hashed one at a time: idle lanes would cost more.
const MIN_LANES_USED: usize = 3;

const INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// Per-step additive constants (RFC 1321, T[i]), four steps to a line.
#[rustfmt::skip]
const K: [u32; 64] = [
    0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee,
    0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
    0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be,
    0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
    0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa,
    0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
    0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed,
    0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
    0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c,
    0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
    0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05,
    0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
    0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039,
    0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
    0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1,
    0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
];

/// Left-rotation amounts, four per round.
const S: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

/// Writes the MD5 of `bodies[i]` into `out[i]`.
pub fn md5_many(bodies: &[&[u8]], out: &mut [[u8; 16]]) {
    assert_eq!(bodies.len(), out.len(), "one digest slot per body");
    let mut start = 0;
    while bodies.len() - start >= MIN_LANES_USED {
        let end = (start + LANES).min(bodies.len());
        hash_lanes(&bodies[start..end], &mut out[start..end]);
        start = end;
    }
    for (body, digest) in bodies[start..].iter().zip(&mut out[start..]) {
        *digest = md5_of(body);
    }
}

/// Number of 64-byte blocks after padding: the body, one 0x80 byte, the 8-byte bit length.
fn block_count(len: usize) -> usize {
    (len + 8) / 64 + 1
}

/// Hashes up to `LANES` bodies, each in its own lane. A lane that has run out of blocks keeps
/// computing on zeros; its digest was taken when its last block finished.
fn hash_lanes(bodies: &[&[u8]], out: &mut [[u8; 16]]) {
    let mut blocks = [0usize; LANES];
    for (count, body) in blocks.iter_mut().zip(bodies) {
        *count = block_count(body.len());
    }
    let most = blocks.iter().copied().max().unwrap_or(0);
    let mut state = INIT.map(u32x8::splat);
    let mut words = [[0u32; LANES]; 16];
    for block in 0..most {
        for (lane, body) in bodies.iter().enumerate() {
            load_block(body, block, blocks[lane], lane, &mut words);
        }
        compress(&mut state, &words.map(u32x8::new));
        for (lane, digest) in out.iter_mut().enumerate() {
            if block + 1 == blocks[lane] {
                for (i, word) in state.iter().enumerate() {
                    digest[i * 4..i * 4 + 4].copy_from_slice(&word.as_array()[lane].to_le_bytes());
                }
            }
        }
    }
}

/// Puts block `block` of `body`, padded as MD5 requires, into lane `lane` of `words`.
fn load_block(
    body: &[u8],
    block: usize,
    blocks: usize,
    lane: usize,
    words: &mut [[u32; LANES]; 16],
) {
    let start = block * 64;
    let mut padded = [0u8; 64];
    let bytes: &[u8] = if start + 64 <= body.len() {
        &body[start..start + 64]
    } else {
        if start < body.len() {
            padded[..body.len() - start].copy_from_slice(&body[start..]);
        }
        if (start..start + 64).contains(&body.len()) {
            padded[body.len() - start] = 0x80;
        }
        if block + 1 == blocks {
            padded[56..].copy_from_slice(&((body.len() as u64) * 8).to_le_bytes());
        }
        &padded
    };
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        word[lane] = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
}

/// One MD5 compression of a 64-byte block in every lane. The 64 steps are written out (by
/// `step!`) so every shift and word index is a constant.
#[inline(always)]
fn compress(state: &mut [u32x8; 4], x: &[u32x8; 16]) {
    let [mut a, mut b, mut c, mut d] = *state;
    // a = b + ((a + f(b, c, d) + x[k] + K[i]) <<< s), the registers taking turns as `a`.
    macro_rules! step {
        ($f:ident, $a:ident, $b:ident, $c:ident, $d:ident, $k:expr, $i:expr, $s:expr) => {
            let sum = $a + $f($b, $c, $d) + x[$k] + u32x8::splat(K[$i]);
            $a = $b + (sum.unbounded_shl_scalar($s) | sum.unbounded_shr_scalar(32 - $s));
        };
    }
    macro_rules! round {
        ($f:ident, $r:expr, $i0:expr, [$($k:expr),*]) => {
            let ks: [usize; 16] = [$($k),*];
            round!(@four $f, $r, $i0, ks, 0);
            round!(@four $f, $r, $i0, ks, 4);
            round!(@four $f, $r, $i0, ks, 8);
            round!(@four $f, $r, $i0, ks, 12);
        };
        (@four $f:ident, $r:expr, $i0:expr, $ks:ident, $j:expr) => {
            step!($f, a, b, c, d, $ks[$j], $i0 + $j, S[$r][0]);
            step!($f, d, a, b, c, $ks[$j + 1], $i0 + $j + 1, S[$r][1]);
            step!($f, c, d, a, b, $ks[$j + 2], $i0 + $j + 2, S[$r][2]);
            step!($f, b, c, d, a, $ks[$j + 3], $i0 + $j + 3, S[$r][3]);
        };
    }
    round!(
        f,
        0,
        0,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    );
    round!(
        g,
        1,
        16,
        [1, 6, 11, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12]
    );
    round!(
        h,
        2,
        32,
        [5, 8, 11, 14, 1, 4, 7, 10, 13, 0, 3, 6, 9, 12, 15, 2]
    );
    round!(
        i,
        3,
        48,
        [0, 7, 14, 5, 12, 3, 10, 1, 8, 15, 6, 13, 4, 11, 2, 9]
    );
    for (word, step) in state.iter_mut().zip([a, b, c, d]) {
        *word += step;
    }
}

#[inline(always)]
fn f(b: u32x8, c: u32x8, d: u32x8) -> u32x8 {
    (b & c) | (!b & d)
}

#[inline(always)]
fn g(b: u32x8, c: u32x8, d: u32x8) -> u32x8 {
    (d & b) | (!d & c)
}

#[inline(always)]
fn h(b: u32x8, c: u32x8, d: u32x8) -> u32x8 {
    b ^ c ^ d
}

#[inline(always)]
fn i(b: u32x8, c: u32x8, d: u32x8) -> u32x8 {
    c ^ (b | !d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(bodies: &[Vec<u8>]) {
        let slices: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
        let mut out = vec![[0u8; 16]; bodies.len()];
        md5_many(&slices, &mut out);
        for (body, digest) in bodies.iter().zip(&out) {
            assert_eq!(*digest, md5_of(body), "body of {} bytes", body.len());
        }
    }

    #[test]
    fn every_padding_boundary_in_one_batch() {
        // Lengths around the 55/56/64-byte points where padding spills into another block,
        // all hashed side by side with different block counts.
        let bodies: Vec<Vec<u8>> = [0usize, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 256]
            .iter()
            .map(|&n| (0..n).map(|i| (i * 31 + n) as u8).collect())
            .collect();
        check(&bodies);
    }

    #[test]
    fn known_digest() {
        let mut out = [[0u8; 16]; 3];
        md5_many(&[b"hello", b"msg", b"a"], &mut out);
        assert_eq!(
            super::super::message::hex(&out[0]),
            "5d41402abc4b2a76b9719d911017c592"
        );
        assert_eq!(
            super::super::message::hex(&out[2]),
            "0cc175b9c0f1b6a831c399e269772661"
        );
    }

    proptest! {
        #[test]
        fn equals_one_at_a_time(bodies in proptest::collection::vec(
            proptest::collection::vec(any::<u8>(), 0..300), 0..20)) {
            check(&bodies);
        }
    }
}
