//! A refused form keeps its own address. Handlers answer a refused post with the form
//! again (422, errors beside the fields, what was typed kept); answered in place, that page
//! sits at the post's address, and a refresh posts again. This layer keeps the refused page
//! in the session and sends the browser back to the page the form was on (303), which shows
//! it until something else is refused. Handlers need not know.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The query parameter naming the kept page.
const PARAM: &str = "refused";
const SESSION_KEY: &str = "refused_form";
/// Pages larger than this are answered in place rather than stored in the session row.
const MAX_KEPT: usize = 256 * 1024;

#[derive(Serialize, Deserialize)]
struct Kept {
    id: String,
    path: String,
    page: String,
}

pub(super) async fn keep_refused_forms(session: Session, req: Request, next: Next) -> Response {
    if req.method() == Method::GET {
        if let Some(id) = query_value(req.uri().query(), PARAM)
            && let Ok(Some(kept)) = session.get::<Kept>(SESSION_KEY).await
            && kept.id == id
            && kept.path == req.uri().path()
        {
            return Html(kept.page).into_response();
        }
        return next.run(req).await;
    }
    if req.method() != Method::POST || session.id().is_none() {
        // Without a session there is nowhere to keep the page (and a refused sign-in must
        // not create one): the form is answered in place, as before.
        return next.run(req).await;
    }
    // A kept page has served once its person posts again; it is not carried along (the
    // session row is read on every request).
    if matches!(session.get_value(SESSION_KEY).await, Ok(Some(_))) {
        let _ = session.remove_value(SESSION_KEY).await;
    }
    let back = form_page(req.headers(), req.uri().path());
    let resp = next.run(req).await;
    let Some(back) = back else { return resp };
    if resp.status() != StatusCode::UNPROCESSABLE_ENTITY || !is_html(resp.headers()) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = match String::from_utf8(bytes.to_vec()) {
        Ok(page) => page,
        Err(_) => return Response::from_parts(parts, bytes.into()),
    };
    let id = format!("{:08x}", rand::random::<u32>());
    let (path, query) = back;
    let kept = Kept {
        id: id.clone(),
        path: path.clone(),
        page,
    };
    if let Err(e) = session.insert(SESSION_KEY, &kept).await {
        tracing::warn!(error = %e, "could not keep a refused form");
        return Response::from_parts(parts, kept.page.into());
    }
    let location = if query.is_empty() {
        format!("{path}?{PARAM}={id}")
    } else {
        format!("{path}?{query}&{PARAM}={id}")
    };
    match HeaderValue::from_str(&location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => Response::from_parts(parts, kept.page.into()),
    }
}

/// The page the form was on: the same-origin Referer's path and its query without an older
/// `refused`. None for the JSON API, for a form posted from elsewhere or without a Referer.
fn form_page(headers: &HeaderMap, post_path: &str) -> Option<(String, String)> {
    if post_path.starts_with("/api/") {
        return None;
    }
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let rest = rest.strip_prefix(host)?;
    if !rest.starts_with('/') || rest.starts_with("//") {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let query: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(PARAM))
        .collect();
    Some((path.to_string(), query.join("&")))
}

fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(referer: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("portal.example"));
        h.insert(
            header::REFERER,
            HeaderValue::from_str(referer).expect("header"),
        );
        h
    }

    #[test]
    fn the_form_page_is_the_same_origin_referer_without_an_older_refusal() {
        let h = headers("https://portal.example/provider/projects/new?tab=a&refused=0abc#f");
        assert_eq!(
            form_page(&h, "/provider/projects"),
            Some(("/provider/projects/new".into(), "tab=a".into()))
        );
    }

    #[test]
    fn a_form_posted_from_another_site_or_to_the_api_is_answered_in_place() {
        let h = headers("https://elsewhere.example/provider/projects/new");
        assert_eq!(form_page(&h, "/provider/projects"), None);
        let h = headers("https://portal.example//evil.example/x");
        assert_eq!(form_page(&h, "/provider/projects"), None);
        let h = headers("https://portal.example/provider/projects/new");
        assert_eq!(form_page(&h, "/api/v1/orgs"), None);
        assert_eq!(form_page(&HeaderMap::new(), "/provider/projects"), None);
    }
}
