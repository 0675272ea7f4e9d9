//! The approval flow of a process form (流程表单): tasks, the actions an assignee may take
//! and where the flow goes next. Pure rules; `store` applies them in one transaction.

use diesel::prelude::*;

use crate::apps::Step;
use crate::db::schema::approval_tasks;

#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = approval_tasks)]
pub(crate) struct Task {
    pub id: i64,
    pub org_id: i64,
    pub submission_id: i64,
    pub step_position: i32,
    pub assignee_id: i64,
    pub kind: String,
    pub status: String,
    pub comment: String,
    pub created_at: i64,
    pub acted_at: Option<i64>,
}

pub(crate) const PENDING: &str = "pending";
pub(crate) const APPROVED: &str = "approved";
pub(crate) const REJECTED: &str = "rejected";
pub(crate) const HANDED_OVER: &str = "handed_over";
/// A task created for a step of the flow.
pub(crate) const KIND_STEP: &str = "step";
/// A task added by 加签 (add approver, after me) at the same step.
pub(crate) const KIND_ADDED: &str = "added";
/// A step task given to a stand-in because the step's configured approver is the
/// submitter (nobody approves their own submission; see `forms::self_approval`).
pub(crate) const KIND_STAND_IN: &str = "stand_in";

pub(crate) const COMMENT_MAX: usize = 500;

/// The i18n key of a task status.
pub(crate) fn task_status_key(s: &str) -> &'static str {
    match s {
        APPROVED => "approval.task.approved",
        REJECTED => "approval.task.rejected",
        HANDED_OVER => "approval.task.handed_over",
        _ => "approval.task.pending",
    }
}

pub(crate) fn task_kind_key(s: &str) -> &'static str {
    match s {
        KIND_ADDED => "approval.kind.added",
        KIND_STAND_IN => "approval.kind.stand_in",
        _ => "approval.kind.step",
    }
}

/// A refused action, shown beside the form's field (`comment` or `target`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub field: &'static str,
    pub key: &'static str,
}

impl Refusal {
    /// The field a refusal key of [`parse_action`] belongs to.
    pub(crate) fn of(key: &'static str) -> Refusal {
        let field = match key {
            "approval.error.comment_too_long" | "approval.error.comment_required" => "comment",
            _ => "target",
        };
        Refusal { field, key }
    }
}

/// Nobody approves their own submission: the submitter may not approve (加签 approves
/// too) a task of it, and may not be handed or added the task. Returns the refusal.
pub(crate) fn check_not_own(action: &Action, me: i64, submitter: i64) -> Result<(), Refusal> {
    match action {
        Action::HandOver { to, .. } | Action::AddApprover { to, .. } if *to == submitter => {
            Err(Refusal {
                field: "target",
                key: "approval.error.target_is_submitter",
            })
        }
        Action::Approve { .. } | Action::AddApprover { .. } if me == submitter => Err(Refusal {
            field: "action",
            key: "approval.error.own_submission",
        }),
        _ => Ok(()),
    }
}

/// What the assignee chose to do with a pending task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Approve {
        comment: String,
    },
    Reject {
        comment: String,
    },
    /// 转交: the same step goes to another member.
    HandOver {
        to: i64,
        comment: String,
    },
    /// 加签 (after me): I approve, and `to` must approve too before the next step.
    AddApprover {
        to: i64,
        comment: String,
    },
}

/// Parses the posted action: a reject needs a comment; hand-over and add-approver need a
/// person other than the assignee.
pub(crate) fn parse_action(
    action: &str,
    comment: &str,
    target: Option<&str>,
    me: i64,
) -> Result<Action, &'static str> {
    let comment = comment.trim().to_string();
    if comment.chars().count() > COMMENT_MAX {
        return Err("approval.error.comment_too_long");
    }
    let target = || -> Result<i64, &'static str> {
        let to = target
            .and_then(|t| t.trim().parse::<i64>().ok())
            .ok_or("approval.error.target_required")?;
        if to == me {
            Err("approval.error.target_is_self")
        } else {
            Ok(to)
        }
    };
    match action {
        "approve" => Ok(Action::Approve { comment }),
        "reject" if comment.is_empty() => Err("approval.error.comment_required"),
        "reject" => Ok(Action::Reject { comment }),
        "hand_over" => Ok(Action::HandOver {
            to: target()?,
            comment,
        }),
        "add_approver" => Ok(Action::AddApprover {
            to: target()?,
            comment,
        }),
        _ => Err("error.bad_request"),
    }
}

/// The step after `position`, or `None` when the flow is complete.
pub(crate) fn next_step(steps: &[Step], position: i32) -> Option<&Step> {
    steps
        .iter()
        .filter(|s| s.position > position)
        .min_by_key(|s| s.position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(position: i32) -> Step {
        Step {
            id: i64::from(position),
            page_id: 1,
            position,
            name: format!("s{position}"),
            approver_id: 1,
        }
    }

    #[test]
    fn a_reject_needs_a_comment() {
        assert_eq!(
            parse_action("reject", "  ", None, 1),
            Err("approval.error.comment_required")
        );
        assert!(parse_action("reject", "预算不足", None, 1).is_ok());
        assert!(parse_action("approve", "", None, 1).is_ok());
    }

    #[test]
    fn hand_over_needs_another_person() {
        assert_eq!(
            parse_action("hand_over", "", None, 1),
            Err("approval.error.target_required")
        );
        assert_eq!(
            parse_action("add_approver", "", Some("1"), 1),
            Err("approval.error.target_is_self")
        );
        assert_eq!(
            parse_action("hand_over", "", Some("2"), 1),
            Ok(Action::HandOver {
                to: 2,
                comment: String::new()
            })
        );
        assert_eq!(
            parse_action("delete", "", None, 1),
            Err("error.bad_request")
        );
    }

    #[test]
    fn nobody_is_handed_their_own_submission_nor_approves_it() {
        let hand = |to| Action::HandOver {
            to,
            comment: String::new(),
        };
        let add = |to| Action::AddApprover {
            to,
            comment: String::new(),
        };
        let approve = Action::Approve {
            comment: String::new(),
        };
        assert_eq!(
            check_not_own(&hand(7), 1, 7).map_err(|r| r.key),
            Err("approval.error.target_is_submitter")
        );
        assert_eq!(
            check_not_own(&add(7), 1, 7).map_err(|r| r.field),
            Err("target")
        );
        assert_eq!(
            check_not_own(&approve, 7, 7).map_err(|r| r.key),
            Err("approval.error.own_submission")
        );
        assert!(check_not_own(&add(2), 7, 7).is_err(), "加签 approves too");
        assert!(
            check_not_own(&hand(2), 7, 7).is_ok(),
            "handing on is allowed"
        );
        assert!(check_not_own(&approve, 1, 7).is_ok());
        assert_eq!(
            Refusal::of("approval.error.comment_required").field,
            "comment"
        );
        assert_eq!(
            Refusal::of("approval.error.target_required").field,
            "target"
        );
    }

    #[test]
    fn the_flow_moves_to_the_next_position_and_then_ends() {
        let steps = vec![step(0), step(2), step(1)];
        assert_eq!(next_step(&steps, 0).map(|s| s.position), Some(1));
        assert_eq!(next_step(&steps, 1).map(|s| s.position), Some(2));
        assert!(next_step(&steps, 2).is_none());
    }
}
