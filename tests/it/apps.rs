//! The app builder: apps, pages, fields, approval steps, reports, connectors, templates,
//! automations and custom components — and who may touch them.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{
    app_admins, approval_steps, apps, automations, components, connectors, fields, memberships,
    notification_templates, pages,
};

use crate::support::{Client, TestApp, each_backend};

/// (id, action, template, recipient, enabled)
type AutomationRow = (i64, String, Option<i64>, Option<i64>, bool);

/// A member with app-building rights (开发者).
fn builder(app: &TestApp, org: i64, login: &str) -> i64 {
    let id = app.person(org, login, Role::Member);
    diesel::update(memberships::table.filter(memberships::user_id.eq(id)))
        .set(memberships::can_build_apps.eq(true))
        .execute(&mut *app.conn())
        .expect("flag");
    id
}

fn tail_id(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id at the end of the location")
}

async fn new_app(c: &Client, name: &str) -> i64 {
    let r = c
        .post(
            "/apps/new",
            &[
                ("name", name),
                ("icon", "clipboard-list"),
                ("color", "blue"),
                ("description", "测试"),
            ],
        )
        .await;
    r.assert_redirect("/apps/");
    tail_id(r.location())
}

async fn new_page(c: &Client, app_id: i64, kind: &str, name: &str) -> i64 {
    let r = c
        .post(
            &format!("/apps/{app_id}/pages"),
            &[("kind", kind), ("name", name)],
        )
        .await;
    r.assert_redirect(&format!("/apps/{app_id}/pages/"));
    tail_id(r.location())
}

async fn new_field(
    app: &TestApp,
    c: &Client,
    app_id: i64,
    page_id: i64,
    label: &str,
    kind: &str,
) -> i64 {
    c.post(
        &format!("/apps/{app_id}/pages/{page_id}/fields"),
        &[
            ("label", label),
            ("kind", kind),
            ("options", "甲\n乙"),
            ("required", "on"),
        ],
    )
    .await
    .assert_redirect(&format!("/apps/{app_id}/pages/{page_id}"));
    fields::table
        .filter(fields::page_id.eq(page_id))
        .filter(fields::label.eq(label))
        .select(fields::id)
        .first(&mut *app.conn())
        .expect("field")
}

fn count_fields(app: &TestApp, page_id: i64) -> i64 {
    fields::table
        .filter(fields::page_id.eq(page_id))
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

#[tokio::test]
async fn a_builder_creates_an_app_with_a_form_page_and_fields() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        c.get("/apps/new").await.assert_status(StatusCode::OK);
        let app_id = new_app(&c, "采购管理").await;
        c.get("/apps")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("采购管理")
            .assert_contains("已启用");
        let page_id = new_page(&c, app_id, "form", "采购申请").await;
        new_field(&app, &c, app_id, page_id, "物品", "text").await;
        new_field(&app, &c, app_id, page_id, "类别", "select").await;
        c.get(&format!("/apps/{app_id}/pages/{page_id}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("物品")
            .assert_contains("甲 / 乙");
        c.get(&format!("/apps/{app_id}"))
            .await
            .assert_contains("采购申请")
            .assert_contains("表单页面");
        let (name, org_id): (String, i64) = apps::table
            .find(app_id)
            .select((apps::name, apps::org_id))
            .first(&mut *app.conn())
            .expect("app");
        assert_eq!((name.as_str(), org_id), ("采购管理", org));
        let kinds: Vec<(String, String, bool)> = fields::table
            .filter(fields::page_id.eq(page_id))
            .order(fields::position.asc())
            .select((fields::kind, fields::options, fields::required))
            .load(&mut *app.conn())
            .expect("fields");
        assert_eq!(
            kinds,
            vec![
                ("text".into(), String::new(), true),
                ("select".into(), "甲\n乙".into(), true)
            ]
        );
        // The creator is the app's first app admin.
        let admins: i64 = app_admins::table
            .filter(app_admins::app_id.eq(app_id))
            .count()
            .get_result(&mut *app.conn())
            .expect("admins");
        assert_eq!(admins, 1);
    })
    .await;
}

