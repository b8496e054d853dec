//! The architecture test: arrows between top-level modules as the table allows, no file-level
//! import cycle, and the docs' map rendered from the table. Paths are read from the source
//! text (test modules left out: they may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{MODULES, map};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md");
const BEGIN: &str = "<!-- architecture map: generated from src/architecture.rs -->\n";
const END: &str = "<!-- end of the architecture map -->\n";

/// A source file: its module path (`["run", "setup"]`) and its text, test modules cut.
struct Source {
    module: Vec<String>,
    text: String,
}

fn sources() -> Vec<Source> {
    let mut files = Vec::new();
    walk(Path::new(SRC), &mut files);
    let mut out = Vec::new();
    for path in files {
        let relative = path.strip_prefix(SRC).unwrap();
        let mut module: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let last = module.pop().unwrap();
        if last == "tests.rs" || module.last().is_some_and(|m| m == "tests") {
            continue;
        }
        if !matches!(last.as_str(), "mod.rs" | "lib.rs" | "main.rs") {
            module.push(last.trim_end_matches(".rs").to_string());
        }
        let text = std::fs::read_to_string(&path).unwrap();
        out.push(Source {
            module,
            text: without_tests(&text),
        });
    }
    let tests: Vec<Vec<String>> = out
        .iter()
        .flat_map(|s| test_only(&s.module, &s.text))
        .collect();
    out.retain(|s| !tests.iter().any(|t| s.module.starts_with(t)));
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text before an inline `#[cfg(test)]` module (at the end of a file by convention).
fn without_tests(text: &str) -> String {
    let inline = text
        .match_indices("#[cfg(test)]\nmod ")
        .find(|(at, _)| text[*at..].lines().nth(1).is_some_and(|l| l.ends_with('{')));
    match inline {
        Some((at, _)) => text[..at].to_string(),
        None => text.to_string(),
    }
}

/// Modules declared `#[cfg(test)] mod name;` in a file of `module`: test-only files.
fn test_only(module: &[String], text: &str) -> Vec<Vec<String>> {
    text.match_indices("#[cfg(test)]\nmod ")
        .filter_map(|(at, m)| {
            let name = text[at + m.len()..].split(';').next()?;
            let name = name.trim();
            (!name.contains(char::is_whitespace)).then(|| {
                let mut path = module.to_vec();
                path.push(name.to_string());
                path
            })
        })
        .collect()
}

/// Every path a file names that starts at `crate`, `super` or `self`, with grouped imports
/// (`crate::{a, b::c}`) expanded one level.
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(found) = text[from..].find(root) {
            let at = from + found;
            from = at + root.len();
            let before = at.checked_sub(1).map(|i| bytes[i] as char);
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$') {
                continue;
            }
            let path = read_path(&text[at..]);
            out.extend(path);
        }
    }
    out
}

/// The path at the start of `text`; a `{…}` group gives one path per item.
fn read_path(text: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            segments.push(rest[..end].to_string());
        }
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix("::") {
            rest = after;
            if let Some(group) = rest.strip_prefix('{') {
                let close = group.find('}').unwrap_or(group.len());
                return group[..close]
                    .split(',')
                    .map(|item| item.split(" as ").next().unwrap_or("").trim())
                    .filter(|item| !item.is_empty())
                    .map(|item| {
                        let mut path = segments.clone();
                        path.extend(item.split("::").map(|s| s.trim().to_string()));
                        path
                    })
                    .collect();
            }
            continue;
        }
        return vec![segments];
    }
}

/// `path` as seen from `module`, made absolute (without `crate`).
fn absolute(module: &[String], path: &[String]) -> Vec<String> {
    match path.first().map(String::as_str) {
        Some("crate") => path[1..].to_vec(),
        Some("self") => module.iter().chain(&path[1..]).cloned().collect(),
        _ => {
            let mut base = module.to_vec();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            base
        }
    }
}

