//! The trusted domain's proof (an addition in place of the seed's ICP filing check): the
//! provider serves the custom app's Fenfa-issued token at a well-known path of the domain,
//! and Fenfa fetches it over HTTPS. The host must resolve to public addresses only (no
//! fetching of the platform's own network on a provider's say-so), the connection is
//! pinned to the address checked, redirects are not followed and the answer is capped.

use std::net::SocketAddr;
use std::time::Duration;

use crate::tools::outbound::is_public;

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

/// Fetches the token from `domain` (or from `override_base`, for tests and closed
/// networks) and compares it with `token`.
pub(crate) async fn prove(
    domain: &str,
    token: &str,
    override_base: Option<&str>,
) -> Result<(), ProofError> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none());
    let (client, url) = match override_base {
        Some(base) => (
            client,
            format!("{}{WELL_KNOWN}", base.trim_end_matches('/')),
        ),
        None => {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((domain, 443))
                .await
                .map_err(|_| ProofError::Unreachable)?
                .collect();
            let Some(first) = addrs.first().copied() else {
                return Err(ProofError::Unreachable);
            };
            if !addrs.iter().all(|a| is_public(a.ip())) {
                return Err(ProofError::Unreachable);
            }
            // Pinned: the name is not looked up again between the check and the fetch.
            (
                client.resolve(domain, first),
                format!("https://{domain}{WELL_KNOWN}"),
            )
        }
    };
    let client = client.build().map_err(|_| ProofError::Unreachable)?;
    let mut resp = client
        .get(&url)
        .send()
        .await
        .map_err(|_| ProofError::Mismatch)?;
    if !resp.status().is_success() {
        return Err(ProofError::Mismatch);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|_| ProofError::Mismatch)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ANSWER {
            return Err(ProofError::Mismatch);
        }
    }
    if String::from_utf8_lossy(&body).trim() == token {
        Ok(())
    } else {
        Err(ProofError::Mismatch)
    }
}
