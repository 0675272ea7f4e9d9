//! The evidence pack (证据包, issue 19): a product's figures, survey answers, bug records
//! and review decisions on one printable page and in one CSV file, for its provider and
//! the operator, so a rejected provider knows why.

use axum::http::{StatusCode, header};
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::now;
use fenfa::db::schema::{ac_products, ac_surveys, app_uses};
use fenfa::tools::wait::{DAY, cst_day};

use crate::support::appcentre::{
    Seller, installed_copy, onboarded, open_review, prelisted, submitted,
};
use crate::support::distribution::set_level;
use crate::support::{Resp, TestApp, each_backend};

fn page(side: &str, id: i64) -> String {
    format!("/{side}/app-centre/products/{id}/evidence")
}

fn csv_of(side: &str, id: i64) -> String {
    format!("/{side}/app-centre/products/{id}/evidence.csv")
}

/// The CSV's rows after its header, checking what makes it a download first.
fn rows(r: &Resp) -> Vec<Vec<String>> {
    r.assert_status(StatusCode::OK);
    let header = |h| {
        r.headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert!(header(header::CONTENT_TYPE).starts_with("text/csv"));
    assert!(header(header::CONTENT_DISPOSITION).starts_with("attachment; filename=\"evidence-"));
    assert!(r.body.starts_with('\u{feff}'), "a BOM for spreadsheets");
    // The header is read as a row, so the columns are checked by name.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(r.body.trim_start_matches('\u{feff}').as_bytes());
    let mut all: Vec<Vec<String>> = reader
        .records()
        .map(|x| x.expect("row").iter().map(str::to_string).collect())
        .collect();
    let head = "section,phase,item,value,threshold,result,at,detail";
    assert_eq!(all.remove(0).join(","), head);
    all
}

fn section<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a Vec<String>> {
    rows.iter().filter(|r| r[0] == name).collect()
}

/// The value column of the page's first table (the first phase's figures).
fn figure_values(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = |css| scraper::Selector::parse(css).expect("selector");
    let Some(table) = doc.select(&sel("table")).next() else {
        return Vec::new();
    };
    table
        .select(&sel("tbody tr td:nth-child(2)"))
        .map(|td| td.text().collect::<String>().trim().to_string())
        .collect()
}

#[tokio::test]
async fn a_rejected_provider_sees_why_in_the_evidence_pack() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = submitted(&app, &s).await;
        let review = open_review(&app, id);
        // Two items not ticked: the screenshots and the homepage.
        s.op.post_ok(
            &format!("/operator/app-centre/reviews/{review}"),
            &[
                ("item", "opens"),
                ("item", "no_errors"),
                ("item", "permissions_match"),
                ("item", "no_banned_words"),
                ("decision", "reject"),
                ("reason", "截图是另一款应用的界面"),
            ],
        )
        .await;
        let product = s
            .padmin
            .get(&format!("/provider/app-centre/products/{id}"))
            .await;
        product.assert_contains(&format!("href=\"{}\"", page("provider", id)));
        product.assert_contains(&format!("href=\"{}\"", csv_of("provider", id)));
        s.padmin
            .get(&page("provider", id))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("证据包")
            .assert_contains("截图是另一款应用的界面")
            .assert_contains("截图与应用一致")
            .assert_contains("服务商主页可以访问")
            .assert_contains("驳回")
            .assert_contains("data-print hidden")
            .assert_contains(&format!("href=\"{}\"", csv_of("provider", id)));
        let csv = rows(&s.padmin.get(&csv_of("provider", id)).await);
        let decisions = section(&csv, "review");
        assert_eq!(decisions.len(), 1, "{csv:?}");
        let r = decisions[0];
        assert_eq!((r[1].as_str(), r[5].as_str()), ("acceptance", "rejected"));
        assert!(!r[6].is_empty(), "the decision's time");
        for why in [
            "截图是另一款应用的界面",
            "截图与应用一致",
            "服务商主页可以访问",
        ] {
            assert!(r[7].contains(why), "{why} in {:?}", r[7]);
        }
        assert!(
            !r[7].contains("应用能打开"),
            "a ticked item is not a failure"
        );
        // The operator sees the same, linked from the review page.
        s.op.get(&format!("/operator/app-centre/reviews/{review}"))
            .await
            .assert_contains(&format!("href=\"{}\"", page("operator", id)));
        s.op.get(&page("operator", id))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("截图是另一款应用的界面")
            .assert_contains(&format!("href=\"{}\"", csv_of("operator", id)));
        let by_op = rows(&s.op.get(&csv_of("operator", id)).await);
        assert_eq!(by_op, csv);
    })
    .await;
}

