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
        assert_eq!(logins.len(), 11);
        let counted = || {
            let mut c = app.conn();
            let o: i64 = orgs::table.count().get_result(&mut *c).expect("orgs");
            let u: i64 = users::table.count().get_result(&mut *c).expect("users");
            (o, u)
        };
        let first = counted();
        assert_eq!(first, (5, 11));
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
