//! The layers of `src/` point one way. Every `crate::…` path in the code is read (use trees
//! with their braces, and paths written inline) and checked against the table below: the
//! plumbing never reaches up into a domain, a domain reaches another only through the
//! few items that domain's top file declares or re-exports (its face), and no circle of
//! imports exists between top-level modules. A violation names the file and the line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The ground: shared tools that know no domain and nothing above them.
const GROUND: &[&str] = &["config", "db", "error", "i18n", "jobs", "storage", "tools"];
/// Who is asking: above the ground only.
const AUTH: &[&str] = &["auth"];
/// The HTTP shell: layout, extractors' glue, flash, pagination, the route table type.
const WEB: &[&str] = &["web"];
/// The domains; each reaches another only through that one's face.
const DOMAINS: &[&str] = &[
    "account",
    "org",
    "apps",
    "forms",
    "notifications",
    "distribution",
    "interconnect",
    "operator",
    "customdev",
    "appcentre",
    "quickdeploy",
];
/// The composition root and what assembles whole programs or data sets: anything goes.
const TOP: &[&str] = &[
    "app",
    "lib",
    "main",
    "demo",
    "scale",
    "reference",
    "bin",
    "backup",
    "serve",
];

fn rank(module: &str) -> Option<u8> {
    [GROUND, AUTH, WEB, DOMAINS, TOP]
        .iter()
        .position(|layer| layer.contains(&module))
        .and_then(|p| u8::try_from(p).ok())
}

/// Names that `crate::` paths use for things defined at the crate root by macros.
fn owner(first: &str) -> &str {
    match first {
        "native" => "db",
        "keyset" => "tools",
        "_rust_i18n_backend" | "_rust_i18n_t" | "_rust_i18n_try_translate" => "i18n",
        other => other,
    }
}

struct Use {
    file: String,
    line: usize,
    from: String,
    path: Vec<String>,
}

#[test]
fn the_layers_of_src_point_one_way_and_domains_meet_only_through_their_faces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let uses = read_uses(&root);
    assert!(uses.len() > 300, "read only {} paths", uses.len());
    let violations = check(&root, &uses);
    assert!(
        violations.is_empty(),
        "{} layer violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn a_planted_upward_import_is_caught_with_its_file_and_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut uses = read_uses(&root);
    uses.push(Use {
        file: "src/db.rs".into(),
        line: 7,
        from: "db".into(),
        path: vec!["distribution".into(), "grants".into(), "live".into()],
    });
    uses.push(Use {
        file: "src/forms/data.rs".into(),
        line: 12,
        from: "forms".into(),
        path: vec!["apps".into(), "store".into(), "fields_of".into()],
    });
    let violations = check(&root, &uses);
    assert!(
        violations
            .iter()
            .any(|v| v.starts_with("src/db.rs:7:") && v.contains("distribution")),
        "{violations:?}"
    );
    assert!(
        violations
            .iter()
            .any(|v| v.starts_with("src/forms/data.rs:12:") && v.contains("face")),
        "{violations:?}"
    );
}

