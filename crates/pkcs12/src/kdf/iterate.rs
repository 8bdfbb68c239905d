//! The iterated hashing inside PBKDF2 and the PKCS#12 KDF, driven directly
//! through the hash crates' compression functions.
//!
//! Almost all of pfxgen's time goes into these loops, so each iteration does
//! exactly the compressions the algorithm needs and nothing else:
//!
//! * HMAC's inner and outer states (the key XOR ipad/opad blocks) are
//!   compressed once per derivation, not once per iteration.
//! * An iteration hashes one digest: that message fits one block, whose
//!   `0x80` padding byte and length field are written once before the loop;
//!   each iteration only overwrites the digest bytes at the front.
//! * No allocation, no hasher objects, no buffering: a copy of the 32- or
//!   64-byte state, one call of [`sha1::block_api::compress`] /
//!   [`sha2::block_api::compress256`] / [`sha2::block_api::compress512`]
//!   (which pick SHA-NI, AVX2 or NEON at run time), and the big-endian
//!   digest written back into the next block.
//!
//! Everything is checked against the RFC vectors (in `kdf.rs` and
//! `tests/vectors.rs`) and differentially against the `pbkdf2` and `sha2`
//! crates (`tests/kdf_differential.rs`, `fuzz/fuzz_targets/kdf_differential.rs`).

use zeroize::{Zeroize, Zeroizing};

/// One Merkle–Damgård hash as its compression function sees it.
pub(super) trait Core {
    /// The chaining state (`[u32; 5]` for SHA-1, `[u32; 8]`, `[u64; 8]`).
    type State: Copy + Zeroize;
    /// One message block (64 or 128 bytes).
    type Block: Copy + Zeroize + AsRef<[u8]> + AsMut<[u8]>;
    /// The initial state (FIPS 180-4, Section 5.3).
    const IV: Self::State;
    /// A block of zeros.
    const ZERO: Self::Block;
    /// Block length in bytes.
    const BLOCK_LEN: usize;
    /// Digest length in bytes (the state truncated for SHA-224/384).
    const OUT_LEN: usize;
    /// Length of the big-endian bit-length field in the final block.
    const LEN_FIELD: usize;
    /// Compresses one block into `state`.
    fn compress(state: &mut Self::State, block: &Self::Block);
    /// Writes the digest (big-endian, `OUT_LEN` bytes) to the front of `block`.
    fn write_digest(state: &Self::State, block: &mut Self::Block);
}

macro_rules! core {
    ($name:ident, $word:ty, $words:literal, $block:literal, $out:literal, $len_field:literal,
     $compress:path, $iv:expr) => {
        pub(super) struct $name;
        impl Core for $name {
            type State = [$word; $words];
            type Block = [u8; $block];
            const IV: Self::State = $iv;
            const ZERO: Self::Block = [0; $block];
            const BLOCK_LEN: usize = $block;
            const OUT_LEN: usize = $out;
            const LEN_FIELD: usize = $len_field;
            #[inline(always)]
            fn compress(state: &mut Self::State, block: &Self::Block) {
                $compress(state, core::slice::from_ref(block));
            }
            #[inline(always)]
            fn write_digest(state: &Self::State, block: &mut Self::Block) {
                const W: usize = size_of::<$word>();
                for (dst, word) in block.chunks_exact_mut(W).zip(state).take($out / W) {
                    for (d, s) in dst.iter_mut().zip(word.to_be_bytes()) {
                        *d = s;
                    }
                }
            }
        }
    };
}

core!(
    Sha1,
    u32,
    5,
    64,
    20,
    8,
    sha1::block_api::compress,
    [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ]
);
core!(
    Sha224,
    u32,
    8,
    64,
    28,
    8,
    sha2::block_api::compress256,
    [
        0xc105_9ed8,
        0x367c_d507,
        0x3070_dd17,
        0xf70e_5939,
        0xffc0_0b31,
        0x6858_1511,
        0x64f9_8fa7,
        0xbefa_4fa4,
    ]
);
core!(
    Sha256,
    u32,
    8,
    64,
    32,
    8,
    sha2::block_api::compress256,
    [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ]
);
core!(
    Sha384,
    u64,
    8,
    128,
    48,
    16,
    sha2::block_api::compress512,
    [
        0xcbbb_9d5d_c105_9ed8,
        0x629a_292a_367c_d507,
        0x9159_015a_3070_dd17,
        0x152f_ecd8_f70e_5939,
        0x6733_2667_ffc0_0b31,
        0x8eb4_4a87_6858_1511,
        0xdb0c_2e0d_64f9_8fa7,
        0x47b5_481d_befa_4fa4,
    ]
);
core!(
    Sha512,
    u64,
    8,
    128,
    64,
    16,
    sha2::block_api::compress512,
    [
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1,
        0x9b05_688c_2b3e_6c1f,
        0x1f83_d9ab_fb41_bd6b,
        0x5be0_cd19_137e_2179,
    ]
);

