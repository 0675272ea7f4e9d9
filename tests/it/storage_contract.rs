//! Uploads in shared storage: one contract that both storages keep (the local directory
//! and an S3-compatible object store), instances on one object store serving each other's
//! uploads, and `fenfa storage migrate` copying a local directory into the store once.

use std::process::{Command, Output};

use axum::http::{StatusCode, header};
use fenfa::error::AppError;
use fenfa::storage::{LocalDir, Storage};

use crate::support::distribution::{PDF, create_project, world};
use crate::support::each_backend;
use crate::support::s3;

/// Bytes no text encoding would carry unharmed: every byte value, NULs and invalid UTF-8.
fn binary(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

fn key(ext: &str) -> String {
    format!("{}.{ext}", uuid::Uuid::new_v4())
}

/// What every storage must do, whatever keeps the bytes.
fn keeps_the_contract(storage: &dyn Storage) {
    assert_eq!(storage.check(), Ok(()), "the storage is ready");

    // A round trip of binary bytes.
    let k = key("bin");
    let bytes = binary(4096, 7);
    storage.put(&k, &bytes).expect("put");
    assert_eq!(storage.get(&k).expect("get"), bytes);

    // Writing a key again replaces its bytes (shorter, so no old tail may remain).
    let replaced = binary(100, 99);
    storage.put(&k, &replaced).expect("overwrite");
    assert_eq!(storage.get(&k).expect("get"), replaced);

    // A key never written is missing; so is an empty file's neighbour.
    assert!(matches!(storage.get(&key("pdf")), Err(AppError::NotFound)));
    let empty = key("txt");
    storage.put(&empty, b"").expect("empty file");
    assert_eq!(storage.get(&empty).expect("empty file"), b"");

    // Keys are ours (uuid + extension): anything that could leave the directory or the
    // prefix, or hide as a dot file, is refused for reading and for writing.
    for bad in [
        "", "../x.bin", "a/b.bin", ".ready", "a b.pdf", "x\0.bin", "%2e%2e",
    ] {
        assert!(
            matches!(storage.put(bad, b"x"), Err(AppError::NotFound)),
            "put {bad:?} was not refused"
        );
        assert!(
            matches!(storage.get(bad), Err(AppError::NotFound)),
            "get {bad:?} was not refused"
        );
    }

    // A large-ish upload (6 MiB: many reads and writes of any buffer) comes back whole.
    let big = key("pdf");
    let big_bytes = binary(6 * 1024 * 1024 + 123, 3);
    storage.put(&big, &big_bytes).expect("put large");
    let back = storage.get(&big).expect("get large");
    assert!(back == big_bytes, "the large object came back changed");
}

#[test]
fn the_local_directory_keeps_the_storage_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    keeps_the_contract(&LocalDir::new(dir.path().join("uploads")).expect("local dir"));
}

#[test]
fn the_object_store_keeps_the_storage_contract() {
    let Some(bucket) = s3::bucket() else {
        return;
    };
    keeps_the_contract(&bucket.storage());
    // Without a prefix too: the bucket's root.
    let root = fenfa::storage::ObjectStorage::new(&bucket.bucket, "").expect("store");
    let k = key("bin");
    root.put(&k, b"at the root").expect("put");
    assert_eq!(root.get(&k).expect("get"), b"at the root");
}

#[tokio::test]
async fn a_missing_bucket_makes_the_instance_unready_with_a_reason_naming_no_secret() {
    let Some(bucket) = s3::bucket() else {
        return;
    };
    let missing = fenfa::storage::ObjectStorage::new("fenfa-no-such-bucket", "").expect("store");
    // Called from async code, as the readiness probe's neighbours do: no panic, an answer.
    let reason = missing.check().expect_err("a missing bucket is not ready");
    assert_eq!(reason, "storage: object store bucket not found");
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_default();
    assert!(secret.is_empty() || !reason.contains(&secret), "{reason}");
    assert!(!reason.contains(&bucket.endpoint), "{reason}");
    assert!(matches!(
        missing.get(&key("bin")),
        Err(AppError::NotFound | AppError::Internal)
    ));
}

