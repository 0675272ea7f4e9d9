//! Delegation: a user acting inside an organisation that is not theirs, under a grant that
//! organisation gave — a provider developer's maintenance grant today, the enterprise's
//! authorisation of a custom-development app next. `auth` owns the shape of it and the
//! three things every delegation gets from one place: the session honours it only while
//! it is live (the moment it ends, the user is back in their own organisations), the
//! banner on every page, and an audit record of every action, written in the action's own
//! write transaction. The domains that issue grants say what "live" means and where the
//! audit goes by registering a [`DelegationSource`] when the app is assembled, so `auth`
//! names no domain.

use std::sync::Arc;

use super::MembershipView;
use crate::db::{Conn, TxHook};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// A live delegation the user is acting under, as the banner and the audit show it.
#[derive(Clone, Debug)]
pub struct Delegation {
    /// Which source issued it ([`DelegationSource::kind`]).
    pub kind: &'static str,
    pub grant_id: i64,
    pub app_id: i64,
    pub app_name: String,
    pub customer_org_id: i64,
    pub customer_org_name: String,
    pub provider_org_id: i64,
    pub provider_org_name: String,
    pub expires_at: i64,
    /// The banner's sentence (an i18n key with `org`, `app`, `grant` and `left`).
    pub banner_key: &'static str,
    /// Where the banner's "leave" button posts, and its label (an i18n key).
    pub leave_path: &'static str,
    pub leave_key: &'static str,
}

impl Delegation {
    /// "You are acting as app admin in ORG for APP under grant #G — time left".
    pub fn banner(&self, lang: Lang, now: i64) -> String {
        let left = crate::i18n::format_time_left(lang, self.expires_at, now);
        lang.tf(
            self.banner_key,
            &[
                ("org", &self.customer_org_name),
                ("app", &self.app_name),
                ("grant", &self.grant_id.to_string()),
                ("left", &left),
            ],
        )
    }
}

/// What a domain that issues grants tells `auth` about them.
pub trait DelegationSource: Send + Sync {
    /// The name stored in the session beside the grant id.
    fn kind(&self) -> &'static str;
    /// The virtual membership in the granting organisation when grant `grant_id` is live
    /// for `user_id` (acting from one of `memberships`), else `None`.
    fn resolve(
        &self,
        conn: &mut Conn,
        grant_id: i64,
        user_id: i64,
        memberships: &[MembershipView],
    ) -> AppResult<Option<MembershipView>>;
    /// Inside an action's write transaction, before its write: lock the grant so that
    /// ending it waits for the action (or the action sees it ended), and confirm that it
    /// is still live for this user. `false` refuses the action.
    fn lock_live(&self, conn: &mut Conn, grant_id: i64, user_id: i64) -> AppResult<bool>;
    /// Inside the same transaction, after the write: append the action to the granting
    /// organisation's audit trail.
    fn record(
        &self,
        conn: &mut Conn,
        user_id: i64,
        user_name: &str,
        d: &Delegation,
        action: &str,
    ) -> AppResult<()>;
    /// The refusal shown when an action finds the grant ended.
    fn ended_key(&self) -> &'static str;
}

/// The delegation sources registered when the app was assembled.
#[derive(Clone, Default)]
pub struct Delegations(Arc<Vec<Arc<dyn DelegationSource>>>);

impl Delegations {
    pub fn new(sources: Vec<Arc<dyn DelegationSource>>) -> Delegations {
        Delegations(Arc::new(sources))
    }

    fn source(&self, kind: &str) -> Option<&Arc<dyn DelegationSource>> {
        self.0.iter().find(|s| s.kind() == kind)
    }

    /// The virtual membership of the session's delegation, when it is live. A kind no
    /// source knows is ignored: the user stays in their own organisations.
    pub fn resolve(
        &self,
        conn: &mut Conn,
        kind: &str,
        grant_id: i64,
        user_id: i64,
        memberships: &[MembershipView],
    ) -> AppResult<Option<MembershipView>> {
        match self.source(kind) {
            Some(s) => s.resolve(conn, grant_id, user_id, memberships),
            None => Ok(None),
        }
    }

    /// The hook that every write transaction of one request runs while its user acts
    /// under `d`: re-check the grant first, record `action` last.
    pub fn action_hook(
        &self,
        user_id: i64,
        user_name: &str,
        d: &Delegation,
        action: String,
    ) -> Option<Arc<dyn TxHook>> {
        let source = self.source(d.kind)?.clone();
        Some(Arc::new(ActionHook {
            source,
            user_id,
            user_name: user_name.to_string(),
            delegation: d.clone(),
            action,
        }))
    }
}

struct ActionHook {
    source: Arc<dyn DelegationSource>,
    user_id: i64,
    user_name: String,
    delegation: Delegation,
    action: String,
}

impl TxHook for ActionHook {
    fn before(&self, conn: &mut Conn) -> AppResult<()> {
        if self
            .source
            .lock_live(conn, self.delegation.grant_id, self.user_id)?
        {
            Ok(())
        } else {
            Err(AppError::Forbidden(self.source.ended_key()))
        }
    }

    fn after(&self, conn: &mut Conn) -> AppResult<()> {
        self.source.record(
            conn,
            self.user_id,
            &self.user_name,
            &self.delegation,
            &self.action,
        )
    }
}
