//! The docs read as they should. Every relative link and `#anchor` in README.md and `docs/`
//! resolves (GitHub's heading slugs, read with a GFM parser that knows tables); every
//! `sqsbench …` line of a `sh` block parses with the real command definition; and every heading
//! of the old one-page README is a heading of the page `docs/MOVED.md` names. Each check also
//! runs on `tests/docs-fixtures/`, whose mistakes it must find.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A Markdown page as the checks see it.
struct Page {
    path: PathBuf,
    /// Each heading's text, as GitHub renders it (inline code without its backticks).
    headings: Vec<String>,
    /// The anchors GitHub makes of the headings (a repeated one gets `-1`, `-2`, …).
    anchors: HashSet<String>,
    /// Every link's and image's destination.
    links: Vec<String>,
    /// The lines of its `sh` blocks, continuations joined.
    sh_lines: Vec<String>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
}

/// GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped, each
/// space a hyphen.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn read(path: &Path) -> Page {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut page = Page {
        path: path.to_path_buf(),
        headings: Vec::new(),
        anchors: HashSet::new(),
        links: Vec::new(),
        sh_lines: Vec::new(),
    };
    let (mut heading, mut sh): (Option<String>, Option<String>) = (None, None);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for event in Parser::new_ext(&text, options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let h = heading.take().unwrap_or_default();
                let base = slug(&h);
                let n = seen.entry(base.clone()).or_insert(0);
                let anchor = if *n == 0 { base } else { format!("{base}-{n}") };
                *n += 1;
                page.anchors.insert(anchor);
                page.headings.push(h);
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
                if let Some(block) = sh.as_mut() {
                    block.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => page.links.push(dest_url.to_string()),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang)))
                if matches!(lang.as_ref(), "sh" | "bash" | "shell") =>
            {
                sh = Some(String::new())
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = sh.take() {
                    let joined = block.replace("\\\n", " ");
                    page.sh_lines.extend(joined.lines().map(str::to_string));
                }
            }
            _ => {}
        }
    }
    page
}

/// README.md and every page of `docs/`.
fn the_docs() -> Vec<Page> {
    let mut paths = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths.iter().map(|p| read(p)).collect()
}

