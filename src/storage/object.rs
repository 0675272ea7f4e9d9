//! Uploads in an S3-compatible object store (`FENFA_STORAGE=s3://bucket[/prefix]`), one
//! bucket shared by every instance behind a load balancer. Endpoint, region and
//! credentials come from the usual `AWS_*` variables (`AmazonS3Builder::from_env`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientConfigKey, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};
use tokio::io::AsyncWriteExt;

use super::{Storage, is_key};
use crate::error::{AppError, AppResult};

/// How long the readiness probe waits for the bucket.
const CHECK_WAIT: Duration = Duration::from_secs(3);

/// The store's calls are async, while [`Storage`] is called from the blocking database
/// closures and, at start-up and in a few handlers, straight from async code, where
/// `Handle::block_on` would panic. They run on a small runtime of their own and the caller
/// waits for the answer on a channel, which works from any thread. The runtime is never
/// dropped (a static), so no instance's drop can stop another's calls.
static RUNTIME: LazyLock<std::io::Result<tokio::runtime::Runtime>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("fenfa-storage")
        .enable_all()
        .build()
});

/// Runs `fut` on the storage runtime and waits for its output.
fn wait<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> AppResult<T> {
    let runtime = RUNTIME.as_ref().map_err(AppError::internal)?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv()
        .map_err(|_| AppError::internal("the storage call ended without an answer"))
}

/// The files of one bucket, under a key prefix.
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl ObjectStorage {
    /// A client for `bucket` (no request is made yet). Requests give up after a few
    /// retries within 15 s, well inside a request's own timeout.
    pub fn new(bucket: &str, prefix: &str) -> anyhow::Result<ObjectStorage> {
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_config(
                AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                "5s",
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(15),
            })
            .build()
            .map_err(|e| anyhow::anyhow!("object storage settings: {e}"))?;
        Ok(ObjectStorage {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    /// The object's path for `key`; keys that are not ours are refused like a missing file.
    fn path(&self, key: &str) -> AppResult<Path> {
        if !is_key(key) {
            return Err(AppError::NotFound);
        }
        Ok(self.under_prefix(key))
    }

    fn under_prefix(&self, name: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(name)
        } else {
            Path::from(format!("{}/{name}", self.prefix))
        }
    }

    /// The size of every stored file, by key: one listing of the prefix (keys have no
    /// slash, so the files are its direct children; the listing follows every page).
    pub fn sizes(&self) -> AppResult<HashMap<String, u64>> {
        let store = self.store.clone();
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let listed = wait(async move { store.list_with_delimiter(prefix.as_ref()).await })?
            .map_err(AppError::internal)?;
        Ok(listed
            .objects
            .into_iter()
            .filter_map(|meta| {
                let key = meta.location.filename()?.to_string();
                is_key(&key).then_some((key, meta.size))
            })
            .collect())
    }

    /// Stores the file at `from` under `key`, read and sent in parts (a multipart upload
    /// past 10 MiB), so a file of any size is never held in memory whole.
    pub fn put_file(&self, key: &str, from: &std::path::Path) -> AppResult<()> {
        let path = self.path(key)?;
        let store = self.store.clone();
        let from = from.to_path_buf();
        wait(async move {
            let mut file = tokio::fs::File::open(&from).await?;
            let mut out = object_store::buffered::BufWriter::new(store, path);
            tokio::io::copy(&mut file, &mut out).await?;
            out.shutdown().await
        })?
        .map_err(AppError::internal)
    }
}

impl Storage for ObjectStorage {
    fn put(&self, key: &str, bytes: &[u8]) -> AppResult<()> {
        let path = self.path(key)?;
        let store = self.store.clone();
        // An upload is already capped (FENFA_MAX_UPLOAD_MB): one PUT of its bytes.
        let payload = PutPayload::from(bytes.to_vec());
        wait(async move { store.put(&path, payload).await })?
            .map(|_| ())
            .map_err(AppError::internal)
    }

    fn get(&self, key: &str) -> AppResult<Vec<u8>> {
        let path = self.path(key)?;
        let store = self.store.clone();
        let got = wait(async move {
            match store.get(&path).await {
                Ok(found) => found.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        match got {
            Ok(Some(bytes)) => Ok(bytes.to_vec()),
            Ok(None) => Err(AppError::NotFound),
            Err(e) => Err(AppError::internal(e)),
        }
    }

    /// The bucket answers a listing (of a prefix no key can have) within a few seconds:
    /// it exists and the credentials may read it. The reason names no host or key.
    fn check(&self) -> Result<(), String> {
        let store = self.store.clone();
        let probe = self.under_prefix(".ready");
        let answered = wait(async move {
            tokio::time::timeout(CHECK_WAIT, store.list_with_delimiter(Some(&probe))).await
        })
        .map_err(|_| "storage: check failed".to_string())?;
        match answered {
            Err(_) => Err(format!(
                "storage: no answer from the object store within {}s",
                CHECK_WAIT.as_secs()
            )),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("storage: object store {}", reason(&e))),
        }
    }
}

/// A short, secret-free reason for a failed call.
fn reason(e: &object_store::Error) -> &'static str {
    match e {
        object_store::Error::NotFound { .. } => "bucket not found",
        // A listing of a missing bucket is a plain 404 with S3's error code in its body.
        object_store::Error::Generic { .. } if e.to_string().contains("NoSuchBucket") => {
            "bucket not found"
        }
        object_store::Error::PermissionDenied { .. } => "denied access",
        object_store::Error::Unauthenticated { .. } => "refused the credentials",
        _ => "unreachable or failing",
    }
}
