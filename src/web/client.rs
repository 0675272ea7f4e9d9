//! Who is calling: the socket peer, or the address a trusted proxy reports.

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

use super::AppState;

/// The socket peer, when the server was started with connect info (tests are not).
pub struct Peer(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The client address: the socket peer, or the proxy's `X-Forwarded-For` when trusted.
pub fn client_ip(state: &AppState, headers: &HeaderMap, peer: Peer) -> String {
    if state.config.trust_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
    {
        return ip.trim().to_string();
    }
    peer.0
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "local".into())
}
