//! Upstream/downstream interconnection (企业间互联, seed 004): an organisation creates an
//! interconnection space (上下游组织 or 上下级组织), member organisations join it with
//! chosen departments or people, the creator publishes apps to their workbenches and
//! shares its licence (seat) pool. The rules below are free of the web and the database
//! so each has a plain unit test; `people` computes who is in a space, live.
#![warn(unreachable_pub)]

pub(crate) mod collab;
pub(crate) mod contacts;
pub(crate) mod licences;
pub mod people;
pub(crate) mod publish;
pub(crate) mod routes;
pub(crate) mod spaces;

// The face: what other domains may use of this one.
/// An account disabled or enabled again by the operator (a contact who leaves every
/// organisation at once, or comes back).
pub use contacts::{on_disabled, on_enabled};
pub use licences::gate::SeatState;
pub use licences::purchase::{SeatOrder, all_seat_orders};
pub use people::{alert_on_use, lock_org, seat_use};
pub use publish::store::{
    DataReach, PublishedApp, data_reach, initiator_people, org_choices, org_names, report_reach,
    usable_app, usable_page, usable_published_ids, workbench_apps,
};

/// Member sync, seat release and collaboration groups follow each member organisation's
/// directory: registered with `org` when the app is assembled.
pub fn directory_listener() -> std::sync::Arc<dyn crate::org::DirectoryListener> {
    std::sync::Arc::new(people::FollowDirectory)
}

use crate::auth::{OrgScope, Perm, Role};
use crate::error::AppError;
use crate::org::Edition;

/// What a member organisation links into a space (the seed: 申请加入时可以设置本组织哪些人
/// 或者部门需要加入空间，也可以选择整个组织架构加入): the organisation's scope picker.
pub use crate::org::ScopeKind;

/// The two kinds of space the seed describes, each gated by edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpaceKind {
    /// 上下游组织: companies and their partners; exclusive edition only.
    Partner,
    /// 上下级组织 (formerly 关联组织): top-down bodies such as schools and county offices;
    /// professional and exclusive.
    Hierarchy,
}

impl SpaceKind {
    pub const ALL: [SpaceKind; 2] = [SpaceKind::Partner, SpaceKind::Hierarchy];

    pub fn as_str(self) -> &'static str {
        match self {
            SpaceKind::Partner => "partner",
            SpaceKind::Hierarchy => "hierarchy",
        }
    }

    pub fn parse(s: &str) -> Option<SpaceKind> {
        SpaceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            SpaceKind::Partner => "interconnect.kind.partner",
            SpaceKind::Hierarchy => "interconnect.kind.hierarchy",
        }
    }

    /// The seed's edition table: 上下游 exclusive only, 上下级 professional and exclusive.
    pub fn allowed_on(self, edition: Edition) -> bool {
        match self {
            SpaceKind::Partner => edition == Edition::Exclusive,
            SpaceKind::Hierarchy => matches!(edition, Edition::Professional | Edition::Exclusive),
        }
    }

    /// Refusal shown to an organisation whose edition lacks this kind.
    pub fn edition_refusal(self) -> &'static str {
        match self {
            SpaceKind::Partner => "interconnect.error.partner_edition",
            SpaceKind::Hierarchy => "interconnect.error.hierarchy_edition",
        }
    }
}

/// The numeric limits of one organisation, after the operator's overrides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Spaces the organisation may create (seed: 10 free for a certified organisation).
    pub max_spaces: i64,
    /// Spaces the organisation may belong to as a member (seed: 5).
    pub max_joined: i64,
    /// People in one space it creates (seed: 3000).
    pub max_people: i64,
    /// Organisations one space it creates admits (seed: 800).
    pub max_orgs: i64,
}

impl Limits {
    /// The seed's figures for certified organisations.
    pub const CERTIFIED: Limits = Limits {
        max_spaces: 10,
        max_joined: 5,
        max_people: 3000,
        max_orgs: 800,
    };
    /// The lower defaults for uncertified organisations ("非认证组织创建数量以及组织人数
    /// 会和认证组织有区别"); the operator raises them per organisation.
    pub const UNCERTIFIED: Limits = Limits {
        max_spaces: 1,
        max_joined: 5,
        max_people: 100,
        max_orgs: 20,
    };

