//! Scale-out for real (issue 21): two instances of the real binary on one PostgreSQL
//! database and one shared storage, behind Debian's nginx (round-robin, no sticky
//! sessions). The distribution journey runs through it in a browser: its contract is
//! uploaded through one instance and downloaded through the other, one session is served
//! by both, and 64 concurrent purchases spread over both make exactly one order. Then the
//! interconnection journey runs, one instance gets SIGTERM half-way, and the journey
//! finishes on the other. The request split comes from nginx's access log, which names the
//! instance that answered each request.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use fenfa::db::schema::{apps, distribution_links, orders, projects, space_orgs};

use crate::figures::figure;
use crate::support::TestApp;
use crate::support::browser::{Journey, browser_available};
use crate::support::journey_distribution::journey;
use crate::support::journey_interconnect::interconnect_journey;
use crate::support::server::free_port;

const NGINX: &str = "/usr/sbin/nginx";

fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "NOTE: {why}; two_instances_behind_nginx_carry_the_journeys_and_survive_a_sigterm is SKIPPED"
    );
}

/// The environment that gives both instances one storage for uploads: one directory as
/// their `--data-dir` (SQLite is not used; the directory holds nothing shared then), and
/// the suite's S3-compatible server (`FENFA_TEST_S3`, started by `.ci/run`): a prefix of
/// its bucket as `FENFA_STORAGE`, the `AWS_*` variables inherited from the suite's
/// environment. Without that server (outside CI) the shared directory carries the uploads,
/// as a shared mount would.
fn shared_storage_env(data_dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![(
        "FENFA_DATA_DIR".to_string(),
        data_dir.to_string_lossy().into_owned(),
    )];
    if let Some(bucket) = crate::support::s3::bucket() {
        env.push((
            "FENFA_STORAGE".to_string(),
            format!("s3://{}/lb-{}", bucket.bucket, bucket.prefix),
        ));
    }
    env
}

/// A child process killed (if still running) when the test ends, however it ends.
struct Proc {
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn spawn(mut cmd: Command, log: PathBuf) -> Proc {
        let out = File::create(&log).expect("log file");
        let child = cmd
            .stdout(Stdio::from(out.try_clone().expect("log file")))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap_or_else(|e| panic!("{cmd:?} starts: {e}"));
        Proc { child, log }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn sigterm(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
    }

    /// Waits for the process to exit, at most `limit`.
    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One instance of the binary on the test's database, with the demo data (loaded once
/// by whichever instance takes the start-up lock first).
fn instance(
    app: &TestApp,
    dir: &Path,
    storage: &[(String, String)],
    port: u16,
    public: &str,
) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fenfa"));
    cmd.args(["serve", "--demo"])
        .env("DATABASE_URL", app.postgres_url().expect("PostgreSQL"))
        .env("FENFA_BIND", format!("127.0.0.1:{port}"))
        .env("FENFA_PUBLIC_URL", public)
        .env("FENFA_TRUST_PROXY", "true")
        .env("FENFA_SECURE_COOKIES", "false")
        .env("FENFA_DB_POOL", "6")
        .env("FENFA_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("FENFA_METRICS_BIND")
        .env_remove("FENFA_HEADER_TIMEOUT_SECS")
        .env_remove("FENFA_BODY_TIMEOUT_SECS")
        .env_remove("FENFA_REQUEST_TIMEOUT_SECS");
    for (k, v) in storage {
        cmd.env(k, v);
    }
    Proc::spawn(cmd, dir.join(format!("fenfa-{port}.log")))
}

/// nginx's configuration: round-robin over the instances, the client's address in
/// `X-Forwarded-For`, failed connections retried on the next instance (as in the README's
/// example), and an access log naming the instance that answered each request.
fn nginx_conf(dir: &Path, port: u16, upstreams: &[u16]) -> String {
    let d = dir.display();
    let servers: String = upstreams
        .iter()
        .map(|p| format!("        server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;\n"))
        .collect();
    format!(
        "daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    log_format lb '$upstream_addr|$status|$request_method|$request_uri';
    access_log {d}/access.log lb;
    upstream fenfa {{
{servers}    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            proxy_pass http://fenfa;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_read_timeout 35s;
            add_header X-Upstream $upstream_addr always;
        }}
        location = /metrics {{ return 404; }}
    }}
}}
"
    )
}

