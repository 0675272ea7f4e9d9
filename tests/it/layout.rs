//! The console layout: the left navigation shows each area to the roles that may use it,
//! with the labels of the language chosen; the top bar's actions are forms that work
//! without JavaScript; the icons are the vendored ones.

use fenfa::auth::Role;

use crate::support::{Resp, TestApp, each_backend};

/// The left navigation of a page.
fn sidebar(page: &Resp) -> &str {
    let start = page
        .body
        .find("<aside id=\"sidebar\"")
        .unwrap_or_else(|| panic!("no navigation in {}", page.body));
    let end = start + page.body[start..].find("</aside>").expect("</aside>");
    &page.body[start..end]
}

fn links(nav: &str) -> Vec<&str> {
    nav.split("<a href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect()
}

#[tokio::test]
async fn the_navigation_shows_each_area_to_the_roles_that_use_it() {
    each_backend(async |app: TestApp| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "alice", Role::Member);
        app.person(org, "boss", Role::MainAdmin);
        app.operator("op");

        let member = app.signed_in("alice").await.get("/workbench").await;
        assert_eq!(
            links(sidebar(&member)),
            [
                "/workbench",
                "/submissions",
                "/approvals",
                "/maintenance",
                "/interconnect"
            ]
        );
        // The page being shown is marked, and only it.
        assert!(
            sidebar(&member).contains("<a href=\"/workbench\" aria-current=\"page\">"),
            "{}",
            member.body
        );
        assert_eq!(sidebar(&member).matches("aria-current").count(), 1);

        let admin = app.signed_in("boss").await;
        let page = admin.get("/org/members").await;
        assert_eq!(
            links(sidebar(&page)),
            [
                "/workbench",
                "/submissions",
                "/approvals",
                "/apps",
                "/maintenance",
                "/provider/projects",
                "/provider/orders",
                "/provider/custom-dev",
                "/interconnect",
                "/org",
                "/org/members",
                "/org/departments",
                "/my-apps",
                "/org/custom-apps"
            ]
        );
        assert!(sidebar(&page).contains("<a href=\"/org/members\" aria-current=\"page\">"));

        let operator = app.signed_in("op").await.get("/operator/orgs").await;
        assert_eq!(
            links(sidebar(&operator)),
            [
                "/operator/orgs",
                "/operator/reviews",
                "/operator/custom-dev"
            ]
        );

        // Signed out there is no navigation at all.
        app.client()
            .get("/login")
            .await
            .assert_lacks("id=\"sidebar\"");
    })
    .await;
}

#[tokio::test]
async fn the_navigation_and_the_top_bar_read_in_the_language_chosen_and_work_without_javascript() {
    each_backend(async |app: TestApp| {
        let org = app.org("Acme", "ding001", "professional");
        app.person(org, "boss", Role::MainAdmin);
        let c = app.signed_in("boss").await;
        let zh = c.get("/workbench").await;
        for label in [
            "工作台",
            "应用开发",
            "服务商",
            "订单中心",
            "组织管理",
            "已购应用",
        ] {
            assert!(sidebar(&zh).contains(label), "{label} in {}", zh.body);
        }
        // Language, sign-out and the menus are forms and <details>: no script needed.
        zh.assert_contains("<form method=\"post\" action=\"/lang\"")
            .assert_contains("<form method=\"post\" action=\"/logout\">")
            .assert_contains("<details class=\"dropdown user-menu\">")
            .assert_contains(
                "<li class=\"nav-toggle\"><details><summary aria-controls=\"sidebar\">",
            );

        c.post("/lang", &[("lang", "en"), ("next", "/workbench")])
            .await;
        let en = c.get("/workbench").await;
        for label in [
            "Workbench",
            "App building",
            "Provider",
            "Order centre",
            "Organisation",
        ] {
            assert!(sidebar(&en).contains(label), "{label} in {}", en.body);
        }
        assert!(!sidebar(&en).contains("工作台"));
        en.assert_contains("Sign out");
    })
    .await;
}

/// `static/vendor/icons/` holds the icons the templates draw and no others, and the
/// sprite built from them is served.
#[tokio::test]
async fn the_icons_drawn_are_the_vendored_ones() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = std::collections::BTreeSet::new();
    for file in ["templates/_layout.html"] {
        let text = std::fs::read_to_string(root.join(file)).expect("template");
        for call in text.split("{% call lm::").skip(1) {
            let args = call.split("%}").next().unwrap_or("");
            // The icon is the one string argument that is neither a path nor an i18n key.
            used.extend(
                args.split('"')
                    .skip(1)
                    .step_by(2)
                    .filter(|s| !s.contains('/') && !s.contains('.'))
                    .map(str::to_string),
            );
        }
    }
    let vendored: std::collections::BTreeSet<String> =
        std::fs::read_dir(root.join("static/vendor/icons"))
            .expect("static/vendor/icons")
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".svg").map(str::to_string)
            })
            .collect();
    assert!(used.len() > 15, "{used:?}");
    assert_eq!(used, vendored);
    assert!(root.join("static/vendor/icons/LICENSE").exists());

    let app = TestApp::sqlite();
    let sprite = app.client().get("/static/icons.svg").await;
    for name in &used {
        sprite.assert_contains(&format!("<symbol id=\"{name}\""));
    }
}
