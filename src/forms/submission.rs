//! A submission (提交的表单数据) and the rules that turn what a member typed into stored
//! values. Pure functions: no web, no database, so every rule has a unit test.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;

use crate::apps::{Field, FieldKind};
use crate::db::schema::{attachments, submissions};
use crate::storage::{FileKind, image_decodes};
use crate::web::Errors;

pub(crate) const TEXT_MAX: usize = 200;
pub(crate) const TEXTAREA_MAX: usize = 5000;

/// Where a submission stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A plain form's submission: stored, nothing more to do.
    Submitted,
    /// A process form's submission waiting at one of its steps.
    InApproval,
    Approved,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Submitted,
        Status::InApproval,
        Status::Approved,
        Status::Rejected,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::InApproval => "in_approval",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Status::Submitted => "forms.status.submitted",
            Status::InApproval => "forms.status.in_approval",
            Status::Approved => "forms.status.approved",
            Status::Rejected => "forms.status.rejected",
        }
    }
    /// Statuses that count in reports: finished or never needing approval.
    pub fn counts_in_reports(self) -> bool {
        matches!(self, Status::Submitted | Status::Approved)
    }
}

/// The i18n key of a stored status string (unknown strings show as "submitted").
pub(crate) fn status_key(s: &str) -> &'static str {
    Status::parse(s).unwrap_or(Status::Submitted).label_key()
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = submissions)]
pub struct Submission {
    pub id: i64,
    pub org_id: i64,
    pub app_id: i64,
    pub page_id: i64,
    pub submitter_id: i64,
    pub data: String,
    pub status: String,
    pub current_step: i32,
    pub sample: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The organisation the submitter acted in (a downstream organisation for a
    /// published app); `org_id` stays the app's.
    pub submitter_org_id: Option<i64>,
}

impl Submission {
    /// The organisation the approval was started in (发起人所在组织).
    pub fn initiator_org(&self) -> i64 {
        self.submitter_org_id.unwrap_or(self.org_id)
    }
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Submitted)
    }
    /// The stored values: field id (as a string) → value.
    pub fn values(&self) -> BTreeMap<String, String> {
        parse_data(&self.data)
    }
}

pub fn parse_data(data: &str) -> BTreeMap<String, String> {
    serde_json::from_str(data).unwrap_or_default()
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    pub id: i64,
    pub org_id: i64,
    pub uploader_id: i64,
    pub storage_key: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

/// The form input name of a field.
pub(crate) fn input_name(field: &Field) -> String {
    format!("f{}", field.id)
}

/// What arrived for a form: text inputs and uploaded files, by input name.
#[derive(Debug, Default)]
pub(crate) struct RawForm {
    pub texts: HashMap<String, String>,
    pub files: HashMap<String, (String, Vec<u8>)>,
}

/// A file that passed its field's rules, not yet stored.
#[derive(Debug)]
pub(crate) struct CheckedFile {
    pub field_id: i64,
    pub filename: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// A valid submission: the text values by field id, and the files to store.
#[derive(Debug, Default)]
pub(crate) struct Valid {
    pub values: BTreeMap<String, String>,
    pub files: Vec<CheckedFile>,
}

/// Checks one non-file value; returns what is stored ("" for an optional empty value).
/// Member ids are checked against `members`, the people of the current organisation.
pub(crate) fn check_value(
    field: &Field,
    raw: &str,
    members: &HashSet<i64>,
) -> Result<String, &'static str> {
    let kind = field.kind();
    let v = if kind == FieldKind::Textarea {
        raw.trim_end().to_string()
    } else {
        raw.trim().to_string()
    };
    if v.is_empty() {
        return if field.required {
            Err("forms.error.required")
        } else {
            Ok(String::new())
        };
    }
    match kind {
        FieldKind::Text if v.chars().count() > TEXT_MAX => Err("forms.error.text_too_long"),
        FieldKind::Textarea if v.chars().count() > TEXTAREA_MAX => {
            Err("forms.error.textarea_too_long")
        }
        FieldKind::Number => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(v),
            _ => Err("forms.error.number"),
        },
        FieldKind::Date => parse_date(&v).map(|_| v).ok_or("forms.error.date"),
        FieldKind::Select if !field.choices().contains(&v) => Err("forms.error.select"),
        FieldKind::Member => match v.parse::<i64>() {
            Ok(id) if members.contains(&id) => Ok(id.to_string()),
            _ => Err("forms.error.member"),
        },
        _ => Ok(v),
    }
}

/// A calendar date written `YYYY-MM-DD` (2026-02-30 is refused).
pub(crate) fn parse_date(s: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if s.len() != 10 {
        return None;
    }
    time::Date::parse(s, &fmt).ok()
}

/// Checks one uploaded file; `None` when nothing was chosen (and the field is optional).
pub(crate) fn check_file(
    field: &Field,
    upload: Option<&(String, Vec<u8>)>,
    max_bytes: usize,
) -> Result<Option<CheckedFile>, &'static str> {
    let Some((name, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        return if field.required {
            Err("forms.error.file_required")
        } else {
            Ok(None)
        };
    };
    if bytes.len() > max_bytes {
        return Err("forms.error.file_too_large");
    }
    let kind = FileKind::sniff(bytes);
    if field.kind() == FieldKind::Image && (!kind.is_image() || !image_decodes(bytes)) {
        return Err("forms.error.not_an_image");
    }
    Ok(Some(CheckedFile {
        field_id: field.id,
        filename: clean_filename(name, kind),
        kind,
        bytes: bytes.clone(),
    }))
}