/// One line of nginx's access log.
#[derive(Debug, Clone)]
struct Served {
    /// The instances tried, in order ("127.0.0.1:A, 127.0.0.1:B" when nginx moved it on).
    upstreams: Vec<u16>,
    status: u16,
    method: String,
    uri: String,
}

impl Served {
    /// The instance that answered.
    fn by(&self) -> Option<u16> {
        self.upstreams.last().copied()
    }
}

fn access_log(dir: &Path) -> Vec<Served> {
    std::fs::read_to_string(dir.join("access.log"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(4, '|');
            let upstreams = parts
                .next()?
                .split(", ")
                .filter_map(|a| a.rsplit(':').next()?.parse().ok())
                .collect();
            Some(Served {
                upstreams,
                status: parts.next()?.parse().ok()?,
                method: parts.next()?.to_string(),
                uri: parts.next()?.to_string(),
            })
        })
        .collect()
}

/// How many of `lines` each instance answered.
fn split(lines: &[Served], ports: [u16; 2]) -> [usize; 2] {
    ports.map(|p| lines.iter().filter(|s| s.by() == Some(p)).count())
}

/// A program's HTTP session through nginx: a cookie jar and the same-origin headers of a
/// browser's form; each answer says which instance gave it (nginx's `X-Upstream`).
#[derive(Clone)]
struct Http {
    client: reqwest::Client,
    base: String,
    jar: Arc<Mutex<HashMap<String, String>>>,
}

struct Answer {
    status: u16,
    location: String,
    by: u16,
    body: Vec<u8>,
}

