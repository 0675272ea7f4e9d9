//! Configuration, from flags or the environment (flags win).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::db::SqliteSync;

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: `postgres://…` for PostgreSQL, otherwise a SQLite file path.
    /// Default: `<data-dir>/fenfa.db`.
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Directory for the SQLite file and uploaded files.
    #[arg(long, global = true, env = "FENFA_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Address to listen on.
    #[arg(
        long,
        global = true,
        env = "FENFA_BIND",
        default_value = "127.0.0.1:3000"
    )]
    pub bind: SocketAddr,

    /// Served over https: the session and device cookies are `Secure` with the `__Host-`
    /// prefix, and HSTS is sent. Turn off for plain-http local use.
    #[arg(long, global = true, env = "FENFA_SECURE_COOKIES", default_value_t = true, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,

    /// SQLite durability: `full` (acknowledged writes survive power loss) or `normal`.
    #[arg(
        long,
        global = true,
        env = "FENFA_SQLITE_SYNC",
        value_enum,
        default_value = "full"
    )]
    pub sqlite_sync: SqliteSync,

    /// Database connections per instance.
    #[arg(long, global = true, env = "FENFA_DB_POOL", default_value_t = 8)]
    pub db_pool: u32,

    /// Minutes without activity before a session ends.
    #[arg(
        long,
        global = true,
        env = "FENFA_SESSION_IDLE_MINUTES",
        default_value_t = 120
    )]
    pub session_idle_minutes: i64,

    /// Hours after login when a session ends regardless of activity.
    #[arg(
        long,
        global = true,
        env = "FENFA_SESSION_MAX_HOURS",
        default_value_t = 12
    )]
    pub session_max_hours: i64,

    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    #[arg(long, global = true, env = "FENFA_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// Where uploaded files are kept: `local` (the directory `<data-dir>/uploads`) or
    /// `s3://bucket[/prefix]`, an S3-compatible object store shared by every instance;
    /// its endpoint and credentials come from the usual `AWS_*` variables
    /// (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ALLOW_HTTP`).
    #[arg(
        long,
        global = true,
        env = "FENFA_STORAGE",
        default_value = "local",
        value_parser = StorageTarget::parse
    )]
    pub storage: StorageTarget,

    /// Largest accepted upload, in megabytes.
    #[arg(long, global = true, env = "FENFA_MAX_UPLOAD_MB", default_value_t = 10)]
    pub max_upload_mb: usize,

    /// The address customers reach the portal at; distribution and invitation links and
    /// their QR codes are built on it. Default: the `--bind` address (loopback when bound
    /// to every interface).
    #[arg(long, global = true, env = "FENFA_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Verify a callback URL when a provider saves it (Fenfa calls it and expects the echo
    /// string back). Off only where saved URLs cannot be reached, e.g. tests of other rules.
    #[arg(long, global = true, env = "FENFA_VERIFY_CALLBACKS", default_value_t = true, action = clap::ArgAction::Set)]
    pub verify_callbacks: bool,

    /// Send Fenfa's outbound requests (the trusted-domain proof of custom apps, callback
    /// verification and events) to this
    /// base URL instead of the named host, private addresses allowed: for tests and
    /// closed networks. Unset in production.
    #[arg(long, global = true, env = "FENFA_OUTBOUND_OVERRIDE")]
    pub outbound_override: Option<String>,

    /// A PEM file of extra certificate authorities that Fenfa's outbound HTTPS requests
    /// trust beside the public roots: a closed network's own CA, or a test receiver's.
    #[arg(long, global = true, env = "FENFA_EXTRA_CA")]
    pub extra_ca: Option<PathBuf>,

    /// Seconds a client may take to send a request's headers before it is disconnected.
    #[arg(
        long,
        global = true,
        env = "FENFA_HEADER_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub header_timeout_secs: u64,

    /// Seconds a client may take to send a request's body, however slowly it trickles.
    #[arg(
        long,
        global = true,
        env = "FENFA_BODY_TIMEOUT_SECS",
        default_value_t = 20
    )]
    pub body_timeout_secs: u64,

    /// Seconds a request may take in all before it is answered with a timeout page.
    #[arg(
        long,
        global = true,
        env = "FENFA_REQUEST_TIMEOUT_SECS",
        default_value_t = 30
    )]
    pub request_timeout_secs: u64,

    /// Seconds that requests in flight may take to finish after SIGTERM or Ctrl-C, once
    /// the portal has stopped accepting connections; then it exits regardless.
    #[arg(
        long,
        global = true,
        env = "FENFA_SHUTDOWN_GRACE_SECS",
        default_value_t = 30
    )]
    pub shutdown_grace_secs: u64,

    /// Log filter, e.g. `info` or `fenfa=debug,tower_http=info`.
    #[arg(long, global = true, env = "FENFA_LOG", default_value = "info")]
    pub log: String,

    /// Log lines as `text` (for people) or `json` (one object a line, for collectors;
    /// a request's lines carry its `request_id`).
    #[arg(
        long,
        global = true,
        env = "FENFA_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// Address of the Prometheus `/metrics` endpoint, e.g. `127.0.0.1:9100`: a listener
    /// of its own, never the public one. Unset: no metrics endpoint.
    #[arg(long, global = true, env = "FENFA_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
}

