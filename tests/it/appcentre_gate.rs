//! Co-creation (共创) and its gate: ten organisations, two of them established, a week of
//! recorded use measured against the seed's thresholds, the survey and the bug records,
//! and the submission to the access review once every figure passes.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::now;
use fenfa::db::schema::{ac_products, app_uses, orgs};
use fenfa::tools::wait::{DAY, cst_day};

use crate::support::appcentre::{
    Seller, at_stage, installed_copy, onboarded, open_review, prelisted,
};
use crate::support::distribution::new_app;
use crate::support::{TestApp, each_backend};

/// Ten organisations invited to co-create `product`; the first `established` of them have
/// been on the platform 100 days with a member using an app last week. Returns their ids.
async fn ten_cocreators(app: &TestApp, s: &Seller, product: i64, established: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..10 {
        let org = app.org(
            &format!("共创企业{i}"),
            &format!("dingco{i:02}"),
            "professional",
        );
        let admin = app.person(org, &format!("co{i}admin"), Role::MainAdmin);
        if i < established {
            let t = now();
            diesel::update(orgs::table.find(org))
                .set(orgs::created_at.eq(t - 100 * DAY))
                .execute(&mut *app.conn())
                .expect("age");
            let own = new_app(app, org, admin, "日常审批", false);
            diesel::insert_into(app_uses::table)
                .values((
                    app_uses::app_id.eq(own),
                    app_uses::org_id.eq(org),
                    app_uses::user_id.eq(admin),
                    app_uses::day.eq(cst_day(t) - 3),
                    app_uses::created_at.eq(t),
                ))
                .execute(&mut *app.conn())
                .expect("use");
        }
        s.padmin
            .post_ok(
                &format!("/provider/app-centre/products/{product}/cocreators"),
                &[("corp_id", &format!("dingco{i:02}"))],
            )
            .await;
        ids.push(org);
    }
    ids
}

fn stage(app: &TestApp, id: i64) -> String {
    ac_products::table
        .find(id)
        .select(ac_products::stage)
        .first(&mut *app.conn())
        .expect("stage")
}

