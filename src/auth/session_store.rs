//! tower-sessions over diesel, so that sessions live in the database and any instance
//! behind a load balancer can serve any request.
//!
//! `create` inserts and `save` only updates: a save that inserted would let a slow request
//! bring a session back to life after logout deleted it.

use std::collections::HashMap;

use async_trait::async_trait;
use diesel::prelude::*;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::config::SessionPolicy;
use crate::db::schema::sessions;
use crate::db::{Db, is_unique_violation, now};
use crate::error::AppError;

#[derive(Clone)]
pub struct DieselStore {
    db: Db,
    policy: SessionPolicy,
}

impl std::fmt::Debug for DieselStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DieselStore").finish_non_exhaustive()
    }
}

impl DieselStore {
    pub fn new(db: Db, policy: SessionPolicy) -> DieselStore {
        DieselStore { db, policy }
    }
}

fn backend(e: AppError) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn user_of(record: &Record) -> Option<i64> {
    record
        .data
        .get(super::SESSION_USER)
        .and_then(|v| v.as_i64())
}

#[async_trait]
impl SessionStore for DieselStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let user = user_of(record);
        let idle = self.policy.idle;
        let mut id = record.id;
        let id = self
            .db
            .run(move |conn| {
                // Ids are 128 random bits; the loop only guards the astronomically rare clash.
                loop {
                    let t = now();
                    let res = diesel::insert_into(sessions::table)
                        .values((
                            sessions::id.eq(id.to_string()),
                            sessions::data.eq(&data),
                            sessions::user_id.eq(user),
                            sessions::expires_at.eq(t + idle),
                            sessions::created_at.eq(t),
                        ))
                        .execute(conn);
                    match res {
                        Ok(_) => return Ok(id),
                        Err(e) if is_unique_violation(&e) => id = Id::default(),
                        Err(e) => return Err(e.into()),
                    }
                }
            })
            .await
            .map_err(backend)?;
        record.id = id;
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let user = user_of(record);
        let sid = record.id.to_string();
        let idle = self.policy.idle;
        self.db
            .run(move |conn| {
                diesel::update(sessions::table.find(sid))
                    .set((
                        sessions::data.eq(data),
                        sessions::user_id.eq(user),
                        sessions::expires_at.eq(now() + idle),
                    ))
                    .execute(conn)?;
                Ok(())
            })
            .await
            .map_err(backend)
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let sid = session_id.to_string();
        let policy = self.policy;
        let row = self
            .db
            .run(move |conn| {
                let t = now();
                Ok(sessions::table
                    .find(sid)
                    .filter(sessions::expires_at.gt(t))
                    .filter(sessions::created_at.gt(t - policy.absolute))
                    .select((sessions::data, sessions::expires_at))
                    .first::<(String, i64)>(conn)
                    .optional()?)
            })
            .await
            .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *session_id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        let sid = session_id.to_string();
        self.db
            .run(move |conn| {
                diesel::delete(sessions::table.find(sid)).execute(conn)?;
                Ok(())
            })
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for DieselStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let policy = self.policy;
        self.db
            .run(move |conn| {
                let t = now();
                diesel::delete(
                    sessions::table.filter(
                        sessions::expires_at
                            .le(t)
                            .or(sessions::created_at.le(t - policy.absolute)),
                    ),
                )
                .execute(conn)?;
                Ok(())
            })
            .await
            .map_err(backend)
    }
}
