//! 标准规范: a quality or security defect the operator records against a deployed app. The
//! provider submits an improvement plan within 2 days and fixes it within 7 (seed:
//! ISV必须在2日内提交改进计划，1周内限期改进); both are shown with countdowns and flagged when
//! overdue. For a severe one the operator may also pause the link or suspend deployments.

use diesel::prelude::*;

use crate::db::schema::qd_defects as d;
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::tools::wait::DAY;

pub(crate) const PLAN_DAYS: i64 = 2;
pub(crate) const FIX_DAYS: i64 = 7;

/// Where a deadline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Deadline {
    Done,
    /// Seconds left.
    Remaining(i64),
    /// Seconds past it.
    Overdue(i64),
}

/// A deadline at `now`: done once `done_at` is set, else the time left or past.
pub(crate) fn deadline(now: i64, due: i64, done_at: Option<i64>) -> Deadline {
    match done_at {
        Some(_) => Deadline::Done,
        None if now <= due => Deadline::Remaining(due - now),
        None => Deadline::Overdue(now - due),
    }
}

impl Deadline {
    pub(crate) fn overdue(self) -> bool {
        matches!(self, Deadline::Overdue(_))
    }
    pub(crate) fn tone(self) -> &'static str {
        match self {
            Deadline::Done => "ok",
            Deadline::Remaining(_) => "warn",
            Deadline::Overdue(_) => "bad",
        }
    }
    /// The countdown as the console writes durations ("剩余 1天 3小时", "已逾期 2小时 5分钟").
    pub(crate) fn text(self, lang: Lang) -> String {
        match self {
            Deadline::Done => lang.t("quickdeploy.deadline.done").into_owned(),
            Deadline::Remaining(s) => lang.tf(
                "quickdeploy.deadline.remaining",
                &[("d", &crate::i18n::format_wait(lang, s))],
            ),
            Deadline::Overdue(s) => lang.tf(
                "quickdeploy.deadline.overdue",
                &[("d", &crate::i18n::format_wait(lang, s))],
            ),
        }
    }
}

/// How grave a defect is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    Minor,
    Severe,
}

impl Severity {
    pub(crate) fn parse(s: &str) -> Option<Severity> {
        match s {
            "minor" => Some(Severity::Minor),
            "severe" => Some(Severity::Severe),
            _ => None,
        }
    }
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Severe => "severe",
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = d)]
pub(crate) struct Defect {
    pub id: i64,
    pub application_id: i64,
    pub severity: String,
    pub description: String,
    pub recorded_at: i64,
    pub plan_due_at: i64,
    pub fix_due_at: i64,
    pub plan: String,
    pub plan_at: Option<i64>,
    pub fix_note: String,
    pub fixed_at: Option<i64>,
    pub closed_at: Option<i64>,
}

impl Defect {
    pub(crate) fn plan_deadline(&self, now: i64) -> Deadline {
        deadline(now, self.plan_due_at, self.plan_at.or(self.closed_at))
    }
    pub(crate) fn fix_deadline(&self, now: i64) -> Deadline {
        deadline(now, self.fix_due_at, self.fixed_at.or(self.closed_at))
    }
    pub(crate) fn severity_key(&self) -> &'static str {
        match Severity::parse(&self.severity) {
            Some(Severity::Severe) => "quickdeploy.defect.severe",
            _ => "quickdeploy.defect.minor",
        }
    }
    pub(crate) fn severe(&self) -> bool {
        Severity::parse(&self.severity) == Some(Severity::Severe)
    }
    /// The defect's one status.
    pub(crate) fn status_key(&self) -> &'static str {
        if self.closed_at.is_some() {
            "quickdeploy.defect.closed"
        } else if self.fixed_at.is_some() {
            "quickdeploy.defect.fixed"
        } else if self.plan_at.is_some() {
            "quickdeploy.defect.planned"
        } else {
            "quickdeploy.defect.open"
        }
    }
    pub(crate) fn open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// The application's defects, newest first (a handful per app).
