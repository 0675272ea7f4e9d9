//! A deployment's callback event (the integration surface's job runner): written inside
//! the transaction that authorised the app, delivered later by the job handler to the
//! application's callback URL, signed like custom apps' callbacks.

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{qd_applications as a, qd_deployments as d};
use crate::error::AppResult;

/// The job kind the deliverer handles.
pub(crate) const DEPLOYED: &str = "quickdeploy.deployed";

/// Enqueues the "deployed" event of deployment `id` (nothing when its application has no
/// callback URL). Call inside the transaction that authorised it.
pub(crate) fn deployed(conn: &mut Conn, id: i64) -> AppResult<()> {
    let url: String = d::table
        .inner_join(a::table.on(a::id.eq(d::application_id)))
        .filter(d::id.eq(id))
        .select(a::callback_url)
        .first(conn)?;
    if url.is_empty() {
        return Ok(());
    }
    crate::jobs::enqueue(conn, DEPLOYED, &serde_json::json!({ "deployment_id": id }))?;
    Ok(())
}
