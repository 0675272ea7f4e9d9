//! Error pages: every refusal, whether an `AppError`, the CSRF layer, an axum rejection or
//! a timeout, becomes the same localised page, with the navigation of the page that failed.

use super::*;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    l: Layout,
    status: u16,
    message: String,
    /// People the refusal names to turn to (see [`crate::error::Refusal`]).
    contacts: Vec<String>,
}

/// Turns error markers (from `AppError` or the CSRF layer) into a localised page, and
/// expires a flash cookie once a page has shown it.
pub(super) async fn render_errors(
    State(_state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let slot = CtxSlot::default();
    req.extensions_mut().insert(slot.clone());
    let lang = Lang::from_headers(req.headers());
    let had_flash = crate::tools::cookie(req.headers(), FLASH_COOKIE).is_some();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;

    let csrf = resp.extensions().get::<ProtectionError>().is_some();
    let (marker, mut resp) = match resp.extensions().get::<ErrorPage>().cloned() {
        Some(m) => (Some(m), resp),
        None if csrf => (None, resp),
        None => unmarked_error(resp).await,
    };
    if csrf || marker.is_some() {
        let (status, key) = match marker {
            Some(m) => (m.status, m.key),
            None => (StatusCode::FORBIDDEN, "error.csrf"),
        };
        let ctx = slot.0.lock().ok().and_then(|g| g.clone());
        let l = match ctx {
            Some(ctx) => Layout::new(&ctx),
            None => Layout::anonymous(lang, path),
        };
        let refusal = resp.extensions().get::<crate::error::Refusal>();
        let message = match refusal {
            Some(r) => {
                let args: Vec<(&str, &str)> =
                    r.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                l.lang.tf(key, &args)
            }
            None => l.t(key).into_owned(),
        };
        let contacts = refusal.map(|r| r.contacts.clone()).unwrap_or_default();
        let page = ErrorTpl {
            l,
            status: status.as_u16(),
            message,
            contacts,
        };
        let body = page.render().unwrap_or_else(|_| status.to_string());
        return (status, Html(body)).into_response();
    }
    let is_page = resp.status().is_success()
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if had_flash && is_page {
        resp.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
        );
    }
    resp
}

/// An error answered by a layer or an extractor rather than by `AppError`: axum's
/// rejections (plain text), tower-http's timeouts and empty statuses (no body). They get
/// the same localised page. A path segment that does not parse as the id a route expects
/// (`/apps/abc`) names nothing, so axum's "Invalid URL" rejection becomes the 404 page.
async fn unmarked_error(resp: Response) -> (Option<ErrorPage>, Response) {
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return (None, resp);
    }
    let (parts, body) = resp.into_parts();
    let Ok(text) = axum::body::to_bytes(body, 16 * 1024).await else {
        return (
            Some(ErrorPage {
                status,
                key: "error.internal",
            }),
            Response::from_parts(parts, Body::empty()),
        );
    };
    let page = match status {
        StatusCode::BAD_REQUEST if text.starts_with(b"Invalid URL") => ErrorPage {
            status: StatusCode::NOT_FOUND,
            key: "error.not_found",
        },
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => ErrorPage {
            status,
            key: "error.not_found",
        },
        StatusCode::REQUEST_TIMEOUT => ErrorPage {
            status,
            key: "error.timeout",
        },
        StatusCode::PAYLOAD_TOO_LARGE => ErrorPage {
            status,
            key: "error.too_large",
        },
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => ErrorPage {
            status,
            key: "error.busy",
        },
        s if s.is_client_error() => ErrorPage {
            status,
            key: "error.bad_request",
        },
        _ => ErrorPage {
            status,
            key: "error.internal",
        },
    };
    (Some(page), Response::from_parts(parts, Body::from(text)))
}