/// Where uploaded files are kept (`--storage`, `FENFA_STORAGE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageTarget {
    /// The local upload directory.
    Local,
    /// An S3 bucket, the keys under `prefix` (without slashes at either end; may be empty).
    S3 { bucket: String, prefix: String },
}

impl StorageTarget {
    /// `local` (or nothing) or `s3://bucket[/prefix]`.
    pub fn parse(s: &str) -> Result<StorageTarget, String> {
        let s = s.trim();
        if s.is_empty() || s == "local" {
            return Ok(StorageTarget::Local);
        }
        let Some(rest) = s.strip_prefix("s3://") else {
            return Err("expected `local` or `s3://bucket[/prefix]`".into());
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid_bucket {
            return Err(format!("`{bucket}` is not an S3 bucket name"));
        }
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty()
            && prefix
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return Err(format!("`{prefix}` is not a usable key prefix"));
        }
        Ok(StorageTarget::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }
}

impl std::fmt::Display for StorageTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageTarget::Local => f.write_str("local"),
            StorageTarget::S3 { bucket, prefix } if prefix.is_empty() => {
                write!(f, "s3://{bucket}")
            }
            StorageTarget::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            self.data_dir
                .join("fenfa.db")
                .to_string_lossy()
                .into_owned()
        })
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle: self.session_idle_minutes * 60,
            absolute: self.session_max_hours * 3600,
        }
    }

    /// The public base URL without a trailing slash: the configured one, or else the bind
    /// address, so that a portal started on another port does not print dead links. An
    /// address bound on every interface (0.0.0.0, ::) names no host; loopback stands in.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => {
                let ip = match self.bind.ip() {
                    IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
                    ip => ip,
                };
                format!("http://{}", SocketAddr::new(ip, self.bind.port()))
            }
        }
    }

    /// The start-up warning when the portal listens beyond this machine but no public URL
    /// was set: links and QR codes would then name an address customers cannot reach.
    pub fn public_url_warning(&self) -> Option<String> {
        if self.public_url.is_some() || self.bind.ip().is_loopback() {
            return None;
        }
        Some(format!(
            "listening on {} without a public URL: distribution and invitation links will \
             point to {}; set --public-url (FENFA_PUBLIC_URL) to the address customers use",
            self.bind,
            self.public_base()
        ))
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn max_upload_bytes(&self) -> usize {
        self.max_upload_mb * 1024 * 1024
    }

    /// Where Fenfa's outbound requests go and whom they trust.
    pub fn outbound(&self) -> crate::tools::outbound::Outbound {
        crate::tools::outbound::Outbound {
            override_base: self.outbound_override.clone(),
            extra_ca: self.extra_ca.clone(),
        }
    }

    /// A configuration for tests: everything local, nothing secure-only.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Config {
        Config {
            database_url: Some(database_url),
            data_dir,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            secure_cookies: false,
            sqlite_sync: SqliteSync::Normal,
            db_pool: 4,
            session_idle_minutes: 120,
            session_max_hours: 12,
            trust_proxy: false,
            storage: StorageTarget::Local,
            max_upload_mb: 2,
            public_url: Some("http://127.0.0.1:3000".into()),
            outbound_override: None,
            extra_ca: None,
            verify_callbacks: false,
            header_timeout_secs: 10,
            body_timeout_secs: 20,
            request_timeout_secs: 30,
            shutdown_grace_secs: 30,
            log: "warn".into(),
            log_format: LogFormat::Text,
            metrics_bind: None,
        }
    }
}