#[tokio::test]
async fn co_creation_starts_with_exactly_ten_organisations_of_which_at_least_two_are_established() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = prelisted(&app, &s).await;
        let start = format!("/provider/app-centre/products/{id}/cocreation/start");
        // An unknown CorpID is refused beside the field, what was typed kept.
        s.padmin
            .post(
                &format!("/provider/app-centre/products/{id}/cocreators"),
                &[("corp_id", "dingnobody")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("没有这个 CorpID 的企业")
            .assert_contains("value=\"dingnobody\"");
        let orgs = ten_cocreators(&app, &s, id, 1).await;
        // Ten, but only one established: refused.
        s.padmin
            .post(&start, &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        // An eleventh is refused while ten are active.
        let extra = app.org("第十一家", "dingco11", "professional");
        let _ = extra;
        s.padmin
            .post(
                &format!("/provider/app-centre/products/{id}/cocreators"),
                &[("corp_id", "dingco11")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("同时最多 10 家共创企业");
        // Withdrawing one and inviting an established one instead makes two.
        s.padmin
            .post_ok(
                &format!(
                    "/provider/app-centre/products/{id}/cocreators/{}/withdraw",
                    orgs[9]
                ),
                &[],
            )
            .await;
        diesel::update(orgs::table.find(extra))
            .set(orgs::created_at.eq(now() - 91 * DAY))
            .execute(&mut *app.conn())
            .expect("age");
        let admin = app.person(extra, "co11admin", Role::MainAdmin);
        let own = new_app(&app, extra, admin, "请假", false);
        diesel::insert_into(app_uses::table)
            .values((
                app_uses::app_id.eq(own),
                app_uses::org_id.eq(extra),
                app_uses::user_id.eq(admin),
                app_uses::day.eq(cst_day(now())),
                app_uses::created_at.eq(now()),
            ))
            .execute(&mut *app.conn())
            .expect("use");
        s.padmin
            .post_ok(
                &format!("/provider/app-centre/products/{id}/cocreators"),
                &[("corp_id", "dingco11")],
            )
            .await;
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}"))
            .await
            .assert_contains("共创企业 10/10")
            .assert_contains("其中老用户 2 家");
        s.padmin.post_ok(&start, &[]).await;
        let started: Option<i64> = ac_products::table
            .find(id)
            .select(ac_products::cocreation_started_at)
            .first(&mut *app.conn())
            .expect("started");
        assert!(started.is_some());
        // Once started, the co-creators are fixed.
        s.padmin
            .post(
                &format!(
                    "/provider/app-centre/products/{id}/cocreators/{}/withdraw",
                    orgs[0]
                ),
                &[],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
    })
    .await;
}

/// Ten co-creators that installed the product (each a copy of the app in its org), the
/// period started eight days ago (so it is over). Returns (orgs, their copies, first day).
async fn measured_week(app: &TestApp, s: &Seller, id: i64) -> (Vec<i64>, Vec<i64>, i64) {
    let orgs = ten_cocreators(app, s, id, 2).await;
    s.padmin
        .post_ok(
            &format!("/provider/app-centre/products/{id}/cocreation/start"),
            &[],
        )
        .await;
    let started = now() - 8 * DAY;
    diesel::update(ac_products::table.find(id))
        .set(ac_products::cocreation_started_at.eq(Some(started)))
        .execute(&mut *app.conn())
        .expect("backdate");
    let mut copies = Vec::new();
    for (i, org) in orgs.iter().enumerate() {
        let admin: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq(format!("co{i}admin")))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("admin");
        let copy = installed_copy(app, id, *org, admin, "cocreation", started + 60);
        copies.push(copy);
    }
    (orgs, copies, cst_day(started))
}

/// `n` organisations each with one person using their copy on each of the 7 days.
fn use_daily(app: &TestApp, orgs: &[i64], copies: &[i64], first: i64, n: usize) {
    for i in 0..n {
        let user: i64 = fenfa::db::schema::users::table
            .filter(fenfa::db::schema::users::login.eq(format!("co{i}admin")))
            .select(fenfa::db::schema::users::id)
            .first(&mut *app.conn())
            .expect("user");
        for d in 0..7 {
            diesel::insert_into(app_uses::table)
                .values((
                    app_uses::app_id.eq(copies[i]),
                    app_uses::org_id.eq(orgs[i]),
                    app_uses::user_id.eq(user),
                    app_uses::day.eq(first + d),
                    app_uses::created_at.eq(now()),
                ))
                .execute(&mut *app.conn())
                .expect("use");
        }
    }
}

async fn answer(app: &TestApp, login: &str, survey: i64, score: &str) {
    let c = app.signed_in(login).await;
    c.post_ok(
        &format!("/app-centre/surveys/{survey}"),
        &[("score", score), ("comment", "好用")],
    )
    .await;
}

fn last_survey(app: &TestApp) -> i64 {
    use fenfa::db::schema::ac_surveys as sv;
    sv::table
        .order(sv::id.desc())
        .select(sv::id)
        .first(&mut *app.conn())
        .expect("survey")
}

#[tokio::test]
async fn the_gate_figures_equal_a_hand_computation_and_a_passed_gate_opens_the_access_review() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = prelisted(&app, &s).await;
        let (orgs, copies, first) = measured_week(&app, &s, id).await;
        // 7 of 10 organisations used it: 70.0 %, which is not above 70 %.
        use_daily(&app, &orgs, &copies, first, 7);
        s.op.post_ok(
            &format!("/operator/app-centre/products/{id}/survey"),
            &[("phase", "cocreation")],
        )
        .await;
        let survey = last_survey(&app);
        answer(&app, "co0admin", survey, "95").await;
        answer(&app, "co1admin", survey, "92").await;
        let gate = s
            .padmin
            .get(&format!("/provider/app-centre/products/{id}/gate"))
            .await;
        gate.assert_status(StatusCode::OK)
            .assert_contains("70.0%")
            .assert_contains("100.0%")
            .assert_contains("93.5")
            .assert_contains("<svg");
        s.padmin
            .post(&format!("/provider/app-centre/products/{id}/review"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(stage(&app, id), "prelisted");
        // An eighth organisation's week: 80 %, every figure passes.
        use_daily(&app, &orgs[7..], &copies[7..], first, 1);
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}/gate"))
            .await
            .assert_contains("80.0%")
            .assert_contains("全部指标达标");
        s.padmin
            .post_ok(&format!("/provider/app-centre/products/{id}/review"), &[])
            .await;
        assert_eq!(stage(&app, id), "access_review");
        // The access reviewer weighs the co-creation's figures and the survey's answers.
        let review = open_review(&app, id);
        s.op.get(&format!("/operator/app-centre/reviews/{review}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("商品接入审核")
            .assert_contains("80.0%")
            .assert_contains("好用");
    })
    .await;
}

#[tokio::test]
async fn a_passed_access_review_opens_the_sales_review_and_a_passed_sales_review_the_grey_release()
{
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "access_rejected").await;
        s.padmin
            .post_ok(&format!("/provider/app-centre/products/{id}/submit"), &[])
            .await;
        let approve = [("decision", "approve"), ("reason", "")];
        let access = open_review(&app, id);
        s.op.post_ok(&format!("/operator/app-centre/reviews/{access}"), &approve)
            .await;
        assert_eq!(stage(&app, id), "sales_review");
        // The sales review waits in the queue, as submitted by the provider.
        let sales = open_review(&app, id);
        assert_ne!(sales, access);
        let queue = "/operator/app-centre/reviews";
        s.op.get(queue)
            .await
            .assert_contains(&format!("/operator/app-centre/reviews/{sales}"))
            .assert_contains("商品售卖信息审核");
        s.op.post_ok(&format!("/operator/app-centre/reviews/{sales}"), &approve)
            .await;
        assert_eq!(stage(&app, id), "grey");
        // Listed in grey, the product is reached from the queue page for its release.
        s.op.get(queue)
            .await
            .assert_contains("已上架的商品")
            .assert_contains(&format!("/operator/app-centre/products/{id}\""));
    })
    .await;
}