#[tokio::test]
async fn a_bad_app_form_is_shown_again_with_what_was_typed() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let c = app.signed_in("boss").await;
        let long = "很".repeat(31);
        c.post(
            "/apps/new",
            &[
                ("name", &long),
                ("icon", "🦄"),
                ("color", "blue"),
                ("description", "typed text"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("名称过长")
        .assert_contains("请选择一个图标")
        .assert_contains("typed text")
        .assert_contains(&long);
        let n: i64 = apps::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(n, 0);
    })
    .await;
}

#[tokio::test]
async fn a_member_without_building_rights_cannot_open_the_app_builder() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "staff", Role::Member);
        builder(&app, org, "dev");
        let dev = app.signed_in("dev").await;
        let app_id = new_app(&dev, "采购管理").await;
        let c = app.signed_in("staff").await;
        c.get("/apps").await.assert_status(StatusCode::FORBIDDEN);
        c.get("/apps/new")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        c.post(
            "/apps/new",
            &[
                ("name", "偷建"),
                ("icon", "clipboard-list"),
                ("color", "blue"),
                ("description", ""),
            ],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        c.get(&format!("/apps/{app_id}"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        c.post(
            &format!("/apps/{app_id}/pages"),
            &[("kind", "form"), ("name", "x")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        let n: i64 = apps::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        let p: i64 = pages::table
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!((n, p), (1, 0));
    })
    .await;
}

#[tokio::test]
async fn a_sub_admin_with_the_apps_point_may_build_apps() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let sub = app.person(org, "sub", Role::SubAdmin);
        diesel::update(memberships::table.filter(memberships::user_id.eq(sub)))
            .set(memberships::permissions.eq("apps"))
            .execute(&mut *app.conn())
            .expect("perm");
        let c = app.signed_in("sub").await;
        new_app(&c, "人事").await;
        c.get("/apps").await.assert_contains("人事");
    })
    .await;
}

#[tokio::test]
async fn an_app_admin_may_edit_the_app_they_administer() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let staff = app.person(org, "staff", Role::Member);
        let dev = app.signed_in("dev").await;
        let app_id = new_app(&dev, "采购管理").await;
        dev.post(
            &format!("/apps/{app_id}/admins"),
            &[("user_id", &staff.to_string())],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        let c = app.signed_in("staff").await;
        c.get(&format!("/apps/{app_id}"))
            .await
            .assert_status(StatusCode::OK);
        c.post(
            &format!("/apps/{app_id}/edit"),
            &[
                ("name", "采购管理二"),
                ("icon", "package"),
                ("color", "orange"),
                ("description", "新"),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        let (name, glyph, color): (String, String, String) = apps::table
            .find(app_id)
            .select((apps::name, apps::icon_glyph, apps::icon_color))
            .first(&mut *app.conn())
            .expect("app");
        assert_eq!(
            (name.as_str(), glyph.as_str(), color.as_str()),
            ("采购管理二", "package", "orange")
        );
        // Still no access to the builder's list.
        c.get("/apps").await.assert_status(StatusCode::FORBIDDEN);
        // Removed again, the member loses the app.
        dev.post(&format!("/apps/{app_id}/admins/{staff}/remove"), &[])
            .await
            .assert_redirect(&format!("/apps/{app_id}"));
        c.get(&format!("/apps/{app_id}"))
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn an_app_admin_must_be_a_member_of_the_organisation() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let other = app.org("Other", "ding002", "professional");
        builder(&app, org, "dev");
        let outsider = app.person(other, "outsider", Role::Member);
        let dev = app.signed_in("dev").await;
        let app_id = new_app(&dev, "采购管理").await;
        dev.post(
            &format!("/apps/{app_id}/admins"),
            &[("user_id", &outsider.to_string())],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        let listed: i64 = app_admins::table
            .filter(app_admins::user_id.eq(outsider))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(listed, 0);
    })
    .await;
}

#[tokio::test]
async fn only_an_org_admin_may_mark_an_app_premium() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        app.person(org, "boss", Role::PlatformAdmin);
        let dev = app.signed_in("dev").await;
        let app_id = new_app(&dev, "采购管理").await;
        dev.post(&format!("/apps/{app_id}/premium"), &[("premium", "1")])
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("只有主管理员或平台管理员可以设置精品应用");
        let premium = |app: &TestApp| -> bool {
            apps::table
                .find(app_id)
                .select(apps::premium)
                .first(&mut *app.conn())
                .expect("app")
        };
        assert!(!premium(&app));
        let boss = app.signed_in("boss").await;
        boss.post(&format!("/apps/{app_id}/premium"), &[("premium", "1")])
            .await
            .assert_redirect(&format!("/apps/{app_id}"));
        assert!(premium(&app));
        boss.get("/apps").await.assert_contains("精品应用");
        boss.post(&format!("/apps/{app_id}/premium"), &[])
            .await
            .assert_redirect(&format!("/apps/{app_id}"));
        assert!(!premium(&app));
    })
    .await;
}