    /// Defaults by certification with the operator's per-organisation overrides on top.
    pub fn for_org(certified: bool, overrides: [Option<i32>; 4]) -> Limits {
        let base = if certified {
            Limits::CERTIFIED
        } else {
            Limits::UNCERTIFIED
        };
        let pick = |o: Option<i32>, d: i64| o.map(i64::from).unwrap_or(d);
        Limits {
            max_spaces: pick(overrides[0], base.max_spaces),
            max_joined: pick(overrides[1], base.max_joined),
            max_people: pick(overrides[2], base.max_people),
            max_orgs: pick(overrides[3], base.max_orgs),
        }
    }
}

/// Refuses when `current` already reached `max` (so the next one would exceed it).
pub fn check_room(current: i64, max: i64, key: &'static str) -> Result<(), AppError> {
    if current >= max {
        Err(AppError::Conflict(key))
    } else {
        Ok(())
    }
}

/// Refuses when adding `adding` people to `current` would pass `max`.
pub fn check_people(current: i64, adding: i64, max: i64) -> Result<(), AppError> {
    if current + adding > max {
        Err(AppError::Conflict("interconnect.error.people_limit"))
    } else {
        Ok(())
    }
}

/// Who may create and manage a space: the main admin, or a sub-admin holding the
/// interconnection permission point — not platform admins, not members (the seed: the
/// space needs the whole directory and is the organisation's official external channel).
pub fn may_manage_spaces(role: Role, perms: &[Perm]) -> bool {
    match role {
        Role::MainAdmin => true,
        Role::SubAdmin => perms.contains(&Perm::Interconnect),
        Role::PlatformAdmin | Role::Member => false,
    }
}

/// The scope form of [`may_manage_spaces`].
pub fn scope_may_manage(scope: &OrgScope) -> bool {
    scope.grant_id().is_none()
        && (scope.role() == Role::MainAdmin
            || (scope.role() == Role::SubAdmin && scope.has_perm(Perm::Interconnect)))
}

/// A member organisation applies and leaves through its main admin only.
pub fn may_apply_for_org(role: Role) -> bool {
    role == Role::MainAdmin
}

/// A member organisation's state in a space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgStatus {
    /// Named in a batch invitation; its main admin still has to apply.
    Invited,
    /// Applied; waits for the space admin's review (join only via review).
    Pending,
    Joined,
    Rejected,
    Left,
}

impl OrgStatus {
    pub const ALL: [OrgStatus; 5] = [
        OrgStatus::Invited,
        OrgStatus::Pending,
        OrgStatus::Joined,
        OrgStatus::Rejected,
        OrgStatus::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgStatus::Invited => "invited",
            OrgStatus::Pending => "pending",
            OrgStatus::Joined => "joined",
            OrgStatus::Rejected => "rejected",
            OrgStatus::Left => "left",
        }
    }

    pub fn parse(s: &str) -> Option<OrgStatus> {
        OrgStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            OrgStatus::Invited => "interconnect.status.invited",
            OrgStatus::Pending => "interconnect.status.pending",
            OrgStatus::Joined => "interconnect.status.joined",
            OrgStatus::Rejected => "interconnect.status.rejected",
            OrgStatus::Left => "interconnect.status.left",
        }
    }

    /// An application is possible from these states (a new one, or again after an end).
    pub fn may_apply(self) -> bool {
        matches!(
            self,
            OrgStatus::Invited | OrgStatus::Rejected | OrgStatus::Left
        )
    }

    /// Counts against the organisation's joined-spaces limit (a pending application holds
    /// its place so that approvals cannot overshoot).
    pub fn counts_as_joined(self) -> bool {
        matches!(self, OrgStatus::Pending | OrgStatus::Joined)
    }
}

/// Seats (licences) an edition brings when the operator has not set the figure.
pub fn default_seat_pool(edition: Edition) -> i64 {
    match edition {
        Edition::Exclusive => 3000,
        Edition::Professional => 500,
        Edition::Light => 100,
        Edition::Free => 0,
    }
}

/// At most this many member organisations hold seats of one pool (seed: 最多支持3个).
pub const MAX_SEAT_ORGS: i64 = 3;

/// Use thresholds (percent) at which the pool's main admins are alerted; the seed names
/// 80 %, the others are ours.
pub const SEAT_ALERTS: [i64; 3] = [80, 90, 100];

/// The licence pool's arithmetic: the seed's example, 3000 bought, 2000 used in the main
/// organisation, 200 granted downstream, leaves 800.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatUse {
    pub bought: i64,
    pub main_org: i64,
    pub downstream: i64,
}

