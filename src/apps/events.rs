//! What happens to an app that other domains follow (a custom app's provider hears of its
//! usage scope, seed 003): announced inside the changing transaction to the listeners
//! registered at assembly, so `apps` names none of them.

use std::sync::{Arc, OnceLock};

use crate::db::Conn;
use crate::error::AppResult;
use crate::org::ScopeKind;

/// A change to an app, or its use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppEvent {
    /// An admin set who may use the app.
    UsageScopeChanged {
        org_id: i64,
        app_id: i64,
        kind: ScopeKind,
    },
    /// A member of `org_id` used the app for the first time this day (China Standard
    /// Time).
    Opened {
        org_id: i64,
        app_id: i64,
        user_id: i64,
        day: i64,
    },
    /// A member wrote to the app (offered only where a listener takes messages).
    MemberMessage {
        org_id: i64,
        app_id: i64,
        user_id: i64,
        text: String,
    },
}

pub trait AppListener: Send + Sync {
    /// Called inside the transaction of the change; an error undoes the change.
    fn changed(&self, conn: &mut Conn, event: &AppEvent) -> AppResult<()>;

    /// Whether messages from the app's members reach someone through this listener (a
    /// custom app's provider); the app's home offers a message box only then.
    fn takes_messages(&self, _conn: &mut Conn, _app_id: i64) -> AppResult<bool> {
        Ok(false)
    }
}

/// Registered once at assembly (the first registration stands; every assembly registers
/// the same).
static LISTENERS: OnceLock<Vec<Arc<dyn AppListener>>> = OnceLock::new();

pub fn register(listeners: Vec<Arc<dyn AppListener>>) {
    let _ = LISTENERS.set(listeners);
}

/// Tells every listener, in registration order, inside the caller's transaction.
pub(crate) fn announce(conn: &mut Conn, event: AppEvent) -> AppResult<()> {
    for listener in LISTENERS.get().into_iter().flatten() {
        listener.changed(conn, &event)?;
    }
    Ok(())
}

/// Whether any listener takes messages from the app's members.
pub fn takes_messages(conn: &mut Conn, app_id: i64) -> AppResult<bool> {
    for listener in LISTENERS.get().into_iter().flatten() {
        if listener.takes_messages(conn, app_id)? {
            return Ok(true);
        }
    }
    Ok(false)
}