#[tokio::test]
async fn a_select_field_needs_two_choices() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let page_id = new_page(&c, app_id, "form", "采购申请").await;
        let path = format!("/apps/{app_id}/pages/{page_id}/fields");
        for options in ["", "甲", "甲\n 甲 \n\n"] {
            c.post(
                &path,
                &[("label", "类别"), ("kind", "select"), ("options", options)],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("下拉单选至少需要两个不同的选项")
            .assert_contains("value=\"类别\"");
        }
        assert_eq!(count_fields(&app, page_id), 0);
        c.post(
            &path,
            &[
                ("label", "类别"),
                ("kind", "select"),
                ("options", "甲\n乙\n甲"),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}/pages/{page_id}"));
        let options: String = fields::table
            .filter(fields::page_id.eq(page_id))
            .select(fields::options)
            .first(&mut *app.conn())
            .expect("field");
        assert_eq!(options, "甲\n乙");
    })
    .await;
}

#[tokio::test]
async fn fields_move_up_and_down_and_can_be_removed() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let page_id = new_page(&c, app_id, "form", "采购申请").await;
        let a = new_field(&app, &c, app_id, page_id, "A", "text").await;
        let b = new_field(&app, &c, app_id, page_id, "B", "number").await;
        let order = |app: &TestApp| -> Vec<i64> {
            fields::table
                .filter(fields::page_id.eq(page_id))
                .order((fields::position.asc(), fields::id.asc()))
                .select(fields::id)
                .load(&mut *app.conn())
                .expect("order")
        };
        c.post(
            &format!("/apps/{app_id}/pages/{page_id}/fields/{b}/move"),
            &[("dir", "up")],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}/pages/{page_id}"));
        assert_eq!(order(&app), vec![b, a]);
        c.post_ok(
            &format!("/apps/{app_id}/pages/{page_id}/fields/{b}/move"),
            &[("dir", "down")],
        )
        .await;
        assert_eq!(order(&app), vec![a, b]);
        c.post(
            &format!("/apps/{app_id}/pages/{page_id}/fields/{a}/remove"),
            &[],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}/pages/{page_id}"));
        assert_eq!(order(&app), vec![b]);
    })
    .await;
}