#[tokio::test]
async fn the_survey_is_answered_once_by_people_of_the_installing_organisations_only() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = prelisted(&app, &s).await;
        measured_week(&app, &s, id).await;
        s.op.post_ok(
            &format!("/operator/app-centre/products/{id}/survey"),
            &[("phase", "cocreation")],
        )
        .await;
        let survey = last_survey(&app);
        let url = format!("/app-centre/surveys/{survey}");
        let member = app.signed_in("co3admin").await;
        member.get(&url).await.assert_status(StatusCode::OK);
        member
            .post(&url, &[("score", "101"), ("comment", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请填写 0–100 的整数评分")
            .assert_contains("value=\"101\"");
        member
            .post_ok(&url, &[("score", "88"), ("comment", "")])
            .await;
        member
            .post(&url, &[("score", "99"), ("comment", "")])
            .await
            .assert_status(StatusCode::CONFLICT);
        let outsider = app.signed_in("oadmin").await;
        outsider
            .get(&url)
            .await
            .assert_status(StatusCode::NOT_FOUND);
        s.op.get(&format!("/operator/app-centre/products/{id}"))
            .await
            .assert_contains("88");
    })
    .await;
}

#[tokio::test]
async fn bugs_the_operator_records_lower_the_quality_score_by_severity() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = prelisted(&app, &s).await;
        measured_week(&app, &s, id).await;
        let bugs = format!("/operator/app-centre/products/{id}/bugs");
        s.op.post(
            &bugs,
            &[
                ("phase", "cocreation"),
                ("severity", "critical"),
                ("title", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请描述问题");
        s.op.post_ok(
            &bugs,
            &[
                ("phase", "cocreation"),
                ("severity", "critical"),
                ("title", "提交后数据丢失"),
            ],
        )
        .await;
        s.op.post_ok(
            &bugs,
            &[
                ("phase", "cocreation"),
                ("severity", "major"),
                ("title", "列表加载慢"),
            ],
        )
        .await;
        // 100 - 10 - 5 = 85.
        s.padmin
            .get(&format!("/provider/app-centre/products/{id}/gate"))
            .await
            .assert_contains("<td>85</td>");
    })
    .await;
}
