//! Backups an operator can trust (`fenfa backup FILE`, `fenfa restore FILE`).
//!
//! A backup is three things side by side:
//! - `FILE`: a copy of the SQLite database made with `VACUUM INTO`, a consistent snapshot
//!   taken inside one read transaction while the portal keeps serving writes (WAL mode:
//!   writers are not blocked); an ordinary SQLite file that `sqlite3` can open;
//! - `FILE.uploads/`: the uploaded files, copied after the snapshot. Uploads are written
//!   under fresh keys before the row that names them commits and are never changed, so
//!   every file the snapshot refers to is already there (later ones are harmless extras);
//! - `FILE.manifest`: written last, so its presence marks a finished backup: the SHA-256
//!   and size of the database copy and of every upload.
//!
//! `restore` checks everything before it replaces anything: the manifest, the hashes and
//! sizes, `PRAGMA integrity_check` and `foreign_key_check` on the very copy it is about to
//! install, and that no upload already in the target differs from the backup's. Any doubt
//! refuses with the reason, and the target is left as it was. A database already in the
//! target is moved aside (`….before-restore-TIME`), never deleted.
//!
//! PostgreSQL has its own tools (`pg_dump`, `pg_restore`); both commands say so and fail.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::db::Backend;

const MAGIC: &str = "fenfa-backup 1";

/// The message both commands give on PostgreSQL.
pub const POSTGRES_HINT: &str = "this database is PostgreSQL: back it up with pg_dump \
     (pg_dump --format=custom --file=fenfa.dump \"$DATABASE_URL\") and restore it with \
     pg_restore; back up the uploads directory (or the object store) alongside";

/// One file of a backup, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub sha256: String,
    pub size: u64,
}

/// What `FILE.manifest` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub created_at: i64,
    pub database: Entry,
    /// Upload key → its entry, in key order.
    pub uploads: Vec<(String, Entry)>,
}

impl Manifest {
    pub fn render(&self) -> String {
        let mut s = format!(
            "{MAGIC}\ncreated_at {}\ndatabase {} {}\n",
            self.created_at, self.database.sha256, self.database.size
        );
        for (key, e) in &self.uploads {
            s.push_str(&format!("upload {} {} {key}\n", e.sha256, e.size));
        }
        s
    }

    pub fn parse(text: &str) -> anyhow::Result<Manifest> {
        let mut lines = text.lines();
        ensure!(lines.next() == Some(MAGIC), "not a fenfa backup manifest");
        let mut created_at = None;
        let mut database = None;
        let mut uploads = Vec::new();
        for line in lines {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["created_at", t] => created_at = Some(t.parse()?),
                ["database", sha, size] => database = Some(entry(sha, size)?),
                ["upload", sha, size, key] => {
                    ensure!(safe_key(key), "the manifest names an unsafe upload key");
                    uploads.push(((*key).to_string(), entry(sha, size)?));
                }
                _ => bail!("the manifest has a line it does not understand: {line:?}"),
            }
        }
        Ok(Manifest {
            created_at: created_at.context("the manifest has no creation time")?,
            database: database.context("the manifest names no database")?,
            uploads,
        })
    }
}

fn entry(sha: &str, size: &str) -> anyhow::Result<Entry> {
    ensure!(
        sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "the manifest has a malformed hash"
    );
    Ok(Entry {
        sha256: sha.to_string(),
        size: size.parse()?,
    })
}

/// Upload keys are ours (uuid + extension); the storage's own rule.
fn safe_key(key: &str) -> bool {
    crate::storage::is_key(key)
}

fn hash_file(path: &Path) -> anyhow::Result<Entry> {
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Entry {
        sha256: hex::encode(Sha256::digest(&bytes)),
        size: bytes.len() as u64,
    })
}

fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The paths of a backup named `file`.
pub struct Paths {
    pub database: PathBuf,
    pub uploads: PathBuf,
    pub manifest: PathBuf,
}

impl Paths {
    pub fn of(file: &Path) -> Paths {
        Paths {
            database: file.to_path_buf(),
            uploads: sibling(file, ".uploads"),
            manifest: sibling(file, ".manifest"),
        }
    }
}

