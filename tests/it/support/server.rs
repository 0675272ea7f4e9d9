//! The real `fenfa` binary serving a fresh SQLite data directory on a free port, for the
//! tests that need a real socket (slow clients, the bind address).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The binary serving a fresh SQLite data directory on `bind`, with these extra
/// environment variables; output goes to pipes when `capture`.
pub struct Fenfa {
    pub child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Fenfa {
    pub async fn start(bind_ip: &str, env: &[(&str, &str)], capture: bool) -> Fenfa {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fenfa"));
        cmd.arg("serve")
            .env("FENFA_DATA_DIR", dir.path())
            .env("FENFA_BIND", format!("{bind_ip}:{port}"))
            .env("FENFA_SECURE_COOKIES", "false")
            .env("FENFA_LOG", "warn")
            .env_remove("DATABASE_URL")
            .env_remove("FENFA_PUBLIC_URL")
            .env_remove("FENFA_HEADER_TIMEOUT_SECS")
            .env_remove("FENFA_BODY_TIMEOUT_SECS")
            .env_remove("FENFA_REQUEST_TIMEOUT_SECS");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = || {
            if capture {
                Stdio::piped()
            } else {
                Stdio::null()
            }
        };
        let child = cmd
            .stdout(out())
            .stderr(out())
            .spawn()
            .expect("the fenfa binary starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "fenfa did not start listening");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Fenfa {
            child,
            port,
            _dir: dir,
        }
    }

    /// Stops the server and returns what it printed (stdout then stderr).
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let out = std::mem::replace(&mut self.child, dummy())
            .wait_with_output()
            .expect("output");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}

/// A finished child to leave in place of the real one once it has been collected.
fn dummy() -> Child {
    Command::new("true")
        .stdout(Stdio::null())
        .spawn()
        .expect("true")
}

impl Drop for Fenfa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
