//! Slow clients against the real `fenfa` binary on a free port: headers that trickle in are
//! cut off by hyper's header read timeout, a body that trickles in (one byte every two
//! seconds, which an idle timeout would never notice) by the body deadline, and a request
//! that outlives the whole-request deadline is answered with the busy page. The timeouts
//! are configured short here to keep the test quick; their defaults (10 s, 20 s, 30 s) are
//! asserted in `config`'s unit tests.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::server::Fenfa;

/// Sends `head` at once, then `trickle` one byte every `every`, while reading; returns
/// what the server answered and when the connection ended (or `limit` passed).
async fn trickle(
    port: u16,
    head: &str,
    trickle: &[u8],
    every: Duration,
    limit: Duration,
) -> (String, Duration) {
    let started = Instant::now();
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(head.as_bytes()).await.expect("head");
    let bytes = trickle.to_vec();
    let writer = tokio::spawn(async move {
        for b in bytes {
            tokio::time::sleep(every).await;
            if wr.write_all(&[b]).await.is_err() {
                break;
            }
        }
        // Keep the write side open: the server, not the client, must end this.
        tokio::time::sleep(Duration::from_secs(120)).await;
        drop(wr);
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    writer.abort();
    assert!(
        read.is_ok(),
        "the server did not cut the slow client off within {limit:?}"
    );
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

const SLOW_POST: &str = "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\
    Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\
    Sec-Fetch-Site: same-origin\r\nAccept-Language: zh-CN\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_one_byte_every_two_seconds_is_cut_off_at_the_body_deadline() {
    let fenfa = Fenfa::start(
        "127.0.0.1",
        &[
            ("FENFA_BODY_TIMEOUT_SECS", "5"),
            ("FENFA_REQUEST_TIMEOUT_SECS", "30"),
        ],
        false,
    )
    .await;
    let body = [b'x'; 200];
    let (answer, took) = trickle(
        fenfa.port,
        SLOW_POST,
        &body,
        Duration::from_secs(2),
        Duration::from_secs(30),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("请求用时过长，已中断"), "{answer}");
    // Cut at the deadline although a byte came every two seconds.
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(12),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_sent_one_byte_at_a_time_are_cut_off_at_the_header_timeout() {
    let fenfa = Fenfa::start("127.0.0.1", &[("FENFA_HEADER_TIMEOUT_SECS", "3")], false).await;
    let slow_header = "X-Slow: ".to_string() + &"a".repeat(100);
    let (answer, took) = trickle(
        fenfa.port,
        "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        slow_header.as_bytes(),
        Duration::from_millis(500),
        Duration::from_secs(30),
    )
    .await;
    assert!(!answer.contains("200 OK"), "{answer}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(10),
        "{took:?}"
    );
    // A client that sends its request at once is served as before.
    let (answer, _) = trickle(
        fenfa.port,
        "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        b"",
        Duration::ZERO,
        Duration::from_secs(10),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_outlives_the_request_deadline_is_answered_with_the_busy_page() {
    let fenfa = Fenfa::start(
        "127.0.0.1",
        &[
            ("FENFA_BODY_TIMEOUT_SECS", "60"),
            ("FENFA_REQUEST_TIMEOUT_SECS", "3"),
        ],
        false,
    )
    .await;
    let body = [b'x'; 200];
    let (answer, took) = trickle(
        fenfa.port,
        SLOW_POST,
        &body,
        Duration::from_millis(500),
        Duration::from_secs(30),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("系统繁忙"), "{answer}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(10),
        "{took:?}"
    );
}