#[tokio::test]
async fn instances_on_one_object_store_serve_each_others_uploads() {
    each_backend(async |app| {
        let Some(bucket) = s3::bucket() else {
            return;
        };
        world(&app);
        let padmin = app.signed_in("padmin").await;

        // Two instances with local directories of their own, as on two machines: a
        // contract uploaded through one is missing on the other. This is what the
        // shared store below fixes.
        let (local_a, _a) = app.elsewhere(|_| {});
        let (local_b, _b) = app.elsewhere(|_| {});
        let id = create_project(&padmin.on(local_a), "本地项目", "dinglocal01").await;
        padmin
            .on(local_b)
            .get(&format!("/provider/projects/{id}/contract"))
            .await
            .assert_status(StatusCode::NOT_FOUND);

        // The same two machines with FENFA_STORAGE naming one bucket.
        let (one, _one) = app.elsewhere(|c| c.storage = bucket.target());
        let (two, _two) = app.elsewhere(|c| c.storage = bucket.target());
        for instance in [&one, &two] {
            let ready = padmin.on(instance.clone()).get("/readyz").await;
            ready.assert_status(StatusCode::OK);
        }
        let id = create_project(&padmin.on(one), "共享项目", "dingshared01").await;
        let r = padmin
            .on(two.clone())
            .get(&format!("/provider/projects/{id}/contract"))
            .await;
        r.assert_status(StatusCode::OK);
        assert_eq!(r.body.as_bytes(), PDF);
        // Content type and disposition come from the upload's row, as with local files.
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(
            r.headers[header::CONTENT_DISPOSITION],
            "inline; filename*=UTF-8''contract.pdf"
        );
        assert_eq!(r.headers[header::CACHE_CONTROL], "private, no-store");
        // The file is in the bucket under the instance's prefix, nowhere on its disk.
        assert_eq!(bucket.storage().sizes().expect("listing").len(), 1);
    })
    .await;
}

fn fenfa_storage_migrate(data_dir: &std::path::Path, storage: Option<String>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fenfa"));
    cmd.args(["storage", "migrate"])
        .env_remove("DATABASE_URL")
        .env("FENFA_DATA_DIR", data_dir)
        .env("FENFA_LOG", "warn");
    match storage {
        Some(s) => cmd.env("FENFA_STORAGE", s),
        None => cmd.env_remove("FENFA_STORAGE"),
    };
    cmd.output().expect("the fenfa binary runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn storage_migrate_copies_the_local_uploads_into_the_object_store_once() {
    let Some(bucket) = s3::bucket() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let local = LocalDir::new(dir.path().join("uploads")).expect("local dir");
    let store = bucket.storage();
    let mut files: Vec<(String, Vec<u8>)> = (0..4u8)
        .map(|i| (key("pdf"), binary(1000 + usize::from(i) * 700, i)))
        .collect();
    // A file past the 10 MiB that one PUT carries goes up as a multipart upload, in parts.
    files.push((key("bin"), binary(11 * 1024 * 1024 + 5, 9)));
    for (k, bytes) in &files {
        local.put(k, bytes).expect("local file");
    }
    // A write still under way (`.part`) and a stranger's file are not uploads.
    std::fs::write(dir.path().join("uploads/half-written.part"), b"half").expect("part");
    std::fs::write(dir.path().join("uploads/.DS_Store"), b"junk").expect("junk");
    // Already in the store: one file whole (skipped), one cut short (copied again).
    store.put(&files[0].0, &files[0].1).expect("put");
    store.put(&files[1].0, &files[1].1[..10]).expect("put");

    // Without an object store named there is nothing to migrate into.
    let refused = fenfa_storage_migrate(dir.path(), None);
    assert!(!refused.status.success(), "{}", said(&refused));
    assert!(
        said(&refused).contains("FENFA_STORAGE"),
        "{}",
        said(&refused)
    );

    let target = bucket.target().to_string();
    let first = fenfa_storage_migrate(dir.path(), Some(target.clone()));
    assert!(first.status.success(), "{}", said(&first));
    let copied_bytes: usize = files[1..].iter().map(|(_, b)| b.len()).sum();
    assert!(
        said(&first).contains(&format!("copied=4 skipped=1 bytes_copied={copied_bytes}")),
        "{}",
        said(&first)
    );
    for (k, bytes) in &files {
        assert!(&store.get(k).expect("migrated") == bytes, "{k} changed");
    }
    let keys = store.sizes().expect("listing");
    assert_eq!(keys.len(), 5, "only the uploads: {keys:?}");

    // Idempotent: a second run finds everything there and copies nothing.
    let second = fenfa_storage_migrate(dir.path(), Some(target));
    assert!(second.status.success(), "{}", said(&second));
    assert!(
        said(&second).contains("copied=0 skipped=5 bytes_copied=0"),
        "{}",
        said(&second)
    );
}
