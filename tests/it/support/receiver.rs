//! A provider's callback receiver: answers the verification's echo string, checks the
//! signatures of verifications and events with the token it is told to trust, and records
//! what it saw. Plain HTTP (reached through the outbound override) or real TLS with a
//! certificate of its own CA, which Fenfa trusts through the extra-CA setting.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::support::TestApp;

pub fn hmac_hex(token: &str, timestamp: &str, nonce: &str, data: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(token.as_bytes()).expect("key");
    mac.update(format!("{timestamp}\n{nonce}\n{data}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// One event as it arrived: id, type, whether its signature verified, and its JSON.
#[derive(Clone, Debug)]
pub struct Arrived {
    pub id: String,
    pub kind: String,
    pub signed: bool,
    pub body: serde_json::Value,
}

/// What a receiver saw: verifications (signature valid?) and events.
#[derive(Default)]
struct Seen {
    verifications: Vec<bool>,
    events: Vec<Arrived>,
}

#[derive(Clone)]
pub struct Receiver {
    /// The token it checks signatures with (`None`: every signature counts as wrong).
    token: Arc<Mutex<Option<String>>>,
    /// Answer the echo string (or something else).
    echo: bool,
    /// The status events are answered with.
    status: Arc<Mutex<StatusCode>>,
    seen: Arc<Mutex<Seen>>,
    /// How long an event's answer takes, after it was recorded (a slow receiver: an
    /// event seen but not yet acknowledged when the sender dies).
    pub delay_ms: u64,
}

/// A TLS receiver's CA, as a PEM file for `FENFA_EXTRA_CA`.
pub struct Ca {
    pub pem_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Receiver {
    pub fn new(echo: bool) -> Receiver {
        Receiver {
            token: Arc::new(Mutex::new(None)),
            echo,
            status: Arc::new(Mutex::new(StatusCode::OK)),
            seen: Arc::new(Mutex::new(Seen::default())),
            delay_ms: 0,
        }
    }
    pub fn trust(&self, token: &str) {
        *self.token.lock().expect("lock") = Some(token.to_string());
    }
    pub fn answer(&self, status: StatusCode) {
        *self.status.lock().expect("lock") = status;
    }
    pub fn events(&self) -> Vec<Arrived> {
        self.seen.lock().expect("lock").events.clone()
    }
    pub fn kinds(&self) -> Vec<String> {
        self.events().into_iter().map(|e| e.kind).collect()
    }
    pub fn verifications(&self) -> Vec<bool> {
        self.seen.lock().expect("lock").verifications.clone()
    }

    fn router(&self) -> axum::Router {
        async fn verify(
            State(r): State<Receiver>,
            Query(q): Query<std::collections::HashMap<String, String>>,
        ) -> String {
            let get = |k: &str| q.get(k).cloned().unwrap_or_default();
            let token = r.token.lock().expect("lock").clone();
            let ok = token.is_some_and(|t| {
                hmac_hex(&t, &get("timestamp"), &get("nonce"), &get("echostr")) == get("signature")
            });
            r.seen.lock().expect("lock").verifications.push(ok);
            if r.echo {
                get("echostr")
            } else {
                "success".into()
            }
        }
        async fn event(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
            let h = |k: &str| {
                headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            };
            let token = r.token.lock().expect("lock").clone();
            let signed = token.is_some_and(|t| {
                hmac_hex(&t, &h("x-fenfa-timestamp"), &h("x-fenfa-nonce"), &body)
                    == h("x-fenfa-signature")
            });
            let v: serde_json::Value = serde_json::from_str(&body).expect("json body");
            let id = v["id"].as_str().expect("event id").to_string();
            assert_eq!(id, h("x-fenfa-event-id"));
            let kind = v["type"].as_str().expect("type").to_string();
            r.seen.lock().expect("lock").events.push(Arrived {
                id,
                kind,
                signed,
                body: v,
            });
            if r.delay_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(r.delay_ms)).await;
            }
            *r.status.lock().expect("lock")
        }
        // `/callback` is the fixtures' templates', `/cb` the verification tests'.
        axum::Router::new()
            .route("/cb", axum::routing::get(verify).post(event))
            .route("/callback", axum::routing::get(verify).post(event))
            .with_state(self.clone())
    }

    /// Serves the callback over plain HTTP on a free local port; the base URL.
    pub async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = self.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        format!("http://{addr}")
    }

    /// Serves the callback over TLS for `localhost` with a certificate issued by a CA of its own:
    /// the base URL (`https://localhost:port`) and the CA's PEM file.
    pub async fn start_tls(&self) -> (String, Ca) {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().expect("ca key");
        let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf = CertificateParams::new(vec!["localhost".to_string()])
            .expect("leaf params")
            .signed_by(&leaf_key, &issuer)
            .expect("leaf cert");
        let dir = tempfile::tempdir().expect("tempdir");
        let pem_path = dir.path().join("ca.pem");
        std::fs::write(&pem_path, ca_cert.pem()).expect("ca file");

        // ring, as Fenfa's client uses; that it offers no post-quantum key exchange (the
        // deprecation) does not matter to a test receiver.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let router = self.router();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let router = router.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper_util::service::TowerToHyperService::new(router);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        (
            format!("https://localhost:{port}"),
            Ca {
                pem_path,
                _dir: dir,
            },
        )
    }
}

/// The job runner's context with the outbound override set to `base` (and the extra CA,
/// when given).
pub fn runner(app: &TestApp, base: &str, ca: Option<&Ca>) -> fenfa::jobs::JobContext {
    let mut config = (*app.state.config).clone();
    config.outbound_override = Some(base.to_string());
    config.extra_ca = ca.map(|c| c.pem_path.clone());
    fenfa::jobs::JobContext {
        db: app.state.db.clone(),
        config: Arc::new(config),
    }
}

/// The app with callback URLs verified when saved, through the override `base`.
pub fn with_verification(app: &TestApp, base: Option<&str>) -> axum::Router {
    app.configured(|c| {
        c.verify_callbacks = true;
        c.outbound_override = base.map(str::to_string);
    })
}