fn sqlite_path(config: &Config) -> anyhow::Result<PathBuf> {
    let url = config.database_url();
    if Backend::from_url(&url) == Backend::Postgres {
        bail!("{POSTGRES_HINT}");
    }
    Ok(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(&url)))
}

fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .with_context(|| format!("cannot open {}", path.display()))?;
    conn.batch_execute("PRAGMA busy_timeout = 5000;")?;
    Ok(conn)
}

#[derive(QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct FkRow {
    #[diesel(sql_type = Text)]
    table: String,
}

/// `PRAGMA integrity_check` and `foreign_key_check` on a database file.
pub fn check_database(path: &Path) -> anyhow::Result<()> {
    let mut conn = open(path)?;
    let rows: Vec<IntegrityRow> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn)?;
    let verdict: Vec<String> = rows.into_iter().map(|r| r.integrity_check).collect();
    ensure!(
        verdict == ["ok"],
        "{} fails PRAGMA integrity_check: {}",
        path.display(),
        verdict.join("; ")
    );
    let broken: Vec<FkRow> = diesel::sql_query("PRAGMA foreign_key_check").load(&mut conn)?;
    ensure!(
        broken.is_empty(),
        "{} fails PRAGMA foreign_key_check (table {})",
        path.display(),
        broken.first().map(|r| r.table.as_str()).unwrap_or_default()
    );
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = sibling(path, ".part");
    let mut f =
        fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path)?;
    Ok(())
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What `backup` made.
pub struct Made {
    pub paths: Paths,
    pub manifest: Manifest,
}

impl Made {
    pub fn summary(&self) -> String {
        format!(
            "backup written: database {} ({} bytes), {} uploads in {}, manifest {}",
            self.paths.database.display(),
            self.manifest.database.size,
            self.manifest.uploads.len(),
            self.paths.uploads.display(),
            self.paths.manifest.display()
        )
    }
}

/// Makes a backup of the configured SQLite database and uploads into `file`,
/// `file.uploads/` and `file.manifest`, none of which may exist yet.
pub fn backup(config: &Config, file: &Path) -> anyhow::Result<Made> {
    let source = sqlite_path(config)?;
    ensure!(
        source.exists(),
        "there is no database at {}",
        source.display()
    );
    let paths = Paths::of(file);
    for p in [&paths.database, &paths.uploads, &paths.manifest] {
        ensure!(
            !p.exists(),
            "{} already exists; a backup never overwrites one",
            p.display()
        );
    }
    let created_at = crate::db::now();
    // One read transaction: the copy is the database as of one commit.
    let mut conn = open(&source)?;
    diesel::sql_query("VACUUM INTO $1")
        .bind::<Text, _>(paths.database.to_string_lossy())
        .execute(&mut conn)
        .context("VACUUM INTO failed")?;
    drop(conn);
    fs::File::open(&paths.database)?.sync_all()?;
    check_database(&paths.database)?;
    let database = hash_file(&paths.database)?;

    fs::create_dir(&paths.uploads)
        .with_context(|| format!("cannot create {}", paths.uploads.display()))?;
    let mut uploads = Vec::new();
    let upload_dir = config.upload_dir();
    if upload_dir.exists() {
        let mut keys: Vec<String> = fs::read_dir(&upload_dir)?
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            // `.part` files are uploads still being written; their rows do not exist yet.
            .filter(|k| safe_key(k) && !k.ends_with(".part"))
            .collect();
        keys.sort();
        for key in keys {
            let bytes = fs::read(upload_dir.join(&key))?;
            write_synced(&paths.uploads.join(&key), &bytes)?;
            let e = Entry {
                sha256: hex::encode(Sha256::digest(&bytes)),
                size: bytes.len() as u64,
            };
            uploads.push((key, e));
        }
    }
    sync_dir(&paths.uploads)?;
    let manifest = Manifest {
        created_at,
        database,
        uploads,
    };
    write_synced(&paths.manifest, manifest.render().as_bytes())?;
    sync_dir(&parent_dir(&paths.manifest))?;
    Ok(Made { paths, manifest })
}