/// The top-level modules each top-level module uses.
fn arrows(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let tops: BTreeSet<&str> = MODULES.iter().map(|(m, _, _)| *m).collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        let Some(top) = s.module.first() else {
            continue;
        };
        for path in paths(&s.text) {
            let used = absolute(&s.module, &path);
            if let Some(first) = used.first()
                && first != top
                && (tops.contains(first.as_str()) || first == "emulator")
            {
                out.entry(top.clone()).or_default().insert(first.clone());
            }
        }
    }
    out
}

#[test]
fn every_arrow_is_one_the_table_allows() {
    let sources = sources();
    let listed: BTreeSet<&str> = MODULES.iter().map(|(m, _, _)| *m).collect();
    let present: BTreeSet<String> = sources
        .iter()
        .filter_map(|s| s.module.first().cloned())
        .collect();
    for module in &present {
        assert!(
            listed.contains(module.as_str()),
            "src/{module} is not in architecture::MODULES: add it with what it may use"
        );
    }
    let mut wrong = Vec::new();
    for (module, used) in arrows(&sources) {
        let allowed = MODULES
            .iter()
            .find(|(m, _, _)| *m == module)
            .map_or(&[][..], |(_, _, uses)| *uses);
        for u in used.iter().filter(|u| !allowed.contains(&u.as_str())) {
            wrong.push(format!("{module} → {u}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows architecture::MODULES does not allow: {wrong:?}"
    );
}

#[test]
fn the_table_points_one_way() {
    // Depth-first over the table: a module met again on the current path is a cycle.
    fn visit<'a>(module: &'a str, path: &mut Vec<&'a str>, done: &mut BTreeSet<&'a str>) {
        assert!(
            !path.contains(&module),
            "a cycle in the table: {path:?} → {module}"
        );
        if !done.insert(module) {
            return;
        }
        path.push(module);
        let uses = MODULES.iter().find(|(m, _, _)| *m == module);
        for next in uses.map_or(&[][..], |(_, _, u)| *u) {
            visit(next, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for (module, _, _) in MODULES {
        visit(module, &mut Vec::new(), &mut done);
    }
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let sources = sources();
    let files: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    // A path names the longest module prefix of it that is a file.
    let file_of = |path: &[String]| -> Option<Vec<String>> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|p| files.contains(p))
    };
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for s in &sources {
        let children = declared_children(&s.text);
        let mut named = paths(&s.text);
        // A child module named without `self::` (`use verdict::X`, `drive::drive(…)`).
        for child in &children {
            if s.text.contains(&format!("{child}::")) {
                named.push(vec!["self".to_string(), child.clone()]);
            }
        }
        for path in named {
            let target = file_of(&absolute(&s.module, &path));
            if let Some(target) = target.filter(|t| *t != s.module) {
                edges.entry(s.module.clone()).or_default().insert(target);
            }
        }
    }
    let cycles = cycles(&edges);
    assert!(
        cycles.is_empty(),
        "files that import each other (a cycle each): {cycles:?}"
    );
}

/// `mod x;` declarations: the file's child modules.
fn declared_children(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l
                .strip_prefix("pub(crate) ")
                .or(l.strip_prefix("pub "))
                .unwrap_or(l);
            let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.to_string())
        })
        .collect()
}

/// The strongly connected parts of more than one file (Tarjan), each as its files' paths.
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a [String], (usize, usize)>,
        stack: Vec<&'a [String]>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a [String]) {
            self.index.insert(v, (self.next, self.next));
            self.next += 1;
            self.stack.push(v);
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w.as_slice()) {
                    self.visit(w);
                    let low = self.index[w.as_slice()].1.min(self.index[v].1);
                    self.index.get_mut(v).unwrap().1 = low;
                } else if self.stack.contains(&w.as_slice()) {
                    let low = self.index[w.as_slice()].0.min(self.index[v].1);
                    self.index.get_mut(v).unwrap().1 = low;
                }
            }
            if self.index[v].0 == self.index[v].1 {
                let mut part = Vec::new();
                while let Some(w) = self.stack.pop() {
                    part.push(w.join("/"));
                    if w == v {
                        break;
                    }
                }
                if part.len() > 1 {
                    part.sort();
                    self.found.push(part);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        stack: Vec::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_slice()) {
            walk.visit(v);
        }
    }
    walk.found
}

