//! Links are built on the address the portal really listens at: without a configured
//! public URL, distribution links follow `--bind` (not a fixed port 3000), and a portal
//! listening beyond this machine without a public URL says so when it starts.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::distribution::{approved_project, world};
use crate::support::each_backend;
use crate::support::server::Fenfa;

#[tokio::test]
async fn without_a_public_url_distribution_links_follow_the_bind_address() {
    each_backend(async |app| {
        let w = world(&app);
        let mut config = (*app.state.config).clone();
        config.public_url = None;
        config.bind = SocketAddr::from(([127, 0, 0, 1], 4000));
        let state = fenfa::web::AppState {
            config: Arc::new(config),
            ..app.state.clone()
        };
        let c = app.signed_in("padmin").await;
        let project = approved_project(&app, &c).await;
        let c = c.on(fenfa::app::router(state));
        let (pid, aid) = (project.to_string(), w.app.to_string());
        let r = c
            .post(
                "/provider/links",
                &[("project_id", pid.as_str()), ("app_id", aid.as_str())],
            )
            .await;
        r.assert_redirect("/provider/links/");
        c.get(r.location())
            .await
            .assert_contains("http://127.0.0.1:4000/d/")
            .assert_lacks("127.0.0.1:3000");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_bound_beyond_loopback_without_a_public_url_warns_at_start_up() {
    let open = Fenfa::start("0.0.0.0", &[], true).await;
    let port = open.port;
    let printed = open.stop();
    assert!(
        printed.contains("without a public URL") && printed.contains("--public-url"),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("Links are built on http://127.0.0.1:{port}")),
        "{printed}"
    );

    let local = Fenfa::start("127.0.0.1", &[], true).await;
    let port = local.port;
    let printed = local.stop();
    assert!(!printed.contains("without a public URL"), "{printed}");
    assert!(
        printed.contains(&format!("Links are built on http://127.0.0.1:{port}")),
        "{printed}"
    );
}