impl SeatUse {
    pub fn used(&self) -> i64 {
        self.main_org + self.downstream
    }
    pub fn remaining(&self) -> i64 {
        (self.bought - self.used()).max(0)
    }
    /// Whole percent of the pool in use (100 when nothing was bought but something is used).
    pub fn percent(&self) -> i64 {
        if self.bought <= 0 {
            return if self.used() > 0 { 100 } else { 0 };
        }
        self.used() * 100 / self.bought
    }
    /// Refuses a grant of `n` more seats past the pool.
    pub fn check_grant(&self, n: i64) -> Result<(), AppError> {
        if self.used() + n > self.bought {
            Err(AppError::Conflict("interconnect.error.pool_full"))
        } else {
            Ok(())
        }
    }
    /// The alert thresholds now reached.
    pub fn reached_alerts(&self) -> Vec<i64> {
        SEAT_ALERTS
            .into_iter()
            .filter(|t| self.percent() >= *t)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_spaces_need_the_exclusive_edition_and_hierarchy_professional_or_better() {
        assert!(SpaceKind::Partner.allowed_on(Edition::Exclusive));
        for e in [Edition::Free, Edition::Light, Edition::Professional] {
            assert!(!SpaceKind::Partner.allowed_on(e));
        }
        assert!(SpaceKind::Hierarchy.allowed_on(Edition::Professional));
        assert!(SpaceKind::Hierarchy.allowed_on(Edition::Exclusive));
        assert!(!SpaceKind::Hierarchy.allowed_on(Edition::Light));
        assert!(!SpaceKind::Hierarchy.allowed_on(Edition::Free));
    }

    #[test]
    fn certified_limits_are_the_seeds_and_overrides_win() {
        assert_eq!(Limits::for_org(true, [None; 4]), Limits::CERTIFIED);
        assert_eq!(Limits::CERTIFIED.max_spaces, 10);
        assert_eq!(Limits::CERTIFIED.max_people, 3000);
        assert_eq!(Limits::CERTIFIED.max_joined, 5);
        assert_eq!(Limits::CERTIFIED.max_orgs, 800);
        let l = Limits::for_org(false, [Some(12), None, None, Some(900)]);
        assert_eq!(l.max_spaces, 12);
        assert_eq!(l.max_orgs, 900);
        assert_eq!(l.max_people, Limits::UNCERTIFIED.max_people);
    }

    #[test]
    fn limits_refuse_exactly_at_the_boundary() {
        assert!(check_room(9, 10, "k").is_ok());
        assert!(check_room(10, 10, "k").is_err());
        assert!(check_people(2990, 10, 3000).is_ok());
        assert!(check_people(2990, 11, 3000).is_err());
    }

    #[test]
    fn only_main_admins_and_interconnect_sub_admins_manage_spaces() {
        assert!(may_manage_spaces(Role::MainAdmin, &[]));
        assert!(may_manage_spaces(Role::SubAdmin, &[Perm::Interconnect]));
        assert!(!may_manage_spaces(Role::SubAdmin, &[Perm::Members]));
        assert!(!may_manage_spaces(Role::PlatformAdmin, &[]));
        assert!(!may_manage_spaces(Role::Member, &[Perm::Interconnect]));
    }

    #[test]
    fn the_seeds_worked_seat_example_leaves_800() {
        let u = SeatUse {
            bought: 3000,
            main_org: 2000,
            downstream: 200,
        };
        assert_eq!(u.used(), 2200);
        assert_eq!(u.remaining(), 800);
        assert!(u.check_grant(800).is_ok());
        assert!(u.check_grant(801).is_err());
    }

    #[test]
    fn seat_alerts_fire_from_80_percent() {
        let at = |used| SeatUse {
            bought: 10,
            main_org: 0,
            downstream: used,
        };
        assert!(at(7).reached_alerts().is_empty());
        assert_eq!(at(8).reached_alerts(), vec![80]);
        assert_eq!(at(9).reached_alerts(), vec![80, 90]);
        assert_eq!(at(10).reached_alerts(), vec![80, 90, 100]);
    }

    #[test]
    fn an_organisation_may_apply_again_after_rejection_or_leaving_but_not_twice() {
        assert!(OrgStatus::Rejected.may_apply());
        assert!(OrgStatus::Left.may_apply());
        assert!(OrgStatus::Invited.may_apply());
        assert!(!OrgStatus::Pending.may_apply());
        assert!(!OrgStatus::Joined.may_apply());
    }
}