/// A hash in progress: `state` after some whole blocks, plus a partial block.
/// Used for the few non-iterated hashes (keys, salts, the KDF input).
struct Stream<C: Core> {
    state: C::State,
    block: C::Block,
    pos: usize,
    /// Bytes hashed so far, whole blocks included.
    total: u128,
}

impl<C: Core> Stream<C> {
    /// Continues from `state`, which has absorbed `blocks` whole blocks.
    fn resume(state: C::State, blocks: u128) -> Self {
        let total = blocks.saturating_mul(C::BLOCK_LEN as u128);
        Self {
            state,
            block: C::ZERO,
            pos: 0,
            total,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let free = self.block.as_mut().get_mut(self.pos..).unwrap_or_default();
            let n = free.len().min(data.len());
            let (head, rest) = data.split_at(n);
            for (d, s) in free.iter_mut().zip(head) {
                *d = *s;
            }
            self.pos += n;
            self.total = self.total.saturating_add(n as u128);
            data = rest;
            if self.pos == C::BLOCK_LEN {
                C::compress(&mut self.state, &self.block);
                self.pos = 0;
            }
        }
    }

    /// Pads, compresses the last block(s) and writes the digest to the
    /// front of `out`.
    fn finish(mut self, out: &mut C::Block) {
        let tail = self.block.as_mut().get_mut(self.pos..).unwrap_or_default();
        tail.fill(0);
        if let Some(first) = tail.first_mut() {
            *first = 0x80;
        }
        if self.pos + 1 + C::LEN_FIELD > C::BLOCK_LEN {
            C::compress(&mut self.state, &self.block);
            self.block = C::ZERO;
        }
        let bits = self.total.saturating_mul(8).to_be_bytes();
        let fields = self.block.as_mut().iter_mut().rev().zip(bits.iter().rev());
        for (d, s) in fields.take(C::LEN_FIELD) {
            *d = *s;
        }
        C::compress(&mut self.state, &self.block);
        C::write_digest(&self.state, out);
    }
}

impl<C: Core> Drop for Stream<C> {
    fn drop(&mut self) {
        self.state.zeroize();
        self.block.zeroize();
    }
}

/// A one-block message holding one digest: the digest goes to the front
/// (written by each iteration), the padding and the length of a message of
/// `prefix_blocks` whole blocks plus one digest are written here, once.
fn digest_block<C: Core>(prefix_blocks: usize) -> Zeroizing<C::Block> {
    let mut block = Zeroizing::new(C::ZERO);
    if let Some(pad) = block.as_mut().get_mut(C::OUT_LEN) {
        *pad = 0x80;
    }
    let bits = ((prefix_blocks * C::BLOCK_LEN + C::OUT_LEN) * 8) as u64;
    let fields = block
        .as_mut()
        .iter_mut()
        .rev()
        .zip(bits.to_be_bytes().into_iter().rev());
    for (d, s) in fields {
        *d = s;
    }
    block
}

/// HMAC keyed once: the states after the key XOR ipad and opad blocks.
pub(super) struct HmacKey<C: Core> {
    inner: C::State,
    outer: C::State,
}

impl<C: Core> HmacKey<C> {
    /// Keys HMAC with `key` (hashed first if longer than a block).
    pub(super) fn new(key: &[u8]) -> Self {
        let mut padded = Zeroizing::new(C::ZERO);
        if key.len() > C::BLOCK_LEN {
            let mut hash = Stream::<C>::resume(C::IV, 0);
            hash.update(key);
            hash.finish(&mut padded);
        } else {
            for (d, s) in padded.as_mut().iter_mut().zip(key) {
                *d = *s;
            }
        }
        let pad_with = |byte: u8| {
            let mut block = Zeroizing::new(*padded);
            for b in block.as_mut() {
                *b ^= byte;
            }
            let mut state = C::IV;
            C::compress(&mut state, &block);
            state
        };
        let inner = pad_with(0x36);
        let outer = pad_with(0x5c);
        Self { inner, outer }
    }