/// What `restore` did.
pub struct Restored {
    pub database: PathBuf,
    pub uploads: usize,
    pub moved_aside: Option<PathBuf>,
}

impl Restored {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "restored: database {}, {} uploads",
            self.database.display(),
            self.uploads
        );
        if let Some(p) = &self.moved_aside {
            s.push_str(&format!(
                "; the previous database was moved to {}",
                p.display()
            ));
        }
        s
    }
}

/// Checks the backup `file` and restores it into the configured data directory.
pub fn restore(config: &Config, file: &Path) -> anyhow::Result<Restored> {
    let target = sqlite_path(config)?;
    let paths = Paths::of(file);
    let manifest_text = fs::read_to_string(&paths.manifest).with_context(|| {
        format!(
            "no manifest at {}: not a finished backup, nothing restored",
            paths.manifest.display()
        )
    })?;
    let manifest = Manifest::parse(&manifest_text)?;

    // The database: copied beside the target, and that very copy is checked.
    let target_dir = parent_dir(&target);
    fs::create_dir_all(&target_dir)?;
    let staged = sibling(&target, ".restoring");
    let _ = fs::remove_file(&staged);
    fs::copy(&paths.database, &staged)
        .with_context(|| format!("cannot read {}", paths.database.display()))?;
    let checked = (|| -> anyhow::Result<()> {
        fs::File::open(&staged)?.sync_all()?;
        ensure!(
            hash_file(&staged)? == manifest.database,
            "the database copy does not match the manifest (changed or truncated)"
        );
        check_database(&staged)?;
        // The uploads: every one present, whole and unchanged, and none in the target
        // that would be overwritten by different content.
        let upload_dir = config.upload_dir();
        for (key, e) in &manifest.uploads {
            let from = paths.uploads.join(key);
            ensure!(
                hash_file(&from).with_context(|| format!("upload {key} is missing"))? == *e,
                "upload {key} does not match the manifest (changed or truncated)"
            );
            let into = upload_dir.join(key);
            if into.exists() {
                ensure!(
                    hash_file(&into)? == *e,
                    "{} already exists with other content",
                    into.display()
                );
            }
        }
        Ok(())
    })();
    if let Err(e) = checked {
        let _ = fs::remove_file(&staged);
        return Err(e.context("nothing was restored"));
    }

    let upload_dir = config.upload_dir();
    fs::create_dir_all(&upload_dir)?;
    for (key, _) in &manifest.uploads {
        let into = upload_dir.join(key);
        if !into.exists() {
            let bytes = fs::read(paths.uploads.join(key))?;
            write_synced(&into, &bytes)?;
        }
    }
    sync_dir(&upload_dir)?;

    let moved_aside = if target.exists() {
        let aside = sibling(&target, &format!(".before-restore-{}", crate::db::now()));
        fs::rename(&target, &aside)?;
        for suffix in ["-wal", "-shm"] {
            let side = sibling(&target, suffix);
            if side.exists() {
                fs::rename(&side, sibling(&aside, suffix))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    fs::rename(&staged, &target)?;
    sync_dir(&target_dir)?;
    Ok(Restored {
        database: target,
        uploads: manifest.uploads.len(),
        moved_aside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_what_it_wrote_and_refuses_anything_else() {
        let m = Manifest {
            created_at: 1_795_309_200,
            database: Entry {
                sha256: "a".repeat(64),
                size: 4096,
            },
            uploads: vec![(
                "0b7e-1.png".into(),
                Entry {
                    sha256: "b".repeat(64),
                    size: 12,
                },
            )],
        };
        assert_eq!(Manifest::parse(&m.render()).expect("parses"), m);
        assert!(Manifest::parse("something else\n").is_err());
        let unsafe_key = m.render().replace("0b7e-1.png", "../etc/passwd");
        assert!(Manifest::parse(&unsafe_key).is_err());
        let no_db = format!("{MAGIC}\ncreated_at 1\n");
        assert!(Manifest::parse(&no_db).is_err());
    }
}
