//! Interconnection follows the member organisations' directories: the people in a joined
//! scope follow their organisation at once (join, transfer, leave), with their seats and
//! collaboration groups; a contact or space admin who leaves starts a hand-over; and a removed department stops being named in a space's scope or
//! among the departments that receive seats automatically.

use diesel::prelude::*;

use super::reconcile_org;
use crate::db::Conn;
use crate::db::schema::{seat_auto_departments, space_scope};
use crate::error::AppResult;
use crate::org::{DirectoryEvent, DirectoryListener};

pub struct FollowDirectory;

impl DirectoryListener for FollowDirectory {
    fn changed(&self, conn: &mut Conn, event: &DirectoryEvent) -> AppResult<()> {
        match *event {
            DirectoryEvent::PersonJoined { org_id, .. }
            | DirectoryEvent::PersonMoved { org_id, .. }
            | DirectoryEvent::PersonLeft { org_id, .. } => reconcile_org(conn, org_id),
            // A contact or space admin who leaves: the other side is told, a successor is
            // due (read while they are still a member).
            DirectoryEvent::PersonLeaving { org_id, user_id } => {
                crate::interconnect::contacts::on_leave(
                    conn,
                    org_id,
                    user_id,
                    crate::interconnect::contacts::Reason::Removed,
                )
            }
            // Scopes name departments by id, never by name.
            DirectoryEvent::DepartmentRenamed { .. } => Ok(()),
            // Only an empty department without sub-departments can be removed, so nobody
            // leaves a scope through it; what still names it is let go.
            DirectoryEvent::DepartmentRemoved { department_id, .. } => {
                diesel::delete(
                    space_scope::table
                        .filter(space_scope::kind.eq("department"))
                        .filter(space_scope::ref_id.eq(department_id)),
                )
                .execute(conn)?;
                diesel::delete(
                    seat_auto_departments::table
                        .filter(seat_auto_departments::department_id.eq(department_id)),
                )
                .execute(conn)?;
                Ok(())
            }
        }
    }
}
