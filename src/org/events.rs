//! Directory changes as events. `org` announces what changed — a person joined, moved,
//! is leaving or left; a department was renamed or removed — inside the transaction that changed it, to
//! the listeners registered when the app was assembled (interconnection's member sync,
//! seat release and collaboration groups; usage scopes). A listener's error rolls the
//! change back, so the directory and what follows from it never disagree. `org` names
//! none of its listeners.

use std::sync::{Arc, OnceLock};

use crate::db::Conn;
use crate::error::AppResult;

/// What changed in one organisation's directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryEvent {
    PersonJoined {
        org_id: i64,
        user_id: i64,
    },
    PersonMoved {
        org_id: i64,
        user_id: i64,
        from: Option<i64>,
        to: Option<i64>,
    },
    /// About to be removed: still a member, so a listener can read what they held (a
    /// space admin is known by their role).
    PersonLeaving {
        org_id: i64,
        user_id: i64,
    },
    PersonLeft {
        org_id: i64,
        user_id: i64,
    },
    DepartmentRenamed {
        org_id: i64,
        department_id: i64,
    },
    DepartmentRemoved {
        org_id: i64,
        department_id: i64,
    },
}

impl DirectoryEvent {
    pub fn org_id(&self) -> i64 {
        match *self {
            DirectoryEvent::PersonJoined { org_id, .. }
            | DirectoryEvent::PersonMoved { org_id, .. }
            | DirectoryEvent::PersonLeaving { org_id, .. }
            | DirectoryEvent::PersonLeft { org_id, .. }
            | DirectoryEvent::DepartmentRenamed { org_id, .. }
            | DirectoryEvent::DepartmentRemoved { org_id, .. } => org_id,
        }
    }
}

/// Something that follows an organisation's directory.
pub trait DirectoryListener: Send + Sync {
    /// Called inside the transaction of the change; an error undoes the change.
    fn changed(&self, conn: &mut Conn, event: &DirectoryEvent) -> AppResult<()>;
}

/// The listeners are part of the program, not of one running state: registered once at
/// assembly (the first registration stands; every assembly registers the same).
static LISTENERS: OnceLock<Vec<Arc<dyn DirectoryListener>>> = OnceLock::new();

pub(crate) fn register(listeners: Vec<Arc<dyn DirectoryListener>>) {
    let _ = LISTENERS.set(listeners);
}

/// Tells every listener, in registration order, inside the caller's transaction.
pub(crate) fn announce(conn: &mut Conn, event: DirectoryEvent) -> AppResult<()> {
    for listener in LISTENERS.get().into_iter().flatten() {
        listener.changed(conn, &event)?;
    }
    Ok(())
}