/// Every link of `pages` that does not resolve, as `page: destination (why)`.
fn broken_links(pages: &[Page]) -> Vec<String> {
    let mut broken = Vec::new();
    for page in pages {
        let name = page.path.file_name().unwrap().to_string_lossy().to_string();
        for link in &page.links {
            let external = link
                .split_once(':')
                .is_some_and(|(scheme, _)| !scheme.contains('/'));
            if external {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
            let target = match file {
                "" => page.path.clone(),
                _ => page.path.parent().unwrap().join(file),
            };
            if !target.exists() {
                broken.push(format!("{name}: {link} (no such file)"));
                continue;
            }
            if anchor.is_empty() {
                continue;
            }
            let anchors = match pages.iter().find(|p| p.path == target) {
                Some(p) => p.anchors.clone(),
                None if target.extension().is_some_and(|e| e == "md") => read(&target).anchors,
                None => HashSet::new(),
            };
            if !anchors.contains(anchor) {
                broken.push(format!("{name}: {link} (no such heading)"));
            }
        }
    }
    broken
}

/// Splits a shell line into words: quotes group, `$( … )` stays one word, a `#` after a space
/// starts a comment.
fn words(line: &str) -> Vec<String> {
    let (mut words, mut word) = (Vec::new(), String::new());
    let (mut quote, mut depth) = (None::<char>, 0);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek() == Some(&'(') => {
                depth += 1;
                word.push(c);
            }
            (None, ')') if depth > 0 => {
                depth -= 1;
                word.push(c);
            }
            (None, '#') if word.is_empty() && depth == 0 => break,
            (None, c) if c.is_whitespace() && depth == 0 => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Every `sqsbench …` command of the pages' `sh` blocks that the command line refuses, with
/// clap's reason.
fn refused_commands(pages: &[Page]) -> Vec<String> {
    let mut refused = Vec::new();
    for page in pages {
        let name = page.path.file_name().unwrap().to_string_lossy().to_string();
        for line in &page.sh_lines {
            refused.extend(refused_in(line).into_iter().map(|r| format!("{name}: {r}")));
        }
    }
    refused
}

/// The `sqsbench …` commands of one shell line that the command line refuses, each with clap's
/// first line of complaint. A redirection (`> FILE`) ends a command's arguments.
fn refused_in(line: &str) -> Vec<String> {
    let words = words(line);
    let mut refused = Vec::new();
    // A line may chain commands: `cargo build && ./target/release/sqsbench run …`.
    for command in words.split(|w| matches!(w.as_str(), "&&" | "||" | ";" | "|" | "&")) {
        let Some(at) = command.iter().position(|w| w.ends_with("sqsbench")) else {
            continue;
        };
        if at != 0 && !command[..at].iter().all(|w| w.contains('=')) {
            continue;
        }
        let args: Vec<&str> = command[at + 1..]
            .iter()
            .map(String::as_str)
            .take_while(|w| !w.starts_with('>'))
            .collect();
        let argv = std::iter::once("sqsbench").chain(args.iter().copied());
        if let Err(e) = sqsbench::cli::definition().try_get_matches_from(argv) {
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            refused.push(format!("{} ({first})", command.join(" ")));
        }
    }
    refused
}

/// Every subcommand's `--help` ends with 2 to 4 examples, and the command line accepts each.
#[test]
fn every_subcommand_help_ends_with_examples_that_parse() {
    let definition = sqsbench::cli::definition();
    let mut checked = 0;
    for sub in std::iter::once(&definition).chain(definition.get_subcommands()) {
        let name = sub.get_name().to_string();
        if name == "help" {
            continue;
        }
        let help = sub.clone().render_long_help().to_string();
        let (_, examples) = help
            .rsplit_once("Examples:\n")
            .unwrap_or_else(|| panic!("`sqsbench {name} --help` has no examples"));
        let lines: Vec<&str> = examples
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert!(
            (2..=4).contains(&lines.len()),
            "{name}: {} examples",
            lines.len()
        );
        for line in lines {
            assert!(line.starts_with("sqsbench "), "{name}: {line}");
            assert!(
                line.chars().count() <= 70,
                "{name}: {line} (over 70 characters)"
            );
            let refused = refused_in(line);
            assert!(refused.is_empty(), "{name}: {refused:?}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} examples");
}

#[test]
fn every_link_and_anchor_in_the_docs_resolves() {
    let broken = broken_links(&the_docs());
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_sqsbench_command_in_the_docs_parses() {
    let docs = the_docs();
    let commands: usize = docs
        .iter()
        .flat_map(|p| &p.sh_lines)
        .filter(|l| l.contains("sqsbench "))
        .count();
    assert!(
        commands >= 5,
        "the docs' sh blocks hold {commands} sqsbench commands"
    );
    let refused = refused_commands(&docs);
    assert!(
        refused.is_empty(),
        "commands the CLI refuses:\n{}",
        refused.join("\n")
    );
}

#[test]
fn the_checks_find_a_broken_link_a_missing_anchor_and_an_unknown_flag() {
    let dir = Path::new(ROOT).join("tests/docs-fixtures");
    let pages = [read(&dir.join("broken.md")), read(&dir.join("fine.md"))];
    assert_eq!(
        broken_links(&pages),
        [
            "broken.md: no-such-file.md (no such file)",
            "broken.md: #no-such-heading (no such heading)",
            "broken.md: fine.md#missing (no such heading)",
        ]
    );
    let refused = refused_commands(&pages);
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].starts_with("broken.md: sqsbench run scenario.toml --no-such-flag ("));
    assert!(refused[0].contains("--no-such-flag"), "{}", refused[0]);
    assert!(
        refused[1].starts_with("broken.md: sqsbench frobnicate ("),
        "{}",
        refused[1]
    );
}

/// docs/MOVED.md's table: each old heading, and the page and anchor it lives at now.
fn moved(table: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(table).unwrap();
    let mut rows = Vec::new();
    let (mut cell, mut cells, mut in_row) = (None::<String>, Vec::new(), false);
    let mut link = String::new();
    for event in Parser::new_ext(&text, options()) {
        match event {
            Event::Start(Tag::TableRow) => (in_row, cells) = (true, Vec::new()),
            Event::Start(Tag::TableCell) if in_row => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) if in_row => cells.push(cell.take().unwrap_or_default()),
            Event::Start(Tag::Link { dest_url, .. }) if in_row => link = dest_url.to_string(),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::TableRow) if in_row => {
                rows.push((cells[0].clone(), std::mem::take(&mut link)));
                in_row = false;
            }
            _ => {}
        }
    }
    rows
}

/// Each row of a moved-headings table whose heading is not a heading of the page it names, at
/// the anchor it names.
fn homeless(table: &Path) -> Vec<String> {
    let dir = table.parent().unwrap();
    let mut homeless = Vec::new();
    for (heading, link) in moved(table) {
        let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
        let path = dir.join(file);
        if !path.exists() {
            homeless.push(format!("{heading:?}: no page {file}"));
            continue;
        }
        let page = read(&path);
        if !page.headings.contains(&heading) {
            homeless.push(format!("{heading:?} is not a heading of {file}"));
        } else if slug(&heading) != anchor || !page.anchors.contains(anchor) {
            homeless.push(format!("{heading:?}: {file} has no #{anchor}"));
        }
    }
    homeless
}

/// The old README had 26 headings (`git show d2a5774:README.md`); each is listed in
/// docs/MOVED.md and is a heading, with the same anchor, of the page it names.
#[test]
fn every_heading_of_the_old_readme_has_a_home() {
    let table = Path::new(ROOT).join("docs/MOVED.md");
    let rows = moved(&table);
    assert_eq!(
        rows.len(),
        26,
        "docs/MOVED.md lists {} headings",
        rows.len()
    );
    let homeless = homeless(&table);
    assert!(homeless.is_empty(), "{homeless:#?}");
}

/// The control: a table naming a heading its page lacks, and a page that is not there.
#[test]
fn a_heading_without_its_home_is_found() {
    let table = Path::new(ROOT).join("tests/docs-fixtures/MOVED.md");
    assert_eq!(
        homeless(&table),
        [
            "\"A fine page\": fine.md has no #a-wrong-anchor",
            "\"Gone\" is not a heading of fine.md",
            "\"Elsewhere\": no page nowhere.md",
        ]
    );
}

/// README.md stays a page one reads in five minutes; the rest is in `docs/`.
#[test]
fn the_readme_is_short_and_docs_has_its_topics() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    assert!(
        readme.lines().count() <= 300,
        "README.md: {} lines",
        readme.lines().count()
    );
    let topics = the_docs().len() - 1;
    assert!(topics >= 12, "docs/ has {topics} pages");
    let index = read(&Path::new(ROOT).join("docs/README.md"));
    for page in the_docs().iter().skip(1) {
        let name = page.path.file_name().unwrap().to_string_lossy().to_string();
        if name != "README.md" {
            assert!(
                index.links.contains(&name),
                "docs/README.md does not link {name}"
            );
        }
    }
}

