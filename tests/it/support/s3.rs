//! The suite's S3-compatible server (`FENFA_TEST_S3`, its endpoint; `.ci/run` starts one
//! and exports it with the `AWS_*` variables the portal reads). Without it the
//! object-store tests say they skipped; in CI (`CI` set) they fail instead, as a missing
//! PostgreSQL does.

use fenfa::config::StorageTarget;

static S3_NOTICE: std::sync::Once = std::sync::Once::new();

/// Where the object-store tests put their files: the server's bucket and a key prefix of
/// this test's own, so tests running at once never see each other's files.
pub struct TestBucket {
    pub endpoint: String,
    pub bucket: String,
    pub prefix: String,
}

impl TestBucket {
    /// `FENFA_STORAGE`'s value for this bucket and prefix.
    pub fn target(&self) -> StorageTarget {
        StorageTarget::S3 {
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
        }
    }

    /// A client of the store, as the portal makes it.
    pub fn storage(&self) -> fenfa::storage::ObjectStorage {
        fenfa::storage::ObjectStorage::new(&self.bucket, &self.prefix).expect("object storage")
    }
}

/// A fresh prefix in the suite's bucket, or `None` (said once) when no server is set.
pub fn bucket() -> Option<TestBucket> {
    let Ok(endpoint) = std::env::var("FENFA_TEST_S3") else {
        assert!(
            std::env::var("CI").is_err(),
            "an S3-compatible server is required in CI: set FENFA_TEST_S3 (.ci/run starts one)"
        );
        // Written to stderr directly: libtest captures `eprintln!`, and this note must be
        // seen in every run, not only in failing ones.
        S3_NOTICE.call_once(|| {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "NOTE: FENFA_TEST_S3 is not set; the object-store runs of the storage tests are SKIPPED"
            );
        });
        return None;
    };
    // The portal takes its endpoint from AWS_ENDPOINT_URL: a test must never reach
    // another store than the suite's.
    assert_eq!(
        std::env::var("AWS_ENDPOINT_URL").ok().as_deref(),
        Some(endpoint.as_str()),
        "FENFA_TEST_S3 is set: export AWS_ENDPOINT_URL (and the keys, AWS_ALLOW_HTTP=true) \
         for the same server, as .ci/run does"
    );
    // Without keys the client would ask the cloud's instance-metadata address for some.
    assert!(
        std::env::var("AWS_ACCESS_KEY_ID").is_ok()
            && std::env::var("AWS_SECRET_ACCESS_KEY").is_ok(),
        "FENFA_TEST_S3 is set: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for it"
    );
    Some(TestBucket {
        endpoint,
        bucket: std::env::var("FENFA_TEST_S3_BUCKET").unwrap_or_else(|_| "fenfa-test".into()),
        prefix: format!("t-{}", uuid::Uuid::new_v4().simple()),
    })
}
