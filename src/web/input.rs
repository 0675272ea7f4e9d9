//! Input that no handler should have to think about, refused in one place before any
//! handler runs: text that is not UTF-8 (the form parsers would silently turn it into
//! U+FFFD) and NUL characters (PostgreSQL refuses them in text columns, so they would
//! otherwise end as a 500 on one backend and be stored on the other). It covers every
//! query string and every URL-encoded form body; multipart text fields go through
//! [`text_field`]. A body that trickles in past the body deadline answers 408 here.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, AppResult, ErrorPage};
use crate::web::AppState;

/// Why a piece of submitted text is refused (an i18n key).
pub fn refusal(bytes: &[u8]) -> Option<&'static str> {
    match std::str::from_utf8(bytes) {
        Err(_) => Some("error.bad_utf8"),
        Ok(s) if s.contains('\0') => Some("error.nul_byte"),
        Ok(_) => None,
    }
}

/// The first refusal among the names and values of a URL-encoded string, decoded as the
/// form parsers decode them (`+` is a space, `%XX` a byte).
pub fn urlencoded_refusal(raw: &[u8]) -> Option<&'static str> {
    raw.split(|b| *b == b'&')
        .flat_map(|pair| pair.splitn(2, |b| *b == b'='))
        .find_map(|part| {
            let plus_as_space: Vec<u8> = part
                .iter()
                .map(|b| if *b == b'+' { b' ' } else { *b })
                .collect();
            let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
            refusal(&decoded)
        })
}

/// A multipart text field's value, refused like a URL-encoded one.
pub fn text_field(bytes: &[u8]) -> AppResult<String> {
    match refusal(bytes) {
        Some(key) => Err(AppError::BadRequest(key)),
        None => Ok(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// The text of a multipart form's fields named in `names` (a pasted list, an uploaded
/// file), in the order they came, each checked like [`text_field`]; other fields are read
/// and dropped.
pub async fn multipart_texts(
    mut mp: axum::extract::Multipart,
    names: &[&str],
) -> AppResult<Vec<String>> {
    let mut texts = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.bad_request"))?
    {
        let wanted = names.contains(&field.name().unwrap_or_default());
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        if wanted {
            texts.push(text_field(&bytes)?);
        }
    }
    Ok(texts)
}

fn is_urlencoded(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

fn page(status: StatusCode, key: &'static str) -> Response {
    let mut resp = (status, key).into_response();
    resp.extensions_mut().insert(ErrorPage { status, key });
    resp
}

/// What reading a body failed on: the body deadline, the size limit, or a broken body.
fn body_failure(e: &axum::Error) -> Response {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return page(StatusCode::REQUEST_TIMEOUT, "error.timeout");
        }
        if err.is::<http_body_util::LengthLimitError>() {
            return page(StatusCode::PAYLOAD_TOO_LARGE, "error.too_large");
        }
        source = err.source();
    }
    AppError::BadRequest("error.bad_request").into_response()
}

/// The middleware: checks the query string, and a URL-encoded body after reading it
/// (within the same size limit the extractors apply).
pub async fn check_input(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(key) = req
        .uri()
        .query()
        .and_then(|q| urlencoded_refusal(q.as_bytes()))
    {
        return AppError::BadRequest(key).into_response();
    }
    if !is_urlencoded(req.headers()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let limit = state.config.max_upload_bytes() + 64 * 1024;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(e) => return body_failure(&e),
    };
    if let Some(key) = urlencoded_refusal(&bytes) {
        return AppError::BadRequest(key).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_and_broken_utf8_are_refused_wherever_they_hide() {
        assert_eq!(urlencoded_refusal(b"name=%E5%BC%A0%E4%B8%89&x=1+2"), None);
        assert_eq!(urlencoded_refusal(b"name=a%00b"), Some("error.nul_byte"));
        assert_eq!(urlencoded_refusal(b"a%00=b"), Some("error.nul_byte"));
        assert_eq!(urlencoded_refusal(b"name=%FF%FE"), Some("error.bad_utf8"));
        assert_eq!(urlencoded_refusal(b"name=\xE5\xBC"), Some("error.bad_utf8"));
        assert_eq!(urlencoded_refusal(b"name=100%"), None);
        assert_eq!(urlencoded_refusal(b""), None);
        assert!(text_field("张三".as_bytes()).is_ok());
        assert!(text_field(b"a\0b").is_err());
    }
}