/// Idle timeout and absolute lifetime of a session, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: i64,
    pub absolute: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Config {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            config: Config,
        }
        let mut all = vec!["fenfa"];
        all.extend_from_slice(args);
        <Cli as clap::Parser>::try_parse_from(all)
            .expect("arguments parse")
            .config
    }

    #[test]
    fn the_public_url_defaults_to_the_bind_address() {
        assert_eq!(parsed(&[]).public_base(), "http://127.0.0.1:3000");
        assert_eq!(
            parsed(&["--bind", "127.0.0.1:4000"]).public_base(),
            "http://127.0.0.1:4000"
        );
        assert_eq!(
            parsed(&["--bind", "0.0.0.0:8080"]).public_base(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            parsed(&["--bind", "[::]:8080"]).public_base(),
            "http://[::1]:8080"
        );
        assert_eq!(
            parsed(&["--bind", "192.168.1.20:80"]).public_base(),
            "http://192.168.1.20:80"
        );
        let set = parsed(&[
            "--bind",
            "0.0.0.0:8080",
            "--public-url",
            "https://fenfa.example.com/",
        ]);
        assert_eq!(set.public_base(), "https://fenfa.example.com");
    }

    #[test]
    fn a_non_loopback_bind_without_a_public_url_is_warned_about() {
        assert_eq!(parsed(&[]).public_url_warning(), None);
        assert_eq!(parsed(&["--bind", "[::1]:4000"]).public_url_warning(), None);
        let warning = parsed(&["--bind", "0.0.0.0:8080"])
            .public_url_warning()
            .expect("a warning");
        assert!(warning.contains("0.0.0.0:8080") && warning.contains("--public-url"));
        let set = parsed(&[
            "--bind",
            "0.0.0.0:8080",
            "--public-url",
            "https://fenfa.example.com",
        ]);
        assert_eq!(set.public_url_warning(), None);
    }

    #[test]
    fn uploads_stay_local_unless_an_s3_bucket_is_named() {
        assert_eq!(parsed(&[]).storage, StorageTarget::Local);
        assert_eq!(
            parsed(&["--storage", "local"]).storage,
            StorageTarget::Local
        );
        let s3 = |bucket: &str, prefix: &str| StorageTarget::S3 {
            bucket: bucket.into(),
            prefix: prefix.into(),
        };
        assert_eq!(StorageTarget::parse("s3://fenfa"), Ok(s3("fenfa", "")));
        assert_eq!(
            StorageTarget::parse("s3://fenfa-uploads/prod/eu/"),
            Ok(s3("fenfa-uploads", "prod/eu"))
        );
        assert_eq!(
            s3("fenfa-uploads", "prod/eu").to_string(),
            "s3://fenfa-uploads/prod/eu"
        );
        for bad in [
            "fenfa",
            "s3://",
            "s3://Fenfa",
            "s3://ab",
            "s3://b/a//c",
            "s3://b/../x",
            "gs://b",
        ] {
            assert!(StorageTarget::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn metrics_are_off_and_logs_are_text_unless_configured() {
        let c = parsed(&[]);
        assert_eq!(c.metrics_bind, None);
        assert_eq!(c.log_format, LogFormat::Text);
        let c = parsed(&["--metrics-bind", "127.0.0.1:9100", "--log-format", "json"]);
        assert_eq!(
            c.metrics_bind,
            Some(SocketAddr::from(([127, 0, 0, 1], 9100)))
        );
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn slow_clients_are_cut_off_within_thirty_seconds_by_default() {
        let c = parsed(&[]);
        assert_eq!(c.header_timeout(), Duration::from_secs(10));
        assert_eq!(c.body_timeout(), Duration::from_secs(20));
        assert_eq!(c.request_timeout(), Duration::from_secs(30));
        assert!(c.body_timeout() < c.request_timeout());
    }
}
