//! Password hashing with argon2id (OWASP's m=19 MiB, t=2, p=1). Each verify costs tens of
//! milliseconds of CPU, so it runs on the blocking pool behind a semaphore that leaves a
//! core for page traffic, and a login flood waits a bounded time instead of piling up.

use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

fn argon2() -> Argon2<'static> {
    // OWASP recommendation for argon2id.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes synchronously; callers on the async runtime go through [`Hasher::hash`].
pub fn hash_blocking(password: &str) -> AppResult<String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

pub fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut out = [0u8; Output::MAX_LENGTH];
    let Some(out) = out.get_mut(..expected.len()) else {
        return false;
    };
    let blocks = params.block_count();
    let hashed = with_memory(blocks, |memory| {
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            out,
            memory,
        )
    });
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(out).is_ok_and(|o| &o == expected)
}

/// argon2's working memory (19 MiB per verification), kept for the next one. argon2 would
/// allocate it zeroed each time, and with the allocator returning freed memory at once
/// (see `main.rs`) every login then took ~4,900 page faults: 58 instead of 70
/// verifications per second on one core. At most [`login_permits`] blocks are kept.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let kept = MEMORY.lock().unwrap_or_else(|e| e.into_inner()).pop();
    // argon2 writes every block before it reads it, so a reused block needs no zeroing.
    let mut memory = kept
        .filter(|m| m.len() == blocks)
        .unwrap_or_else(|| vec![Block::default(); blocks]);
    let out = f(&mut memory);
    let mut pool = MEMORY.lock().unwrap_or_else(|e| e.into_inner());
    if pool.len() < login_permits() {
        pool.push(memory);
    }
    out
}

/// Verified against when the login is unknown, so that unknown and known users take the
/// same time to refuse.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("fenfa-dummy-password").unwrap_or_default());

/// How many password verifications run at once: `max(1, cores - 1)`, leaving a core for
/// page traffic.
pub fn login_permits() -> usize {
    num_cpus::get().saturating_sub(1).max(1)
}

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    total: usize,
    wait: Duration,
}

impl Hasher {
    pub fn new(permits: usize, wait: Duration) -> Hasher {
        Hasher {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            total: permits.max(1),
            wait,
        }
    }

    /// (permits in use, all permits), for the metrics.
    pub fn permits_in_use(&self) -> (usize, usize) {
        (
            self.total.saturating_sub(self.permits.available_permits()),
            self.total,
        )
    }

    /// [`login_permits`] permits.
    pub fn for_this_machine() -> Hasher {
        Hasher::new(login_permits(), Duration::from_secs(5))
    }

    async fn with_permit<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| AppError::TooBusy("error.busy"))?
            .map_err(AppError::internal)?;
        let out = tokio::task::spawn_blocking(move || {
            let out = f();
            drop(permit);
            out
        })
        .await
        .map_err(AppError::internal)?;
        Ok(out)
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.with_permit(move || hash_blocking(&password)).await?
    }

    /// Verifies `password` against `hash`, or against the dummy hash when there is none.
    pub async fn verify(&self, password: String, hash: Option<String>) -> AppResult<bool> {
        self.with_permit(move || match hash {
            Some(h) => verify_blocking(&password, &h),
            None => {
                let _ = verify_blocking(&password, &DUMMY_HASH);
                false
            }
        })
        .await
    }

    /// Computes the dummy hash before the first login needs it.
    pub fn warm_up() {
        LazyLock::force(&DUMMY_HASH);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_and_no_other_with_reused_memory() {
        let hash = hash_blocking("correct horse").expect("hash");
        // Twice each: the second verification runs on the kept working memory.
        for _ in 0..2 {
            assert!(verify_blocking("correct horse", &hash));
            assert!(!verify_blocking("correct horsf", &hash));
        }
    }

    #[test]
    fn hashes_made_with_other_argon2_parameters_still_verify() {
        let params = Params::new(4096, 3, 1, Some(32)).expect("params");
        let old = Argon2::new(Algorithm::Argon2i, Version::V0x10, params)
            .hash_password(b"older account")
            .expect("hash")
            .to_string();
        assert!(verify_blocking("older account", &old));
        assert!(!verify_blocking("other", &old));
    }

    #[test]
    fn a_malformed_hash_refuses_instead_of_failing() {
        assert!(!verify_blocking("x", ""));
        assert!(!verify_blocking(
            "x",
            "$argon2id$v=19$m=19456,t=2,p=1$bm9zYWx0"
        ));
        assert!(!verify_blocking("x", "not a hash"));
    }
}