    /// HMAC of the concatenation of `parts`, to the front of `out`.
    fn mac(&self, parts: &[&[u8]], out: &mut C::Block) {
        let mut inner = Stream::<C>::resume(self.inner, 1);
        for part in parts {
            inner.update(part);
        }
        inner.finish(out);
        let mut outer = Stream::<C>::resume(self.outer, 1);
        outer.update(out.as_ref().get(..C::OUT_LEN).unwrap_or_default());
        outer.finish(out);
    }
}

impl<C: Core> Drop for HmacKey<C> {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// PBKDF2 (RFC 8018, Section 5.2) with HMAC over `C`, filling `out`.
pub(super) fn pbkdf2<C: Core>(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
    let key = HmacKey::<C>::new(password);
    // U_j goes into the inner block; the inner digest into the outer block.
    let mut inner_block = digest_block::<C>(1);
    let mut outer_block = digest_block::<C>(1);
    let mut state = Zeroizing::new(C::IV);
    for (index, t) in (1u32..).zip(out.chunks_mut(C::OUT_LEN)) {
        key.mac(&[salt, &index.to_be_bytes()], &mut inner_block);
        xor_into(t, &inner_block);
        for _ in 1..iterations {
            *state = key.inner;
            C::compress(&mut state, &inner_block);
            C::write_digest(&state, &mut outer_block);
            *state = key.outer;
            C::compress(&mut state, &outer_block);
            C::write_digest(&state, &mut inner_block);
            xor_into(t, &inner_block);
        }
    }
}

fn xor_into<B: AsRef<[u8]>>(t: &mut [u8], u: &B) {
    for (t, u) in t.iter_mut().zip(u.as_ref()) {
        *t ^= *u;
    }
}

/// The PKCS#12 KDF's `A = H^c(D || I)` (RFC 7292, Appendix B.2, step 6a),
/// to the front of `a`.
pub(super) fn pkcs12_iterate<C: Core>(d_and_i: &[&[u8]], iterations: u32, a: &mut C::Block) {
    let mut first = Stream::<C>::resume(C::IV, 0);
    for part in d_and_i {
        first.update(part);
    }
    let mut block = digest_block::<C>(0);
    first.finish(&mut block);
    let mut state = Zeroizing::new(C::IV);
    for _ in 1..iterations {
        *state = C::IV;
        C::compress(&mut state, &block);
        C::write_digest(&state, &mut block);
    }
    *a = *block;
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    /// The streaming hash equals the crate's for lengths around every
    /// padding boundary.
    fn stream_matches<C: Core, D: sha2::Digest>() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3).to_le_bytes()[0]).collect();
        for len in 0..data.len() {
            for split in [0, len / 3, len] {
                let mut s = Stream::<C>::resume(C::IV, 0);
                s.update(&data[..split]);
                s.update(&data[split..len]);
                let mut out = C::ZERO;
                s.finish(&mut out);
                assert_eq!(
                    &out.as_ref()[..C::OUT_LEN],
                    D::digest(&data[..len]).as_slice(),
                    "length {len}"
                );
            }
        }
    }

    #[test]
    fn stream_matches_the_hash_crates() {
        stream_matches::<Sha1, sha1::Sha1>();
        stream_matches::<Sha224, sha2::Sha224>();
        stream_matches::<Sha256, sha2::Sha256>();
        stream_matches::<Sha384, sha2::Sha384>();
        stream_matches::<Sha512, sha2::Sha512>();
    }

    /// The fixed digest block is exactly the padded one-digest message.
    #[test]
    fn digest_block_is_the_padded_message() {
        let digest = sha2::Sha256::digest(b"x");
        let mut block = digest_block::<Sha256>(0);
        block[..32].copy_from_slice(&digest);
        let mut state = Sha256::IV;
        Sha256::compress(&mut state, &block);
        let mut out = Sha256::ZERO;
        Sha256::write_digest(&state, &mut out);
        assert_eq!(&out[..32], sha2::Sha256::digest(digest).as_slice());
    }
}
