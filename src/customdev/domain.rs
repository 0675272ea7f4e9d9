//! The trusted domain's proof (an addition in place of the seed's ICP filing check): the
//! provider serves the custom app's Fenfa-issued token at a well-known path of the domain,
//! and Fenfa fetches it over HTTPS. The host must resolve to public addresses only (no
//! fetching of the platform's own network on a provider's say-so), the connection is
//! pinned to the address checked, redirects are not followed and the answer is capped.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

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

/// Addresses a provider may make Fenfa fetch from: public unicast only.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                // 100.64.0.0/10, carrier-grade NAT
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local
                || (seg[0] & 0xffc0) == 0xfe80 // link local
                || v6.to_ipv4_mapped().is_some_and(|v4| !is_public(IpAddr::V4(v4))))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched_from() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        for public in ["8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }
}
