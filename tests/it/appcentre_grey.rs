//! The grey release (灰度): the operator's cohort of at most 1000 organisations, the week's
//! figures against the grey thresholds (adjustable per product with a reason, audited),
//! pause and roll-back, and the provider's application for the final review that opens
//! the product to every organisation.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::now;
use fenfa::db::schema::{ac_cohort, ac_events, ac_products, app_uses, orgs, users};
use fenfa::tools::wait::{DAY, cst_day};

use crate::support::appcentre::{Seller, at_stage, installed_copy, onboarded, open_review};
use crate::support::{TestApp, each_backend};

fn stage(app: &TestApp, id: i64) -> String {
    ac_products::table
        .find(id)
        .select(ac_products::stage)
        .first(&mut *app.conn())
        .expect("stage")
}

fn cohort_size(app: &TestApp, id: i64) -> i64 {
    ac_cohort::table
        .filter(ac_cohort::product_id.eq(id))
        .count()
        .get_result(&mut *app.conn())
        .expect("cohort")
}

/// `n` organisations (CorpIDs dinggr00…) with a main admin each (gr0admin…); their ids.
fn orgs_of(app: &TestApp, n: usize, edition: &str) -> Vec<i64> {
    (0..n)
        .map(|i| {
            let org = app.org(&format!("灰度企业{i}"), &format!("dinggr{i:02}"), edition);
            app.person(org, &format!("gr{i}admin"), Role::MainAdmin);
            org
        })
        .collect()
}

