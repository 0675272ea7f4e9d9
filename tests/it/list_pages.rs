//! List pages as one pattern (issue 18, item 3): keyset paging both ways keeps the list's
//! tab, search and filter, shows exactly a page of rows, has no 上一页 on the first page and
//! no 下一页 on the last. Empty lists: `list_empty.rs`.

use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{memberships, order_apps, orders, orgs, projects};

use crate::support::distribution::{Provider, world};
use crate::support::interconnect::{many, upstream};
use crate::support::{Client, Resp, TestApp, each_backend};

const PAGE: usize = 50;

/// The first cell of each row of the page's table.
fn rows(r: &Resp) -> Vec<String> {
    let doc = scraper::Html::parse_document(&r.body);
    let tr = scraper::Selector::parse("table tbody tr").expect("sel");
    let td = scraper::Selector::parse("td").expect("sel");
    doc.select(&tr)
        .filter_map(|row| row.select(&td).next())
        .map(|cell| cell.text().collect::<String>().trim().to_string())
        .collect()
}

/// The pager's 上一页 and 下一页 links.
pub(crate) fn pager(r: &Resp) -> (Option<String>, Option<String>) {
    let doc = scraper::Html::parse_document(&r.body);
    let link = |rel: &str| {
        let sel = scraper::Selector::parse(&format!(".pager a[rel={rel}]")).expect("sel");
        doc.select(&sel)
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(str::to_string)
    };
    (link("prev"), link("next"))
}

/// Pages forward from `first` to the last page and back again to the first, checking that
/// each page shows exactly its slice of `expected`, the first has no 上一页, the last no
/// 下一页, and every link keeps `keep` (the list's tab, search or filter).
async fn walk(c: &Client, first: &str, expected: &[String], keep: &[&str]) {
    let chunks: Vec<&[String]> = expected.chunks(PAGE).collect();
    assert!(chunks.len() >= 2, "the list must be longer than a page");
    let mut url = first.to_string();
    let mut back = vec![];
    for (i, chunk) in chunks.iter().enumerate() {
        let r = c.get(&url).await;
        r.assert_status(axum::http::StatusCode::OK);
        assert_eq!(rows(&r), chunk.to_vec(), "page {} of {first}", i + 1);
        let (prev, next) = pager(&r);
        assert_eq!(prev.is_some(), i > 0, "上一页 on page {} of {first}", i + 1);
        assert_eq!(
            next.is_some(),
            i + 1 < chunks.len(),
            "下一页 on page {} of {first}",
            i + 1
        );
        for link in prev.iter().chain(next.iter()) {
            for k in keep {
                assert!(link.contains(k), "{link} keeps {k}");
            }
        }
        back.push(prev);
        if let Some(n) = next {
            url = n;
        }
    }
    // And back: each 上一页 shows the page before, whole.
    for i in (1..chunks.len()).rev() {
        let prev = back[i].clone().expect("上一页");
        let r = c.get(&prev).await;
        assert_eq!(
            rows(&r),
            chunks[i - 1].to_vec(),
            "back to page {i} of {first}"
        );
        assert_eq!(pager(&r).0.is_some(), i > 1, "上一页 back on page {i}");
        assert!(pager(&r).1.is_some(), "下一页 back on page {i}");
    }
}

fn names(prefix: &str, range: impl Iterator<Item = usize>) -> Vec<String> {
    range.map(|i| format!("{prefix}{i:03}")).collect()
}

