//! The durable job runner delivering custom apps' events: retries with backoff until
//! the job is dead, redelivery, a lease that runs out after its runner died, two runners
//! sharing one database, and the real server killed with SIGKILL mid-delivery. Both
//! backends.

use axum::http::StatusCode;
use diesel::prelude::*;
use fenfa::db::schema::{cd_deliveries, jobs};

use crate::support::customdev::*;
use crate::support::each_backend;
use crate::support::receiver::{Receiver, runner};

#[tokio::test]
async fn a_failing_receiver_is_retried_with_backoff_then_marked_dead_and_can_be_redelivered() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = live_template(&app, &padmin, "投递CRM").await;
        let cid = authorise(&app, tid, w.enterprise).await;
        let receiver = Receiver::new(true);
        receiver.trust(&callback_token(&app, cid));
        receiver.answer(StatusCode::INTERNAL_SERVER_ERROR);
        let ctx = runner(&app, &receiver.start().await, None);
        let before = fenfa::db::now();
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        // Failed once: pending again, not before the first backoff.
        let (state, run_at, err): (String, i64, String) = jobs::table
            .select((jobs::state, jobs::run_at, jobs::last_error))
            .first(&mut *app.conn())
            .expect("job");
        assert_eq!(state, "pending");
        assert!(
            run_at >= before + fenfa::jobs::backoff(1),
            "{run_at} {before}"
        );
        assert_eq!(err, "HTTP 500");
        assert_eq!(
            fenfa::jobs::run_due(&ctx).await.expect("run"),
            0,
            "not due yet"
        );
        padmin
            .get(&format!("/provider/custom-dev/custom-apps/{cid}/callbacks"))
            .await
            .assert_contains("重试中")
            .assert_contains("500");
        // Due again, nearly a day after it was queued: this failure is the last.
        diesel::update(jobs::table)
            .set((
                jobs::run_at.eq(fenfa::db::now()),
                jobs::created_at.eq(fenfa::db::now() - fenfa::jobs::RETRY_FOR + 5),
            ))
            .execute(&mut *app.conn())
            .expect("age");
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        let d = deliveries(&app, cid);
        assert_eq!((d[0].2, d[0].3.as_str()), (2, "dead"));
        let page = format!("/provider/custom-dev/custom-apps/{cid}/callbacks");
        padmin.get(&page).await.assert_contains("已放弃");
        // The provider's admin redelivers it once the receiver works: same event id.
        receiver.answer(StatusCode::OK);
        let did: i64 = cd_deliveries::table
            .select(cd_deliveries::id)
            .first(&mut *app.conn())
            .expect("delivery");
        padmin
            .post(&format!("{page}/{did}/redeliver"), &[])
            .await
            .assert_redirect(&page);
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        let d = deliveries(&app, cid);
        assert_eq!((d[0].2, d[0].3.as_str()), (3, "done"));
        let ids: Vec<String> = receiver.events().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, [d[0].0.clone(), d[0].0.clone(), d[0].0.clone()]);
    })
    .await;
}

#[tokio::test]
async fn a_job_whose_runner_died_is_claimed_again_when_its_lease_runs_out() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = live_template(&app, &padmin, "投递CRM").await;
        let cid = authorise(&app, tid, w.enterprise).await;
        // As a runner leaves it when killed mid-delivery: claimed, leased, never finished.
        let now = fenfa::db::now();
        diesel::update(jobs::table)
            .set((
                jobs::attempts.eq(1),
                jobs::run_at.eq(now + fenfa::jobs::LEASE),
                jobs::leased_until.eq(Some(now + fenfa::jobs::LEASE)),
            ))
            .execute(&mut *app.conn())
            .expect("leased");
        let receiver = Receiver::new(true);
        receiver.trust(&callback_token(&app, cid));
        let ctx = runner(&app, &receiver.start().await, None);
        assert_eq!(
            fenfa::jobs::run_due(&ctx).await.expect("run"),
            0,
            "still leased"
        );
        diesel::update(jobs::table)
            .set(jobs::run_at.eq(now - 1))
            .execute(&mut *app.conn())
            .expect("lease ran out");
        assert_eq!(fenfa::jobs::run_due(&ctx).await.expect("run"), 1);
        assert_eq!(deliveries(&app, cid)[0].3, "done");
        assert_eq!(receiver.events().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn two_runners_on_one_database_deliver_each_event_once() {
    each_backend(async |app| {
        let w = world(&app);
        let padmin = app.signed_in("cd.padmin").await;
        let tid = live_template(&app, &padmin, "投递CRM").await;
        let eadmin = app.signed_in("cd.eadmin").await;
        // Eight events: four authorisations, each cancelled.
        for _ in 0..4 {
            let cid = authorise(&app, tid, w.enterprise).await;
            eadmin
                .post_ok(
                    &format!("/org/custom-apps/{cid}/cancel"),
                    &[("outcome", "delete")],
                )
                .await;
        }
        let mut receiver = Receiver::new(true);
        receiver.delay_ms = 30;
        let base = receiver.start().await;
        let one = runner(&app, &base, None);
        // The second runner has its own pool, as another instance would.
        let mut two = one.clone();
        two.db = fenfa::db::Db::connect(
            &app.state.config.database_url(),
            fenfa::db::SqliteSync::Normal,
            4,
        )
        .expect("second pool");
        async fn drain(ctx: fenfa::jobs::JobContext) -> usize {
            let mut ran = 0;
            loop {
                match fenfa::jobs::run_batch(&ctx, 2).await.expect("run") {
                    0 => return ran,
                    n => ran += n,
                }
            }
        }
        let (a, b) = tokio::join!(drain(one), drain(two));
        assert_eq!(a + b, 8, "{a} + {b}");
        assert!(a > 0 && b > 0, "both runners took a share: {a} + {b}");
        let mut ids: Vec<String> = receiver.events().into_iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), 8);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 8, "each event once");
        let pending: i64 = jobs::table
            .filter(jobs::state.ne("done"))
            .count()
            .get_result(&mut *app.conn())
            .expect("count");
        assert_eq!(pending, 0);
    })
    .await;
}

