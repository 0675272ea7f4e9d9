//! Invitation (邀请入驻) and seller onboarding (入驻云市场服务商): the app centre takes
//! certified providers the operator invited, once the operator has recorded their
//! business agreement and deposit and approved their application.

use diesel::prelude::*;

use crate::db::schema::{ac_invitations as inv, ac_sellers as s, orgs};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::notifications::notify_admins;
use crate::web::Errors;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SellerStatus {
    Pending,
    Approved,
    Rejected,
}

impl SellerStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SellerStatus::Pending => "pending",
            SellerStatus::Approved => "approved",
            SellerStatus::Rejected => "rejected",
        }
    }
    pub(crate) fn parse(s: &str) -> SellerStatus {
        match s {
            "approved" => SellerStatus::Approved,
            "rejected" => SellerStatus::Rejected,
            _ => SellerStatus::Pending,
        }
    }
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            SellerStatus::Pending => "appcentre.seller.pending",
            SellerStatus::Approved => "appcentre.seller.approved",
            SellerStatus::Rejected => "appcentre.seller.rejected",
        }
    }
    pub(crate) fn tone(self) -> &'static str {
        match self {
            SellerStatus::Pending => "warn",
            SellerStatus::Approved => "ok",
            SellerStatus::Rejected => "bad",
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = s)]
pub(crate) struct Seller {
    pub provider_org_id: i64,
    pub contact_name: String,
    pub contact_phone: String,
    pub intro: String,
    pub status: String,
    pub agreement_no: String,
    pub deposit_fen: i64,
    pub reason: String,
    pub applied_at: i64,
    pub decided_at: Option<i64>,
}

impl Seller {
    pub(crate) fn status(&self) -> SellerStatus {
        SellerStatus::parse(&self.status)
    }
    pub(crate) fn deposit_yuan(&self) -> String {
        crate::tools::money::yuan(self.deposit_fen)
    }
}

/// Where a provider stands with the app centre.
#[derive(Clone, Debug)]
pub(crate) struct Standing {
    pub invited_at: Option<i64>,
    pub seller: Option<Seller>,
}

impl Standing {
    pub(crate) fn invited(&self) -> bool {
        self.invited_at.is_some()
    }
    /// Invited and onboarded: the provider may create products.
    pub(crate) fn onboarded(&self) -> bool {
        self.invited()
            && self
                .seller
                .as_ref()
                .is_some_and(|s| s.status() == SellerStatus::Approved)
    }
}

pub(crate) fn standing(conn: &mut Conn, provider: i64) -> AppResult<Standing> {
    let invited_at = inv::table
        .find(provider)
        .select(inv::invited_at)
        .first(conn)
        .optional()?;
    let seller = s::table
        .find(provider)
        .select(Seller::as_select())
        .first(conn)
        .optional()?;
    Ok(Standing { invited_at, seller })
}

/// The operator's row of one certified provider.
#[derive(Clone, Debug)]
pub(crate) struct ProviderRow {
    pub org_id: i64,
    pub name: String,
    pub corp_id: String,
    pub standing: Standing,
}

/// Certified providers with their invitation and seller application, pending ones first.
pub(crate) fn providers(conn: &mut Conn) -> AppResult<Vec<ProviderRow>> {
    let rows: Vec<(i64, String, String)> = orgs::table
        .filter(orgs::certified.eq(true))
        .filter(orgs::provider_level.ne("none"))
        .order(orgs::id.asc())
        .select((orgs::id, orgs::name, orgs::corp_id))
        .limit(500)
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let invited: Vec<(i64, i64)> = inv::table
        .filter(inv::provider_org_id.eq_any(&ids))
        .select((inv::provider_org_id, inv::invited_at))
        .load(conn)?;
    let sellers: Vec<Seller> = s::table
        .filter(s::provider_org_id.eq_any(&ids))
        .select(Seller::as_select())
        .load(conn)?;
    let mut out: Vec<ProviderRow> = rows
        .into_iter()
        .map(|(org_id, name, corp_id)| ProviderRow {
            org_id,
            name,
            corp_id,
            standing: Standing {
                invited_at: invited.iter().find(|i| i.0 == org_id).map(|i| i.1),
                seller: sellers
                    .iter()
                    .find(|s| s.provider_org_id == org_id)
                    .cloned(),
            },
        })
        .collect();
    out.sort_by_key(|r| {
        !r.standing
            .seller
            .as_ref()
            .is_some_and(|s| s.status() == SellerStatus::Pending)
    });
    Ok(out)
}

/// The operator invites a certified provider (once; inviting again changes nothing).
pub(crate) fn invite(conn: &mut Conn, provider: i64, note: &str, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let certified: bool = orgs::table
            .find(provider)
            .select(orgs::certified.and(orgs::provider_level.ne("none")))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if !certified {
            return Err(AppError::Conflict("appcentre.error.not_certified"));
        }
        let inserted = crate::native!(conn, |c| diesel::insert_into(inv::table)
            .values((
                inv::provider_org_id.eq(provider),
                inv::note.eq(note),
                inv::invited_by.eq(by),
                inv::invited_at.eq(now()),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        if inserted == 1 {
            notify_admins(
                conn,
                provider,
                "appcentre.notify.invited",
                note,
                "/provider/app-centre",
            )?;
        }
        Ok(())
    })
}

/// The provider's application form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub(crate) struct ApplyForm {
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub intro: String,
}

