//! Fenfa's own outbound HTTPS requests to addresses a provider names (a trusted domain's
//! proof, signed callbacks): https only; the name must resolve to public addresses only
//! (no reaching the platform's own network on a provider's say-so), checked on the
//! resolved addresses and pinned to the one checked, so the name is not looked up again
//! at connect time; connect and total timeouts; no redirects; answers read up to a cap.
//! A configured override base (tests, closed networks) receives the requests instead and
//! may be a private address; a configured extra CA is trusted beside the public roots.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Connecting may take this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// A whole request and its answer may take this long.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Why an outbound request did not get an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundError {
    NotHttps,
    /// The name resolves (also) to a loopback, private, link-local or multicast address.
    AddressRefused,
    Unreachable,
    Tls,
    Timeout,
    /// The answer was longer than the cap.
    TooLarge,
}

impl OutboundError {
    /// A short reason for logs and delivery records.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboundError::NotHttps => "not https",
            OutboundError::AddressRefused => "address refused",
            OutboundError::Unreachable => "unreachable",
            OutboundError::Tls => "TLS error",
            OutboundError::Timeout => "timeout",
            OutboundError::TooLarge => "answer too large",
        }
    }
}

/// Addresses a provider may make Fenfa fetch from: public unicast only.
pub fn is_public(ip: IpAddr) -> bool {
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

/// Where outbound requests go and whom they trust, from the configuration.
#[derive(Clone, Debug, Default)]
pub struct Outbound {
    /// Send every request here instead (private addresses allowed).
    pub override_base: Option<String>,
    /// A PEM file of certificate authorities trusted beside the public roots.
    pub extra_ca: Option<PathBuf>,
}

/// The certificates of a PEM file, read at each request so a renewed file needs no
/// restart (outbound requests are rare: a form's check, a callback).
fn extra_roots(path: &PathBuf) -> Result<Vec<reqwest::Certificate>, OutboundError> {
    let pem = std::fs::read(path).map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "the extra CA file cannot be read");
        OutboundError::Tls
    })?;
    reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "the extra CA file holds no certificate");
        OutboundError::Tls
    })
}

/// A client for `url` and the URL to send to: pinned to a checked public address, or
/// aimed at the override base (keeping the path and query).
pub async fn client_for(
    url: &str,
    settings: &Outbound,
) -> Result<(reqwest::Client, String), OutboundError> {
    let parsed = url::Url::parse(url).map_err(|_| OutboundError::NotHttps)?;
    if parsed.scheme() != "https" {
        return Err(OutboundError::NotHttps);
    }
    let mut builder = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(path) = &settings.extra_ca {
        for root in extra_roots(path)? {
            builder = builder.add_root_certificate(root);
        }
    }
    let (builder, target) = match settings.override_base.as_deref() {
        Some(base) => {
            let mut target = format!("{}{}", base.trim_end_matches('/'), parsed.path());
            if let Some(q) = parsed.query() {
                target.push('?');
                target.push_str(q);
            }
            (builder, target)
        }
        None => {
            let host = parsed
                .host_str()
                .ok_or(OutboundError::Unreachable)?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let port = parsed.port_or_known_default().unwrap_or(443);
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|_| OutboundError::Unreachable)?
                .collect();
            let Some(first) = addrs.first().copied() else {
                return Err(OutboundError::Unreachable);
            };
            if !addrs.iter().all(|a| is_public(a.ip())) {
                return Err(OutboundError::AddressRefused);
            }
            // Pinned: the name is not looked up again between the check and the request.
            (builder.resolve(&host, first), url.to_string())
        }
    };
    let client = builder.build().map_err(|_| OutboundError::Unreachable)?;
    Ok((client, target))
}

/// Why a request failed, from reqwest's error and its causes. A connect error that is
/// neither the TCP connection nor the name lookup happened in the TLS handshake (rustls'
/// errors: a certificate, an alert, a peer that does not speak TLS).
pub fn classify(e: &reqwest::Error) -> OutboundError {
    if e.is_timeout() {
        return OutboundError::Timeout;
    }
    // The causes only: reqwest's own message carries the URL, which could contain any word.
    let mut chain = Vec::new();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        chain.push(c.to_string().to_ascii_lowercase());
        cause = c.source();
    }
    let any = |words: &[&str]| chain.iter().any(|t| words.iter().any(|w| t.contains(w)));
    if any(&["timed out"]) {
        OutboundError::Timeout
    } else if any(&["certificate", "tls", "handshake"])
        || (e.is_connect() && !any(&["tcp connect", "dns error", "connection refused"]))
    {
        OutboundError::Tls
    } else {
        OutboundError::Unreachable
    }
}

/// The answer's body, at most `cap` bytes.
pub async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, OutboundError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&e))? {
        body.extend_from_slice(&chunk);
        if body.len() > cap {
            return Err(OutboundError::TooLarge);
        }
    }
    Ok(body)
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

    #[tokio::test]
    async fn a_name_for_an_internal_address_is_refused_and_http_is_not_https() {
        let direct = Outbound::default();
        let refused = client_for("https://127.0.0.1/cb", &direct).await.err();
        assert_eq!(refused, Some(OutboundError::AddressRefused));
        let http = client_for("http://8.8.8.8/cb", &direct).await.err();
        assert_eq!(http, Some(OutboundError::NotHttps));
        let aimed = Outbound {
            override_base: Some("http://127.0.0.1:9/".into()),
            extra_ca: None,
        };
        let (_, to) = client_for("https://isv.example.com/cb?x=1", &aimed)
            .await
            .expect("override");
        assert_eq!(to, "http://127.0.0.1:9/cb?x=1");
    }
}