/// Every page renders with its tables as tables: a table GFM did not recognise would show as
/// a paragraph of `|` cells. `RENDER_DOCS=DIR` keeps the HTML pages (the same GFM options) in
/// DIR to look at in a browser.
#[test]
fn every_page_renders_its_tables() {
    let out = std::env::var_os("RENDER_DOCS").map(PathBuf::from);
    for page in the_docs() {
        let text = std::fs::read_to_string(&page.path).unwrap();
        let mut html = String::from(STYLE);
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(&text, options()));
        let name = page.path.strip_prefix(ROOT).unwrap().to_path_buf();
        // A table's delimiter row: `|---|:--:|`, perhaps indented inside a list item.
        let delimiter = |l: &str| {
            let l = l.trim();
            l.starts_with('|') && l.contains('-') && l.chars().all(|c| "|:- ".contains(c))
        };
        let tables = text.lines().filter(|l| delimiter(l)).count();
        assert_eq!(
            html.matches("<table>").count(),
            tables,
            "{}",
            name.display()
        );
        assert!(
            !html.contains("<p>|"),
            "{}: a table read as text",
            name.display()
        );
        if let Some(out) = &out {
            let path = out.join(name.with_extension("html"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(
                path,
                html.replace(".md\"", ".html\"").replace(".md#", ".html#"),
            )
            .unwrap();
        }
    }
}

const STYLE: &str = "<!DOCTYPE html><meta charset=\"utf-8\"><style>body{font-family:sans-serif;max-width:980px;margin:2rem auto;line-height:1.5}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}pre{background:#f6f8fa;padding:8px;overflow:auto}code{background:#f6f8fa}</style>";
