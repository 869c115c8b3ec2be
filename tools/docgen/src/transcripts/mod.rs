//! `docgen transcripts`: every console excerpt in the documentation comes from a real run, and stays
//! the output of one.
//!
//! An excerpt is a fenced block with the info string `console`, right after a marker that
//! says how to make it:
//!
//! ````markdown
//! <!-- transcript
//! run: qemu/run $KERNEL lkdtm=ACCESS_USERSPACE
//! from: ^lkdtm: Performing direct entry
//! to: ^---[ end trace
//! -->
//! ```console
//! lkdtm: Performing direct entry ACCESS_USERSPACE
//! ...
//! ```
//! ````
//!
//! The keys ([`spec`]): `run`, a bash command run from the project root with `KERNEL` set to
//! the kernel ELF; `status`, its expected exit status (default 0); `show`, a first line to
//! print before the output (the command a reader types, `$ make run CMDLINE=...`); and the
//! selection, applied in this order: `from` and `to` keep the lines from the first that
//! matches `from` through the first after it that matches `to`; every `grep` keeps only the
//! lines that match one of them; `head` keeps the first N lines and `tail` the last N (with
//! both, a `...` line stands for what is left out between them). A pattern matches a line that
//! contains it, or, with a leading `^`, a line that starts with the rest.
//!
//! [`document`] finds the excerpts in a Markdown file (a `console` block without a marker, or
//! a marker without its block, is an error: nothing escapes the check); [`run`] makes each
//! one; [`check`] compares, and [`update`] rewrites the blocks. The binary (`docgen transcripts
//! check|update [FILE...]`) and the integration test `tests/tests/transcripts.rs` use them.

pub mod document;
pub mod run;
pub mod spec;

use std::path::{Path, PathBuf};

pub use document::{Document, Excerpt};
pub use spec::Spec;

/// The Markdown files whose excerpts are checked, relative to the project root: README.md
/// and every `.md` under docs/.
pub fn default_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut stack = vec![root.join("docs")];
    while let Some(directory) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&directory) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|extension| extension == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// One excerpt that no longer matches what its command prints.
#[derive(Debug)]
pub struct Stale {
    /// Where: the file and the line of the marker.
    pub place: String,
    /// The command.
    pub command: String,
    /// What differs, in words.
    pub difference: String,
}

/// Runs every excerpt of `files` and reports those whose block differs from the fresh output
/// (or whose command failed). `root` is the project root, `kernel` the ELF for `$KERNEL`.
pub fn check(root: &Path, kernel: &Path, files: &[PathBuf]) -> Result<Vec<Stale>, String> {
    let documents = load(files)?;
    let jobs: Vec<(&Document, &Excerpt)> = documents
        .iter()
        .flat_map(|document| document.excerpts.iter().map(move |excerpt| (document, excerpt)))
        .collect();
    let outputs = run::all(root, kernel, jobs.iter().map(|(_, excerpt)| &excerpt.spec).collect());
    let mut stale = Vec::new();
    for ((document, excerpt), output) in jobs.iter().zip(outputs) {
        let place = format!("{}:{}", document.path.display(), excerpt.marker_line);
        match output {
            Ok(lines) if lines == excerpt.lines => {}
            Ok(lines) => stale.push(Stale {
                place,
                command: excerpt.spec.run.clone(),
                difference: describe_difference(&excerpt.lines, &lines),
            }),
            Err(error) => {
                stale.push(Stale { place, command: excerpt.spec.run.clone(), difference: error })
            }
        }
    }
    Ok(stale)
}

/// Runs every excerpt of `files` and writes the fresh output into the blocks. Returns the
/// number of excerpts rewritten, or the first command that failed (then nothing is written).
pub fn update(root: &Path, kernel: &Path, files: &[PathBuf]) -> Result<usize, String> {
    let documents = load(files)?;
    let specs = documents
        .iter()
        .flat_map(|document| document.excerpts.iter().map(|excerpt| &excerpt.spec))
        .collect();
    let mut outputs = run::all(root, kernel, specs).into_iter();
    let mut changed = 0;
    let mut rewritten = Vec::new();
    for document in &documents {
        let mut fresh = Vec::new();
        for excerpt in &document.excerpts {
            let lines =
                outputs.next().unwrap_or_else(|| Err("not run".to_string())).map_err(|error| {
                    format!("{}:{}: {error}", document.path.display(), excerpt.marker_line)
                })?;
            changed += usize::from(lines != excerpt.lines);
            fresh.push(lines);
        }
        rewritten.push((&document.path, document.with_blocks(&fresh)));
    }
    for (path, text) in rewritten {
        std::fs::write(path, text)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    Ok(changed)
}

fn load(files: &[PathBuf]) -> Result<Vec<Document>, String> {
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            Document::parse(path, &text).map_err(|error| format!("{}: {error}", path.display()))
        })
        .collect()
}

/// The first line where `documented` and `fresh` part, in words.
fn describe_difference(documented: &[String], fresh: &[String]) -> String {
    for (index, (old, new)) in documented.iter().zip(fresh).enumerate() {
        if old != new {
            return format!(
                "line {} of the excerpt differs:\n  documented: {old}\n  fresh:      {new}",
                index + 1
            );
        }
    }
    format!(
        "the excerpt has {} lines, a fresh run gives {}{}",
        documented.len(),
        fresh.len(),
        match fresh.get(documented.len()) {
            Some(next) => format!(" (first extra line: {next})"),
            None => String::new(),
        }
    )
}
