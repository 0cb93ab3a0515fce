//! The layers of `src/`: every `crate::<module>` a module names must be in its own layer or a
//! lower one, the modules of one layer must not use each other in a cycle, and the engine's
//! clients read its types through `protocol`.
//!
//! The test reads the source as text: each file belongs to its top-level module (`src/foo.rs`
//! or anything under `src/foo/`), and every path that reaches another top-level module is an
//! edge — `use crate::x::…`, a `use crate::{x, y}` group, an inline `crate::x::f()`,
//! `$crate::x` in a macro, a string that is only such a path (serde's `with = "crate::…"`),
//! or enough `super::` to climb out of the module. Comments, doc comments, other strings and
//! characters are blanked first, so prose that names a module is not an edge. It is self-contained on purpose (no support module): the checker is tested on
//! strings below, so a checker that cannot fail would be noticed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use its own layer and the layers below, never one
/// above; inside a layer the uses must not close a cycle. A new top-level module must be
/// placed here, or the test fails naming it.
const LAYERS: &[&[&str]] = &[
    // The sans-IO core and the rules of phone numbers: no I/O, no knowledge of anything above.
    &["engine", "numbers"],
    // Vocabularies and services each built on the core alone: the wire, SQLite, RTP, the
    // simulated switch, settings, audio, the driver's clock and entropy, the switch loop.
    &[
        "protocol",
        "store",
        "media",
        "sim",
        "config",
        "sound",
        "runtime",
        "switchboard",
    ],
    // The two shells that drive the engine: the SIP side and the WebSocket server.
    &["sip", "server"],
    // The engine's clients.
    &["client", "console", "announcer"],
    // The binary's subcommands, which start any of the above.
    &["cli"],
];

/// Clients of the engine that read its types through `protocol` (which re-exports the wire
/// enums), never from `engine` itself: what they know of the engine is what goes over the
/// wire.
const THROUGH_PROTOCOL: &[&str] = &["client", "console", "announcer"];

/// Files of `src/` that are the crate's roots, not part of any module.
const ROOTS: &[&str] = &["lib.rs", "main.rs"];

#[test]
fn no_module_of_src_uses_a_higher_layer_or_closes_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "src/ has only {} files?", files.len());
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            let relative = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(path);
            let name = relative.to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, text)
        })
        .collect();
    let violations = check(&sources);
    assert!(
        violations.is_empty(),
        "{} use(s) break the layers (table at the top of tests/layers.rs):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One reference from a file to another top-level module.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edge {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The violations in `sources` (path as `src/…`, text), one line each, sorted:
/// `src/x/y.rs:12: sip -> announcer goes up the layers`.
fn check(sources: &[(String, String)]) -> Vec<String> {
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |m| (*m, i)))
        .collect();
    // (file, line, what is wrong): sorted by file, then line as a number; line 0 is the file.
    let mut violations: Vec<(String, usize, String)> = Vec::new();
    let mut edges = Vec::new();
    for (file, text) in sources {
        let Some(path) = module_path(file) else {
            continue;
        };
        let from = path[0].clone();
        if !layer_of.contains_key(from.as_str()) {
            let why = format!("module {from} is not in the layer table");
            violations.push((file.clone(), 0, why));
        }
        for (line, to) in references(&path, text) {
            if to != from {
                edges.push(Edge {
                    file: file.clone(),
                    line,
                    from: from.clone(),
                    to,
                });
            }
        }
    }
    // Edges inside one layer, for the cycle search.
    let mut same_layer: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for edge in &edges {
        let (Some(from), Some(to)) = (
            layer_of.get(edge.from.as_str()),
            layer_of.get(edge.to.as_str()),
        ) else {
            continue;
        };
        if from == to {
            same_layer
                .entry(edge.from.as_str())
                .or_default()
                .insert(edge.to.as_str());
        }
    }
    for edge in &edges {
        let (from, to) = (edge.from.as_str(), edge.to.as_str());
        let why = match (layer_of.get(from), layer_of.get(to)) {
            (_, None) => Some(format!(
                "{from} -> {to}: module {to} is not in the layer table"
            )),
            (Some(low), Some(high)) if high > low => {
                Some(format!("{from} -> {to} goes up the layers"))
            }
            _ if to == "engine" && THROUGH_PROTOCOL.contains(&from) => Some(format!(
                "{from} -> engine: a client reads the engine's types through protocol"
            )),
            (Some(one), Some(other)) if one == other => {
                path_between(&same_layer, to, from).map(|back| {
                    format!(
                        "{from} -> {to} closes a cycle ({from} -> {})",
                        back.join(" -> ")
                    )
                })
            }
            _ => None,
        };
        if let Some(why) = why {
            violations.push((edge.file.clone(), edge.line, why));
        }
    }
    violations.sort();
    violations.dedup();
    violations
        .into_iter()
        .map(|(file, line, why)| match line {
            0 => format!("{file}: {why}"),
            line => format!("{file}:{line}: {why}"),
        })
        .collect()
}

