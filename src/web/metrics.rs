//! The Prometheus metrics: requests counted and timed per route template (the pattern,
//! never the concrete path, so ids and tokens neither leak nor multiply the series), by
//! method and status class; and, read when scraped, the pool's connections, the argon2
//! permits in use and the job queue's depth. Served by [`router`] on a listen address of
//! its own (`FENFA_METRICS_BIND`), never on the public one.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Extensions, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use super::AppState;

/// The series of one running portal, in a registry of its own (no process-wide state:
/// two portals in one test process count apart).
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    argon2_in_use: IntGauge,
    argon2_permits: IntGauge,
    jobs_pending: IntGauge,
}

const REQUEST_LABELS: &[&str] = &["route", "method", "status"];

impl Metrics {
    pub fn new() -> Metrics {
        let requests = IntCounterVec::new(
            Opts::new(
                "fenfa_http_requests_total",
                "HTTP requests answered, by route template, method and status class.",
            ),
            REQUEST_LABELS,
        )
        .expect("a valid counter");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "fenfa_http_request_duration_seconds",
                "Time to answer an HTTP request (until the response head), by route template, \
                 method and status class.",
            ),
            REQUEST_LABELS,
        )
        .expect("a valid histogram");
        let pool = IntGaugeVec::new(
            Opts::new(
                "fenfa_db_pool_connections",
                "Database pool connections, by state (in_use, idle).",
            ),
            &["state"],
        )
        .expect("a valid gauge");
        let argon2_in_use = IntGauge::new(
            "fenfa_argon2_permits_in_use",
            "Password hashes or verifications running now.",
        )
        .expect("a valid gauge");
        let argon2_permits = IntGauge::new(
            "fenfa_argon2_permits",
            "Password hashes or verifications that may run at once.",
        )
        .expect("a valid gauge");
        let jobs_pending = IntGauge::new(
            "fenfa_jobs_pending",
            "Durable jobs waiting to run or to be retried.",
        )
        .expect("a valid gauge");
        let registry = Registry::new();
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool.clone()),
            Box::new(argon2_in_use.clone()),
            Box::new(argon2_permits.clone()),
            Box::new(jobs_pending.clone()),
        ] {
            registry.register(c).expect("distinct metric names");
        }
        Metrics {
            registry,
            requests,
            latency,
            pool,
            argon2_in_use,
            argon2_permits,
            jobs_pending,
        }
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

/// Where the route layer leaves the matched route template for [`count`], which runs
/// outside the router and so never sees `MatchedPath` itself.
#[derive(Clone, Default)]
struct RouteSlot(Arc<OnceLock<MatchedPath>>);

/// Notes the request's route template for the metrics (called by every route's layer).
pub fn note_route(extensions: &Extensions) {
    if let (Some(slot), Some(path)) = (
        extensions.get::<RouteSlot>(),
        extensions.get::<MatchedPath>(),
    ) {
        let _ = slot.0.set(path.clone());
    }
}

/// The middleware that counts and times every request; unmatched ones count as `other`.
pub(super) async fn count(
    State(metrics): State<Arc<Metrics>>,
    mut req: Request,
    next: Next,
) -> Response {
    let slot = RouteSlot::default();
    req.extensions_mut().insert(slot.clone());
    let method = method_label(req.method());
    let started = Instant::now();
    let resp = next.run(req).await;
    let route = slot.0.get().map_or("other", MatchedPath::as_str);
    let labels = [route, method, status_class(resp.status())];
    metrics.requests.with_label_values(&labels).inc();
    metrics
        .latency
        .with_label_values(&labels)
        .observe(started.elapsed().as_secs_f64());
    resp
}

/// The methods the portal serves; anything else is `other` (a client cannot mint series).
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

fn status_class(s: StatusCode) -> &'static str {
    match s.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// `GET /metrics` alone, for the separate metrics listener.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    let m = &state.metrics;
    // Read before the queue's count below takes a connection of its own.
    let (in_use, idle) = state.db.pool_use();
    m.pool.with_label_values(&["in_use"]).set(in_use.into());
    m.pool.with_label_values(&["idle"]).set(idle.into());
    let (argon2_in_use, argon2_permits) = state.hasher.permits_in_use();
    m.argon2_in_use
        .set(i64::try_from(argon2_in_use).unwrap_or(i64::MAX));
    m.argon2_permits
        .set(i64::try_from(argon2_permits).unwrap_or(i64::MAX));
    // A database that does not answer leaves the last depth standing; `/readyz` says why.
    if let Ok(depth) = state.db.run(crate::jobs::pending).await {
        m.jobs_pending.set(depth);
    }
    let encoder = TextEncoder::new();
    let mut body = Vec::new();
    if encoder.encode(&m.registry.gather(), &mut body).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(header::CONTENT_TYPE, encoder.format_type().to_string())],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_and_unknown_methods_keep_the_series_few() {
        assert_eq!(status_class(StatusCode::OK), "2xx");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::NOT_FOUND), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
        assert_eq!(method_label(&Method::POST), "POST");
        let odd = Method::from_bytes(b"BREW").expect("a method");
        assert_eq!(method_label(&odd), "other");
    }
}
