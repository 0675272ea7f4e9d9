//! The one error type of the portal. Handlers return `AppResult`; the error becomes a
//! status plus a marker, and `web::render_errors` turns the marker into a localised page
//! (it knows the request's language, the error does not).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug)]
pub enum AppError {
    /// Missing, or belonging to another organisation: both look the same.
    NotFound,
    /// Signed in but not allowed; the key explains why (an i18n key).
    Forbidden(&'static str),
    /// Not signed in: go to the login page and come back.
    LoginRequired(String),
    /// A request that no form of ours would send (tampered ids, unknown options).
    BadRequest(&'static str),
    /// A rule refused the action; shown as a page with the rule's message.
    Conflict(&'static str),
    /// Too many attempts or a saturated resource.
    TooBusy(&'static str),
    /// Signed in but not allowed, with a page that names more than a fixed sentence
    /// (whose seat is missing, whom to ask): a 403 like [`AppError::Forbidden`].
    Refused(Box<Refusal>),
    /// Anything unexpected. Logged once where it was created, never shown.
    Internal,
}

/// A refusal's message with its `%{name}` placeholders filled, and the people the page
/// names to turn to (e.g. the admins who can grant a seat).
#[derive(Clone, Debug)]
pub struct Refusal {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub contacts: Vec<String>,
}

/// Put on error responses so the rendering middleware can build the page.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub key: &'static str,
}

impl AppError {
    /// Logs the cause once and hides it from the user.
    pub fn internal<E: std::fmt::Display>(e: E) -> AppError {
        tracing::error!(error = %e, "internal error");
        AppError::Internal
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) | AppError::Refused(_) => StatusCode::FORBIDDEN,
            AppError::LoginRequired(_) => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooBusy(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error.not_found",
            AppError::Forbidden(k)
            | AppError::BadRequest(k)
            | AppError::Conflict(k)
            | AppError::TooBusy(k) => k,
            AppError::Refused(r) => r.key,
            AppError::LoginRequired(_) => "error.login_required",
            AppError::Internal => "error.internal",
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status(), self.key())
    }
}

impl std::error::Error for AppError {}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            // An `AppError` that crossed a transaction typed in diesel's error (below).
            diesel::result::Error::QueryBuilderError(b) if b.is::<AppError>() => {
                match b.downcast::<AppError>() {
                    Ok(a) => *a,
                    Err(e) => AppError::internal(e),
                }
            }
            e => AppError::internal(e),
        }
    }
}

/// Lets a refusal raised inside a transaction typed in diesel's error (a
/// [`crate::db::TxHook`] refusing an action) travel out unchanged: it is boxed here and
/// unboxed by the conversion above.
impl From<AppError> for diesel::result::Error {
    fn from(e: AppError) -> Self {
        diesel::result::Error::QueryBuilderError(Box::new(e))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::LoginRequired(next) = &self {
            let target = format!("/login?next={}", crate::tools::encode_query(next));
            return Redirect::to(&target).into_response();
        }
        let page = ErrorPage {
            status: self.status(),
            key: self.key(),
        };
        let mut resp = (self.status(), page.key).into_response();
        resp.extensions_mut().insert(page);
        if let AppError::Refused(r) = self {
            resp.extensions_mut().insert(*r);
        }
        resp
    }
}