impl Http {
    fn new(base: &str) -> Http {
        Http {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
            base: base.to_string(),
            jar: Arc::default(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let cookies = self
            .jar
            .lock()
            .expect("jar")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let resp = req
            .header("cookie", cookies)
            .header("sec-fetch-site", "same-origin")
            .header("origin", &self.base)
            .send()
            .await
            .expect("an answer through nginx");
        for v in resp.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or("");
            if let Some((k, val)) = v.split(';').next().and_then(|kv| kv.split_once('=')) {
                let mut jar = self.jar.lock().expect("jar");
                if v.contains("Max-Age=0") || val.is_empty() {
                    jar.remove(k.trim());
                } else {
                    jar.insert(k.trim().to_string(), val.to_string());
                }
            }
        }
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let location = header("location");
        let by = header("x-upstream")
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let status = resp.status().as_u16();
        let body = resp.bytes().await.expect("body").to_vec();
        Answer {
            status,
            location,
            by,
            body,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(self.client.post(format!("{}{path}", self.base)).form(form))
            .await
    }

    async fn login(&self, login: &str) -> Answer {
        let r = self
            .post(
                "/login",
                &[("login", login), ("password", fenfa::demo::PASSWORD)],
            )
            .await;
        assert_eq!(r.status, 303, "{login} signs in");
        r
    }

    /// A project with its contract (a multipart post, as the browser sends it).
    async fn project(&self, name: &str) -> (i64, u16) {
        let boundary = "----fenfa-lb-boundary";
        let mut body = Vec::new();
        for (k, v) in crate::support::distribution::project_form(name, "9900.00", "dingcustomer01")
        {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"contract\"; \
                 filename=\"contract.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(crate::support::distribution::PDF);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .send(
                self.client
                    .post(format!("{}/provider/projects", self.base))
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(body),
            )
            .await;
        assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
        let id = r
            .location
            .trim_start_matches("/provider/projects/")
            .parse()
            .expect("project id");
        (id, r.by)
    }
}

/// Downloads a contract through nginx until each instance has served it once; answers
/// the downloads made, each (instance, whole and identical).
async fn download_from_both(c: &Http, project: i64, ports: [u16; 2]) -> Vec<(u16, bool)> {
    let mut got = Vec::new();
    while got.len() < 8 && !ports.iter().all(|p| got.iter().any(|(by, _)| by == p)) {
        let r = c
            .get(&format!("/provider/projects/{project}/contract"))
            .await;
        got.push((
            r.by,
            r.status == 200 && r.body == crate::support::distribution::PDF,
        ));
    }
    got
}

fn name_of(port: u16, ports: [u16; 2]) -> &'static str {
    if port == ports[0] {
        "A"
    } else if port == ports[1] {
        "B"
    } else {
        "?"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_nginx_carry_the_journeys_and_survive_a_sigterm() {
    if !Path::new(NGINX).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "the load-balanced test needs {NGINX} in CI (apt-get install nginx)"
        );
        skipped(&format!("{NGINX} missing"));
        return;
    }
    if !browser_available("load_balanced") {
        return;
    }
    let Some(app) = TestApp::postgres() else {
        skipped("PostgreSQL off or unreachable");
        return;
    };
    let app = Arc::new(app);
    let dir = tempfile::tempdir().expect("dir");
    let shared = dir.path().join("shared");
    std::fs::create_dir_all(&shared).expect("shared dir");
    let storage = shared_storage_env(&shared);
    let ports = [free_port(), free_port()];
    let lb = free_port();
    let base = format!("http://127.0.0.1:{lb}");
    let mut a = instance(&app, dir.path(), &storage, ports[0], &base);
    let mut b = instance(&app, dir.path(), &storage, ports[1], &base);

    std::fs::write(
        dir.path().join("nginx.conf"),
        nginx_conf(dir.path(), lb, &ports),
    )
    .expect("nginx.conf");
    let mut nginx_cmd = Command::new(NGINX);
    nginx_cmd
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(dir.path().join("nginx.conf"))
        .arg("-e")
        .arg(dir.path().join("error.log"));
    let mut nginx = Proc::spawn(nginx_cmd, dir.path().join("nginx.out"));

    // Both instances ready (migrated, demo loaded) and nginx answering in front of them.
    let probe = Http::new(&base);
    let deadline = Instant::now() + Duration::from_secs(120);
    for port in ports {
        let direct = Http::new(&format!("http://127.0.0.1:{port}"));
        loop {
            if let Ok(Ok(r)) = tokio::time::timeout(Duration::from_secs(2), async {
                direct
                    .client
                    .get(format!("{}/readyz", direct.base))
                    .send()
                    .await
            })
            .await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "instance {port} not ready:\n{}",
                if port == ports[0] {
                    a.output()
                } else {
                    b.output()
                }
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    loop {
        if let Ok(Some(status)) = nginx.child.try_wait() {
            panic!(
                "nginx exited ({status}):\n{}\n{}",
                nginx.output(),
                std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
            );
        }
        if let Ok(Ok(r)) = tokio::time::timeout(
            Duration::from_secs(2),
            probe.client.get(format!("{base}/healthz")).send(),
        )
        .await
            && r.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "nginx never answered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let loaded = [&a, &b]
        .iter()
        .filter(|p| p.output().contains("Demo data loaded."))
        .count();
    assert_eq!(loaded, 1, "one instance loads the demo");

    // 1. The distribution journey through nginx.
    let before = access_log(dir.path()).len();
    let Some(j) = Journey::at(&base, app.clone(), "lb_distribution").await else {
        return;
    };
    let result = journey(&j).await;
    j.finish(result).await;
    let lines = access_log(dir.path())[before..].to_vec();
    let [ja, jb] = split(&lines, ports);
    let bad: Vec<&Served> = lines.iter().filter(|s| s.status >= 500).collect();
    assert!(bad.is_empty(), "5xx through nginx: {bad:?}");
    assert!(
        ja > 0 && jb > 0,
        "both instances served the journey: {ja} / {jb}"
    );
    figure(
        "load balancer: distribution journey's requests answered by instance A / B",
        format!("{ja} / {jb} of {} (round-robin, 0 5xx)", lines.len()),
    );

    // Its contract was uploaded through one instance; it downloads through both.
    let journey_project: i64 = projects::table
        .order(projects::id.asc())
        .select(projects::id)
        .first(&mut *app.conn())
        .expect("the journey's project");
    let upload = lines
        .iter()
        .find(|s| s.method == "POST" && s.uri == "/provider/projects" && s.status == 303)
        .and_then(Served::by)
        .expect("the journey's project post, in the access log");
    let provider = Http::new(&base);
    let signed_in_on = provider.login("provider.admin").await.by;
    let downloads = download_from_both(&provider, journey_project, ports).await;
    assert!(
        downloads.iter().all(|(_, ok)| *ok),
        "every download whole and identical: {downloads:?}"
    );
    let other = ports.into_iter().find(|p| *p != upload).expect("other");
    assert!(
        downloads.iter().any(|(by, _)| *by == other),
        "downloaded through the instance the upload did not reach: {downloads:?}"
    );
    figure(
        "load balancer: the journey's contract uploaded through / downloaded through",
        format!(
            "instance {} / instances {} ({} downloads, each whole and identical)",
            name_of(upload, ports),
            downloads
                .iter()
                .map(|(by, _)| name_of(*by, ports))
                .collect::<Vec<_>>()
                .join(", "),
            downloads.len()
        ),
    );

    // One session, served by both instances, never sent back to sign in.
    let mut pages = Vec::new();
    for _ in 0..6 {
        let r = provider.get("/provider/projects").await;
        pages.push((r.by, r.status));
    }
    let on_each = ports.map(|p| pages.iter().filter(|(by, s)| *by == p && *s == 200).count());
    assert!(
        on_each[0] > 0 && on_each[1] > 0 && pages.iter().all(|(_, s)| *s == 200),
        "{pages:?}"
    );
    figure(
        "load balancer: one session (signed in through instance) / pages answered by A / B",
        format!(
            "{} / {} / {}, 0 sent back to sign-in",
            name_of(signed_in_on, ports),
            on_each[0],
            on_each[1]
        ),
    );

    // 2. 64 concurrent purchases of one link through nginx: exactly one order.
    let (project, _) = provider.project("负载均衡项目").await;
    let operator = Http::new(&base);
    operator.login("operator").await;
    let r = operator
        .post(&format!("/operator/reviews/{project}/approve"), &[])
        .await;
    assert_eq!(r.status, 303, "approved");
    let source: i64 = apps::table
        .filter(apps::name.eq("采购管理"))
        .filter(apps::source_app_id.is_null())
        .select(apps::id)
        .first(&mut *app.conn())
        .expect("采购管理");
    let r = provider
        .post(
            "/provider/links",
            &[
                ("project_id", &project.to_string()),
                ("app_id", &source.to_string()),
            ],
        )
        .await;
    assert!(r.location.starts_with("/provider/links/"), "{}", r.location);
    let link: i64 = r
        .location
        .trim_start_matches("/provider/links/")
        .parse()
        .expect("link id");
    let token: String = distribution_links::table
        .find(link)
        .select(distribution_links::token)
        .first(&mut *app.conn())
        .expect("token");
    let buyer = Http::new(&base);
    buyer.login("customer.admin").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let c = buyer.clone();
        let path = format!("/d/{token}");
        tasks.spawn(async move {
            let r = c.post(&path, &[]).await;
            (r.by, r.status)
        });
    }
    let mut purchases = Vec::new();
    while let Some(r) = tasks.join_next().await {
        purchases.push(r.expect("task"));
    }
    let made: i64 = orders::table
        .inner_join(distribution_links::table)
        .filter(distribution_links::token.eq(&token))
        .count()
        .get_result(&mut *app.conn())
        .expect("orders");
    let server_errors = purchases.iter().filter(|(_, s)| *s >= 500).count();
    let per = ports.map(|p| purchases.iter().filter(|(by, _)| *by == p).count());
    figure(
        "load balancer: 64 concurrent purchases through nginx, answered by A / B, orders made",
        format!(
            "{} / {}, {made} order (goal 1), {server_errors} 5xx",
            per[0], per[1]
        ),
    );
    assert_eq!(made, 1);
    assert_eq!(server_errors, 0, "{purchases:?}");
    assert!(per[0] > 0 && per[1] > 0, "spread over both: {per:?}");

    // 3. The interconnection journey; instance B gets SIGTERM once the downstream
    //    organisation's join is approved (step 3 of 11), and the journey goes on.
    let before = access_log(dir.path()).len();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let app = app.clone();
        let done = done.clone();
        let log_dir = dir.path().to_path_buf();
        let pid = b.child.id();
        tokio::task::spawn_blocking(move || {
            while !done.load(Ordering::SeqCst) {
                let approved: i64 = space_orgs::table
                    .filter(space_orgs::role.eq("member"))
                    .filter(space_orgs::reviewed_by.is_not_null())
                    .count()
                    .get_result(&mut *app.conn())
                    .unwrap_or(0);
                if approved > 0 {
                    let at = access_log(&log_dir).len();
                    let sent = Command::new("kill")
                        .args(["-TERM", &pid.to_string()])
                        .status()
                        .is_ok_and(|s| s.success());
                    return sent.then_some(at);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            None
        })
    };
    let Some(j) = Journey::at(&base, app.clone(), "lb_interconnect").await else {
        return;
    };
    let result = interconnect_journey(&j).await;
    done.store(true, Ordering::SeqCst);
    let signalled = watcher.await.expect("watcher");
    j.finish(result).await;
    let at_signal = signalled.expect("SIGTERM sent to B mid-journey");
    let status = b
        .wait_exit(Duration::from_secs(35))
        .expect("B exits within its grace");
    let b_log = b.output();
    assert!(status.success(), "B's exit status {status}:\n{b_log}");
    let all = access_log(dir.path());
    let (journey_before, after) = (&all[before..at_signal], &all[at_signal..]);
    let [before_a, before_b] = split(journey_before, ports);
    let [after_a, after_b] = split(after, ports);
    let moved = after.iter().filter(|s| s.upstreams.len() > 1).count();
    let errors: Vec<&Served> = all[before..].iter().filter(|s| s.status >= 500).collect();
    let field = |line: &str, key: &str| {
        b_log
            .lines()
            .find(|l| l.contains(line))
            .and_then(|l| l.split(&format!("{key}=")).nth(1))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<usize>().ok())
    };
    let open_at_signal = field("shutting down: no new connections", "open_connections")
        .expect("B logs its open connections");
    let cut_off = field("stopped", "cut_off").expect("B logs what it cut off");
    let drain_ms = field("stopped", "drain_ms").expect("B logs its drain");
    figure(
        "load balancer: interconnection journey before the SIGTERM, answered by A / B",
        format!("{before_a} / {before_b}"),
    );
    figure(
        "load balancer: after B's SIGTERM, answered by A / B, moved by nginx from B to A",
        format!("{after_a} / {after_b}, {moved} (journey finished on A)"),
    );
    figure(
        "load balancer: SIGTERM'd instance B, connections open at the signal / cut off / drained in",
        format!("{open_at_signal} / {cut_off} (goal 0) / {drain_ms} ms, exit status 0"),
    );
    figure(
        "load balancer: 5xx through nginx during the interconnection journey",
        format!("{} (goal 0)", errors.len()),
    );
    assert!(errors.is_empty(), "5xx through nginx: {errors:?}");
    assert_eq!(cut_off, 0, "{b_log}");
    assert!(before_b > 0 && after_a > 0, "{before_b} / {after_a}");

    // The last instance stops the same way; nginx is killed by its guard.
    a.sigterm();
    let status = a.wait_exit(Duration::from_secs(35)).expect("A exits");
    assert!(
        status.success(),
        "A's exit status {status}:\n{}",
        a.output()
    );
}
