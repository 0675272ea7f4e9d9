//! Every page has one head: breadcrumbs that say where it is (the area, then the parent
//! pages as links, then the page itself), its heading and its primary action. Detail pages
//! are reached from their lists, as a person would, and each breadcrumb link opens.

use crate::layout::text_of;
use crate::support::distribution::{deal, demo_login, sent};
use crate::support::{Client, TestApp, each_backend};

/// The first link of `page` to `prefix` followed by an id alone (a detail page).
fn first_detail(html: &str, prefix: &str) -> Option<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|h| {
            h.strip_prefix(prefix)
                .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_string)
}

/// What is wrong with the head of the page at `path`, as `c` sees it; none when it has
/// exactly one head whose breadcrumbs end in its heading and whose links open.
async fn head_faults(c: &Client, path: &str) -> Vec<String> {
    let page = c.get(path).await;
    if page.status != 200 {
        return vec![format!("{path}: {}", page.status)];
    }
    let (heads, crumbs, links) = {
        let doc = scraper::Html::parse_document(&page.body);
        let sel = |css| scraper::Selector::parse(css).expect("selector");
        let heads = doc.select(&sel("header.page-head")).count();
        let crumbs: Vec<(Option<String>, Option<String>)> = doc
            .select(&sel("header.page-head nav[aria-label] ol > li"))
            .map(|li| {
                let link = li
                    .select(&sel("a"))
                    .next()
                    .and_then(|a| a.value().attr("href"))
                    .map(str::to_string);
                (link, li.value().attr("aria-current").map(str::to_string))
            })
            .collect();
        let links: Vec<String> = crumbs.iter().filter_map(|c| c.0.clone()).collect();
        (heads, crumbs, links)
    };
    let mut faults = vec![];
    if heads != 1 {
        faults.push(format!("{path}: {heads} page heads"));
    }
    match crumbs.last() {
        Some((None, Some(current))) if current == "page" => {}
        _ => faults.push(format!(
            "{path}: breadcrumbs {crumbs:?} do not end in the page"
        )),
    }
    if crumbs.len() < 3 {
        faults.push(format!(
            "{path}: breadcrumbs {crumbs:?} lack area or parent"
        ));
    }
    let own = text_of(&page.body, "header.page-head li[aria-current=page]");
    let h1 = text_of(&page.body, "header.page-head h1");
    if own.is_empty() || !h1.ends_with(&own) {
        faults.push(format!("{path}: breadcrumb {own:?}, heading {h1:?}"));
    }
    for href in links {
        let status = c.get(&href).await.status;
        if status != 200 {
            faults.push(format!("{path}: breadcrumb link {href} gives {status}"));
        }
    }
    faults
}

#[tokio::test]
async fn each_detail_page_has_one_head_whose_breadcrumbs_lead_back_to_pages_its_reader_may_open() {
    each_backend(async |app: TestApp| {
        let d = deal(&app).await;
        let copy = sent(&app, &d, &[]).await;
        let mut pages: Vec<(&str, String)> = vec![
            (
                "provider.admin",
                format!("/provider/projects/{}", d.project),
            ),
            ("provider.admin", format!("/provider/orders/{}", d.order)),
            ("provider.admin", format!("/apps/{}", d.source)),
            ("provider.admin", "/provider/projects/new".into()),
            ("customer.admin", format!("/my-apps/{copy}")),
            ("operator", format!("/operator/reviews/{}", d.project)),
        ];
        // The rest are found from their lists, as a person finds them.
        for (login, list, prefix) in [
            (
                "provider.admin",
                "/provider/custom-dev",
                "/provider/custom-dev/",
            ),
            (
                "provider.admin",
                format!("/provider/projects/{}", d.project).as_str(),
                "/provider/links/",
            ),
            ("provider.admin", "/org/members", "/org/members/"),
            ("upstream.admin", "/interconnect", "/interconnect/spaces/"),
            ("operator", "/operator/orgs", "/operator/orgs/"),
            ("operator", "/operator/users", "/operator/users/"),
        ] {
            let c = demo_login(&app, login).await;
            if let Some(href) = first_detail(&c.get(list).await.body, prefix) {
                pages.push((login, href));
            }
        }
        let mut faults = vec![];
        for (login, path) in &pages {
            let c = demo_login(&app, login).await;
            faults.extend(head_faults(&c, path).await);
        }
        crate::figures::figure(
            &format!(
                "detail pages with one head and working breadcrumbs ({})",
                app.backend
            ),
            format!(
                "{} pages checked, {} faults (goal 0)",
                pages.len(),
                faults.len()
            ),
        );
        assert!(pages.len() >= 10, "{pages:?}");
        assert!(faults.is_empty(), "{}", faults.join("\n"));
    })
    .await;
}
