//! 通讯录导入: the team's admin imports people from a CSV file (name, login, department).
//! All or nothing: every row is checked first, and a single refused row imports nobody;
//! the admin gets the refused rows with their line numbers and reasons. Imported people
//! get an account without a usable password and a /qd/welcome/{token} link (7 days) to
//! set one; missing departments are made at the top of the tree.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::auth::{OrgScope, Role};
use crate::db::schema::{memberships, qd_member_invites as mi, users};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::org::{DeptName, Login, PersonName, UserId};

/// At most this many people per file (one transaction, a page of report).
pub(crate) const MAX_ROWS: usize = 2000;
/// How long an imported person's invitation is valid.
pub(crate) const INVITE_DAYS: i64 = 7;

/// One row of the file, as typed, with every reason it is refused (none: importable).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Row {
    pub line: u64,
    pub name: String,
    pub login: String,
    pub department: String,
    pub reasons: Vec<&'static str>,
}

fn header_index(cells: &[String]) -> Option<(usize, usize, Option<usize>)> {
    let find = |names: &[&str]| {
        cells
            .iter()
            .position(|c| names.contains(&c.trim().to_lowercase().as_str()))
    };
    let name = find(&["name", "姓名"])?;
    let login = find(&["login", "账号", "帐号", "登录名"])?;
    let dept = find(&["department", "部门"]);
    Some((name, login, dept))
}

/// Reads and checks the file's rows against the formats and each other (duplicate
/// logins). A file that cannot be read as a whole is one refusal (an i18n key).
pub(crate) fn parse(text: &str) -> Result<Vec<Row>, &'static str> {
    // One line ending (spreadsheets on Windows write CRLF), so that line numbers count.
    let text = text
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let text = text.as_str();
    let first = text.lines().next().unwrap_or_default();
    // Spreadsheets in Chinese locales often save with semicolons.
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    // Line by line, so that each row keeps its line number (the reader's own count
    // skips blank lines); a name or login never spans lines.
    let cells = |line: &str| -> Result<Vec<String>, &'static str> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(line.as_bytes());
        match reader.records().next() {
            None => Ok(vec![]),
            Some(Ok(rec)) => Ok(rec.iter().map(|c| c.trim().to_string()).collect()),
            Some(Err(_)) => Err("quickdeploy.import.error.unreadable"),
        }
    };
    let mut lines = text.split('\n').enumerate();
    let header = loop {
        match lines.next() {
            None => return Err("quickdeploy.import.error.header"),
            Some((_, l)) if l.trim().is_empty() => {}
            Some((_, l)) => break cells(l)?,
        }
    };
    let (ni, li, di) = header_index(&header).ok_or("quickdeploy.import.error.header")?;
    let mut rows = vec![];
    for (i, line) in lines {
        let rec = cells(line)?;
        if rec.iter().all(String::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err("quickdeploy.import.error.too_many");
        }
        let cell = |i: usize| rec.get(i).cloned().unwrap_or_default();
        rows.push(Row {
            line: u64::try_from(i).unwrap_or(u64::MAX) + 1,
            name: cell(ni),
            login: cell(li),
            department: di.map(cell).unwrap_or_default(),
            reasons: vec![],
        });
    }
    if rows.is_empty() {
        return Err("quickdeploy.import.error.empty");
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    for r in &mut rows {
        if let Err(k) = PersonName::parse(&r.name) {
            r.reasons.push(k);
        }
        match Login::parse(&r.login) {
            Err(k) => r.reasons.push(k),
            Ok(_) => {
                if seen.contains_key(&r.login) {
                    r.reasons.push("quickdeploy.import.reason.duplicate_login");
                } else {
                    seen.insert(r.login.clone(), r.line);
                }
            }
        }
        if !r.department.is_empty()
            && let Err(k) = DeptName::parse(&r.department)
        {
            r.reasons.push(k);
        }
    }
    Ok(rows)
}

/// A person imported, with the invitation to hand over.
#[derive(Clone, Debug)]
pub(crate) struct Invited {
    pub name: String,
    pub login: String,
    pub department: String,
    pub token: String,
}

/// Marks the rows whose login an account already holds (a member of this organisation
/// or someone else).
fn check_taken(conn: &mut Conn, org: i64, rows: &mut [Row]) -> AppResult<()> {
    let logins: Vec<String> = rows.iter().map(|r| r.login.clone()).collect();
    let mut taken: HashMap<String, i64> = HashMap::new();
    for chunk in logins.chunks(500) {
        let found: Vec<(i64, String)> = users::table
            .filter(users::login.eq_any(chunk))
            .select((users::id, users::login))
            .load(conn)?;
        taken.extend(found.into_iter().map(|(id, l)| (l, id)));
    }
    if taken.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = taken.values().copied().collect();
    let mut members: HashSet<i64> = HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<i64> = memberships::table
            .filter(memberships::org_id.eq(org))
            .filter(memberships::user_id.eq_any(chunk))
            .select(memberships::user_id)
            .load(conn)?;
        members.extend(found);
    }
    for r in rows.iter_mut() {
        if let Some(id) = taken.get(&r.login) {
            r.reasons.push(if members.contains(id) {
                "quickdeploy.import.reason.already_member"
            } else {
                "quickdeploy.import.reason.login_taken"
            });
        }
    }
    Ok(())
}