/// `n` more projects of the provider, copies of `model` named P-000…, the even ones
/// approved and the odd ones pending (written directly: the form is tested elsewhere).
fn more_projects(app: &TestApp, model: i64, n: usize) {
    let mut conn = app.conn();
    let (provider, creator, file): (i64, i64, i64) = projects::table
        .find(model)
        .select((
            projects::provider_org_id,
            projects::creator_id,
            projects::contract_file_id,
        ))
        .first(&mut *conn)
        .expect("model");
    for i in 0..n {
        diesel::insert_into(projects::table)
            .values((
                projects::provider_org_id.eq(provider),
                projects::creator_id.eq(creator),
                projects::name.eq(format!("P-{i:03}")),
                projects::description.eq(""),
                projects::contract_amount_cents.eq(100),
                projects::contract_file_id.eq(file),
                projects::customer_name.eq(if i % 5 == 0 { "甲客户" } else { "乙客户" }),
                projects::customer_corp_id.eq("dingcustomer01"),
                projects::status.eq(if i % 2 == 0 { "approved" } else { "pending" }),
                projects::review_reason.eq(""),
                projects::closing_delivery_date.eq(""),
                projects::closing_summary.eq(""),
                projects::closing_acceptance.eq(""),
                projects::created_at.eq(fenfa::db::now()),
            ))
            .execute(&mut *conn)
            .expect("project");
    }
}

#[tokio::test]
async fn the_project_list_pages_forward_and_back_keeping_its_tab_and_search() {
    each_backend(async |app| {
        world(&app);
        let c = app.signed_in("padmin").await;
        let model = Provider::new(&app, c.clone())
            .project("真实项目", "dingcustomer01")
            .await
            .id;
        more_projects(&app, model, 120);
        // All projects, newest first: P-119 … P-000, then the one made by the form.
        let mut all = names("P-", (0..120).rev());
        all.push("真实项目".into());
        walk(&c, "/provider/projects", &all, &["status=all"]).await;
        // The approved tab with a search: the even ones of 甲客户 (every fifth), 12 in all,
        // fit one page; without the search the approved tab has 60 (two pages).
        let approved = names("P-", (0..120).rev().filter(|i| i % 2 == 0));
        walk(
            &c,
            "/provider/projects?status=approved",
            &approved,
            &["status=approved"],
        )
        .await;
        let found = c.get("/provider/projects?status=approved&q=甲客户").await;
        let expected = names("P-", (0..120).rev().filter(|i| i % 10 == 0));
        assert_eq!(rows(&found), expected);
        assert_eq!(pager(&found), (None, None));
    })
    .await;
}

/// `n` more orders like `model` numbered L-000…, each by a customer of its own (a link
/// sells once per organisation), with one app whose send status is failed for the even
/// ones and pending for the odd ones.
fn more_orders(app: &TestApp, model: i64, n: usize) {
    let customers: Vec<i64> = (0..n)
        .map(|i| app.org(&format!("客户{i:03}"), &format!("dingbuyer{i:03}"), "free"))
        .collect();
    let mut conn = app.conn();
    let (project, link, provider, buyer): (i64, i64, i64, i64) = orders::table
        .find(model)
        .select((
            orders::project_id,
            orders::link_id,
            orders::provider_org_id,
            orders::purchaser_id,
        ))
        .first(&mut *conn)
        .expect("model");
    let source: i64 = order_apps::table
        .filter(order_apps::order_id.eq(model))
        .select(order_apps::source_app_id)
        .first(&mut *conn)
        .expect("source");
    for (i, customer) in customers.into_iter().enumerate() {
        let id: i64 = diesel::insert_into(orders::table)
            .values((
                orders::order_no.eq(format!("L-{i:03}")),
                orders::project_id.eq(project),
                orders::link_id.eq(link),
                orders::provider_org_id.eq(provider),
                orders::customer_org_id.eq(customer),
                orders::purchaser_id.eq(buyer),
                orders::created_at.eq(fenfa::db::now()),
            ))
            .returning(orders::id)
            .get_result(&mut *conn)
            .expect("order");
        diesel::insert_into(order_apps::table)
            .values((
                order_apps::order_id.eq(id),
                order_apps::source_app_id.eq(source),
                order_apps::send_status.eq(if i % 2 == 0 { "failed" } else { "pending" }),
                order_apps::failure_reason.eq(""),
                order_apps::with_sample.eq(false),
                order_apps::with_connectors.eq(false),
                order_apps::full_edit.eq(false),
                order_apps::provider_org_id.eq(provider),
            ))
            .execute(&mut *conn)
            .expect("order app");
    }
}

