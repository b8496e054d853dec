//! The crate's files must not import each other in a circle: a test reads every `use` line and
//! every inline `crate::`/`super::`/`self::` path of each source file (test code left out),
//! resolves each to the deepest module file it names, and fails on any cycle among files. A
//! cycle means two files are one concept in two places, or an arrow points the wrong way.
//! Test-only; reads the sources from disk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`http::sqs::ops`, "" for the crate root) → the modules its file refers to.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The file's text without comments, string contents and `#[cfg(test)]` items.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            // Skip the item that follows: up to its closing brace or semicolon.
            let mut depth = 0i32;
            let mut opened = false;
            for next in lines.by_ref() {
                let code = strip_line(next);
                depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
                opened |= code.contains('{');
                if (opened && depth <= 0) || (!opened && code.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push_str(&strip_line(line));
        out.push('\n');
    }
    out
}

fn strip_line(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '/' if !in_string && chars.peek() == Some(&'/') => break,
            _ if !in_string => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every path the code names: `use` trees expanded, and inline `crate::`/`super::`/`self::` paths.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for statement in code.split(';') {
        let statement = statement.trim();
        let tree = statement
            .split_once("use ")
            .filter(|(before, _)| {
                let b = before.trim();
                b.is_empty() || b.ends_with("pub") || b.ends_with(')') || b.ends_with('}')
            })
            .map(|(_, tree)| tree);
        if let Some(tree) = tree {
            let unaliased: Vec<&str> = tree.split(" as ").collect();
            // `a as b, c` → `a, c`: what follows ` as ` up to the next separator is a new name.
            let mut joined = unaliased[0].to_string();
            for rest in &unaliased[1..] {
                let end = rest.find([',', '}']).unwrap_or(rest.len());
                joined.push_str(&rest[end..]);
            }
            expand(&joined.replace(char::is_whitespace, ""), &mut paths);
        }
    }
    let words: Vec<char> = code.chars().collect();
    let text: String = words.iter().collect();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            let before = text[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: Vec<String> = text[at..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            // `super::{…}` is a `use` tree, read above.
            if path.len() > 1 {
                paths.push(path);
            }
        }
    }
    paths
}

/// A `use` tree (`a::{b, c::{d, e}}`) as its paths.
fn expand(tree: &str, out: &mut Vec<Vec<String>>) {
    let Some(open) = tree.find('{') else {
        out.push(
            tree.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        );
        return;
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut depth = 0;
    let mut part = String::new();
    for c in inner.chars().chain(std::iter::once(',')) {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            if !part.is_empty() {
                expand(&format!("{prefix}{part}"), out);
            }
            part.clear();
        } else {
            part.push(c);
        }
    }
}

/// The module a path names, resolved from `module` (whose file declares `children`), as the
/// deepest existing module file; `None` for a path outside the crate.
fn resolve(
    module: &str,
    children: &BTreeSet<String>,
    path: &[String],
    modules: &BTreeSet<String>,
) -> Option<String> {
    let mut here: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            here.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                here.pop();
                rest = &rest[1..];
            }
        }
        Some(first) if children.contains(first) => {}
        _ => return None,
    }
    let mut deepest = None;
    let mut current = here.join("::");
    for segment in rest {
        current = if current.is_empty() {
            segment.clone()
        } else {
            format!("{current}::{segment}")
        };
        if modules.contains(&current) {
            deepest = Some(current.clone());
        } else {
            break;
        }
    }
    deepest.or_else(|| Some(here.join("::")))
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("a readable source file");
            (module_of(src, f), code_of(&text))
        })
        .collect();
    let modules: BTreeSet<String> = sources.iter().map(|(m, _)| m.clone()).collect();
    let mut graph = Graph::new();
    for (module, code) in &sources {
        let children: BTreeSet<String> = code
            .split(';')
            .filter_map(|s| s.trim().rsplit_once("mod ").map(|(_, name)| name.trim()))
            .filter(|name| name.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .map(str::to_string)
            .collect();
        let edges = graph.entry(module.clone()).or_default();
        for path in paths_in(code) {
            if let Some(target) = resolve(module, &children, &path, &modules)
                && &target != module
            {
                edges.insert(target);
            }
        }
    }
    graph
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn no_file_of_the_emulator_imports_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    assert!(
        graph.len() > 40,
        "every source file read: {:?}",
        graph.keys()
    );
    assert!(
        graph["http"].contains("http::router") && graph["http::sns"].contains("http::pipeline"),
        "the paths are read and resolved: {graph:?}"
    );
    let found = cycles(&graph);
    assert!(found.is_empty(), "import cycles among files: {found:?}");
}

#[test]
fn a_cycle_is_found_however_it_is_written() {
    let graph: Graph = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c"]]);

    let code = code_of(
        "use super::{a::X, b::{c, d as e}};\n// use crate::nope;\npub(crate) use crate::f::G;\nfn h() { let s = \"crate::quoted\"; crate::g::call(); }\n#[cfg(test)]\nmod tests {\n    use crate::test_only;\n}\n",
    );
    let paths: BTreeSet<String> = paths_in(&code).iter().map(|p| p.join("::")).collect();
    let expected = [
        "super::a::X",
        "super::b::c",
        "super::b::d",
        "crate::f::G",
        "crate::g::call",
    ];
    assert_eq!(paths, expected.iter().map(|p| p.to_string()).collect());
}
