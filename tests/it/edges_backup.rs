//! Backups an operator can trust: `fenfa backup` copies the SQLite database and the
//! uploads while the portal keeps writing, and `fenfa restore` into a fresh directory
//! brings back every write acknowledged before the backup began; a backup that was
//! tampered with is refused before anything is replaced. On PostgreSQL the command points
//! to pg_dump and fails.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::prelude::*;
use fenfa::db::schema::attachments;

use crate::support::{TestApp, each_backend};

fn fenfa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fenfa"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("FENFA_DATA_DIR")
        .env("FENFA_LOG", "warn")
        .output()
        .expect("the fenfa binary runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One acknowledged write: an upload and the row that names it, committed.
#[derive(Clone)]
struct Write {
    id: i64,
    key: String,
    bytes: Vec<u8>,
}

/// Writers on threads, as the portal writes an upload: the file first, then its row.
fn write_load(
    app: &TestApp,
    org: i64,
    user: i64,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<Write>>>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..3)
        .map(|t| {
            let (db, storage) = (app.state.db.clone(), app.state.storage.clone());
            let (stop, acked) = (stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let key = format!("{}.bin", uuid::Uuid::new_v4());
                    let bytes = format!("writer {t} upload {n}").repeat(50).into_bytes();
                    storage.put(&key, &bytes).expect("upload");
                    // Written directly: the load must write faster than uploads through HTTP can.
                    let id: i64 = diesel::insert_into(attachments::table)
                        .values((
                            attachments::org_id.eq(org),
                            attachments::uploader_id.eq(user),
                            attachments::storage_key.eq(&key),
                            attachments::filename.eq(format!("f{t}-{n}.bin")),
                            attachments::content_type.eq("application/octet-stream"),
                            attachments::size_bytes.eq(bytes.len() as i64),
                            attachments::created_at.eq(fenfa::db::now()),
                        ))
                        .returning(attachments::id)
                        .get_result(&mut *db.get().expect("conn"))
                        .expect("row");
                    acked.lock().expect("acked").push(Write { id, key, bytes });
                }
            })
        })
        .collect()
}

fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(path, bytes).expect("write");
}

async fn sqlite_backup_under_load(app: &TestApp) {
    let org = app.org("星河制造", "dingcustomer01", "professional");
    let user = app.user("cadmin", "王采购");
    let db_url = app.state.config.database_url();
    let data_dir = app.state.config.data_dir.to_string_lossy().into_owned();
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let writers = write_load(app, org, user, stop.clone(), acked.clone());
    tokio::time::sleep(Duration::from_millis(400)).await;

    // Everything acknowledged so far must come back; the writers go on meanwhile.
    let before: Vec<Write> = acked.lock().expect("acked").clone();
    assert!(before.len() > 10, "the load wrote {} rows", before.len());
    let out_dir = tempfile::tempdir().expect("tempdir");
    let file = out_dir.path().join("fenfa-backup.db");
    let file_s = file.to_string_lossy().into_owned();
    let args: Vec<String> = [
        "--database-url",
        &db_url,
        "--data-dir",
        &data_dir,
        "backup",
        &file_s,
    ]
    .map(str::to_string)
    .to_vec();
    let made = tokio::task::spawn_blocking(move || {
        fenfa(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .expect("backup");
    let during = acked.lock().expect("acked").len() - before.len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().expect("writer");
    }
    assert!(made.status.success(), "{}", said(&made));
    assert!(during > 0, "no write happened while the backup ran");
    assert!(file.with_extension("db.manifest").exists());

    // Restored into a fresh directory: every write acknowledged before, with its file.
    let fresh = tempfile::tempdir().expect("tempdir");
    let fresh_s = fresh.path().to_string_lossy().into_owned();
    let restored = fenfa(&["--data-dir", &fresh_s, "restore", &file_s]);
    assert!(restored.status.success(), "{}", said(&restored));
    let mut conn = SqliteConnection::establish(&fresh.path().join("fenfa.db").to_string_lossy())
        .expect("the restored database opens");
    let rows: Vec<(i64, String)> = attachments::table
        .select((attachments::id, attachments::storage_key))
        .load(&mut conn)
        .expect("rows");
    for w in &before {
        assert!(
            rows.contains(&(w.id, w.key.clone())),
            "acknowledged write {} is missing after restore",
            w.id
        );
        let restored = std::fs::read(fresh.path().join("uploads").join(&w.key))
            .expect("the upload was restored");
        assert_eq!(restored, w.bytes);
    }
    // Every row the snapshot holds has its file (no row without its upload).
    for (_, key) in &rows {
        assert!(fresh.path().join("uploads").join(key).exists(), "{key}");
    }

    // A backup is never overwritten, and a tampered one is refused with nothing replaced.
    let again = fenfa(&[
        "--database-url",
        &db_url,
        "--data-dir",
        &data_dir,
        "backup",
        &file_s,
    ]);
    assert!(!again.status.success());
    assert!(said(&again).contains("already exists"), "{}", said(&again));
    let key = &before[0].key;
    flip_a_byte(&out_dir.path().join("fenfa-backup.db.uploads").join(key));
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let elsewhere_s = elsewhere.path().to_string_lossy().into_owned();
    let refused = fenfa(&["--data-dir", &elsewhere_s, "restore", &file_s]);
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("does not match the manifest"),
        "{}",
        said(&refused)
    );
    assert!(!elsewhere.path().join("fenfa.db").exists());
    flip_a_byte(&out_dir.path().join("fenfa-backup.db.uploads").join(key));
    flip_a_byte(&file);
    let refused = fenfa(&["--data-dir", &elsewhere_s, "restore", &file_s]);
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("nothing was restored"),
        "{}",
        said(&refused)
    );
    assert!(!elsewhere.path().join("fenfa.db").exists());
    assert!(!elsewhere.path().join("uploads").join(key).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_write_acknowledged_before_it_began() {
    each_backend(async |app| {
        if app.backend == "sqlite" {
            sqlite_backup_under_load(&app).await;
        } else {
            // PostgreSQL: pg_dump's job, said plainly, with a failing exit status.
            let url = app.state.config.database_url();
            let out_dir = tempfile::tempdir().expect("tempdir");
            let file = out_dir.path().join("b.db").to_string_lossy().into_owned();
            let out = fenfa(&["--database-url", &url, "backup", &file]);
            assert!(!out.status.success());
            assert!(said(&out).contains("pg_dump"), "{}", said(&out));
            assert!(!Path::new(&file).exists());
        }
    })
    .await;
}