/// Two organisations installed the product for co-creation, the period started eight days
/// ago; one person of the first used it every day. Returns the first day of the period.
fn cocreation_week(app: &TestApp, id: i64) -> i64 {
    let started = now() - 8 * DAY;
    diesel::update(ac_products::table.find(id))
        .set(ac_products::cocreation_started_at.eq(Some(started)))
        .execute(&mut *app.conn())
        .expect("started");
    let first = cst_day(started);
    for i in 0..2 {
        let org = app.org(
            &format!("共创企业{i}"),
            &format!("dingev{i:02}"),
            "professional",
        );
        let admin = app.person(org, &format!("ev{i}admin"), Role::MainAdmin);
        let copy = installed_copy(app, id, org, admin, "cocreation", started + 60);
        if i > 0 {
            continue;
        }
        for d in 0..7 {
            diesel::insert_into(app_uses::table)
                .values((
                    app_uses::app_id.eq(copy),
                    app_uses::org_id.eq(org),
                    app_uses::user_id.eq(admin),
                    app_uses::day.eq(first + d),
                    app_uses::created_at.eq(now()),
                ))
                .execute(&mut *app.conn())
                .expect("use");
        }
    }
    first
}

async fn feedback(app: &TestApp, s: &Seller, id: i64) {
    s.op.post_ok(
        &format!("/operator/app-centre/products/{id}/survey"),
        &[("phase", "cocreation")],
    )
    .await;
    let survey: i64 = ac_surveys::table
        .order(ac_surveys::id.desc())
        .select(ac_surveys::id)
        .first(&mut *app.conn())
        .expect("survey");
    app.signed_in("ev1admin")
        .await
        .post_ok(
            &format!("/app-centre/surveys/{survey}"),
            &[("score", "88"), ("comment", "报表导出很方便")],
        )
        .await;
    s.op.post_ok(
        &format!("/operator/app-centre/products/{id}/bugs"),
        &[
            ("phase", "cocreation"),
            ("severity", "major"),
            ("title", "导出的报表缺少合计行"),
        ],
    )
    .await;
}

#[tokio::test]
async fn the_evidence_pack_holds_the_figures_answers_and_bugs() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = prelisted(&app, &s).await;
        let first = cocreation_week(&app, id);
        feedback(&app, &s, id).await;
        // By hand: 1 of 2 organisations active, the one person every day of the seven,
        // one answer of 88, one major bug (100 - 5).
        let expected = ["50.0%", "100.0%", "88.0", "95"];
        let gate = s
            .padmin
            .get(&format!("/provider/app-centre/products/{id}/gate"))
            .await;
        assert_eq!(figure_values(&gate.body), expected);
        let evidence = s.padmin.get(&page("provider", id)).await;
        evidence
            .assert_status(StatusCode::OK)
            .assert_contains("报表导出很方便")
            .assert_contains("导出的报表缺少合计行");
        assert_eq!(figure_values(&evidence.body), figure_values(&gate.body));
        let csv = rows(&s.padmin.get(&csv_of("provider", id)).await);
        let figures: Vec<&str> = section(&csv, "figure")
            .iter()
            .map(|r| r[3].as_str())
            .collect();
        assert_eq!(figures, expected);
        let results: Vec<&str> = section(&csv, "figure")
            .iter()
            .map(|r| r[5].as_str())
            .collect();
        assert_eq!(results, ["failed", "passed", "failed", "passed"]);
        // Seven days, each with its active organisations and its daily users.
        let days = section(&csv, "day");
        assert_eq!(days.len(), 14);
        assert!(days.iter().all(|r| r[1] == "cocreation" && r[3] == "1"));
        let first_date = fenfa::web::format_time(fenfa::tools::wait::cst_day_start(first));
        assert_eq!(days[0][6], first_date[..10]);
        let answers = section(&csv, "answer");
        assert_eq!(answers.len(), 1);
        assert_eq!(
            (answers[0][3].as_str(), answers[0][7].as_str()),
            ("88", "报表导出很方便")
        );
        let bugs = section(&csv, "bug");
        assert_eq!(bugs.len(), 1);
        assert_eq!(bugs[0][2], "导出的报表缺少合计行");
        assert_eq!(bugs[0][3], "一般");
        assert!(!bugs[0][6].is_empty(), "when it was recorded");
        // The acceptance that pre-listed it.
        let decisions = section(&csv, "review");
        assert_eq!(decisions.len(), 1);
        assert_eq!(decisions[0][5], "passed");
        assert!(section(&csv, "threshold").is_empty(), "nothing adjusted");
        // The operator's gate page leads to the same pack.
        s.op.get(&format!("/operator/app-centre/products/{id}"))
            .await
            .assert_contains(&format!("href=\"{}\"", page("operator", id)));
        let op = s.op.get(&page("operator", id)).await;
        assert_eq!(figure_values(&op.body), expected);
    })
    .await;
}