/// A display name for an uploaded file (see [`crate::storage::clean_file_name`]).
pub(crate) fn clean_filename(raw: &str, kind: FileKind) -> String {
    crate::storage::clean_file_name(raw, "file", kind)
}

/// Checks the whole form. On failure the errors are keyed by input name.
pub(crate) fn validate(
    fields: &[Field],
    raw: &RawForm,
    members: &HashSet<i64>,
    max_bytes: usize,
) -> Result<Valid, Errors> {
    let mut valid = Valid::default();
    let mut errors = Errors::default();
    for field in fields {
        let name = input_name(field);
        if field.kind().is_file() {
            match check_file(field, raw.files.get(&name), max_bytes) {
                Ok(Some(f)) => valid.files.push(f),
                Ok(None) => {
                    valid.values.insert(field.id.to_string(), String::new());
                }
                Err(e) => errors.add(&name, e),
            }
        } else {
            let typed = raw.texts.get(&name).map(String::as_str).unwrap_or("");
            match check_value(field, typed, members) {
                Ok(v) => {
                    valid.values.insert(field.id.to_string(), v);
                }
                Err(e) => errors.add(&name, e),
            }
        }
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
}

/// Fills `{字段名}` placeholders of an automation's template with display values.
pub(crate) fn fill_placeholders(template: &str, values: &[(String, String)]) -> String {
    let mut out = template.to_string();
    for (label, value) in values {
        out = out.replace(&format!("{{{label}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: &str, required: bool, options: &str) -> Field {
        Field {
            id: 7,
            page_id: 1,
            label: "x".into(),
            kind: kind.into(),
            required,
            options: options.into(),
            position: 0,
        }
    }

    fn none() -> HashSet<i64> {
        HashSet::new()
    }

    #[test]
    fn required_values_must_be_given_and_optional_ones_may_be_empty() {
        assert_eq!(
            check_value(&field("text", true, ""), "  ", &none()),
            Err("forms.error.required")
        );
        assert_eq!(
            check_value(&field("number", false, ""), "", &none()),
            Ok(String::new())
        );
    }

    #[test]
    fn text_lengths_are_counted_in_characters() {
        let t = field("text", false, "");
        assert!(check_value(&t, &"字".repeat(200), &none()).is_ok());
        assert_eq!(
            check_value(&t, &"字".repeat(201), &none()),
            Err("forms.error.text_too_long")
        );
        let a = field("textarea", false, "");
        assert!(check_value(&a, &"a".repeat(5000), &none()).is_ok());
        assert_eq!(
            check_value(&a, &"a".repeat(5001), &none()),
            Err("forms.error.textarea_too_long")
        );
    }

    #[test]
    fn numbers_must_be_finite_decimals() {
        let n = field("number", true, "");
        assert_eq!(check_value(&n, " 12.50 ", &none()), Ok("12.50".into()));
        assert_eq!(check_value(&n, "-3", &none()), Ok("-3".into()));
        for bad in ["abc", "1,5", "inf", "NaN", "1e999"] {
            assert_eq!(
                check_value(&n, bad, &none()),
                Err("forms.error.number"),
                "{bad}"
            );
        }
    }

    #[test]
    fn dates_must_exist_in_the_calendar() {
        let d = field("date", true, "");
        assert_eq!(
            check_value(&d, "2026-02-28", &none()),
            Ok("2026-02-28".into())
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-1-1",
            "2026/01/01",
            "2026-1-01",
        ] {
            assert_eq!(
                check_value(&d, bad, &none()),
                Err("forms.error.date"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_select_value_must_be_one_of_the_options() {
        let s = field("select", true, "红\n绿\n");
        assert_eq!(check_value(&s, "绿", &none()), Ok("绿".into()));
        assert_eq!(check_value(&s, "蓝", &none()), Err("forms.error.select"));
    }

    #[test]
    fn a_member_must_belong_to_the_organisation() {
        let m = field("member", true, "");
        let members: HashSet<i64> = [3, 4].into_iter().collect();
        assert_eq!(check_value(&m, "4", &members), Ok("4".into()));
        assert_eq!(check_value(&m, "9", &members), Err("forms.error.member"));
        assert_eq!(check_value(&m, "x", &members), Err("forms.error.member"));
    }

    #[test]
    fn files_are_bounded_and_images_must_decode() {
        let a = field("attachment", false, "");
        let big = ("a.txt".to_string(), vec![b'a'; 11]);
        assert_eq!(
            check_file(&a, Some(&big), 10).err(),
            Some("forms.error.file_too_large")
        );
        assert!(check_file(&a, None, 10).expect("optional").is_none());
        let img = field("image", true, "");
        assert_eq!(
            check_file(&img, None, 10).err(),
            Some("forms.error.file_required")
        );
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(&[0u8; 64]);
        let fake = ("x.png".to_string(), fake);
        assert_eq!(
            check_file(&img, Some(&fake), 1000).err(),
            Some("forms.error.not_an_image")
        );
        let text = ("x.png".to_string(), b"hello".to_vec());
        assert_eq!(
            check_file(&img, Some(&text), 1000).err(),
            Some("forms.error.not_an_image")
        );
    }

    #[test]
    fn file_names_lose_their_path_and_quotes() {
        assert_eq!(
            clean_filename("C:\\a\\报价\".pdf", FileKind::Pdf),
            "报价.pdf"
        );
        assert_eq!(clean_filename("../", FileKind::Png), "file.png");
    }

    #[test]
    fn placeholders_take_the_submitted_values() {
        let v = vec![("金额".to_string(), "12".to_string())];
        assert_eq!(
            fill_placeholders("共 {金额} 元 {其他}", &v),
            "共 12 元 {其他}"
        );
    }
}
