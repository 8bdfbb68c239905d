//! RSA key generation on all cores.
//!
//! What `rsa::PrivateKey::new` does, with the prime search spread over
//! threads: each prime is the first probable prime (Baillie–PSW,
//! `crypto_primes::is_prime`) that a small-factor sieve yields from a fresh
//! random odd start with its top two bits set (so that n has exactly the
//! requested size). Every core searches; the first prime found is p, the
//! next one q. The key is then assembled and validated by
//! `rsa::PrivateKey::from_primes`, exactly as the `rsa` crate's own
//! generator does, and rejected (and the search redone) if p = q, if
//! e = 65537 is not invertible, or if n is not exactly `bits` long.

use std::{
    num::{NonZero, NonZeroU32},
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread,
};

use crypto_bigint::{BitOps as _, RandomBits as _};
use crypto_primes::{Flavor, hazmat::SmallFactorsSieve, is_prime};
use getrandom::SysRng;
use rsa::BoxedUint;

use crate::Error;

/// An RSA key of `bits` bits with e = 65537 and two primes of `bits / 2`.
pub(crate) fn generate(bits: u32) -> Result<rsa::PrivateKey, Error> {
    let generation = |detail: String| Error::Generation { detail };
    let prime_bits = NonZeroU32::new(bits / 2)
        .filter(|b| b.get() >= 64)
        .ok_or_else(|| generation(format!("{bits}-bit RSA keys are not supported")))?;
    loop {
        let [p, q] = two_primes(prime_bits)?;
        match rsa::PrivateKey::from_primes(vec![p, q], BoxedUint::from(65_537u32)) {
            Ok(key) if n_bits(&key) == bits => return Ok(key),
            // p = q or e not invertible (the `rsa` crate retries these too).
            Ok(_) | Err(rsa::Error::InvalidPrime) => {}
            Err(e) => return Err(generation(e.to_string())),
        }
    }
}

fn n_bits(key: &rsa::PrivateKey) -> u32 {
    rsa::traits::PublicKeyParts::n(key)
        .as_ref()
        .bit_width_vartime()
}

/// Two primes of `bits` bits, searched for on every core.
fn two_primes(bits: NonZeroU32) -> Result<[BoxedUint; 2], Error> {
    let found: Mutex<Vec<BoxedUint>> = Mutex::new(Vec::with_capacity(2));
    let done = AtomicBool::new(false);
    let search = || -> Result<(), Error> {
        while !done.load(Ordering::Relaxed) {
            let Some(prime) = one_prime(bits, &done)? else {
                return Ok(());
            };
            let mut primes = found.lock().map_err(|_| poisoned())?;
            if primes.len() < 2 {
                primes.push(prime);
            }
            if primes.len() == 2 {
                done.store(true, Ordering::Relaxed);
            }
        }
        Ok(())
    };
    let cores = thread::available_parallelism().map_or(1, NonZero::get);
    thread::scope(|scope| {
        let helpers: Vec<_> = (1..cores)
            .filter_map(|_| thread::Builder::new().spawn_scoped(scope, search).ok())
            .collect();
        let mut result = search();
        // Stop the helpers if this thread failed (the RNG).
        done.store(true, Ordering::Relaxed);
        for helper in helpers {
            let helped = helper
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            result = result.and(helped);
        }
        result
    })?;
    let primes = found.into_inner().map_err(|_| poisoned())?;
    <[BoxedUint; 2]>::try_from(primes).map_err(|_| poisoned())
}

/// The first probable prime after a random start, or `None` once `done`.
fn one_prime(bits: NonZeroU32, done: &AtomicBool) -> Result<Option<BoxedUint>, Error> {
    loop {
        let mut start =
            BoxedUint::try_random_bits(&mut SysRng, bits.get()).map_err(|e| Error::Rng {
                detail: format!("{e:?}"),
            })?;
        start.set_bit_vartime(0, true);
        start.set_bit_vartime(bits.get() - 1, true);
        start.set_bit_vartime(bits.get() - 2, true);
        let sieve = SmallFactorsSieve::new(start, bits, false).map_err(|e| Error::Generation {
            detail: e.to_string(),
        })?;
        for candidate in sieve {
            if done.load(Ordering::Relaxed) {
                return Ok(None);
            }
            if is_prime(Flavor::Any, &candidate) {
                return Ok(Some(candidate));
            }
        }
        // The sieve ran past `bits` bits: start again elsewhere.
    }
}

fn poisoned() -> Error {
    Error::Generation {
        detail: "internal error: a prime search thread failed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};

    /// The parallel search gives what `rsa::PrivateKey::new` promises: an
    /// exact-size modulus, e = 65537, two distinct primes of half the size
    /// with their top two bits set, and a key that passes the crate's checks.
    #[test]
    fn keys_have_the_size_exponent_and_primes_asked_for() {
        for bits in [2048u32, 3072] {
            let key = generate(bits).unwrap();
            assert_eq!(n_bits(&key), bits);
            assert_eq!(key.e(), &BoxedUint::from(65_537u32));
            let primes = key.primes();
            assert_eq!(primes.len(), 2);
            assert_ne!(primes[0], primes[1]);
            for p in primes {
                let p = p.as_ref();
                assert_eq!(p.bit_width_vartime(), bits / 2);
                assert!(p.bit_vartime(bits / 2 - 2), "second-highest bit set");
                assert!(is_prime(Flavor::Any, p));
            }
            key.validate().unwrap();
        }
    }

    #[test]
    fn sizes_below_128_bits_are_refused() {
        assert!(matches!(generate(64), Err(Error::Generation { .. })));
    }
}
