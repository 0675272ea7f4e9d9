//! The left navigation, rendered once per language, role and place in the console and
//! kept: every signed-in page shows it, and drawing its links, icons and labels anew cost
//! each list page more than its own rows' markup. What it shows depends on nothing else:
//! the roles decide the links, and the place (the path's first three segments, numbers
//! folded, and whether it goes deeper) decides which link is current, because every
//! navigation address has at most three segments and none of them is a number.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use askama::Template;

use super::Layout;

/// The left navigation's markup (`templates/_sidebar.html`).
#[derive(Template)]
#[template(path = "_sidebar.html")]
struct Sidebar<'a> {
    l: &'a Layout,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    lang: &'static str,
    roles: u8,
    place: String,
}

/// Places are few (an id folds into one); beyond this many the navigation is drawn
/// without being kept, so odd addresses cannot grow the cache.
const KEPT_MAX: usize = 2048;

static KEPT: LazyLock<RwLock<HashMap<Key, Arc<str>>>> = LazyLock::new(Default::default);

/// The navigation of the page `l` describes.
pub(super) fn sidebar(l: &Layout) -> Arc<str> {
    let key = Key {
        lang: l.lang.code(),
        roles: roles(l),
        place: place(l.path_only()),
    };
    if let Some(html) = KEPT.read().ok().and_then(|k| k.get(&key).cloned()) {
        return html;
    }
    let html: Arc<str> = match (Sidebar { l }).render() {
        Ok(s) => s.into(),
        Err(e) => {
            tracing::error!(error = %e, "the navigation did not render");
            return Arc::from("");
        }
    };
    if let Ok(mut kept) = KEPT.write()
        && kept.len() < KEPT_MAX
    {
        kept.insert(key, html.clone());
    }
    html
}

/// Everything about the person the navigation's links depend on, as bits.
fn roles(l: &Layout) -> u8 {
    [
        l.org.is_some(),
        l.is_admin(),
        l.can_build_apps(),
        l.can_manage_members(),
        l.is_operator,
    ]
    .iter()
    .enumerate()
    .fold(0, |bits, (i, on)| bits | (u8::from(*on) << i))
}

/// "/provider/projects/123/links/9" → "/provider/projects/0+": the first three segments
/// with numbers folded, "+" when the path goes deeper.
fn place(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = String::with_capacity(path.len().min(64));
    for s in segments.iter().take(3) {
        out.push('/');
        out.push_str(if s.bytes().all(|b| b.is_ascii_digit()) {
            "0"
        } else {
            s
        });
    }
    if segments.len() > 3 {
        out.push('+');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_folds_ids_and_keeps_three_segments() {
        assert_eq!(place("/provider/projects"), "/provider/projects");
        assert_eq!(place("/provider/projects/123"), "/provider/projects/0");
        assert_eq!(
            place("/provider/projects/123/links/9"),
            "/provider/projects/0+"
        );
        assert_eq!(place("/"), "");
        assert_eq!(place("/org"), "/org");
    }
}