#[tokio::test]
async fn an_approver_must_be_a_member_of_the_organisation() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let other = app.org("Other", "ding002", "professional");
        builder(&app, org, "dev");
        let boss = app.person(org, "boss", Role::Member);
        let outsider = app.person(other, "outsider", Role::Member);
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "报销").await;
        let page_id = new_page(&c, app_id, "process", "报销单").await;
        let designer = format!("/apps/{app_id}/pages/{page_id}");
        c.get(&designer)
            .await
            .assert_contains("流程表单至少需要一个审批节点才能接收提交");
        c.post(
            &format!("{designer}/steps"),
            &[("name", "主管审批"), ("approver_id", &outsider.to_string())],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
        let steps = |app: &TestApp| -> Vec<(String, i64)> {
            approval_steps::table
                .filter(approval_steps::page_id.eq(page_id))
                .order(approval_steps::position.asc())
                .select((approval_steps::name, approval_steps::approver_id))
                .load(&mut *app.conn())
                .expect("steps")
        };
        assert!(steps(&app).is_empty());
        c.post(
            &format!("{designer}/steps"),
            &[("name", "主管审批"), ("approver_id", &boss.to_string())],
        )
        .await
        .assert_redirect(&designer);
        c.post(
            &format!("{designer}/steps"),
            &[("name", "财务审批"), ("approver_id", &boss.to_string())],
        )
        .await
        .assert_redirect(&designer);
        assert_eq!(
            steps(&app),
            vec![("主管审批".into(), boss), ("财务审批".into(), boss)]
        );
        c.get(&designer)
            .await
            .assert_lacks("流程表单至少需要一个审批节点才能接收提交")
            .assert_contains("财务审批");
        let second: i64 = approval_steps::table
            .filter(approval_steps::name.eq("财务审批"))
            .select(approval_steps::id)
            .first(&mut *app.conn())
            .expect("step");
        c.post(&format!("{designer}/steps/{second}/move"), &[("dir", "up")])
            .await
            .assert_redirect(&designer);
        assert_eq!(steps(&app)[0].0, "财务审批");
        c.post(&format!("{designer}/steps/{second}/remove"), &[])
            .await
            .assert_redirect(&designer);
        assert_eq!(steps(&app), vec![("主管审批".into(), boss)]);
    })
    .await;
}

#[tokio::test]
async fn a_custom_page_body_is_sanitised() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "门户").await;
        let page_id = new_page(&c, app_id, "custom", "首页").await;
        let designer = format!("/apps/{app_id}/pages/{page_id}");
        c.post(
            &format!("{designer}/body"),
            &[(
                "body",
                "<h2 onmouseover=\"steal()\">欢迎</h2><script>alert(1)</script><a href=\"javascript:x()\">链接</a>",
            )],
        )
        .await
        .assert_redirect(&designer);
        let body: String = pages::table
            .find(page_id)
            .select(pages::body)
            .first(&mut *app.conn())
            .expect("page");
        assert!(body.contains("<h2>欢迎</h2>"), "{body}");
        assert!(!body.contains("script") && !body.contains("onmouseover"), "{body}");
        assert!(!body.contains("javascript:"), "{body}");
        c.get(&designer)
            .await
            .assert_contains("<h2>欢迎</h2>")
            .assert_lacks("<script>alert(1)");
    })
    .await;
}

