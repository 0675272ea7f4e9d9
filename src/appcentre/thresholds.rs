//! The grey thresholds an operator adjusts for one product (the seed: 灰度成功的标准可根据
//! 应用类型进行协商调整): the form as typed, its checks, and the audited change.

use diesel::prelude::*;

use super::figures::Thresholds;
use super::grey::{Refusal, log};
use crate::db::schema::ac_thresholds as th;
use crate::db::{Conn, now, write_tx};
use crate::error::AppResult;
use crate::notifications::notify_admins;

/// The operator's adjustment of the grey thresholds for one product, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct ThresholdForm {
    pub active: String,
    pub dau_wau: String,
    pub satisfaction: String,
    pub quality: String,
    pub reason: String,
}

impl ThresholdForm {
    pub(crate) fn of(t: &Thresholds) -> ThresholdForm {
        let pct = |p: i32| format!("{}", f64::from(p) / 10.0);
        ThresholdForm {
            active: pct(t.active_permille),
            dau_wau: pct(t.dau_wau_permille),
            satisfaction: t.satisfaction.to_string(),
            quality: t.quality.to_string(),
            reason: String::new(),
        }
    }

    /// The thresholds and reason, or every field's error: rates in percent with at most
    /// one decimal (0–100), scores 0–100, a reason of 2–500 characters.
    pub(crate) fn parse(&self) -> Result<(Thresholds, String), Vec<Refusal>> {
        let mut errs = Vec::new();
        let permille = |s: &str| -> Option<i32> {
            let v: f64 = s.trim().trim_end_matches('%').trim().parse().ok()?;
            let p = (v * 10.0).round();
            ((0.0..=1000.0).contains(&p) && (v * 10.0 - p).abs() < 1e-6).then_some(p as i32)
        };
        let score = |s: &str| {
            s.trim()
                .parse::<i32>()
                .ok()
                .filter(|v| (0..=100).contains(v))
        };
        let active = permille(&self.active);
        let dau_wau = permille(&self.dau_wau);
        let satisfaction = score(&self.satisfaction);
        let quality = score(&self.quality);
        for (v, field, key) in [
            (active.is_none(), "active", "appcentre.error.threshold_rate"),
            (
                dau_wau.is_none(),
                "dau_wau",
                "appcentre.error.threshold_rate",
            ),
            (
                satisfaction.is_none(),
                "satisfaction",
                "appcentre.error.threshold_score",
            ),
            (
                quality.is_none(),
                "quality",
                "appcentre.error.threshold_score",
            ),
        ] {
            if v {
                errs.push((field, key));
            }
        }
        let reason = self.reason.trim().to_string();
        if !(2..=500).contains(&reason.chars().count()) {
            errs.push(("reason", "appcentre.error.reason_required"));
        }
        match (active, dau_wau, satisfaction, quality) {
            (Some(a), Some(d), Some(s), Some(q)) if errs.is_empty() => Ok((
                Thresholds {
                    active_permille: a,
                    dau_wau_permille: d,
                    satisfaction: s,
                    quality: q,
                },
                reason,
            )),
            _ => Err(errs),
        }
    }
}

/// Sets the product's grey thresholds (可根据应用类型进行协商调整), audited with the reason.
pub(crate) fn adjust(
    conn: &mut Conn,
    product: i64,
    t: Thresholds,
    reason: &str,
    by: i64,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = super::grey::grey_product(conn, product)?;
        let at = now();
        diesel::delete(th::table.find(product)).execute(conn)?;
        diesel::insert_into(th::table)
            .values((
                th::product_id.eq(product),
                th::active_permille.eq(t.active_permille),
                th::dau_wau_permille.eq(t.dau_wau_permille),
                th::satisfaction.eq(t.satisfaction),
                th::quality.eq(t.quality),
                th::reason.eq(reason),
                th::set_by.eq(by),
                th::set_at.eq(at),
            ))
            .execute(conn)?;
        let detail = format!(
            "{:.1}% / {:.1}% / {} / {} · {reason}",
            f64::from(t.active_permille) / 10.0,
            f64::from(t.dau_wau_permille) / 10.0,
            t.satisfaction,
            t.quality
        );
        log(conn, product, "thresholds", &detail, by)?;
        notify_admins(
            conn,
            prod.provider_org_id,
            "appcentre.notify.thresholds",
            &format!("{} · {detail}", prod.name),
            &format!("/provider/app-centre/products/{product}/gate"),
        )
    })
}
