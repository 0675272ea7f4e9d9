//! Password hashing with argon2id (OWASP's m=19 MiB, t=2, p=1). Each verify costs tens of
//! milliseconds of CPU, so it runs on the blocking pool behind a semaphore that leaves a
//! core for page traffic, and a login flood waits a bounded time instead of piling up.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
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
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
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
    wait: Duration,
}

impl Hasher {
    pub fn new(permits: usize, wait: Duration) -> Hasher {
        Hasher {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            wait,
        }
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