#[tokio::test]
async fn the_order_centre_pages_forward_and_back_keeping_its_send_status_and_project() {
    each_backend(async |app| {
        let w = world(&app);
        let c = app.signed_in("padmin").await;
        let op = app.signed_in("op").await;
        let order = Provider::new(&app, c.clone())
            .project("星河设备项目", "dingcustomer01")
            .await
            .approved(&op)
            .await
            .link(&[w.app])
            .await
            .order(&app.signed_in("cadmin").await)
            .await;
        let first_no = order.order_no();
        more_orders(&app, order.id, 120);
        let mut all = names("L-", (0..120).rev());
        all.push(first_no);
        walk(&c, "/provider/orders", &all, &["send="]).await;
        let failed = names("L-", (0..120).rev().filter(|i| i % 2 == 0));
        walk(
            &c,
            "/provider/orders?send=failed",
            &failed,
            &["send=failed"],
        )
        .await;
        // One project's failed orders: the project filter survives too.
        let project: i64 = orders::table
            .find(order.id)
            .select(orders::project_id)
            .first(&mut *app.conn())
            .expect("project");
        walk(
            &c,
            &format!("/provider/orders?project={project}&send=failed"),
            &failed,
            &[&format!("project={project}"), "send=failed"],
        )
        .await;
        // The CSV keeps the filter: the failed orders only.
        let csv = c.get("/provider/orders.csv?send=failed").await;
        assert!(csv.body.contains("L-118") && csv.body.contains("L-000"));
        assert!(!csv.body.contains("L-119"));
    })
    .await;
}

#[tokio::test]
async fn the_member_list_pages_forward_and_back_keeping_its_department() {
    each_backend(async |app| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let people = many(&app, org, "m", 120);
        let sales = app.department(org, None, "Sales");
        diesel::update(
            memberships::table
                .filter(memberships::org_id.eq(org))
                .filter(memberships::user_id.eq_any(&people[..60])),
        )
        .set(memberships::department_id.eq(Some(sales)))
        .execute(&mut *app.conn())
        .expect("move");
        let c = app.signed_in("boss").await;
        // By arrival: the main admin, then m0 … m119.
        let mut all = vec!["boss".to_string()];
        all.extend((0..120).map(|i| format!("m{i}")));
        walk(&c, "/org/members", &all, &[]).await;
        let in_sales: Vec<String> = (0..60).map(|i| format!("m{i}")).collect();
        walk(
            &c,
            &format!("/org/members?department={sales}"),
            &in_sales,
            &[&format!("department={sales}")],
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_space_directory_pages_forward_and_back() {
    each_backend(async |app| {
        let pool = upstream(&app, None);
        let space = app.joined_space(pool.up, pool.admin, &[]);
        many(&app, pool.up, "p", 120);
        let c = app.signed_in("upadmin").await;
        let mut all = vec!["upadmin".to_string()];
        all.extend((0..120).map(|i| format!("p{i}")));
        walk(
            &c,
            &format!("/interconnect/spaces/{space}/people"),
            &all,
            &[],
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn the_operator_lists_page_back_keeping_the_search_and_back_past_the_start_is_the_first_page()
{
    each_backend(async |app| {
        app.operator("op");
        for i in 0..60 {
            app.org(&format!("Org {i:03}"), &format!("corp{i:03}"), "free");
        }
        let c = app.signed_in("op").await;
        let all: Vec<String> = (0..60).rev().map(|i| format!("Org {i:03}")).collect();
        walk(&c, "/operator/orgs?q=Org", &all, &["q=Org"]).await;
        // A 上一页 drawn before rows came (four newer ones here) still shows a whole page:
        // the first one.
        let org055: i64 = orgs::table
            .filter(orgs::corp_id.eq("corp055"))
            .select(orgs::id)
            .first(&mut *app.conn())
            .expect("org");
        let r = c
            .get(&format!("/operator/orgs?q=Org&before={org055}"))
            .await;
        assert_eq!(rows(&r), all[..PAGE].to_vec());
        assert_eq!(pager(&r).0, None);
    })
    .await;
}