/// A path of modules from `start` to `goal` along `graph`'s edges (both ends included), if
/// there is one.
fn path_between(
    graph: &BTreeMap<&str, BTreeSet<&str>>,
    start: &str,
    goal: &str,
) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = BTreeSet::from([start]);
    while let Some(at) = queue.pop_front() {
        if at == goal {
            let mut path = vec![goal.to_string()];
            let mut step = goal;
            while let Some(before) = came_from.get(step) {
                path.push(before.to_string());
                step = before;
            }
            path.reverse();
            return Some(path);
        }
        for next in graph.get(at).into_iter().flatten() {
            if seen.insert(next) {
                came_from.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    None
}

/// The module path of a file under `src/`: `src/sip/blf/mod.rs` is `sip::blf`,
/// `src/console/view/desk.rs` is `console::view::desk`; `None` for the crate roots.
fn module_path(file: &str) -> Option<Vec<String>> {
    let inside = file.strip_prefix("src/")?;
    if ROOTS.contains(&inside) {
        return None;
    }
    let mut parts: Vec<String> = inside.split('/').map(str::to_string).collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    (!parts.is_empty()).then_some(parts)
}

/// The top-level modules the code of a file at `path` names, with their lines.
fn references(path: &[String], text: &str) -> Vec<(usize, String)> {
    let tokens = tokens(&code_only(text));
    let mut found = Vec::new();
    // The brace depth at which each inline `mod name { … }` around this point opened: each
    // is one more `super` to climb before the crate root.
    let mut inline_modules: Vec<usize> = Vec::new();
    let mut braces = 0;
    for (i, (_, word)) in tokens.iter().enumerate() {
        let root_path = match word.as_str() {
            "{" => {
                braces += 1;
                if i >= 2 && is(&tokens, i - 2, "mod") {
                    inline_modules.push(braces);
                }
                None
            }
            "}" => {
                if inline_modules.last() == Some(&braces) {
                    inline_modules.pop();
                }
                braces = braces.saturating_sub(1);
                None
            }
            // `$crate` lexes as `$` then `crate`: either way a path from the crate root.
            "crate" if is(&tokens, i + 1, "::") => Some(i + 2),
            "super" if i == 0 || !is(&tokens, i - 1, "::") => {
                // `super::super::x`: climbing out of the top-level module reaches the root.
                let mut at = i;
                let mut climbs = 0;
                while is(&tokens, at, "super") && is(&tokens, at + 1, "::") {
                    climbs += 1;
                    at += 2;
                }
                (climbs >= path.len() + inline_modules.len()).then_some(at)
            }
            _ => None,
        };
        if let Some(next) = root_path {
            found.extend(names_at(&tokens, next));
        }
    }
    found
}

/// The module names a path from the crate root goes on to at `tokens[at]`: one ident, or
/// the first ident of each entry of a `{…}` group.
fn names_at(tokens: &[(usize, String)], at: usize) -> Vec<(usize, String)> {
    let Some((line, first)) = tokens.get(at) else {
        return Vec::new();
    };
    if first != "{" {
        return if is_ident(first) && first != "self" {
            vec![(*line, first.clone())]
        } else {
            Vec::new()
        };
    }
    let mut names = Vec::new();
    let mut depth = 0;
    let mut expect_name = true;
    for (line, token) in &tokens[at..] {
        match token.as_str() {
            "{" => {
                depth += 1;
                if depth > 1 {
                    expect_name = false;
                }
            }
            "}" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => expect_name = true,
            word if depth == 1 && expect_name => {
                if is_ident(word) && word != "self" {
                    names.push((*line, word.to_string()));
                }
                expect_name = false;
            }
            _ => {}
        }
    }
    names
}

fn is(tokens: &[(usize, String)], at: usize, text: &str) -> bool {
    tokens.get(at).is_some_and(|(_, t)| t == text)
}

fn is_ident(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The code split into identifiers, `::` and single punctuation characters, each with its
/// line (1-based).
fn tokens(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = c.to_string();
            while let Some(&n) = chars.peek() {
                if !(n.is_alphanumeric() || n == '_') {
                    break;
                }
                word.push(n);
                chars.next();
            }
            out.push((line, word));
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.push((line, "::".to_string()));
        } else if !c.is_whitespace() {
            out.push((line, c.to_string()));
        }
    }
    out
}

/// The text with comments (line, block, doc), string literals (plain, byte, raw) and
/// character literals blanked to spaces, keeping every newline so lines still count.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let ident_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if !ident_before && raw_string_start(&chars, i).is_some() {
            let (hashes, open) = raw_string_start(&chars, i).unwrap_or((0, i));
            for &ch in &chars[i..=open] {
                out.push(blank(ch));
            }
            i = open + 1;
            while i < chars.len() {
                let closes =
                    chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#'));
                if closes {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if let Some(path) = path_in_string(&chars, i) {
            // A string that is nothing but a path (serde's `with = "crate::protocol::time"`)
            // is code the compiler resolves: keep it.
            out.push(' ');
            out.push_str(&path);
            out.push(' ');
            i += path.chars().count() + 2;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() {
                match chars[i] {
                    '\\' => {
                        out.push(' ');
                        if let Some(&escaped) = chars.get(i + 1) {
                            out.push(blank(escaped));
                        }
                        i += 2;
                    }
                    '"' => {
                        out.push(' ');
                        i += 1;
                        break;
                    }
                    ch => {
                        out.push(blank(ch));
                        i += 1;
                    }
                }
            }
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal: `'\''`, `'\n'`, `'\u{a0}'`.
            out.push_str("  ");
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            // A one-character literal (`'"'`); a lifetime (`'a`) has no closing quote.
            out.push_str("   ");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The text of the string starting at `i` if it is only a path from the crate root
/// (`"crate::a::b"`).
fn path_in_string(chars: &[char], i: usize) -> Option<String> {
    if chars.get(i) != Some(&'"') {
        return None;
    }
    let text: String = chars[i + 1..].iter().take_while(|c| **c != '"').collect();
    let is_path = text.starts_with("crate::")
        && chars.get(i + 1 + text.chars().count()) == Some(&'"')
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ':');
    is_path.then_some(text)
}

/// Whether a raw string (`r"…"`, `r#"…"#`, `br"…"`) starts at `i`: its `#` count and the
/// index of its opening quote.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut at = i;
    if chars.get(at) == Some(&'b') {
        at += 1;
    }
    if chars.get(at) != Some(&'r') {
        return None;
    }
    at += 1;
    let mut hashes = 0;
    while chars.get(at) == Some(&'#') {
        hashes += 1;
        at += 1;
    }
    (chars.get(at) == Some(&'"')).then_some((hashes, at))
}

// The checker proven on small sources with known edges.

fn one(file: &str, text: &str) -> Vec<String> {
    check(&[(file.to_string(), text.to_string())])
}

#[test]
fn a_use_line_that_goes_up_is_reported_with_its_file_and_line() {
    let text =
        "//! The SIP side.\n\nuse crate::engine::Engine;\nuse crate::announcer::pack::SoundPack;\n";
    assert_eq!(
        one("src/sip/core.rs", text),
        ["src/sip/core.rs:4: sip -> announcer goes up the layers"]
    );
}

#[test]
fn an_inline_path_and_a_use_group_are_edges_too() {
    let text = "use crate::{console::App, engine::{Engine, Instant}, self};\n\
                fn f() { let _ = crate::cli::run(); }\n";
    assert_eq!(
        one("src/server/session.rs", text),
        [
            "src/server/session.rs:1: server -> console goes up the layers",
            "src/server/session.rs:2: server -> cli goes up the layers",
        ]
    );
}

#[test]
fn comments_doc_comments_strings_and_chars_are_not_edges() {
    let text = "//! Served by `crate::sim` for now.\n\
                /// See crate::cli.\n\
                // crate::console is above\n\
                /* crate::client /* nested */ crate::announcer */\n\
                const A: &str = \"uses crate::server::x\";\n\
                const B: &str = r#\"crate::sip \"quoted\" \"#;\n\
                const C: char = '\"'; const D: char = '\\''; fn e<'a>(x: &'a str) -> &'a str { x }\n\
                use crate::numbers::e164;\n";
    assert_eq!(one("src/engine/calls.rs", text), Vec::<String>::new());
}

#[test]
fn a_string_that_is_only_a_path_is_an_edge() {
    let text = "#[serde(with = \"crate::console::clock\")]\nstruct A;\n\
                const B: &str = \"see crate::cli::run\";\n";
    assert_eq!(
        one("src/protocol/objects.rs", text),
        ["src/protocol/objects.rs:1: protocol -> console goes up the layers"]
    );
}

#[test]
fn super_paths_that_climb_out_of_the_module_are_edges() {
    // From `sip::blf::x`, three supers reach the crate root; two stay inside `sip`.
    let text = "use super::super::legs::Leg;\nuse super::super::super::console::App;\n";
    assert_eq!(
        one("src/sip/blf/x.rs", text),
        ["src/sip/blf/x.rs:2: sip -> console goes up the layers"]
    );
}

#[test]
fn an_inline_module_is_one_more_super_to_climb() {
    // In `sip::tests` one super is `sip` itself and two reach the crate root; after the
    // inline module closes, one is enough again.
    let text = "pub fn helper() {}\n\
                #[cfg(test)]\n\
                mod tests {\n\
                    use super::{Thing, helper};\n\
                    use super::super::console::App;\n\
                }\n\
                use super::announcer::Audio;\n";
    assert_eq!(
        one("src/sip/mod.rs", text),
        [
            "src/sip/mod.rs:5: sip -> console goes up the layers",
            "src/sip/mod.rs:7: sip -> announcer goes up the layers",
        ]
    );
}

#[test]
fn two_modules_of_one_layer_that_use_each_other_close_a_cycle() {
    let sources = [
        (
            "src/engine/calls.rs".to_string(),
            "use crate::numbers::e164;\n".to_string(),
        ),
        (
            "src/numbers/inventory.rs".to_string(),
            "fn f(_: &mut crate::engine::User) {}\n".to_string(),
        ),
        (
            "src/store/mod.rs".to_string(),
            "use crate::protocol::Timestamp;\nuse crate::engine::Engine;\n".to_string(),
        ),
    ];
    assert_eq!(
        check(&sources),
        [
            "src/engine/calls.rs:1: engine -> numbers closes a cycle (engine -> numbers -> engine)",
            "src/numbers/inventory.rs:1: numbers -> engine closes a cycle (numbers -> engine -> numbers)",
        ]
    );
}

#[test]
fn a_client_that_names_the_engine_is_sent_to_the_protocol() {
    let text = "use crate::protocol::CallState;\nuse crate::engine::objects::ParkState;\n";
    assert_eq!(
        one("src/console/board.rs", text),
        [
            "src/console/board.rs:2: console -> engine: a client reads the engine's types through protocol"
        ]
    );
}

#[test]
fn a_module_missing_from_the_table_is_named() {
    assert_eq!(
        one("src/gadget/mod.rs", "use crate::engine::Engine;\n"),
        ["src/gadget/mod.rs: module gadget is not in the layer table"]
    );
    assert_eq!(
        one("src/cli/mod.rs", "use crate::gadget::Thing;\n"),
        ["src/cli/mod.rs:1: cli -> gadget: module gadget is not in the layer table"]
    );
}

#[test]
fn crate_roots_and_modules_using_themselves_are_not_edges() {
    assert!(one("src/lib.rs", "pub mod cli;\nuse crate::cli::x;\n").is_empty());
    assert!(
        one(
            "src/cli/admin.rs",
            "use crate::cli::x;\nuse crate::engine::y;\n"
        )
        .is_empty()
    );
}