impl ApplyForm {
    pub(crate) fn check(&self) -> Errors {
        let mut e = Errors::default();
        let name = self.contact_name.trim().chars().count();
        if !(1..=30).contains(&name) {
            e.add("contact_name", "appcentre.error.contact_name");
        }
        let phone = self.contact_phone.trim();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(7..=20).contains(&digits)
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
        {
            e.add("contact_phone", "appcentre.error.contact_phone");
        }
        let intro = self.intro.trim().chars().count();
        if !(10..=500).contains(&intro) {
            e.add("intro", "appcentre.error.seller_intro");
        }
        e
    }
}

/// Applies (or applies again after a rejection). Only an invited provider may; an
/// application already pending or approved stays as it is.
pub(crate) fn apply(conn: &mut Conn, provider: i64, f: &ApplyForm, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let st = standing(conn, provider)?;
        if !st.invited() {
            return Err(AppError::Forbidden("appcentre.error.not_invited"));
        }
        match st.seller.as_ref().map(Seller::status) {
            Some(SellerStatus::Pending | SellerStatus::Approved) => {
                return Err(AppError::Conflict("appcentre.error.already_applied"));
            }
            Some(SellerStatus::Rejected) => {
                diesel::update(s::table.find(provider))
                    .set((
                        s::contact_name.eq(f.contact_name.trim()),
                        s::contact_phone.eq(f.contact_phone.trim()),
                        s::intro.eq(f.intro.trim()),
                        s::status.eq(SellerStatus::Pending.as_str()),
                        s::reason.eq(""),
                        s::applied_by.eq(by),
                        s::applied_at.eq(now()),
                        s::decided_by.eq(None::<i64>),
                        s::decided_at.eq(None::<i64>),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(s::table)
                    .values((
                        s::provider_org_id.eq(provider),
                        s::contact_name.eq(f.contact_name.trim()),
                        s::contact_phone.eq(f.contact_phone.trim()),
                        s::intro.eq(f.intro.trim()),
                        s::status.eq(SellerStatus::Pending.as_str()),
                        s::applied_by.eq(by),
                        s::applied_at.eq(now()),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

/// The operator's decision on an application: approving records the business agreement
/// (商务合作签订) and the deposit (保证金); rejecting needs a reason.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub agreement_no: String,
    #[serde(default)]
    pub deposit: String,
    #[serde(default)]
    pub reason: String,
}

pub(crate) enum Decision {
    Approve {
        agreement_no: String,
        deposit_fen: i64,
    },
    Reject {
        reason: String,
    },
}

impl DecideForm {
    pub(crate) fn parse(&self) -> Result<Decision, Errors> {
        let mut e = Errors::default();
        match self.decision.as_str() {
            "approve" => {
                let agreement = self.agreement_no.trim();
                if !(3..=40).contains(&agreement.chars().count()) {
                    e.add("agreement_no", "appcentre.error.agreement_no");
                }
                let deposit = crate::tools::money::parse_yuan(&self.deposit)
                    .filter(|f| *f > 0)
                    .ok_or("appcentre.error.deposit");
                if let Err(k) = deposit {
                    e.add("deposit", k);
                }
                match deposit {
                    Ok(deposit_fen) if e.is_empty() => Ok(Decision::Approve {
                        agreement_no: agreement.to_string(),
                        deposit_fen,
                    }),
                    _ => Err(e),
                }
            }
            "reject" => {
                let reason = self.reason.trim();
                if reason.is_empty() || reason.chars().count() > 500 {
                    e.add("reason", "appcentre.error.reason");
                    return Err(e);
                }
                Ok(Decision::Reject {
                    reason: reason.to_string(),
                })
            }
            _ => {
                e.add("decision", "appcentre.error.decision");
                Err(e)
            }
        }
    }
}

pub(crate) fn decide(conn: &mut Conn, provider: i64, d: &Decision, by: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let status: String = s::table
            .find(provider)
            .select(s::status)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if SellerStatus::parse(&status) != SellerStatus::Pending {
            return Err(AppError::Conflict("appcentre.error.already_decided"));
        }
        let (status, agreement, deposit, reason, title) = match d {
            Decision::Approve {
                agreement_no,
                deposit_fen,
            } => (
                SellerStatus::Approved,
                agreement_no.as_str(),
                *deposit_fen,
                "",
                "appcentre.notify.seller_approved",
            ),
            Decision::Reject { reason } => (
                SellerStatus::Rejected,
                "",
                0,
                reason.as_str(),
                "appcentre.notify.seller_rejected",
            ),
        };
        diesel::update(s::table.find(provider))
            .set((
                s::status.eq(status.as_str()),
                s::agreement_no.eq(agreement),
                s::deposit_fen.eq(deposit),
                s::reason.eq(reason),
                s::decided_by.eq(Some(by)),
                s::decided_at.eq(Some(now())),
            ))
            .execute(conn)?;
        notify_admins(conn, provider, title, reason, "/provider/app-centre")
    })
}
