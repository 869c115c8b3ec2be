//! The kernel's layers, checked from its source: `arch/` imports nothing above the CPU, and no
//! two kernel modules import each other, directly or around a loop (docs/architecture.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use swpan_tests::root;

/// What `arch/` may name with `crate::`: itself and the hardware facts below it.
const ARCH_MAY_IMPORT: [&str; 3] = ["arch", "domain", "memory_map"];

/// `crate::` names that are macros exported at the crate root, and the module defining each.
const MACROS: [(&str, &str); 3] =
    [("println", "console"), ("print", "console"), ("ro_after_init", "mm")];

/// The top-level module a source file belongs to (`kernel/src/mm/vmalloc.rs` -> `mm`).
fn module_of(file: &Path, source_root: &Path) -> Option<String> {
    let relative = file.strip_prefix(source_root).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The top-level modules `source` names through `crate::` paths, `use crate::{a, b::c}` groups
/// included, comments left out.
fn imports(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = item.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() && name != "self" {
                    names.insert(name.to_string());
                }
            }
        } else {
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            MACROS.iter().find(|(alias, _)| *alias == name).map_or(name, |(_, m)| m.to_string())
        })
        .collect()
}

/// Every kernel module and the modules it imports.
fn kernel_graph() -> BTreeMap<String, BTreeSet<String>> {
    let source_root = root().join("kernel/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pending = vec![source_root.clone()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).expect("kernel/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let Some(module) = module_of(&path, &source_root) else { continue };
                let source = std::fs::read_to_string(&path).expect("a readable source file");
                let edges = graph.entry(module.clone()).or_default();
                edges.extend(imports(&source).into_iter().filter(|name| *name != module));
            }
        }
    }
    graph
}

/// A loop of imports, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|on_path| on_path == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_import_scanner_sees_paths_groups_and_macros() {
    let source = "use crate::arch::mmu;\nuse crate::{oops, process::Pid, self};\n\
                  crate::println!(\"x\"); // crate::syscall in a comment\n";
    let found: Vec<String> = imports(source).into_iter().collect();
    assert_eq!(found, ["arch", "console", "oops", "process"]);
    let mut looped = BTreeMap::new();
    looped.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    looped.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(find_cycle(&looped), Some(vec!["a".into(), "b".into(), "a".into()]));
}

#[test]
fn arch_imports_nothing_above_the_cpu() {
    let graph = kernel_graph();
    let arch = graph.get("arch").expect("kernel/src/arch exists");
    let above: Vec<&String> =
        arch.iter().filter(|name| !ARCH_MAY_IMPORT.contains(&name.as_str())).collect();
    assert!(above.is_empty(), "arch/ imports {above:?}; it may import only {ARCH_MAY_IMPORT:?}");
}

/// The rows of the picture in docs/architecture.md: each module and its row number.
fn documented_rows() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(root().join("docs/architecture.md"))
        .expect("docs/architecture.md is readable");
    let start = text.find("<!-- layers:begin").expect("a layers:begin marker");
    let end = text.find("<!-- layers:end -->").expect("a layers:end marker");
    let mut rows = BTreeMap::new();
    for line in text[start..end].lines() {
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let [row, modules, _what] = fields[..] else { continue };
        let Ok(row) = row.parse::<u32>() else { continue };
        for module in modules.split(',') {
            let previous = rows.insert(module.trim().to_string(), row);
            assert!(previous.is_none(), "{module} stands on two rows of the picture");
        }
    }
    rows
}

#[test]
fn every_import_points_down_the_documented_picture() {
    let graph = kernel_graph();
    let rows = documented_rows();
    let missing: Vec<&String> = graph.keys().filter(|module| !rows.contains_key(*module)).collect();
    assert!(missing.is_empty(), "modules missing from docs/architecture.md: {missing:?}");
    let gone: Vec<&String> = rows.keys().filter(|module| !graph.contains_key(*module)).collect();
    assert!(gone.is_empty(), "docs/architecture.md names modules that do not exist: {gone:?}");
    let mut upward = Vec::new();
    for (module, imported) in &graph {
        for target in imported.iter().filter(|target| rows.contains_key(*target)) {
            if rows[target] >= rows[module] {
                upward.push(format!(
                    "{module} (row {}) imports {target} (row {})",
                    rows[module], rows[target]
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that do not point down the picture:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_two_kernel_modules_import_each_other() {
    let graph = kernel_graph();
    assert!(graph.len() > 20, "the scan found the kernel's modules: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle: {}", cycle.join(" -> "));
    }
}
