//! Uninstalling an app-centre product (卸载): the organisation's admin chooses what becomes
//! of the copy and its data — kept as the organisation's own app, exported, or deleted.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{ac_installs, apps};

use crate::appcentre_install::{app_state, install_free, install_of};
use crate::support::appcentre::{at_stage, onboarded, org_id};
use crate::support::each_backend;

#[tokio::test]
async fn uninstalling_keeps_the_copy_as_the_organisations_own_app_or_deletes_it() {
    each_backend(async |app| {
        let s = onboarded(&app).await;
        let id = at_stage(&app, &s, "open").await;
        let customer = org_id(&app, "dingcustomer01");
        let copy = install_free(&app, &s, id).await;
        let install: i64 = ac_installs::table
            .filter(ac_installs::app_id.eq(copy))
            .select(ac_installs::id)
            .first(&mut *app.conn())
            .expect("install");
        let path = format!("/org/app-centre/installs/{install}/uninstall");
        let cadmin = app.signed_in("cadmin").await;
        // Installed, it is among the apps bought from providers.
        cadmin
            .get("/my-apps")
            .await
            .assert_contains(&format!("/my-apps/{copy}\""));
        // Another organisation's admin cannot reach it.
        let oadmin = app.signed_in("oadmin").await;
        oadmin.get(&path).await.assert_status(StatusCode::NOT_FOUND);
        oadmin
            .post(&path, &[("fate", "delete"), ("confirm", "yes")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        cadmin
            .get(&path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("卸载后，应用及其数据如何处理？");
        cadmin
            .post(&path, &[("fate", "sideways")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("请选择卸载后数据的处理方式");
        // The choice asks for the confirmation; nothing happens yet.
        cadmin
            .post(&path, &[("fate", "keep")])
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("确认卸载");
        assert!(install_of(&app, id, customer).is_some());
        cadmin
            .post(&path, &[("fate", "keep"), ("confirm", "yes")])
            .await
            .assert_redirect("/org/app-centre");
        assert!(install_of(&app, id, customer).is_none());
        assert_eq!(app_state(&app, copy), "enabled", "kept");
        cadmin
            .get(&format!("/a/{copy}"))
            .await
            .assert_status(StatusCode::OK);
        // Kept as the organisation's own app: off the list of apps bought from providers,
        // and its builders may now edit it.
        let (provider, full_edit): (Option<i64>, bool) = apps::table
            .find(copy)
            .select((apps::provider_org_id, apps::full_edit))
            .first(&mut *app.conn())
            .expect("copy");
        assert_eq!((provider, full_edit), (None, true));
        cadmin
            .get("/my-apps")
            .await
            .assert_status(StatusCode::OK)
            .assert_lacks(&format!("/my-apps/{copy}\""));
        cadmin
            .get(&format!("/my-apps/{copy}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Installed again (a new round), then exported and deleted.
        let again = install_free(&app, &s, id).await;
        assert_ne!(again, copy);
        let install2: i64 = ac_installs::table
            .filter(ac_installs::app_id.eq(again))
            .select(ac_installs::id)
            .first(&mut *app.conn())
            .expect("install");
        let path2 = format!("/org/app-centre/installs/{install2}/uninstall");
        cadmin
            .post(&path2, &[("fate", "export")])
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("请先下载以下数据");
        cadmin
            .post(&path2, &[("fate", "delete"), ("confirm", "yes")])
            .await
            .assert_redirect("/org/app-centre");
        assert_eq!(app_state(&app, again), "deleted");
        cadmin
            .get(&format!("/a/{again}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Twice is a missing install.
        cadmin
            .post(&path2, &[("fate", "delete"), ("confirm", "yes")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}
