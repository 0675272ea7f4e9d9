//! What happens to an app that other domains follow (a custom app's provider hears of its
//! usage scope, seed 003): announced inside the changing transaction to the listeners
//! registered at assembly, so `apps` names none of them.

use std::sync::{Arc, OnceLock};

use crate::db::Conn;
use crate::error::AppResult;
use crate::org::ScopeKind;

/// A change to an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEvent {
    /// An admin set who may use the app.
    UsageScopeChanged {
        org_id: i64,
        app_id: i64,
        kind: ScopeKind,
    },
}

pub trait AppListener: Send + Sync {
    /// Called inside the transaction of the change; an error undoes the change.
    fn changed(&self, conn: &mut Conn, event: &AppEvent) -> AppResult<()>;
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
