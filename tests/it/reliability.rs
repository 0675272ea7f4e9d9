//! Concurrency as customers and providers create it: many clicks on one purchase link,
//! provider actions racing the customer closing maintenance, and a form posted twice.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{distribution_links, orders, submissions};

use crate::figures::{figure, size};
use crate::support::{Client, TestApp, each_backend};

/// Issues a link on `project` for `app_id` as `c`; returns its token.
async fn link(app: &TestApp, c: &Client, project: i64, app_id: i64) -> String {
    let r = c
        .post(
            "/provider/links",
            &[
                ("project_id", &project.to_string()),
                ("app_id", &app_id.to_string()),
            ],
        )
        .await;
    r.assert_redirect("/provider/links/");
    let id: i64 = r
        .location()
        .trim_start_matches("/provider/links/")
        .parse()
        .expect("link id");
    distribution_links::table
        .find(id)
        .select(distribution_links::token)
        .first(&mut *app.conn())
        .expect("token")
}

fn orders_of_link(app: &TestApp, token: &str) -> i64 {
    orders::table
        .inner_join(distribution_links::table)
        .filter(distribution_links::token.eq(token))
        .count()
        .get_result(&mut *app.conn())
        .expect("orders")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_purchases_on_one_link_make_exactly_one_order() {
    each_backend(async |app| {
        let w = crate::support::distribution::world(&app);
        let padmin = app.signed_in("padmin").await;
        let project = crate::support::distribution::approved_project(&app, &padmin).await;
        let buyer = app.signed_in("cadmin").await;
        let rounds = size(100, 3);
        let (mut exact, mut server_errors) = (0, 0);
        for _ in 0..rounds {
            let token = link(&app, &padmin, project, w.app).await;
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..64 {
                let c = buyer.clone();
                let path = format!("/d/{token}");
                tasks.spawn(async move { c.post(&path, &[]).await });
            }
            while let Some(r) = tasks.join_next().await {
                let r = r.expect("task");
                if r.status.is_server_error() {
                    server_errors += 1;
                }
            }
            if orders_of_link(&app, &token) == 1 {
                exact += 1;
            }
        }
        figure(
            &format!("64 concurrent purchases on one link ({})", app.backend),
            format!(
                "{exact} of {rounds} rounds made exactly one order, {server_errors} 5xx (goal {rounds} / 0; 100 rounds with FENFA_SLOW_TESTS=1)"
            ),
        );
        assert_eq!(exact, rounds);
        assert_eq!(server_errors, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_share_sessions_and_make_exactly_one_order_per_link() {
    each_backend(async |app| {
        let Some(second) = app.second_instance() else {
            return;
        };
        let w = crate::support::distribution::world(&app);
        let padmin = app.signed_in("padmin").await;
        let project = crate::support::distribution::approved_project(&app, &padmin).await;
        // Signed in on the first instance, the session works on the second.
        let buyer = app.signed_in("cadmin").await;
        let buyer2 = buyer.on(second.clone());
        buyer2
            .get("/notifications")
            .await
            .assert_status(StatusCode::OK);
        // … and a stranger on the second instance is still asked to sign in.
        let stranger = app.client().on(second).get("/notifications").await;
        assert!(
            stranger.location().starts_with("/login"),
            "{}",
            stranger.location()
        );
        let rounds = size(20, 3);
        let (mut exact, mut server_errors) = (0, 0);
        for _ in 0..rounds {
            let token = link(&app, &padmin, project, w.app).await;
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..64 {
                let c = if i % 2 == 0 {
                    buyer.clone()
                } else {
                    buyer2.clone()
                };
                let path = format!("/d/{token}");
                tasks.spawn(async move { c.post(&path, &[]).await });
            }
            while let Some(r) = tasks.join_next().await {
                if r.expect("task").status.is_server_error() {
                    server_errors += 1;
                }
            }
            if orders_of_link(&app, &token) == 1 {
                exact += 1;
            }
        }
        figure(
            "64 concurrent purchases across two instances on one PostgreSQL",
            format!(
                "{exact} of {rounds} rounds made exactly one order, {server_errors} 5xx (goal {rounds} / 0)"
            ),
        );
        assert_eq!(exact, rounds);
        assert_eq!(server_errors, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_provider_action_lands_after_the_customer_closes_maintenance() {
    each_backend(async |app| {
        use crate::support::distribution::{app_name, live_grant, maintenance_deal, rename};
        let d = maintenance_deal(&app).await;
        let (dev, _) = live_grant(&app, &d).await;
        let admin = app.signed_in("cadmin").await;
        // Fifty renames, the close, fifty more: all in flight together.
        let mut tasks = tokio::task::JoinSet::new();
        let spawn = |tasks: &mut tokio::task::JoinSet<StatusCode>, i: usize| {
            let c = dev.clone();
            let copy = d.copy;
            tasks.spawn(async move { rename(&c, copy, &format!("改名{i}")).await.status });
        };
        for i in 0..50 {
            spawn(&mut tasks, i);
        }
        let close = {
            let admin = admin.clone();
            let path = format!("/my-apps/{}/close-maintenance", d.copy);
            tokio::spawn(async move { admin.post(&path, &[]).await })
        };
        for i in 50..100 {
            spawn(&mut tasks, i);
        }
        let closed = close.await.expect("close");
        assert!(closed.status.is_redirection(), "close: {} {}", closed.status, closed.body);
        let at_close = app_name(&app, d.copy);
        let (mut landed, mut refused, mut errors) = (0, 0, 0);
        while let Some(s) = tasks.join_next().await {
            match s.expect("task") {
                s if s.is_redirection() => landed += 1,
                s if s.is_server_error() => errors += 1,
                _ => refused += 1,
            }
        }
        let after = app_name(&app, d.copy);
        // Nothing the developer sends afterwards lands either.
        let r = rename(&dev, d.copy, "关闭之后").await;
        assert!(r.status.is_client_error(), "after the close: {}", r.status);
        let changed_after = usize::from(after != at_close || app_name(&app, d.copy) != at_close);
        figure(
            &format!("provider actions racing the maintenance close ({})", app.backend),
            format!(
                "100 in flight: {landed} landed before the close, {refused} refused, {errors} 5xx; landed after the close {changed_after} (goal 0)"
            ),
        );
        assert_eq!(changed_after, 0, "a rename landed after the close: {at_close} -> {after}");
        assert_eq!(errors, 0);
    })
    .await;
}

fn submission_count(app: &TestApp) -> i64 {
    submissions::table
        .count()
        .get_result(&mut *app.conn())
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_form_posted_twice_files_one_submission() {
    each_backend(async |app| {
        fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
            .expect("demo")
            .expect("empty");
        let c = crate::support::distribution::demo_login(&app, "provider.dev").await;
        let page: i64 = fenfa::db::schema::pages::table
            .filter(fenfa::db::schema::pages::name.eq("供应商登记"))
            .select(fenfa::db::schema::pages::id)
            .first(&mut *app.conn())
            .expect("page");
        let path = format!("/f/{page}");
        let form = c.get(&path).await;
        form.assert_status(StatusCode::OK);
        let forms = crate::support::permissions::forms_of(&form.body);
        let (_, f) = forms
            .into_iter()
            .find(|(a, _)| *a == path)
            .expect("the fill form");
        assert!(
            f.fields.iter().any(|(k, v)| k == "idem" && !v.is_empty()),
            "the fill form carries a one-time key"
        );
        let before = submission_count(&app);
        // Two clicks at once, then a third later (a retried post).
        let (a, b) = tokio::join!(
            crate::support::permissions::post_fields(&c, &path, true, &f.fields),
            crate::support::permissions::post_fields(&c, &path, true, &f.fields)
        );
        let again = crate::support::permissions::post_fields(&c, &path, true, &f.fields).await;
        for r in [&a, &b, &again] {
            r.assert_redirect("/submissions/");
        }
        assert_eq!(a.location(), b.location());
        assert_eq!(a.location(), again.location());
        assert_eq!(submission_count(&app), before + 1);
        // A fresh form is a new submission.
        let fresh = c.get(&path).await;
        let key = crate::support::input_value(&fresh.body, "idem").expect("key");
        assert!(!f.fields.iter().any(|(k, v)| k == "idem" && *v == key));
        let fields: Vec<(String, String)> = f
            .fields
            .iter()
            .map(|(k, v)| {
                if k == "idem" {
                    (k.clone(), key.clone())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        crate::support::permissions::post_fields(&c, &path, true, &fields)
            .await
            .assert_redirect("/submissions/");
        assert_eq!(submission_count(&app), before + 2);
        figure(
            &format!("double-submitted forms ({})", app.backend),
            "3 posts of one form filed 1 submission (goal 1)",
        );
    })
    .await;
}
