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
                "/app-centre",
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
                "/app-centre",
                "/apps",
                "/maintenance",
                "/provider/projects",
                "/provider/orders",
                "/provider/custom-dev",
                "/provider/app-centre",
                "/provider/quick-deploy",
                "/interconnect",
                "/org",
                "/org/members",
                "/org/departments",
                "/my-apps",
                "/org/custom-apps",
                "/org/app-centre",
                "/org/quick-deploy"
            ]
        );
        assert!(sidebar(&page).contains("<a href=\"/org/members\" aria-current=\"page\">"));

        let operator = app.signed_in("op").await.get("/operator/orgs").await;
        assert_eq!(
            links(sidebar(&operator)),
            [
                "/operator/orgs",
                "/operator/reviews",
                "/operator/custom-dev",
                "/operator/app-centre",
                "/operator/app-centre/reviews",
                "/operator/quick-deploy"
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
    for file in ["templates/_layout.html", "templates/_sidebar.html"] {
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
    // The navigation's icons and the glyphs an app may wear, and nothing else.
    let glyphs = fenfa::apps::icon::GLYPHS.iter().map(|(g, _)| g.to_string());
    let drawn: std::collections::BTreeSet<String> = used.iter().cloned().chain(glyphs).collect();
    assert_eq!(drawn, vendored);
    assert!(root.join("static/vendor/icons/LICENSE").exists());

    let app = TestApp::sqlite();
    let sprite = app.client().get("/static/icons.svg").await;
    for name in &drawn {
        sprite.assert_contains(&format!("<symbol id=\"{name}\""));
    }
}

/// The text of the first element matching `css` in `html`, whitespace collapsed.
pub(crate) fn text_of(html: &str, css: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).expect("selector");
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The navigation's links with their labels.
fn labelled_links(page: &Resp) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(&page.body);
    let sel = scraper::Selector::parse("#sidebar a").expect("selector");
    doc.select(&sel)
        .map(|a| {
            let label = a.text().collect::<String>().trim().to_string();
            (
                a.value().attr("href").unwrap_or_default().to_string(),
                label,
            )
        })
        .collect()
}

/// The certification gate's title.
const GATE_KEY: &str = "distribution.gate.title";

fn gate(lang: &str) -> String {
    let lang = if lang == "en" {
        fenfa::i18n::Lang::En
    } else {
        fenfa::i18n::Lang::Zh
    };
    lang.t(GATE_KEY).into_owned()
}

#[tokio::test]
async fn every_navigation_label_is_the_title_heading_and_last_breadcrumb_of_the_page_it_opens_in_both_languages()
 {
    each_backend(async |app: TestApp| {
        fenfa::demo::load(&app.state.db, app.state.storage.as_ref())
            .expect("demo data")
            .expect("an empty database");
        let mut checked = 0;
        let mut unlike = vec![];
        for login in ["provider.admin", "operator", "enterprise.admin"] {
            let c = app.client();
            c.login(login, fenfa::demo::PASSWORD).await;
            for lang in ["zh-CN", "en"] {
                c.post_ok("/lang", &[("lang", lang), ("next", "/")]).await;
                let start = if login == "operator" {
                    "/operator/orgs"
                } else {
                    "/workbench"
                };
                for (href, label) in labelled_links(&c.get(start).await) {
                    let page = c.get(&href).await;
                    let title = text_of(&page.body, "title");
                    let title = title.rsplit_once(" · ").map_or(title.as_str(), |t| t.0);
                    let h1 = text_of(&page.body, "main h1");
                    // The page's own name ends its breadcrumbs.
                    let crumb = text_of(&page.body, ".page-head nav li[aria-current=page]");
                    // An uncertified organisation's provider pages are the invitation to
                    // certify, named for what they offer.
                    if title == gate(lang) {
                        continue;
                    }
                    checked += 1;
                    if label != title || label != h1 || label != crumb {
                        unlike.push(format!(
                            "{lang} {href}: navigation {label:?}, title {title:?}, heading {h1:?}, breadcrumb {crumb:?}"
                        ));
                    }
                }
            }
        }
        crate::figures::figure(
            &format!("navigation label = page title = heading = breadcrumb ({})", app.backend),
            format!("{checked} links checked, {} unlike (goal 0)", unlike.len()),
        );
        assert!(unlike.is_empty(), "{}", unlike.join("\n"));
    })
    .await;
}
