//! What the values stored in submissions refer to: the people and attachments named by
//! member and file fields, read in batches for a page of submissions.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;

use super::submission::{Attachment, Submission};
use crate::apps::{Field, FieldKind};
use crate::db::Conn;
use crate::db::in_ids::{IN_IDS, in_ids};
use crate::db::schema::{attachments, users};
use crate::error::AppResult;

/// A stored value as people read it: member ids become names, attachment ids file names.
pub(crate) fn display_text(
    field: &Field,
    raw: &str,
    names: &HashMap<i64, String>,
    files: &HashMap<i64, String>,
) -> String {
    let id = raw.parse::<i64>().ok();
    match field.kind() {
        FieldKind::Member => id
            .and_then(|i| names.get(&i).cloned())
            .unwrap_or_else(|| raw.to_string()),
        k if k.is_file() => id.and_then(|i| files.get(&i).cloned()).unwrap_or_default(),
        _ => raw.to_string(),
    }
}

/// Names of users referenced by tenant data already loaded through a scope.
pub(crate) fn names_of(conn: &mut Conn, ids: &HashSet<i64>) -> AppResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = ids.iter().copied().collect();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_IDS) {
        out.extend(crate::native!(conn, |c| users::table
            .filter(in_ids(users::id, chunk))
            .select((users::id, users::name))
            .load::<(i64, String)>(c))?);
    }
    Ok(out)
}

/// Attachments of `org_id` (the organisation of submissions already loaded through a
/// scope) by id.
pub(crate) fn files_of(
    conn: &mut Conn,
    org_id: i64,
    ids: &HashSet<i64>,
) -> AppResult<HashMap<i64, Attachment>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = ids.iter().copied().collect();
    Ok(attachments::table
        .filter(attachments::org_id.eq(org_id))
        .filter(attachments::id.eq_any(ids))
        .select(Attachment::as_select())
        .load(conn)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// The user ids and attachment ids referenced by submissions' values.
pub(crate) fn referenced(fields: &[Field], subs: &[Submission]) -> (HashSet<i64>, HashSet<i64>) {
    let values: Vec<_> = subs.iter().map(Submission::values).collect();
    referenced_in(fields, subs.iter().map(|s| s.submitter_id).zip(&values))
}

/// [`referenced`] for submissions whose values are already parsed, as (submitter, values).
pub(crate) fn referenced_in<'a>(
    fields: &[Field],
    rows: impl Iterator<Item = (i64, &'a BTreeMap<String, String>)>,
) -> (HashSet<i64>, HashSet<i64>) {
    let mut people = HashSet::new();
    let mut files = HashSet::new();
    let keys = field_keys(fields);
    for (submitter, values) in rows {
        people.insert(submitter);
        for (f, key) in fields.iter().zip(&keys) {
            let Some(id) = values.get(key).and_then(|v| v.parse::<i64>().ok()) else {
                continue;
            };
            match f.kind() {
                FieldKind::Member => {
                    people.insert(id);
                }
                k if k.is_file() => {
                    files.insert(id);
                }
                _ => {}
            }
        }
    }
    (people, files)
}

/// The keys of fields' values in a submission's data (the field ids as text).
pub(crate) fn field_keys(fields: &[Field]) -> Vec<String> {
    fields.iter().map(|f| f.id.to_string()).collect()
}