/// Waits up to `secs` for `done`, checking every 20 ms.
async fn until(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    done()
}

#[tokio::test]
async fn the_server_killed_mid_delivery_leaves_every_event_delivered_and_duplicates_carry_the_same_id()
 {
    each_backend(async |app| {
        let w = world(&app);
        let (_, cid, app_id) = live_custom_app(&app, &w).await;
        app.signed_in("cd.eadmin")
            .await
            .post_ok(&format!("/apps/{app_id}/scope"), &[("scope_kind", "all")])
            .await;
        // Forty members' messages on top of the app's own events.
        let member = app.signed_in("cd.member").await;
        for i in 0..40 {
            member
                .post(
                    &format!("/a/{app_id}/message"),
                    &[("text", &format!("第 {i} 条反馈"))],
                )
                .await
                .assert_redirect(&format!("/a/{app_id}"));
        }
        let events = deliveries(&app, cid).len();
        // A slow receiver over TLS: each event is recorded on arrival and answered 300 ms
        // later, so the server dies with deliveries in flight.
        let mut receiver = Receiver::new(true);
        receiver.delay_ms = 300;
        receiver.trust(&callback_token(&app, cid));
        let (base, ca) = receiver.start_tls().await;
        let url = app.state.config.database_url();
        let ca_path = ca.pem_path.to_string_lossy().into_owned();
        let env = [
            ("DATABASE_URL", url.as_str()),
            ("FENFA_OUTBOUND_OVERRIDE", base.as_str()),
            ("FENFA_EXTRA_CA", ca_path.as_str()),
        ];
        let first = crate::support::server::Fenfa::start("127.0.0.1", &env, false).await;
        assert!(
            until(60, || !receiver.events().is_empty()).await,
            "the first server delivered nothing"
        );
        first.stop(); // SIGKILL
        let seen_at_kill = receiver.events().len();
        let done_at_kill = jobs::table
            .filter(jobs::state.eq("done"))
            .count()
            .get_result::<i64>(&mut *app.conn())
            .expect("count");
        // The dead server's leases run out (two minutes, moved rather than waited for).
        let now = fenfa::db::now();
        diesel::update(jobs::table.filter(jobs::state.eq("pending")))
            .set(jobs::run_at.eq(now - 1))
            .execute(&mut *app.conn())
            .expect("leases run out");
        let second = crate::support::server::Fenfa::start("127.0.0.1", &env, false).await;
        let finished = until(90, || {
            jobs::table
                .filter(jobs::state.ne("done"))
                .count()
                .get_result::<i64>(&mut *app.conn())
                .expect("count")
                == 0
        })
        .await;
        second.stop();
        assert!(finished, "jobs left undone after the restart");

        let arrived = receiver.events();
        let stored: Vec<String> = deliveries(&app, cid).into_iter().map(|d| d.0).collect();
        let mut ids: Vec<String> = arrived.iter().map(|e| e.id.clone()).collect();
        ids.sort();
        ids.dedup();
        let mut expected = stored.clone();
        expected.sort();
        assert_eq!(ids, expected, "every event arrived, and nothing else");
        assert!(arrived.iter().all(|e| e.signed), "every post verifies");
        let duplicates = arrived.len() - ids.len();
        assert!(duplicates >= 1, "the kill left a delivery in flight");
        // Claims of the jobs (each claim counts an attempt, even one its runner died in).
        let attempts: i64 = jobs::table
            .select(diesel::dsl::sum(jobs::attempts))
            .first::<Option<i64>>(&mut *app.conn())
            .expect("attempts")
            .unwrap_or_default();
        let b = app.backend;
        crate::figures::figure(
            &format!("kill -9 mid-delivery ({b})"),
            format!(
                "{events} events; {seen_at_kill} posts seen and {done_at_kill} jobs done when killed; \
                 {} posts in all, {} distinct ids, {duplicates} duplicates (same id), \
                 {} attempts beyond the first (claimed again after the crash); 0 lost",
                arrived.len(),
                ids.len(),
                attempts - i64::try_from(events).unwrap_or(0)
            ),
        );
        drop(ca);
    })
    .await;
}