fn corp_list(n: usize) -> String {
    (0..n)
        .map(|i| format!("dinggr{i:02}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A product listed in grey with `n` cohort organisations chosen by list, the week
/// started eight days ago and each organisation's copy installed in it; returns the
/// organisations, their copies and the week's first day.
async fn grey_week(app: &TestApp, s: &Seller, id: i64, n: usize) -> (Vec<i64>, Vec<i64>, i64) {
    let orgs = orgs_of(app, n, "professional");
    let base = format!("/operator/app-centre/products/{id}");
    s.op.post_ok(
        &format!("{base}/cohort"),
        &[("by", "list"), ("corp_ids", &corp_list(n))],
    )
    .await;
    s.op.post_ok(&format!("{base}/grey/start"), &[]).await;
    let started = now() - 8 * DAY;
    diesel::update(ac_products::table.find(id))
        .set(ac_products::grey_started_at.eq(Some(started)))
        .execute(&mut *app.conn())
        .expect("backdate");
    let mut copies = Vec::new();
    for (i, org) in orgs.iter().enumerate() {
        let admin = user(app, &format!("gr{i}admin"));
        let copy = installed_copy(app, id, *org, admin, "grey", started + 60);
        copies.push(copy);
    }
    (orgs, copies, cst_day(started))
}

fn user(app: &TestApp, login: &str) -> i64 {
    users::table
        .filter(users::login.eq(login))
        .select(users::id)
        .first(&mut *app.conn())
        .expect("user")
}

/// The first `n` organisations' admins use their copy on `days` of the week.
fn use_on(app: &TestApp, orgs: &[i64], copies: &[i64], first: i64, n: usize, days: &[i64]) {
    for i in 0..n {
        let who = user(app, &format!("gr{i}admin"));
        for d in days {
            diesel::insert_into(app_uses::table)
                .values((
                    app_uses::app_id.eq(copies[i]),
                    app_uses::org_id.eq(orgs[i]),
                    app_uses::user_id.eq(who),
                    app_uses::day.eq(first + d),
                    app_uses::created_at.eq(now()),
                ))
                .execute(&mut *app.conn())
                .expect("use");
        }
    }
}

async fn survey_answered(app: &TestApp, s: &Seller, id: i64, scores: &[&str]) {
    use fenfa::db::schema::ac_surveys as sv;
    s.op.post_ok(
        &format!("/operator/app-centre/products/{id}/survey"),
        &[("phase", "grey")],
    )
    .await;
    let survey: i64 = sv::table
        .order(sv::id.desc())
        .select(sv::id)
        .first(&mut *app.conn())
        .expect("survey");
    for (i, score) in scores.iter().enumerate() {
        app.signed_in(&format!("gr{i}admin"))
            .await
            .post_ok(
                &format!("/app-centre/surveys/{survey}"),
                &[("score", score), ("comment", "稳定")],
            )
            .await;
    }
}

#[tokio::test]
async fn the_operator_chooses_the_grey_cohort_by_list_edition_or_sample_with_refusals_beside_the_field()
 {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        let cohort = format!("/operator/app-centre/products/{id}/cohort");
        orgs_of(&app, 3, "professional");
        // An unknown CorpID refuses the whole list, naming it; what was typed is kept.
        s.op.post(
            &cohort,
            &[("by", "list"), ("corp_ids", "dinggr00\ndingnobody")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("以下 CorpID 未找到")
        .assert_contains("dingnobody")
        .assert_contains("dinggr00\ndingnobody</textarea>");
        assert_eq!(cohort_size(&app, id), 0);
        s.op.post_ok(
            &cohort,
            &[("by", "list"), ("corp_ids", "dinggr00, dinggr01")],
        )
        .await;
        assert_eq!(cohort_size(&app, id), 2);
        // By edition: every exclusive-edition organisation not in the cohort yet.
        app.org("专属版企业", "dingex01", "exclusive");
        s.op.post_ok(&cohort, &[("by", "edition"), ("edition", "exclusive")])
            .await;
        assert_eq!(cohort_size(&app, id), 3);
        // A sample must be a size from 1 to 1000, and no larger than the active pool.
        s.op.post(&cohort, &[("by", "sample"), ("count", "0")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("抽样数量须为 1 到 1000 之间的整数")
            .assert_contains("value=\"0\"");
        s.op.post(&cohort, &[("by", "sample"), ("count", "900")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("近 30 天活跃");
        // The page lists the cohort with its editions.
        s.op.get(&format!("/operator/app-centre/products/{id}"))
            .await
            .assert_contains("灰度企业 3 家")
            .assert_contains("dinggr01")
            .assert_contains("dingex01");
    })
    .await;
}

#[tokio::test]
async fn a_grey_cohort_never_passes_1000_organisations() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        // 999 organisations already chosen, in one transaction.
        app.conn()
            .transaction::<_, diesel::result::Error, _>(|conn| {
                for i in 0..999 {
                    let org: i64 = diesel::insert_into(orgs::table)
                        .values((
                            orgs::name.eq(format!("批量{i}")),
                            orgs::corp_id.eq(format!("dingbulk{i:04}")),
                            orgs::edition.eq("light"),
                            orgs::created_at.eq(now()),
                        ))
                        .returning(orgs::id)
                        .get_result(conn)?;
                    diesel::insert_into(ac_cohort::table)
                        .values((ac_cohort::product_id.eq(id), ac_cohort::org_id.eq(org)))
                        .execute(conn)?;
                }
                Ok(())
            })
            .expect("999");
        orgs_of(&app, 2, "professional");
        let cohort = format!("/operator/app-centre/products/{id}/cohort");
        s.op.post(
            &cohort,
            &[("by", "list"), ("corp_ids", "dinggr00 dinggr01")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("灰度企业最多 1000 家");
        assert_eq!(cohort_size(&app, id), 999);
        s.op.post_ok(&cohort, &[("by", "list"), ("corp_ids", "dinggr00")])
            .await;
        assert_eq!(cohort_size(&app, id), 1000);
    })
    .await;
}

#[tokio::test]
async fn the_grey_week_starts_only_with_a_cohort_which_is_fixed_from_then() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        let base = format!("/operator/app-centre/products/{id}");
        s.op.post(&format!("{base}/grey/start"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        let orgs = orgs_of(&app, 2, "professional");
        s.op.post_ok(
            &format!("{base}/cohort"),
            &[("by", "list"), ("corp_ids", "dinggr00 dinggr01")],
        )
        .await;
        s.op.post_ok(&format!("{base}/cohort/{}/remove", orgs[1]), &[])
            .await;
        s.op.post_ok(&format!("{base}/grey/start"), &[]).await;
        assert_eq!(cohort_size(&app, id), 1);
        s.op.post(
            &format!("{base}/cohort"),
            &[("by", "list"), ("corp_ids", "dinggr01")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("灰度已开始");
        s.op.post(&format!("{base}/cohort/{}/remove", orgs[0]), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        // The provider is told, and sees the week on its gate page.
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}/gate"))
            .await
            .assert_contains("灰度中")
            .assert_contains("灰度企业 1 家");
    })
    .await;
}

#[tokio::test]
async fn a_grey_product_is_seen_by_its_cohort_only_and_a_paused_one_by_nobody_new() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        let (orgs, _, _) = grey_week(&app, &s, id, 1).await;
        let outsider = app.org("圈外企业", "dingout01", "professional");
        app.person(outsider, "outadmin", Role::MainAdmin);
        let page = format!("/app-centre/products/{id}");
        let member = app.signed_in("gr0admin").await;
        member.get(&page).await.assert_status(StatusCode::OK);
        app.signed_in("outadmin")
            .await
            .get(&page)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Pausing needs a reason; then the cohort no longer finds it, and resuming
        // shows it again. Both are in the product's trail.
        let pause = format!("/operator/app-centre/products/{id}/pause");
        s.op.post(&pause, &[("action", "pause"), ("reason", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请填写原因");
        s.op.post_ok(&pause, &[("action", "pause"), ("reason", "安全问题排查")])
            .await;
        member.get(&page).await.assert_status(StatusCode::NOT_FOUND);
        s.op.post(&pause, &[("action", "pause"), ("reason", "再次暂停")])
            .await
            .assert_status(StatusCode::CONFLICT);
        s.op.post_ok(&pause, &[("action", "resume"), ("reason", "已修复")])
            .await;
        member.get(&page).await.assert_status(StatusCode::OK);
        let kinds: Vec<String> = ac_events::table
            .filter(ac_events::product_id.eq(id))
            .order(ac_events::id.asc())
            .select(ac_events::kind)
            .load(&mut *app.conn())
            .expect("events");
        assert_eq!(
            kinds,
            ["cohort_added", "grey_started", "paused", "resumed"],
            "the trail"
        );
        let _ = orgs;
    })
    .await;
}

#[tokio::test]
async fn adjusted_grey_thresholds_need_a_reason_are_audited_and_decide_the_final_application() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        let (orgs, copies, first) = grey_week(&app, &s, id, 2).await;
        // Both organisations active; each admin uses it on 1 day of 7: DAU/WAU 14.3 %,
        // below the seed's 25 %.
        use_on(&app, &orgs, &copies, first, 2, &[2]);
        survey_answered(&app, &s, id, &["85", "90"]).await;
        let final_ = format!("/provider/app-centre/products/{id}/final");
        s.padmin
            .post(&final_, &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        let adjust = format!("/operator/app-centre/products/{id}/thresholds");
        s.op.post(
            &adjust,
            &[
                ("active", "50"),
                ("dau_wau", "120"),
                ("satisfaction", "80"),
                ("quality", "x"),
                ("reason", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请输入 0 到 100 之间的百分比")
        .assert_contains("请输入 0 到 100 之间的整数")
        .assert_contains("请填写原因")
        .assert_contains("value=\"120\"");
        // A low-frequency tool (weekly inspections): 10 % is agreed.
        s.op.post_ok(
            &adjust,
            &[
                ("active", "50"),
                ("dau_wau", "10"),
                ("satisfaction", "80"),
                ("quality", "80"),
                ("reason", "巡检类应用每周使用一次"),
            ],
        )
        .await;
        let detail: String = ac_events::table
            .filter(ac_events::product_id.eq(id))
            .filter(ac_events::kind.eq("thresholds"))
            .select(ac_events::detail)
            .first(&mut *app.conn())
            .expect("audited");
        assert!(detail.contains("10.0%") && detail.contains("巡检类应用每周使用一次"));
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}/gate"))
            .await
            .assert_contains("&#62; 10.0%")
            .assert_contains("14.3%")
            .assert_contains("已按应用类型调整")
            .assert_contains("巡检类应用每周使用一次");
        s.padmin.post_ok(&final_, &[]).await;
        assert_eq!(stage(&app, id), "final_review");
    })
    .await;
}

#[tokio::test]
async fn approving_the_final_review_opens_the_product_to_every_organisation() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        let (orgs, copies, first) = grey_week(&app, &s, id, 2).await;
        let final_ = format!("/provider/app-centre/products/{id}/final");
        // The week is not over yet: refused.
        diesel::update(ac_products::table.find(id))
            .set(ac_products::grey_started_at.eq(Some(now() - 2 * DAY)))
            .execute(&mut *app.conn())
            .expect("running");
        s.padmin
            .post(&final_, &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        diesel::update(ac_products::table.find(id))
            .set(ac_products::grey_started_at.eq(Some(now() - 8 * DAY)))
            .execute(&mut *app.conn())
            .expect("over");
        // Every day by both: 100 %, 100 %, 85 > 80, quality 100.
        use_on(&app, &orgs, &copies, first, 2, &[0, 1, 2, 3, 4, 5, 6]);
        survey_answered(&app, &s, id, &["85", "85"]).await;
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}/gate"))
            .await
            .assert_contains("申请审核通过");
        s.padmin.post_ok(&final_, &[]).await;
        let outsider = app.org("圈外企业", "dingout01", "professional");
        app.person(outsider, "outadmin", Role::MainAdmin);
        let out = app.signed_in("outadmin").await;
        let page = format!("/app-centre/products/{id}");
        out.get(&page).await.assert_status(StatusCode::NOT_FOUND);
        let review = open_review(&app, id);
        s.op.get(&format!("/operator/app-centre/reviews/{review}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("100.0%");
        s.op.post_ok(
            &format!("/operator/app-centre/reviews/{review}"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
        assert_eq!(stage(&app, id), "open");
        out.get(&page).await.assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn rolling_back_the_grey_release_clears_the_week_and_the_cohort_and_closes_the_final_review()
{
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "grey").await;
        let (orgs, copies, first) = grey_week(&app, &s, id, 2).await;
        use_on(&app, &orgs, &copies, first, 2, &[0, 1, 2, 3, 4, 5, 6]);
        survey_answered(&app, &s, id, &["95", "95"]).await;
        s.padmin
            .post_ok(&format!("/provider/app-centre/products/{id}/final"), &[])
            .await;
        let rollback = format!("/operator/app-centre/products/{id}/rollback");
        s.op.post(&rollback, &[("reason", "x")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请填写原因");
        s.op.post_ok(&rollback, &[("reason", "灰度期间出现数据同步故障")])
            .await;
        assert_eq!(stage(&app, id), "grey");
        assert_eq!(cohort_size(&app, id), 0);
        let started: Option<i64> = ac_products::table
            .find(id)
            .select(ac_products::grey_started_at)
            .first(&mut *app.conn())
            .expect("started");
        assert_eq!(started, None);
        // The installed copies keep working; the provider reads why on its product.
        app.signed_in("gr0admin")
            .await
            .get(&format!("/apps/{}", copies[0]))
            .await
            .assert_status(StatusCode::OK);
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}"))
            .await
            .assert_contains("灰度期间出现数据同步故障");
    })
    .await;
}

#[tokio::test]
async fn the_operators_queue_lists_every_listed_product_a_page_at_a_time() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let grey = at_stage(&app, &s, "grey").await;
        let draft = crate::support::appcentre::draft(&app, &s).await;
        let open: Vec<i64> = (0..50)
            .map(|i| {
                crate::support::appcentre::open_product(
                    &app,
                    &s,
                    &format!("已开放{i:02}"),
                    "一个已开放的应用。",
                    "office",
                    90,
                )
            })
            .collect();
        let link = |id: i64| format!("href=\"/operator/app-centre/products/{id}\"");
        let first = s.op.get("/operator/app-centre/reviews").await;
        first.assert_status(StatusCode::OK);
        for id in &open {
            first.assert_contains(&link(*id));
        }
        first.assert_lacks(&link(draft));
        // The oldest listed product, in grey, is on the second page.
        first.assert_lacks(&link(grey));
        let next = format!("listed_after={}", open[0]);
        first.assert_contains(&next);
        s.op.get(&format!("/operator/app-centre/reviews?{next}"))
            .await
            .assert_contains(&link(grey))
            .assert_contains("已上架 · 灰度")
            .assert_contains(&format!("listed_before={grey}"));
    })
    .await;
}
