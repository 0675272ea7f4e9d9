//! The demo data set loads into an empty database, once, and its logins work.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{apps, orgs, users};

use crate::support::each_backend;

#[tokio::test]
async fn demo_data_loads_into_an_empty_database_and_not_twice() {
    each_backend(async |app| {
        let logins = fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
            .expect("load")
            .expect("loaded into an empty database");
        assert_eq!(logins.len(), 12);
        let counted = || {
            let mut c = app.conn();
            let o: i64 = orgs::table.count().get_result(&mut *c).expect("orgs");
            let u: i64 = users::table.count().get_result(&mut *c).expect("users");
            (o, u)
        };
        let first = counted();
        // The five organisations of the roles and their eleven logins, the app centre's
        // ten co-creators with an admin each, and a second provider with its admin.
        assert_eq!(first, (16, 22));
        assert!(
            fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
                .expect("load")
                .is_none()
        );
        assert_eq!(counted(), first, "a second load adds nothing");
        let premium: i64 = apps::table
            .filter(apps::premium.eq(true))
            .count()
            .get_result(&mut *app.conn())
            .expect("apps");
        assert_eq!(premium, 1);
        // The provider's custom-development template is live, its logo stored.
        let live: Vec<String> = fenfa::db::schema::cd_template_versions::table
            .inner_join(
                fenfa::db::schema::cd_templates::table
                    .on(fenfa::db::schema::cd_templates::live_version_id
                        .eq(fenfa::db::schema::cd_template_versions::id.nullable())),
            )
            .select(fenfa::db::schema::cd_template_versions::logo_key)
            .load(&mut *app.conn())
            .expect("templates");
        assert_eq!(live.len(), 1);
        assert!(app.state.storage.get(&live[0]).is_ok());
    })
    .await;
}

#[tokio::test]
async fn every_demo_login_signs_in_with_the_printed_password() {
    each_backend(async |app| {
        let logins = fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
            .expect("load")
            .expect("loaded");
        for (_, login) in logins {
            let c = app.client();
            let r = c
                .post(
                    "/login",
                    &[("login", login), ("password", fenfa::demo::PASSWORD)],
                )
                .await;
            assert!(r.status.is_redirection(), "{login}: {}", r.status);
            let home = c.get("/").await;
            let page = c.get(home.location()).await;
            assert_eq!(
                page.status,
                StatusCode::OK,
                "{login} lands on {}",
                home.location()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_newcomer_sees_the_demo_products_co_creation_week_on_a_filled_gate_page() {
    each_backend(async |app| {
        fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
            .expect("load")
            .expect("loaded");
        let product: i64 = fenfa::db::schema::ac_products::table
            .select(fenfa::db::schema::ac_products::id)
            .first(&mut *app.conn())
            .expect("product");
        let c = crate::support::distribution::demo_login(&app, "provider.admin").await;
        // 8 of 10 organisations active; (5 × 7 + 3 × 3) daily users over 7 × 8 = 78.6 %;
        // six answers 90–95, mean 92.5; no bugs, no errors.
        c.get(&format!("/provider/app-centre/products/{product}/gate"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("80.0%")
            .assert_contains("78.6%")
            .assert_contains("92.5")
            .assert_contains("全部指标达标")
            .assert_contains("<svg");
    })
    .await;
}
