//! The HTTP server around the router: hyper's HTTP/1 connection with a header read
//! timeout (hyper's own setting, which `axum::serve` leaves without a timer and therefore
//! off), the client's address for `ConnectInfo`, and a graceful shutdown: once the signal
//! comes, the listener is closed (new connections are refused), each open connection
//! finishes the request it is serving and is closed, idle ones at once, and whatever is
//! still open after the grace period is dropped. The body and whole-request timeouts are
//! tower-http layers in [`crate::web::router`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How the connections open at the shutdown signal ended.
#[derive(Debug, Clone, Copy)]
pub struct Drained {
    /// Connections open when the signal came (serving a request, or idle).
    pub open: usize,
    /// Connections still open when the grace period ran out (0 when all finished).
    pub cut_off: usize,
    /// From the signal until the last connection closed, or the grace period ran out.
    pub took: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the open connections
/// finish for at most `grace`. A client that has not sent its whole request head within
/// `header_timeout` is disconnected.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    grace: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<Drained> {
    let graceful = GracefulShutdown::new();
    // Connections whose task is still running (for the shutdown's log).
    let open_now = Arc::new(AtomicUsize::new(0));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::error!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                req.map(Body::new)
            });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        // No upgrades: the portal has no WebSocket routes.
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        let open = Open::count(&open_now);
        tokio::spawn(async move {
            let _open = open;
            if let Err(e) = conn.await {
                // Timeouts and clients that hang up land here; nothing to answer.
                tracing::debug!(error = %e, client = %remote, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let started = std::time::Instant::now();
    let open = open_now.load(Ordering::SeqCst);
    tracing::info!(
        open_connections = open,
        grace_secs = grace.as_secs(),
        "shutting down: no new connections; letting requests in flight finish"
    );
    let finished = tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_ok();
    let drained = Drained {
        open,
        cut_off: if finished {
            0
        } else {
            open_now.load(Ordering::SeqCst)
        },
        took: started.elapsed(),
    };
    if finished {
        tracing::info!(
            open_connections = drained.open,
            drain_ms = drained.took.as_millis() as u64,
            "every open connection finished"
        );
    } else {
        tracing::warn!(
            open_connections = drained.open,
            cut_off = drained.cut_off,
            drain_ms = drained.took.as_millis() as u64,
            "connections still open after the shutdown grace period are dropped"
        );
    }
    Ok(drained)
}

/// One open connection in the count, until dropped with its task.
struct Open(Arc<AtomicUsize>);

impl Open {
    fn count(open: &Arc<AtomicUsize>) -> Open {
        open.fetch_add(1, Ordering::SeqCst);
        Open(open.clone())
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