/// Imports the rows into the organisation, all or nothing: `Err` with the refused rows
/// (nothing written), or everyone imported in one transaction.
pub(crate) fn import(
    conn: &mut Conn,
    scope: &OrgScope,
    mut rows: Vec<Row>,
) -> AppResult<Result<Vec<Invited>, Vec<Row>>> {
    write_tx(conn, |conn| {
        check_taken(conn, scope.org_id(), &mut rows)?;
        if rows.iter().any(|r| !r.reasons.is_empty()) {
            return Ok(Err(rows
                .into_iter()
                .filter(|r| !r.reasons.is_empty())
                .collect()));
        }
        let t = now();
        let mut depts = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (Ok(name), Ok(login)) = (PersonName::parse(&r.name), Login::parse(&r.login)) else {
                return Err(AppError::BadRequest("error.bad_request"));
            };
            // Checked above; a login taken since (a race) rolls everything back.
            let user: UserId = crate::org::insert_user_without_password(conn, &login, &name)?
                .map_err(|_| AppError::Conflict("quickdeploy.import.error.changed"))?;
            let member =
                crate::org::insert_membership(conn, scope.org_id(), user, Role::Member, "login")?
                    .map_err(|_| AppError::Conflict("quickdeploy.import.error.changed"))?;
            if let Ok(dn) = DeptName::parse(&r.department) {
                let dept = match depts.get(dn.as_str()) {
                    Some(d) => *d,
                    None => {
                        let d = crate::org::dept_named_or_new(conn, scope, &dn)?;
                        depts.insert(dn.as_str().to_string(), d);
                        d
                    }
                };
                crate::org::move_member(conn, scope, member, Some(dept))?;
            }
            let token = crate::tools::new_token();
            diesel::insert_into(mi::table)
                .values((
                    mi::org_id.eq(scope.org_id()),
                    mi::user_id.eq(user.0),
                    mi::token.eq(&token),
                    mi::created_at.eq(t),
                    mi::expires_at.eq(t + INVITE_DAYS * super::team::DAY),
                ))
                .execute(conn)?;
            out.push(Invited {
                name: name.as_str().to_string(),
                login: login.as_str().to_string(),
                department: r.department,
                token,
            });
        }
        Ok(Ok(out))
    })
}

/// The welcome address of an invitation (the page that sets the password).
pub(crate) fn welcome_url(public_base: &str, token: &str) -> String {
    format!("{}/qd/welcome/{token}", public_base.trim_end_matches('/'))
}

/// The organisation's invitations still open (not used, not expired), newest first.
pub(crate) fn open_invitations(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<Invited>> {
    let rows: Vec<(String, String, String)> = mi::table
        .inner_join(users::table.on(users::id.eq(mi::user_id)))
        .filter(mi::org_id.eq(scope.org_id()))
        .filter(mi::used_at.is_null())
        .filter(mi::expires_at.gt(now()))
        .order(mi::id.desc())
        .limit(10_000)
        .select((users::name, users::login, mi::token))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(name, login, token)| Invited {
            name,
            login,
            department: String::new(),
            token,
        })
        .collect())
}

/// The CSV the admin hands on: name, login, invitation link (UTF-8 with a BOM, for
/// spreadsheets).
pub(crate) fn invitations_csv(
    rows: &[Invited],
    public_base: &str,
    header: [&str; 3],
) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).map_err(AppError::internal)?;
    for r in rows {
        w.write_record([
            crate::tools::csv_cell(&r.name),
            crate::tools::csv_cell(&r.login),
            welcome_url(public_base, &r.token),
        ])
        .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(rows: &[Row]) -> Vec<(u64, Vec<&'static str>)> {
        rows.iter()
            .filter(|r| !r.reasons.is_empty())
            .map(|r| (r.line, r.reasons.clone()))
            .collect()
    }

    #[test]
    fn an_import_file_names_each_refused_row_by_its_line() {
        let text = "name,login,department\n张三,zhang.san,生产部\n,li.si,生产部\n王五,zhang.san,\n赵六,x,质检部\n";
        let rows = parse(text).expect("readable");
        assert_eq!(rows.len(), 4);
        assert_eq!(
            reasons(&rows),
            vec![
                (3, vec!["org.error.person_name"]),
                (4, vec!["quickdeploy.import.reason.duplicate_login"]),
                (5, vec!["org.error.login_format"]),
            ]
        );
    }

    #[test]
    fn an_import_file_may_carry_a_bom_semicolons_and_chinese_headers() {
        let text = "\u{feff}姓名;账号;部门\r\n张三;zhang.san;生产部\r\n\r\n李四;li.si;\r\n";
        let rows = parse(text).expect("readable");
        assert_eq!(rows.len(), 2);
        assert!(reasons(&rows).is_empty());
        assert_eq!(rows[0].department, "生产部");
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
    }

    #[test]
    fn an_import_file_without_the_columns_rows_or_beyond_the_cap_is_refused_whole() {
        assert_eq!(
            parse("who,what\na,b\n"),
            Err("quickdeploy.import.error.header")
        );
        assert_eq!(parse("name,login\n"), Err("quickdeploy.import.error.empty"));
        let mut big = String::from("name,login\n");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!("人{i},user{i}\n"));
        }
        assert_eq!(parse(&big), Err("quickdeploy.import.error.too_many"));
    }
}
