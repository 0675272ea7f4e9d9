//! The trusted domain's proof (an addition in place of the seed's ICP filing check): the
//! provider serves the custom app's Fenfa-issued token at a well-known path of the domain,
//! and Fenfa fetches it over HTTPS. The host must resolve to public addresses only (no
//! fetching of the platform's own network on a provider's say-so), the connection is
//! pinned to the address checked, redirects are not followed and the answer is capped.

use crate::tools::outbound::{self, Outbound};

/// Where the token is served.
pub(crate) const WELL_KNOWN: &str = "/.well-known/fenfa-domain-verification.txt";
/// The most of an answer read.
const MAX_ANSWER: usize = 1024;

/// Why a proof failed, each with its message beside the field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ProofError {
    /// The name does not resolve, or not to public addresses only.
    Unreachable,
    /// No answer, an error status, or not the token.
    Mismatch,
}

impl ProofError {
    pub(crate) fn key(&self) -> &'static str {
        match self {
            ProofError::Unreachable => "customdev.error.domain_unreachable",
            ProofError::Mismatch => "customdev.error.domain_mismatch",
        }
    }
}

/// Fetches the token from `domain` (or from the override base, for tests and closed
/// networks) and compares it with `token`.
pub(crate) async fn prove(
    domain: &str,
    token: &str,
    settings: &Outbound,
) -> Result<(), ProofError> {
    let (client, url) = outbound::client_for(&format!("https://{domain}{WELL_KNOWN}"), settings)
        .await
        .map_err(|_| ProofError::Unreachable)?;
    let resp = client
        .get(&url)
        .send()
        .await
        .map_err(|_| ProofError::Mismatch)?;
    if !resp.status().is_success() {
        return Err(ProofError::Mismatch);
    }
    let body = outbound::read_capped(resp, MAX_ANSWER)
        .await
        .map_err(|_| ProofError::Mismatch)?;
    if String::from_utf8_lossy(&body).trim() == token {
        Ok(())
    } else {
        Err(ProofError::Mismatch)
    }
}
