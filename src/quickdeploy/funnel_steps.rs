//! The funnel of a deploy link (an addition beyond the seed): each visitor is counted once
//! per step, so the provider sees where people drop off between opening the link and
//! starting to use the app.

use axum::http::HeaderMap;
use diesel::prelude::*;

use crate::db::schema::qd_funnel as f;
use crate::db::{Conn, is_unique_violation, now};
use crate::error::AppResult;

/// The steps in the order a visitor takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Opened,
    /// Signed in or registered on the deploy pages.
    SignedIn,
    TeamCreated,
    SerialAccepted,
    Authorised,
    Started,
}

impl Step {
    pub(crate) const ALL: [Step; 6] = [
        Step::Opened,
        Step::SignedIn,
        Step::TeamCreated,
        Step::SerialAccepted,
        Step::Authorised,
        Step::Started,
    ];
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Step::Opened => "opened",
            Step::SignedIn => "signed_in",
            Step::TeamCreated => "team",
            Step::SerialAccepted => "serial",
            Step::Authorised => "authorised",
            Step::Started => "started",
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            Step::Opened => "quickdeploy.funnel.opened",
            Step::SignedIn => "quickdeploy.funnel.signed_in",
            Step::TeamCreated => "quickdeploy.funnel.team",
            Step::SerialAccepted => "quickdeploy.funnel.serial",
            Step::Authorised => "quickdeploy.funnel.authorised",
            Step::Started => "quickdeploy.funnel.started",
        }
    }
}

/// The browser's funnel id, set by the guide page for every visitor (a year, path /qd).
pub(crate) const VISITOR_COOKIE: &str = "fenfa_qd_visitor";

/// Who the funnel counts on a deploy page: the browser's funnel id when it has one, so the
/// person who opened the link before signing in is the same visitor at every later step;
/// the user (as "u{id}") when the browser came in without passing the guide page.
pub(crate) fn visitor(headers: &HeaderMap, user: i64) -> String {
    cookie_visitor(headers).unwrap_or_else(|| format!("u{user}"))
}

/// The funnel id the browser sent, when it has the shape of one.
pub(crate) fn cookie_visitor(headers: &HeaderMap) -> Option<String> {
    crate::tools::cookie(headers, VISITOR_COOKIE).filter(|v| crate::tools::token_shape_ok(v))
}

/// Counts `visitor` (see [`visitor`]) at `step` of the link of `application`, once. Never fails the page it is on
/// over a second count.
pub(crate) fn record(
    conn: &mut Conn,
    application: i64,
    step: Step,
    visitor: &str,
) -> AppResult<()> {
    let done = diesel::insert_into(f::table)
        .values((
            f::application_id.eq(application),
            f::step.eq(step.as_str()),
            f::visitor.eq(visitor),
            f::at.eq(now()),
        ))
        .execute(conn);
    match done {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