/// The test finds what it is meant to: an arrow the table forbids, and a cycle.
#[test]
fn the_readers_find_arrows_and_cycles() {
    let module = vec!["run".to_string(), "setup".to_string()];
    let named: Vec<Vec<String>> =
        paths("use crate::{report::atomic, workload::engine::Lane};\nlet x = super::judge::f();")
            .iter()
            .map(|p| absolute(&module, p))
            .collect();
    assert_eq!(
        named,
        [
            vec!["report", "atomic"],
            vec!["workload", "engine", "Lane"],
            vec!["run", "judge", "f"],
        ]
    );
    let v = |s: &str| s.split('/').map(String::from).collect::<Vec<_>>();
    let mut edges = BTreeMap::new();
    edges.insert(v("a/x"), BTreeSet::from([v("a/y")]));
    edges.insert(v("a/y"), BTreeSet::from([v("a/z")]));
    edges.insert(v("a/z"), BTreeSet::from([v("a/x")]));
    edges.insert(v("b"), BTreeSet::from([v("a/x")]));
    assert_eq!(cycles(&edges), [vec!["a/x", "a/y", "a/z"]]);
}

#[test]
fn the_docs_map_is_the_table() {
    let doc = std::fs::read_to_string(DOC).unwrap_or_default();
    let rendered = format!("{BEGIN}{}{END}", map());
    let current = doc
        .find(BEGIN)
        .zip(doc.find(END))
        .map(|(a, b)| &doc[a..b + END.len()]);
    if std::env::var_os("UPDATE_ARCHITECTURE").is_some() {
        let updated = match current {
            Some(old) => doc.replace(old, &rendered),
            None => format!("{doc}\n{rendered}"),
        };
        std::fs::write(DOC, updated).unwrap();
        return;
    }
    assert_eq!(
        current,
        Some(rendered.as_str()),
        "docs/architecture.md's map is not architecture::MODULES' (UPDATE_ARCHITECTURE=1 cargo test -p sqsbench --lib architecture rewrites it)"
    );
}

/// Every results file's and chart's name is a string literal in one place: `results_dir`.
#[test]
fn each_results_file_is_named_once() {
    use crate::report::chart::kind::Chart;
    use crate::report::results_dir::File;
    let files = [
        File::Scenario,
        File::Summary,
        File::SummaryCsv,
        File::Timeseries,
        File::TimeseriesFleets,
        File::TimeseriesQueues,
        File::Latency,
        File::Histograms,
        File::Integrity,
        File::Report,
        File::Shard,
        File::Ledger,
        File::Series,
        File::ComparisonCsv,
        File::ComparisonMd,
        File::Search,
        File::SearchCsv,
        File::SearchMd,
    ];
    let sources = sources();
    let places = |literal: &str| -> Vec<String> {
        sources
            .iter()
            .filter(|s| s.text.contains(literal))
            .map(|s| s.module.join("/"))
            .collect()
    };
    for file in files {
        let literal = format!("\"{}\"", file.name());
        assert_eq!(
            places(&literal),
            ["report/results_dir"],
            "{literal} is written as a literal in these files"
        );
    }
    // A chart's files are its name with .png and .svg, which only `Chart::files` makes.
    for chart in Chart::RUN.iter().chain(&Chart::SWEEP).chain(&Chart::SEARCH) {
        for ext in ["png", "svg"] {
            let literal = format!("\"{}.{ext}\"", chart.name());
            assert_eq!(places(&literal), Vec::<String>::new(), "{literal}");
        }
        let stem = format!("\"{}\"", chart.name());
        assert!(places(&stem).contains(&"report/chart/kind".to_string()));
    }
}