#[tokio::test]
async fn a_report_must_group_by_a_field_of_its_source_form() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let form = new_page(&c, app_id, "form", "采购申请").await;
        let other_form = new_page(&c, app_id, "form", "入库单").await;
        let category = new_field(&app, &c, app_id, form, "类别", "select").await;
        let amount = new_field(&app, &c, app_id, form, "金额", "number").await;
        let photo = new_field(&app, &c, app_id, form, "照片", "image").await;
        let foreign = new_field(&app, &c, app_id, other_form, "仓库", "text").await;
        let report = new_page(&c, app_id, "report", "采购统计").await;
        let path = format!("/apps/{app_id}/pages/{report}/report");
        let stored = |app: &TestApp| -> (Option<i64>, Option<i64>, Option<i64>, String) {
            pages::table
                .find(report)
                .select((
                    pages::report_form_id,
                    pages::report_group_field_id,
                    pages::report_value_field_id,
                    pages::report_agg,
                ))
                .first(&mut *app.conn())
                .expect("report")
        };
        let f = form.to_string();
        // A field of another form, an image field, sum over a select: all refused.
        for (group, agg, value, msg) in [
            (
                foreign.to_string(),
                "count",
                String::new(),
                "分组字段必须是来源表单",
            ),
            (
                photo.to_string(),
                "count",
                String::new(),
                "分组字段必须是来源表单",
            ),
            (
                category.to_string(),
                "sum",
                category.to_string(),
                "求和或平均值需要",
            ),
        ] {
            c.post(
                &path,
                &[
                    ("form_id", f.as_str()),
                    ("group_field_id", &group),
                    ("agg", agg),
                    ("value_field_id", &value),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(msg);
            assert_eq!(stored(&app), (None, None, None, "count".into()));
        }
        c.post(
            &path,
            &[
                ("form_id", f.as_str()),
                ("group_field_id", &category.to_string()),
                ("agg", "sum"),
                ("value_field_id", &amount.to_string()),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}/pages/{report}"));
        assert_eq!(
            stored(&app),
            (Some(form), Some(category), Some(amount), "sum".into())
        );
        c.get(&format!("/apps/{app_id}/pages/{report}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("value=\"{amount}\" selected"));
        // The source form is now in use and cannot be deleted.
        c.post(&format!("/apps/{app_id}/pages/{form}/delete"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("该页面是报表的数据来源");
    })
    .await;
}

#[tokio::test]
async fn a_page_with_submissions_cannot_be_deleted() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let used = new_page(&c, app_id, "form", "采购申请").await;
        let unused = new_page(&c, app_id, "form", "草稿").await;
        new_field(&app, &c, app_id, unused, "物品", "text").await;
        c.post_multipart(&format!("/f/{used}"), &[], &[])
            .await
            .assert_redirect("/submissions/");
        c.post(&format!("/apps/{app_id}/pages/{used}/delete"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("该页面已有提交数据，不能删除");
        let left = |app: &TestApp, id: i64| -> i64 {
            pages::table
                .find(id)
                .count()
                .get_result(&mut *app.conn())
                .expect("count")
        };
        assert_eq!(left(&app, used), 1);
        c.post(&format!("/apps/{app_id}/pages/{unused}/delete"), &[])
            .await
            .assert_redirect(&format!("/apps/{app_id}"));
        assert_eq!(left(&app, unused), 0);
        assert_eq!(count_fields(&app, unused), 0);
    })
    .await;
}

#[tokio::test]
async fn a_page_can_be_renamed() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let page_id = new_page(&c, app_id, "form", "采购申请").await;
        let path = format!("/apps/{app_id}/pages/{page_id}/rename");
        c.post(&path, &[("name", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请填写名称");
        c.post(&path, &[("name", "采购单")])
            .await
            .assert_redirect(&format!("/apps/{app_id}/pages/{page_id}"));
        let name: String = pages::table
            .find(page_id)
            .select(pages::name)
            .first(&mut *app.conn())
            .expect("page");
        assert_eq!(name, "采购单");
    })
    .await;
}

#[tokio::test]
async fn a_connector_endpoint_must_be_https() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let path = format!("/apps/{app_id}/connectors/new");
        c.get(&path).await.assert_status(StatusCode::OK);
        c.post(
            &path,
            &[
                ("name", "ERP"),
                ("endpoint_url", "http://erp.example.com/api"),
                ("auth_kind", "basic"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("接口地址必须使用 https")
        .assert_contains("http://erp.example.com/api");
        let n = |app: &TestApp| -> i64 {
            connectors::table
                .count()
                .get_result(&mut *app.conn())
                .expect("count")
        };
        assert_eq!(n(&app), 0);
        c.post(
            &path,
            &[
                ("name", "ERP"),
                ("endpoint_url", "https://erp.example.com/api"),
                ("auth_kind", "oauth2"),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        let (cid, url, auth): (i64, String, String) = connectors::table
            .select((
                connectors::id,
                connectors::endpoint_url,
                connectors::auth_kind,
            ))
            .first(&mut *app.conn())
            .expect("connector");
        assert_eq!(
            (url.as_str(), auth.as_str()),
            ("https://erp.example.com/api", "oauth2")
        );
        c.get(&format!("/apps/{app_id}"))
            .await
            .assert_contains("https://erp.example.com/api");
        c.post(
            &format!("/apps/{app_id}/connectors/{cid}"),
            &[
                ("name", "ERP2"),
                ("endpoint_url", "https://erp2.example.com/"),
                ("auth_kind", "api_key"),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        c.post(&format!("/apps/{app_id}/connectors/{cid}/delete"), &[])
            .await
            .assert_redirect(&format!("/apps/{app_id}"));
        assert_eq!(n(&app), 0);
    })
    .await;
}

#[tokio::test]
async fn an_automation_sends_a_template_to_the_submitter_or_a_chosen_member() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let boss = app.person(org, "boss", Role::Member);
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let form = new_page(&c, app_id, "form", "采购申请").await;
        new_field(&app, &c, app_id, form, "金额", "number").await;
        c.get(&format!("/apps/{app_id}/templates/new"))
            .await
            .assert_contains("{金额}");
        c.post(
            &format!("/apps/{app_id}/templates/new"),
            &[
                ("name", "新申请"),
                ("title", "新的采购申请"),
                ("body", "金额 {金额} 元"),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        let tid: i64 = notification_templates::table
            .select(notification_templates::id)
            .first(&mut *app.conn())
            .expect("template");
        let path = format!("/apps/{app_id}/automations/new");
        // A template is required.
        c.post(
            &path,
            &[
                ("name", "通知主管"),
                ("form_id", &form.to_string()),
                ("template_id", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请选择通知模板");
        c.post(
            &path,
            &[
                ("name", "通知主管"),
                ("form_id", &form.to_string()),
                ("template_id", &tid.to_string()),
                ("recipient_id", &boss.to_string()),
                ("enabled", "on"),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        c.post(
            &path,
            &[
                ("name", "回执"),
                ("form_id", &form.to_string()),
                ("template_id", &tid.to_string()),
                ("recipient_id", ""),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        let rows: Vec<AutomationRow> = automations::table
            .order(automations::id.asc())
            .select((
                automations::id,
                automations::action,
                automations::template_id,
                automations::recipient_id,
                automations::enabled,
            ))
            .load(&mut *app.conn())
            .expect("automations");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1, "notify");
        assert_eq!(
            (rows[0].2, rows[0].3, rows[0].4),
            (Some(tid), Some(boss), true)
        );
        assert_eq!((rows[1].3, rows[1].4), (None, false));
        c.get(&format!("/apps/{app_id}"))
            .await
            .assert_contains("通知主管")
            .assert_contains("提交人");
        let first = rows[0].0;
        c.get(&path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("采购申请");
        c.get(&format!("/apps/{app_id}/automations/{first}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("value=\"通知主管\"");
        c.get(&format!("/apps/{app_id}/templates/{tid}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("新的采购申请");
        c.post(&format!("/apps/{app_id}/automations/{first}/toggle"), &[])
            .await
            .assert_redirect(&format!("/apps/{app_id}"));
        let enabled: bool = automations::table
            .find(first)
            .select(automations::enabled)
            .first(&mut *app.conn())
            .expect("automation");
        assert!(!enabled);
        // The template and the form are in use now.
        c.post(&format!("/apps/{app_id}/templates/{tid}/delete"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        c.post(&format!("/apps/{app_id}/pages/{form}/delete"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("集成自动化引用了该页面");
    })
    .await;
}

#[tokio::test]
async fn a_custom_component_markup_is_sanitised() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "门户").await;
        let r = c
            .post(
                &format!("/apps/{app_id}/components/new"),
                &[
                    ("name", "横幅"),
                    ("description", "首页横幅"),
                    (
                        "markup",
                        "<div onclick=\"x()\"><b>通知</b><script>x()</script></div>",
                    ),
                ],
            )
            .await;
        r.assert_redirect(&format!("/apps/{app_id}/components/"));
        let markup: String = components::table
            .select(components::markup)
            .first(&mut *app.conn())
            .expect("component");
        assert_eq!(markup, "<div><b>通知</b></div>");
        c.get(r.location())
            .await
            .assert_contains("<div><b>通知</b></div>");
    })
    .await;
}

#[tokio::test]
async fn another_orgs_app_is_not_found_and_unchanged() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        let other = app.org("Other", "ding002", "professional");
        builder(&app, org, "dev");
        app.person(other, "rival", Role::MainAdmin);
        let rival_member = app.person(other, "rival_member", Role::Member);
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "采购管理").await;
        let form = new_page(&c, app_id, "process", "采购申请").await;
        let field = new_field(&app, &c, app_id, form, "物品", "text").await;
        let dev_id: i64 = app_admins::table
            .filter(app_admins::app_id.eq(app_id))
            .select(app_admins::user_id)
            .first(&mut *app.conn())
            .expect("admin");
        c.post_ok(
            &format!("/apps/{app_id}/pages/{form}/steps"),
            &[("name", "审批"), ("approver_id", &dev_id.to_string())],
        )
        .await;
        let step: i64 = approval_steps::table
            .select(approval_steps::id)
            .first(&mut *app.conn())
            .expect("step");
        c.post_ok(
            &format!("/apps/{app_id}/connectors/new"),
            &[
                ("name", "ERP"),
                ("endpoint_url", "https://erp.example.com/"),
                ("auth_kind", "none"),
            ],
        )
        .await;
        c.post_ok(
            &format!("/apps/{app_id}/templates/new"),
            &[("name", "T"), ("title", "T"), ("body", "B")],
        )
        .await;
        let cid: i64 = connectors::table
            .select(connectors::id)
            .first(&mut *app.conn())
            .expect("c");
        let tid: i64 = notification_templates::table
            .select(notification_templates::id)
            .first(&mut *app.conn())
            .expect("t");
        c.post(
            &format!("/apps/{app_id}/automations/new"),
            &[
                ("name", "A"),
                ("form_id", &form.to_string()),
                ("template_id", &tid.to_string()),
                ("enabled", "on"),
            ],
        )
        .await
        .assert_redirect(&format!("/apps/{app_id}"));
        let aid: i64 = automations::table
            .select(automations::id)
            .first(&mut *app.conn())
            .expect("a");
        c.post_ok(
            &format!("/apps/{app_id}/components/new"),
            &[("name", "K"), ("markup", "<b>k</b>")],
        )
        .await;
        let kid: i64 = components::table
            .select(components::id)
            .first(&mut *app.conn())
            .expect("k");

        let snapshot = |app: &TestApp| {
            let mut conn = app.conn();
            (
                apps::table
                    .find(app_id)
                    .select((apps::name, apps::premium))
                    .first::<(String, bool)>(&mut *conn)
                    .expect("app"),
                pages::table
                    .select((pages::id, pages::name, pages::body))
                    .order(pages::id)
                    .load::<(i64, String, String)>(&mut *conn)
                    .expect("pages"),
                fields::table
                    .select((fields::id, fields::label, fields::position))
                    .order(fields::id)
                    .load::<(i64, String, i32)>(&mut *conn)
                    .expect("fields"),
                approval_steps::table
                    .select((approval_steps::id, approval_steps::name))
                    .load::<(i64, String)>(&mut *conn)
                    .expect("steps"),
                connectors::table
                    .select(connectors::name)
                    .load::<String>(&mut *conn)
                    .expect("c"),
                notification_templates::table
                    .select(notification_templates::name)
                    .load::<String>(&mut *conn)
                    .expect("t"),
                automations::table
                    .select((automations::name, automations::enabled))
                    .load::<(String, bool)>(&mut *conn)
                    .expect("a"),
                components::table
                    .select(components::name)
                    .load::<String>(&mut *conn)
                    .expect("k"),
                app_admins::table
                    .select(app_admins::user_id)
                    .load::<i64>(&mut *conn)
                    .expect("admins"),
            )
        };
        let before = snapshot(&app);

        let rival = app.signed_in("rival").await;
        let gets = [
            format!("/apps/{app_id}"),
            format!("/apps/{app_id}/pages/{form}"),
            format!("/apps/{app_id}/connectors/{cid}"),
            format!("/apps/{app_id}/templates/{tid}"),
            format!("/apps/{app_id}/automations/{aid}"),
            format!("/apps/{app_id}/components/{kid}"),
            format!("/apps/{app_id}/connectors/new"),
        ];
        for path in &gets {
            rival.get(path).await.assert_status(StatusCode::NOT_FOUND);
        }
        let base = format!("/apps/{app_id}");
        let page = format!("{base}/pages/{form}");
        let posts: Vec<(String, Vec<(&str, String)>)> = vec![
            (
                format!("{base}/edit"),
                vec![
                    ("name", "X".into()),
                    ("icon", "package".into()),
                    ("color", "orange".into()),
                    ("description", String::new()),
                ],
            ),
            (format!("{base}/premium"), vec![("premium", "1".into())]),
            (
                format!("{base}/admins"),
                vec![("user_id", rival_member.to_string())],
            ),
            (format!("{base}/admins/{dev_id}/remove"), vec![]),
            (
                format!("{base}/pages"),
                vec![("kind", "form".into()), ("name", "X".into())],
            ),
            (format!("{page}/rename"), vec![("name", "X".into())]),
            (format!("{page}/delete"), vec![]),
            (
                format!("{page}/fields"),
                vec![("label", "X".into()), ("kind", "text".into())],
            ),
            (format!("{page}/fields/{field}/remove"), vec![]),
            (
                format!("{page}/fields/{field}/move"),
                vec![("dir", "up".into())],
            ),
            (
                format!("{page}/steps"),
                vec![
                    ("name", "X".into()),
                    ("approver_id", rival_member.to_string()),
                ],
            ),
            (format!("{page}/steps/{step}/remove"), vec![]),
            (format!("{page}/body"), vec![("body", "X".into())]),
            (
                format!("{base}/connectors/{cid}"),
                vec![
                    ("name", "X".into()),
                    ("endpoint_url", "https://x.example/".into()),
                    ("auth_kind", "none".into()),
                ],
            ),
            (format!("{base}/connectors/{cid}/delete"), vec![]),
            (format!("{base}/templates/{tid}/delete"), vec![]),
            (format!("{base}/automations/{aid}/toggle"), vec![]),
            (format!("{base}/automations/{aid}/delete"), vec![]),
            (
                format!("{base}/components/{kid}"),
                vec![("name", "X".into())],
            ),
            (format!("{base}/components/{kid}/delete"), vec![]),
        ];
        for (path, form) in &posts {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = rival.post(path, &form).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {path}: {}", r.body);
        }

        // Inside its own org, the rival cannot reach across with ids either: its own app
        // with our page, field and template ids.
        let own = new_app(&rival, "自己的").await;
        let own_page = new_page(&rival, own, "form", "表").await;
        rival
            .get(&format!("/apps/{own}/pages/{form}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        rival
            .post(
                &format!("/apps/{own}/pages/{own_page}/fields/{field}/remove"),
                &[],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        rival
            .post(
                &format!("/apps/{own}/automations/new"),
                &[
                    ("name", "A"),
                    ("form_id", &form.to_string()),
                    ("template_id", &tid.to_string()),
                ],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let report = new_page(&rival, own, "report", "报表").await;
        rival
            .post(
                &format!("/apps/{own}/pages/{report}/report"),
                &[
                    ("form_id", &own_page.to_string()),
                    ("group_field_id", &field.to_string()),
                    ("agg", "count"),
                ],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);

        let after = snapshot(&app);
        assert_eq!(before.0, after.0);
        assert_eq!(before.2, after.2);
        assert_eq!(before.3, after.3);
        assert_eq!(before.4, after.4);
        assert_eq!(before.5, after.5);
        assert_eq!(before.6, after.6);
        assert_eq!(before.7, after.7);
        // Pages: ours unchanged (the rival's own pages were added after).
        let ours: Vec<_> = after.1.iter().filter(|p| p.0 == form).cloned().collect();
        assert_eq!(before.1, ours);
        let rival_admins: i64 = app_admins::table
            .filter(app_admins::app_id.eq(app_id))
            .filter(app_admins::user_id.eq(rival_member))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(rival_admins, 0);
    })
    .await;
}

#[tokio::test]
async fn the_app_builder_speaks_english_too() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        builder(&app, org, "dev");
        let c = app.signed_in("dev").await;
        let app_id = new_app(&c, "Purchasing").await;
        let page_id = new_page(&c, app_id, "process", "Request").await;
        c.post_ok("/lang", &[("lang", "en"), ("next", "/apps")])
            .await;
        c.get("/apps")
            .await
            .assert_contains("Enabled")
            .assert_contains("Create app");
        c.get(&format!("/apps/{app_id}"))
            .await
            .assert_contains("Notification templates")
            .assert_contains("Process form");
        c.get(&format!("/apps/{app_id}/pages/{page_id}"))
            .await
            .assert_contains("needs at least one approval step");
    })
    .await;
}
