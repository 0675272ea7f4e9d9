//! The deal timeline: one append-only list of what happened to a project, who acted and
//! when. Every step of the distribution journey records here.

use diesel::prelude::*;

use crate::db::schema::project_events;
use crate::db::{Conn, now};
use crate::error::AppResult;

/// What the timeline shows; the i18n key is `distribution.event.<kind>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    Submitted,
    Withdrawn,
    Approved,
    Rejected,
    LinkIssued,
    LinkRevoked,
    Purchased,
    Sent,
    SendFailed,
    GrantRequested,
    GrantApproved,
    GrantDeclined,
    GrantEnded,
    MaintenanceClosed,
    MaintenanceReopened,
    AcceptancePassed,
    AcceptanceFailed,
    AppEnabled,
    Closed,
}

impl EventKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Withdrawn => "withdrawn",
            EventKind::Approved => "approved",
            EventKind::Rejected => "rejected",
            EventKind::LinkIssued => "link_issued",
            EventKind::LinkRevoked => "link_revoked",
            EventKind::Purchased => "purchased",
            EventKind::Sent => "sent",
            EventKind::SendFailed => "send_failed",
            EventKind::GrantRequested => "grant_requested",
            EventKind::GrantApproved => "grant_approved",
            EventKind::GrantDeclined => "grant_declined",
            EventKind::GrantEnded => "grant_ended",
            EventKind::MaintenanceClosed => "maintenance_closed",
            EventKind::MaintenanceReopened => "maintenance_reopened",
            EventKind::AcceptancePassed => "acceptance_passed",
            EventKind::AcceptanceFailed => "acceptance_failed",
            EventKind::AppEnabled => "app_enabled",
            EventKind::Closed => "closed",
        }
    }

    /// The customer sees the part of the timeline that concerns them.
    pub(crate) fn customer_visible(self) -> bool {
        !matches!(
            self,
            EventKind::Submitted
                | EventKind::Withdrawn
                | EventKind::Approved
                | EventKind::Rejected
                | EventKind::LinkIssued
                | EventKind::LinkRevoked
        )
    }
}

/// Appends one event to a project's timeline (call inside the action's transaction).
pub(crate) fn record(
    conn: &mut Conn,
    project_id: i64,
    actor_id: Option<i64>,
    kind: EventKind,
    detail: &str,
) -> AppResult<()> {
    record_in_order(conn, project_id, None, actor_id, kind, detail)
}

/// An event of one purchase: the customer's copy from that order shows it, a copy from
/// another order of the same project does not.
pub(crate) fn record_in_order(
    conn: &mut Conn,
    project_id: i64,
    order_id: Option<i64>,
    actor_id: Option<i64>,
    kind: EventKind,
    detail: &str,
) -> AppResult<()> {
    diesel::insert_into(project_events::table)
        .values((
            project_events::project_id.eq(project_id),
            project_events::order_id.eq(order_id),
            project_events::actor_id.eq(actor_id),
            project_events::kind.eq(kind.as_str()),
            project_events::detail.eq(detail),
            project_events::customer_visible.eq(kind.customer_visible()),
            project_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