#[tokio::test]
async fn the_operators_threshold_adjustment_is_in_the_evidence_pack() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = prelisted(&app, &s).await;
        // In grey since today (the clock), with thresholds the operator lowers on its form.
        diesel::update(ac_products::table.find(id))
            .set((
                ac_products::stage.eq("grey"),
                ac_products::grey_started_at.eq(Some(now())),
            ))
            .execute(&mut *app.conn())
            .expect("grey");
        s.op.post_ok(
            &format!("/operator/app-centre/products/{id}/thresholds"),
            &[
                ("active", "40"),
                ("dau_wau", "20"),
                ("satisfaction", "75"),
                ("quality", "80"),
                ("reason", "行业应用使用频次低，按行业调整"),
            ],
        )
        .await;
        s.padmin
            .get(&page("provider", id))
            .await
            .assert_contains("灰度期")
            .assert_contains("灰度标准调整")
            .assert_contains("行业应用使用频次低，按行业调整");
        let csv = rows(&s.padmin.get(&csv_of("provider", id)).await);
        let adjusted: Vec<(&str, &str)> = section(&csv, "threshold")
            .iter()
            .map(|r| (r[3].as_str(), r[4].as_str()))
            .collect();
        assert_eq!(
            adjusted,
            [
                ("> 40.0%", "> 50.0%"),
                ("> 20.0%", "> 25.0%"),
                ("> 75", "> 80"),
                ("≥ 80", "≥ 80"),
            ]
        );
        assert!(
            section(&csv, "threshold")
                .iter()
                .all(|r| r[1] == "grey" && r[7] == "行业应用使用频次低，按行业调整")
        );
        // The grey figures are judged against the adjusted thresholds.
        let judged: Vec<&str> = section(&csv, "figure")
            .iter()
            .map(|r| r[4].as_str())
            .collect();
        assert_eq!(judged, ["> 40.0%", "> 20.0%", "> 75", "≥ 80"]);
        // The adjustment is in the grey release's trail too.
        let trail = section(&csv, "trail");
        assert!(
            trail
                .iter()
                .any(|r| r[2] == "调整灰度标准" && r[7].contains("按行业调整"))
        );
    })
    .await;
}

#[tokio::test]
async fn another_providers_evidence_pack_is_not_found() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = submitted(&app, &s).await;
        let other = app.org("远航服务商", "dingprovider02", "exclusive");
        set_level(&app, other, true, "advanced");
        app.person(other, "p2admin", Role::MainAdmin);
        let c = app.signed_in("p2admin").await;
        for (foreign, missing) in [
            (page("provider", id), page("provider", 987_654_321)),
            (csv_of("provider", id), csv_of("provider", 987_654_321)),
        ] {
            let f = c.get(&foreign).await;
            let m = c.get(&missing).await;
            f.assert_status(StatusCode::NOT_FOUND);
            m.assert_status(StatusCode::NOT_FOUND);
            assert_eq!(f.body.replace(&foreign, ""), m.body.replace(&missing, ""));
            assert!(!f.body.contains("设备巡检助手"));
        }
    })
    .await;
}

#[tokio::test]
async fn a_member_cannot_open_the_evidence_pack() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = submitted(&app, &s).await;
        // A member of the provider without app-building rights, and a customer's member.
        for login in ["pmember", "cmember"] {
            let c = app.signed_in(login).await;
            for path in [page("provider", id), csv_of("provider", id)] {
                let r = c.get(&path).await;
                r.assert_status(StatusCode::FORBIDDEN);
                assert!(!r.body.contains("设备巡检助手"), "{login} {path}");
            }
            for path in [page("operator", id), csv_of("operator", id)] {
                let r = c.get(&path).await;
                assert!(
                    r.status == StatusCode::FORBIDDEN || r.status.is_redirection(),
                    "{login} {path}: {}",
                    r.status
                );
                assert!(!r.body.contains("设备巡检助手"), "{login} {path}");
            }
        }
    })
    .await;
}
