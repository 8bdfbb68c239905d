use crate::Error;
use zeroize::Zeroizing;

/// Fills `buf` from the operating system's cryptographically secure random
/// number generator (`getrandom(2)` on Linux, `ProcessPrng` on Windows).
///
/// # Errors
/// [`Error::Rng`] if the operating system cannot supply random bytes; callers
/// must not fall back to anything weaker.
pub fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|e| Error::Rng {
        detail: e.to_string(),
    })
}

/// Returns `len` fresh random bytes in a buffer that is wiped when dropped.
///
/// # Errors
/// [`Error::Rng`] as for [`fill_random`].
pub fn random_bytes(len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    fill_random(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_are_not_constant() {
        let a = random_bytes(32).unwrap();
        let b = random_bytes(32).unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(*a, *b, "two 256-bit draws collided: the RNG is broken");
        assert_ne!(*a, vec![0u8; 32]);
    }
}