fn check(root: &Path, uses: &[Use]) -> Vec<String> {
    let faces: BTreeMap<&str, BTreeSet<String>> = DOMAINS
        .iter()
        .map(|d| (*d, face_of(&root.join(format!("{d}.rs")))))
        .collect();
    let mut violations = vec![];
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for u in uses {
        let Some(first) = u.path.first() else {
            continue;
        };
        let to = owner(first).to_string();
        if to == u.from || to == "self" || to == "super" {
            continue;
        }
        let (Some(rf), Some(rt)) = (rank(&u.from), rank(&to)) else {
            violations.push(format!(
                "{}:{}: `crate::{}` — module `{}` or `{}` is in no layer of this test",
                u.file,
                u.line,
                u.path.join("::"),
                u.from,
                to
            ));
            continue;
        };
        graph.entry(u.from.clone()).or_default().insert(to.clone());
        let both_domains = rf == 3 && rt == 3;
        if rt > rf {
            violations.push(format!(
                "{}:{}: `{}` reaches up into `crate::{}`",
                u.file,
                u.line,
                u.from,
                u.path.join("::")
            ));
        } else if both_domains {
            let face = &faces[to.as_str()];
            let through_face = u.path.len() >= 2 && face.contains(&u.path[1]);
            if !through_face {
                violations.push(format!(
                    "{}:{}: `{}` uses `crate::{}`, which is not on the face of `{}` (its top file)",
                    u.file,
                    u.line,
                    u.from,
                    u.path.join("::"),
                    to
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        violations.push(format!("an import circle: {}", cycle.join(" -> ")));
    }
    violations
}

/// The names a domain's top file makes public: its own items and its re-exports (not its
/// `pub mod` folders, which are its inside).
fn face_of(top: &Path) -> BTreeSet<String> {
    let text = strip_comments(&std::fs::read_to_string(top).unwrap_or_default());
    let mut names = BTreeSet::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line
            .strip_prefix("pub ")
            .or_else(|| line.strip_prefix("pub(crate) "))
        else {
            continue;
        };
        if let Some(u) = rest.strip_prefix("use ") {
            // rustfmt breaks a long use tree over lines: read on to its `;`.
            let mut tree = u.to_string();
            while !tree.trim_end().ends_with(';') {
                match lines.next() {
                    Some(more) => tree.push_str(more),
                    None => break,
                }
            }
            for path in expand_tree(tree.trim_end().trim_end_matches(';')) {
                if let Some(last) = path.last() {
                    names.insert(last.clone());
                }
            }
            // `use a::b as c;` puts `c` on the face.
            for piece in tree.split([',', '{', '}', ';']) {
                if let Some((_, alias)) = piece.split_once(" as ") {
                    names.insert(alias.trim().to_string());
                }
            }
            continue;
        }
        for kw in [
            "fn ",
            "struct ",
            "enum ",
            "const ",
            "static ",
            "type ",
            "trait ",
            "async fn ",
        ] {
            if let Some(r) = rest.strip_prefix(kw) {
                let name: String = r
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
    }
    names
}

fn read_uses(root: &Path) -> Vec<Use> {
    let mut out = vec![];
    for file in walk(root) {
        let rel = file.strip_prefix(root).unwrap_or(&file);
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .unwrap_or_default();
        let from = first.trim_end_matches(".rs").to_string();
        let text = strip_comments(&std::fs::read_to_string(&file).unwrap_or_default());
        let shown = format!("src/{}", rel.display());
        for (line, path) in crate_paths(&text) {
            out.push(Use {
                file: shown.clone(),
                line,
                from: from.clone(),
                path,
            });
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Removes `//` comments and string literals (keeping line breaks), so that a path in a
/// doc comment or a message is not read as an import.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_str = false;
                    out.push('"');
                }
                '\n' => out.push('\n'),
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            // A char literal such as '"' must not open a string.
            '\'' => {
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\"'") {
                    chars.next();
                    chars.next();
                }
                out.push('\'');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every `crate::…` path with its line, use-tree groups expanded.
fn crate_paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = vec![];
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("crate::") {
        let start = i + pos;
        i = start + "crate::".len();
        // `$crate::` (in macros) and `fenfa_crate::`-like identifiers are not ours.
        if start > 0 {
            let prev = bytes[start - 1];
            if prev == b'$' || prev.is_ascii_alphanumeric() || prev == b'_' {
                continue;
            }
        }
        let line = text[..start].matches('\n').count() + 1;
        let tree = take_tree(&text[i..]);
        for path in expand_tree(&tree) {
            if !path.is_empty() {
                out.push((line, path));
            }
        }
    }
    out
}

/// The use tree (or path) starting at `s`: identifiers, `::`, and balanced braces.
fn take_tree(s: &str) -> String {
    let mut depth = 0usize;
    let mut end = 0;
    for (idx, c) in s.char_indices() {
        let ok = c.is_alphanumeric() || c == '_' || c == ':';
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if depth == 0 && !ok {
            break;
        }
        end = idx + c.len_utf8();
    }
    s[..end].to_string()
}

/// `a::{b, c::{d, e as f}}` → `[a, b]`, `[a, c, d]`, `[a, c, e]`.
fn expand_tree(tree: &str) -> Vec<Vec<String>> {
    // One space between words (so `e as f` stays readable), none around punctuation.
    let mut tree = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in ["{", "}", ",", ":"] {
        tree = tree
            .replace(&format!(" {p}"), p)
            .replace(&format!("{p} "), p);
    }
    expand(&tree)
}

fn expand(tree: &str) -> Vec<Vec<String>> {
    match tree.find('{') {
        None => {
            let path = tree.split(" as ").next().unwrap_or(tree);
            let segs: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty() && *s != "*")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect()
                })
                .filter(|s: &String| !s.is_empty())
                .collect();
            vec![segs]
        }
        Some(open) => {
            let prefix: Vec<String> = tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut out = vec![];
            for part in split_top(inner) {
                if part == "self" {
                    out.push(prefix.clone());
                    continue;
                }
                for mut tail in expand(&part) {
                    let mut p = prefix.clone();
                    p.append(&mut tail);
                    out.push(p);
                }
            }
            out
        }
    }
}

/// Splits `a, b::{c, d}, e` at the commas outside braces.
fn split_top(s: &str) -> Vec<String> {
    let mut parts = vec![];
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                cur.push(c);
            }
            '}' => {
                depth = depth.saturating_sub(1);
                cur.push(c);
            }
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// A circle in the module graph, if any (depth-first search).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = vec![];
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn use_trees_expand_into_paths() {
    assert_eq!(
        expand_tree("a::{b, c::{d, e as f}, self}"),
        vec![
            vec!["a", "b"],
            vec!["a", "c", "d"],
            vec!["a", "c", "e"],
            vec!["a"]
        ]
    );
    assert_eq!(
        crate_paths("use crate::x::{y, z};\nlet a = crate::w::v(1);"),
        vec![
            (1, vec!["x".to_string(), "y".to_string()]),
            (1, vec!["x".to_string(), "z".to_string()]),
            (2, vec!["w".to_string(), "v".to_string()]),
        ]
    );
}