pub(crate) fn of_application(conn: &mut Conn, app: i64) -> AppResult<Vec<Defect>> {
    Ok(d::table
        .filter(d::application_id.eq(app))
        .order(d::id.desc())
        .limit(200)
        .select(Defect::as_select())
        .load(conn)?)
}

/// The operator records a defect; deadlines start now.
pub(crate) fn record(
    conn: &mut Conn,
    app: i64,
    severity: Severity,
    description: &str,
    by: i64,
) -> AppResult<()> {
    let t = now();
    diesel::insert_into(d::table)
        .values((
            d::application_id.eq(app),
            d::severity.eq(severity.as_str()),
            d::description.eq(description),
            d::recorded_by.eq(by),
            d::recorded_at.eq(t),
            d::plan_due_at.eq(t + PLAN_DAYS * DAY),
            d::fix_due_at.eq(t + FIX_DAYS * DAY),
        ))
        .execute(conn)?;
    Ok(())
}

/// The open defect `id` of application `app` (another's: missing).
fn open_of(conn: &mut Conn, app: i64, id: i64) -> AppResult<Defect> {
    let x: Defect = d::table
        .find(id)
        .select(Defect::as_select())
        .first(conn)
        .optional()?
        .filter(|x| x.application_id == app)
        .ok_or(AppError::NotFound)?;
    if !x.open() {
        return Err(AppError::Conflict("quickdeploy.error.defect_closed"));
    }
    Ok(x)
}

/// The provider's improvement plan (it may be revised until the defect is fixed).
pub(crate) fn plan(conn: &mut Conn, app: i64, id: i64, text: &str) -> AppResult<()> {
    let x = open_of(conn, app, id)?;
    if x.fixed_at.is_some() {
        return Err(AppError::Conflict("quickdeploy.error.defect_fixed"));
    }
    diesel::update(d::table.find(id))
        .set((
            d::plan.eq(text),
            d::plan_at.eq(Some(x.plan_at.unwrap_or(now()))),
        ))
        .execute(conn)?;
    Ok(())
}

/// The provider marks the defect fixed, with a note.
pub(crate) fn fixed(conn: &mut Conn, app: i64, id: i64, note: &str) -> AppResult<()> {
    let x = open_of(conn, app, id)?;
    if x.plan_at.is_none() {
        return Err(AppError::Conflict("quickdeploy.error.plan_first"));
    }
    diesel::update(d::table.find(id))
        .set((d::fix_note.eq(note), d::fixed_at.eq(Some(now()))))
        .execute(conn)?;
    Ok(())
}

/// The operator closes the defect (accepted fix, or withdrawn).
pub(crate) fn close(conn: &mut Conn, app: i64, id: i64, by: i64) -> AppResult<()> {
    open_of(conn, app, id)?;
    diesel::update(d::table.find(id))
        .set((d::closed_by.eq(Some(by)), d::closed_at.eq(Some(now()))))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_counts_down_then_is_overdue_unless_done() {
        assert_eq!(deadline(100, 160, None), Deadline::Remaining(60));
        assert_eq!(deadline(160, 160, None), Deadline::Remaining(0));
        assert_eq!(deadline(200, 160, None), Deadline::Overdue(40));
        assert_eq!(deadline(200, 160, Some(150)), Deadline::Done);
        assert_eq!(deadline(200, 160, Some(190)), Deadline::Done);
        assert!(deadline(200, 160, None).overdue());
    }

    #[test]
    fn the_countdown_reads_in_days_and_hours() {
        let d = deadline(0, DAY + 3 * 3600 + 60, None);
        let zh = d.text(Lang::Zh);
        assert!(zh.contains('1') && zh.contains('3'), "{zh}");
        let en = Deadline::Overdue(2 * DAY).text(Lang::En);
        assert!(en.contains('2'), "{en}");
    }

    #[test]
    fn plan_in_two_days_fix_in_seven() {
        assert_eq!(PLAN_DAYS * DAY, 172_800);
        assert_eq!(FIX_DAYS * DAY, 604_800);
    }
}
