//! The submission page's content: values, the approval timeline and what the caller may
//! do, read in one closure.

use super::*;

/// One shown value of a submission.
pub(crate) struct ValueView {
    pub label: String,
    pub text: String,
    pub file_id: Option<i64>,
}

/// One task of the approval timeline.
pub(crate) struct TaskView {
    pub task: Task,
    pub step_name: String,
    pub assignee: String,
}

/// Everything the submission page shows.
pub(crate) struct Detail {
    pub submission: Submission,
    pub app_name: String,
    pub page: Page,
    pub submitter: String,
    /// The organisation the submitter acted in.
    pub submitter_org: String,
    pub values: Vec<ValueView>,
    pub timeline: Vec<TaskView>,
    pub my_task: Option<Task>,
    pub people: Vec<(i64, String, String)>,
    /// The caller is the submitter.
    pub own: bool,
    /// The submitter's own history of an app no longer usable in their organisation.
    pub read_only: bool,
}

pub(crate) fn detail(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Detail> {
    let s = find_submission(conn, scope, id)?;
    let page: Page = pages::table
        .find(s.page_id)
        .filter(pages::org_id.eq(s.org_id))
        .select(Page::as_select())
        .first(conn)?;
    let app: App = apps::table
        .find(s.app_id)
        .select(App::as_select())
        .first(conn)?;
    let app_name = app.name.clone();
    let fields = fields_of(conn, &page)?;
    let steps = steps_of(conn, &page)?;
    let tasks: Vec<Task> = approval_tasks::table
        .filter(approval_tasks::submission_id.eq(s.id))
        .order(approval_tasks::id.asc())
        .select(Task::as_select())
        .load(conn)?;
    let (mut people_ids, file_ids) = referenced(&fields, std::slice::from_ref(&s));
    people_ids.extend(tasks.iter().map(|t| t.assignee_id));
    let names = names_of(conn, &people_ids)?;
    let files = files_of(conn, s.org_id, &file_ids)?;
    let file_names: HashMap<i64, String> =
        files.values().map(|a| (a.id, a.filename.clone())).collect();
    let stored = s.values();
    let values = fields
        .iter()
        .map(|f| {
            let raw = stored.get(&f.id.to_string()).cloned().unwrap_or_default();
            let file_id = if f.kind().is_file() {
                raw.parse::<i64>().ok().filter(|i| files.contains_key(i))
            } else {
                None
            };
            ValueView {
                label: f.label.clone(),
                text: display_text(f, &raw, &names, &file_names),
                file_id,
            }
        })
        .collect();
    let step_names: HashMap<i32, String> = steps
        .iter()
        .map(|st| (st.position, st.name.clone()))
        .collect();
    // Own history of an app no longer usable here: read only, no actions.
    let acting = match may_see(conn, scope, &s, false) {
        Ok(v) => v,
        // Without a seat the app is not usable here either: one's own history only.
        Err(AppError::Refused(_)) => false,
        Err(e) => return Err(e),
    };
    let read_only = s.org_id != scope.org_id() && !acting;
    let my_task = tasks
        .iter()
        .find(|t| t.status == approval::PENDING && t.assignee_id == scope.user_id())
        .filter(|_| !read_only)
        .cloned();
    let timeline = tasks
        .into_iter()
        .map(|t| TaskView {
            step_name: step_names
                .get(&t.step_position)
                .cloned()
                .unwrap_or_default(),
            assignee: names.get(&t.assignee_id).cloned().unwrap_or_default(),
            task: t,
        })
        .collect();
    // 转交/加签 pick only people of the organisation the approval started in, never
    // the submitter (nobody approves their own submission).
    let people = if my_task.is_some() {
        let mut p = initiator_people(conn, &app, s.initiator_org())?;
        p.retain(|p| p.0 != s.submitter_id);
        p
    } else {
        vec![]
    };
    let submitter_org = crate::interconnect::org_names(conn, &[s.initiator_org()].into())?
        .remove(&s.initiator_org())
        .unwrap_or_default();
    Ok(Detail {
        read_only,
        own: s.submitter_id == scope.user_id(),
        submitter_org,
        submitter: names.get(&s.submitter_id).cloned().unwrap_or_default(),
        submission: s,
        app_name,
        page,
        values,
        timeline,
        my_task,
        people,
    })
}
