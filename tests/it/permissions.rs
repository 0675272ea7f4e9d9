//! The permission matrix: every route of the route table × ten principals, the expected
//! allow or deny derived from the route's policy, and the cross-tenant check (another
//! tenant's ids in the path and in the forms answer exactly like missing ids, and change
//! nothing). The principals and the expected answers are in `support::permissions`.

use std::collections::HashMap;

use axum::http::StatusCode;
use fenfa::web::policy::RouteSpec;

use crate::figures::figure;
use crate::support::each_backend;
use crate::support::permissions::{
    Form, IGNORED, Kind, changed, cross_tenant_exempt, denied, destructive, fill, forms_of,
    login_as, makes_an_admin, missing, narrowed, normalise, policy_allows, post_fields, principals,
    resets_sessions, snapshot, swap_ids,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_principal_as_its_policy_says() {
    each_backend(async |app| {
        let mut ps = principals(&app).await;
        let mut routes: Vec<RouteSpec> = fenfa::app::route_table().table();
        routes.retain(|r| {
            !IGNORED
                .iter()
                .any(|(m, p, _)| *m == r.method && *p == r.path)
        });
        // Pages first (their forms are harvested), then changes, the destructive ones last,
        // and after them the ones that make the caller an organisation's admin.
        routes.sort_by_key(|r| {
            (
                r.method == "POST",
                makes_an_admin(r.path),
                destructive(r.path),
                resets_sessions(r.path),
            )
        });
        let mut harvested: Vec<HashMap<String, Form>> = vec![HashMap::new(); ps.len()];
        let (mut checked, mut bad_allow, mut bad_deny) = (0usize, vec![], vec![]);
        let (mut cross_checked, mut cross_bad, mut cross_404) = (0usize, vec![], 0usize);
        for r in &routes {
            let fills: Vec<String> = ps.iter().map(|p| fill(r.path, &p.fx)).collect();
            for (i, p) in ps.iter().enumerate() {
                let path = fill(r.path, &p.fx);
                let has_id = r.path.contains('{');
                // Cross-tenant first (the own ids must still exist for the comparison).
                if has_id
                    && policy_allows(r.policy, p.kind)
                    && narrowed(r.method, r.path, p.kind).is_none()
                    && cross_tenant_exempt(r.path).is_none()
                    && let Some(foreign) = &p.foreign
                {
                    let fpath = fill(r.path, foreign);
                    let mpath = missing(r.path);
                    let before = snapshot(&app);
                    let (fr, mr) = if r.method == "GET" {
                        (p.client.get(&fpath).await, p.client.get(&mpath).await)
                    } else {
                        let form = harvested[i].get(&path).cloned().unwrap_or_default();
                        let ff = swap_ids(&form.fields, &p.fx, Some(foreign));
                        let mf = swap_ids(&form.fields, &p.fx, None);
                        (
                            post_fields(&p.client, &fpath, form.multipart, &ff).await,
                            post_fields(&p.client, &mpath, form.multipart, &mf).await,
                        )
                    };
                    let after = snapshot(&app);
                    cross_checked += 1;
                    let diff = changed(&before, &after);
                    if mr.status == StatusCode::NOT_FOUND {
                        cross_404 += 1;
                    }
                    // Refused before the lookup (a form that does not parse) is fine as
                    // long as the foreign id is answered exactly like the missing one.
                    if fr.status != mr.status
                        || !mr.status.is_client_error()
                        || normalise(&fr.body, &fpath) != normalise(&mr.body, &mpath)
                        || !diff.is_empty()
                    {
                        cross_bad.push(format!(
                            "{} {} as {:?}: foreign {} vs missing {}; changed {:?}",
                            r.method, r.path, p.kind, fr.status, mr.status, diff
                        ));
                    }
                }
                let resp = if r.method == "GET" {
                    p.client.get(&path).await
                } else {
                    // The form as the principal's page shows it, else as anyone's page
                    // shows it (a refused principal has no page, but may forge the post).
                    let form = harvested[i].get(&path).cloned().unwrap_or_else(|| {
                        harvested
                            .iter()
                            .zip(&fills)
                            .find_map(|(h, f)| h.get(f).cloned())
                            .unwrap_or_default()
                    });
                    post_fields(&p.client, &path, form.multipart, &form.fields).await
                };
                checked += 1;
                assert!(
                    !resp.status.is_server_error(),
                    "{} {path} as {:?}: {}\n{}",
                    r.method,
                    p.kind,
                    resp.status,
                    resp.body
                );
                if r.method == "GET" && resp.status == StatusCode::OK {
                    for (action, form) in forms_of(&resp.body) {
                        harvested[i].entry(action).or_insert(form);
                    }
                }
                let expect =
                    policy_allows(r.policy, p.kind) && narrowed(r.method, r.path, p.kind).is_none();
                let got = !denied(&resp, r.policy);
                if got && !expect {
                    bad_allow.push(format!(
                        "{} {path} ({:?}) as {:?}: {}",
                        r.method, r.policy, p.kind, resp.status
                    ));
                } else if !got && expect {
                    bad_deny.push(format!(
                        "{} {path} ({:?}) as {:?}: {} {}",
                        r.method,
                        r.policy,
                        p.kind,
                        resp.status,
                        resp.location()
                    ));
                }
            }
            if r.method == "POST" && resets_sessions(r.path) {
                for p in ps.iter_mut() {
                    if let (Some(l), false) = (p.login, p.kind == Kind::Disabled) {
                        p.client = login_as(&app, l).await;
                    }
                }
            }
        }
        figure(
            &format!(
                "permission matrix routes x principals checked ({})",
                app.backend
            ),
            format!("{} x {} = {checked}", routes.len(), ps.len()),
        );
        figure(
            &format!("permission matrix unexpected allows ({})", app.backend),
            format!("{} (goal 0)", bad_allow.len()),
        );
        figure(
            &format!("permission matrix unexpected denies ({})", app.backend),
            format!("{} (goal 0)", bad_deny.len()),
        );
        figure(
            &format!("cross-tenant id substitutions checked ({})", app.backend),
            format!(
                "{cross_checked} ({cross_404} answered 404, the rest refused before the lookup)"
            ),
        );
        figure(
            &format!(
                "cross-tenant answers unlike a missing id or changing data ({})",
                app.backend
            ),
            format!("{} (goal 0)", cross_bad.len()),
        );
        assert!(
            bad_allow.is_empty() && bad_deny.is_empty() && cross_bad.is_empty(),
            "unexpected allows:\n{}\nunexpected denies:\n{}\ncross-tenant:\n{}",
            bad_allow.join("\n"),
            bad_deny.join("\n"),
            cross_bad.join("\n")
        );
    })
    .await;
}
