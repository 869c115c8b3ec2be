//! Helpers for the integration tests: boot the kernel ELF in QEMU through `qemu/run` and look
//! at what it printed and the exit status it set.
//!
//! The kernel is the one `make build` leaves at `target/armv7a-none-eabi/release/kernel`;
//! `make test` builds it first. Every boot runs under `qemu/run`'s timeout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The statuses a boot ends with, as QEMU's exit status: `swpan_abi::exit_status`
/// (abi/src/exit_status.rs), the one place they are defined.
pub mod status {
    use swpan_abi::{ExitStatus, exit_status};

    /// The job succeeded.
    pub const SUCCESS: i32 = ExitStatus::Success.code() as i32;
    /// The job found a failure.
    pub const FAILURE: i32 = ExitStatus::Failure.code() as i32;
    /// The command line was refused.
    pub const USAGE: i32 = ExitStatus::Usage.code() as i32;
    /// A panic or an unexpected exception.
    pub const FATAL: i32 = ExitStatus::Fatal.code() as i32;
    /// qemu/run killed QEMU at its timeout.
    pub const TIMEOUT: i32 = exit_status::TIMEOUT as i32;
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// The release kernel ELF.
pub fn kernel() -> PathBuf {
    let path = root().join("target/armv7a-none-eabi/release/kernel");
    assert!(path.is_file(), "no kernel at {}: run `make build` (or `make test`)", path.display());
    path
}

/// What `qemu/<script> KERNEL OUTPUT` writes to OUTPUT: the scripts that turn real boots into
/// generated files (the matrices, the benchmark figures). Fails the test if the script does.
pub fn generated_by(script: &str) -> String {
    let output = std::env::temp_dir().join(format!(
        "swpan-{script}-{}-{:?}.out",
        std::process::id(),
        std::thread::current().id()
    ));
    let status = Command::new(root().join("qemu").join(script))
        .arg(kernel())
        .arg(&output)
        .status()
        .unwrap_or_else(|error| panic!("cannot run qemu/{script}: {error}"));
    assert!(status.success(), "qemu/{script} failed");
    let text = std::fs::read_to_string(&output).unwrap();
    let _ = std::fs::remove_file(&output);
    text
}

/// What one boot did.
#[derive(Debug)]
pub struct Boot {
    /// The command line.
    pub command_line: String,
    /// QEMU's exit status.
    pub status: i32,
    /// The console output, with `\r\n` turned into `\n`.
    pub console: String,
    /// What qemu/run and QEMU printed on stderr.
    pub stderr: String,
}

impl Boot {
    /// The console lines.
    pub fn lines(&self) -> Vec<&str> {
        self.console.lines().collect()
    }

    /// What follows `lkdtm: NAME: ` on the one summary line the `lkdtm=` job printed for
    /// `name`; fails the test unless there is exactly one.
    pub fn lkdtm_summary(&self, name: &str) -> &str {
        let prefix = format!("lkdtm: {name}: ");
        let lines: Vec<&str> =
            self.lines().into_iter().filter(|line| line.starts_with(&prefix)).collect();
        assert_eq!(lines.len(), 1, "exactly one summary line for {name}:\n{self}");
        &lines[0][prefix.len()..]
    }

    /// What the `lkdtm=` job printed for each run of crash type `name`, in order: the lines
    /// from `lkdtm: Performing direct entry NAME` through its summary line `lkdtm: NAME: ...`.
    /// Fails the test if a run has no summary line.
    pub fn lkdtm_sections(&self, name: &str) -> Vec<Vec<&str>> {
        let start = format!("lkdtm: Performing direct entry {name}");
        let end = format!("lkdtm: {name}: ");
        let lines = self.lines();
        let mut sections = Vec::new();
        for (index, _) in lines.iter().enumerate().filter(|(_, line)| **line == start) {
            let length = lines[index..]
                .iter()
                .position(|line| line.starts_with(&end))
                .unwrap_or_else(|| panic!("no summary line after {start:?}:\n{self}"));
            let section = lines[index..=index + length].to_vec();
            assert!(
                !section[1..].iter().any(|line| line.starts_with("lkdtm: Performing direct entry")),
                "the run of {name} ended without its summary line:\n{self}"
            );
            sections.push(section);
        }
        sections
    }

    /// [`Boot::lkdtm_sections`] for a crash type run once: fails unless there is exactly one.
    pub fn lkdtm_section(&self, name: &str) -> Vec<&str> {
        let mut sections = self.lkdtm_sections(name);
        assert_eq!(sections.len(), 1, "exactly one run of {name}:\n{self}");
        sections.remove(0)
    }

    /// True when some line is exactly `line`.
    pub fn has_line(&self, line: &str) -> bool {
        self.console.lines().any(|candidate| candidate == line)
    }

    /// How many lines are exactly `line`.
    pub fn count_lines(&self, line: &str) -> usize {
        self.console.lines().filter(|candidate| *candidate == line).count()
    }

    /// Panics with the whole console unless exactly `count` lines are exactly `line`.
    pub fn assert_line_count(&self, line: &str, count: usize) -> &Self {
        assert_eq!(
            self.count_lines(line),
            count,
            "`{}`: how many lines are {line:?}:\n{}",
            self.command_line,
            self
        );
        self
    }

    /// Panics with the whole console unless the exit status is `expected`.
    pub fn assert_status(&self, expected: i32) -> &Self {
        assert_eq!(self.status, expected, "exit status of `{}`:\n{}", self.command_line, self);
        self
    }

    /// Panics with the whole console unless it contains `text`.
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.console.contains(text),
            "`{}` did not print {text:?}:\n{}",
            self.command_line,
            self
        );
        self
    }

    /// Panics with the whole console unless some line is exactly `line`.
    pub fn assert_line(&self, line: &str) -> &Self {
        assert!(
            self.has_line(line),
            "`{}` did not print the line {line:?}:\n{}",
            self.command_line,
            self
        );
        self
    }

    /// Panics if the console contains `text`.
    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.console.contains(text),
            "`{}` printed {text:?}:\n{}",
            self.command_line,
            self
        );
        self
    }
}

impl std::fmt::Display for Boot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "--- console (status {}) ---", self.status)?;
        f.write_str(&self.console)?;
        writeln!(f, "--- stderr ---")?;
        f.write_str(&self.stderr)
    }
}

/// Options for one boot.
#[derive(Clone, Debug, Default)]
pub struct BootOptions<'a> {
    /// Bytes piped to the console.
    pub input: &'a [u8],
    /// Extra qemu/run options (`--hyp`, `--icount`).
    pub run_options: &'a [&'a str],
    /// Timeout in seconds (default 60).
    pub timeout: Option<u32>,
}

/// Boots the kernel with `command_line` and nothing on the console's input.
pub fn boot(command_line: &str) -> Boot {
    boot_with(command_line, &BootOptions::default())
}

/// Boots the kernel with `command_line` and `options`.
pub fn boot_with(command_line: &str, options: &BootOptions<'_>) -> Boot {
    boot_image_with(&kernel(), command_line, options)
}

/// Boots the kernel ELF at `image` (a copy of the kernel elsewhere) with `command_line` and
/// `options`.
pub fn boot_image_with(image: &Path, command_line: &str, options: &BootOptions<'_>) -> Boot {
    let timeout = options.timeout.unwrap_or(60).to_string();
    let mut child = Command::new(root().join("qemu/run"))
        .arg("--timeout")
        .arg(&timeout)
        .args(options.run_options)
        .arg(image)
        .args(command_line.split_ascii_whitespace())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qemu/run starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = options.input.to_vec();
    let writer = std::thread::spawn(move || {
        // QEMU may exit before reading everything: a broken pipe is not an error here.
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("qemu/run runs");
    let _ = writer.join();
    Boot {
        command_line: command_line.to_string(),
        status: output.status.code().unwrap_or(-1),
        console: String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// One KTAP result line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KtapResult {
    /// The test number.
    pub number: usize,
    /// `ok` (true) or `not ok`.
    pub ok: bool,
    /// The description.
    pub name: String,
    /// The directive after `#`, if any.
    pub directive: Option<String>,
}

/// A parsed KTAP version 1 report.
#[derive(Clone, Debug, Default)]
pub struct Ktap {
    /// The plan's count (`1..N`).
    pub plan: usize,
    /// The result lines, in order.
    pub results: Vec<KtapResult>,
    /// The diagnostic lines (`# ...`), without the `# `.
    pub diagnostics: Vec<String>,
    /// The reason after `Bail out!`, if the run bailed out.
    pub bail_out: Option<String>,
}

/// Parses the KTAP part of a console: from `KTAP version 1` to the end. Lines that are not
/// KTAP (kernel messages) are left out; a malformed KTAP line is an error.
pub fn parse_ktap(console: &str) -> Result<Ktap, String> {
    let mut lines = console.lines().skip_while(|line| *line != "KTAP version 1");
    if lines.next().is_none() {
        return Err("no `KTAP version 1` line".into());
    }
    let plan_line = lines.next().ok_or("no plan line")?;
    let plan = plan_line
        .strip_prefix("1..")
        .and_then(|count| count.parse().ok())
        .ok_or_else(|| format!("bad plan line {plan_line:?}"))?;
    let mut ktap = Ktap { plan, ..Ktap::default() };
    for line in lines {
        if let Some(diagnostic) = line.strip_prefix("# ") {
            ktap.diagnostics.push(diagnostic.to_string());
        } else if let Some(reason) = line.strip_prefix("Bail out!") {
            ktap.bail_out = Some(reason.trim().to_string());
        } else if let Some(rest) = line
            .strip_prefix("ok ")
            .map(|rest| (true, rest))
            .or_else(|| line.strip_prefix("not ok ").map(|rest| (false, rest)))
        {
            let (ok, rest) = rest;
            let (number, description) =
                rest.split_once(' ').ok_or_else(|| format!("bad result line {line:?}"))?;
            let number = number.parse().map_err(|_| format!("bad test number in {line:?}"))?;
            let (name, directive) = match description.split_once(" # ") {
                Some((name, directive)) => (name, Some(directive.to_string())),
                None => (description, None),
            };
            ktap.results.push(KtapResult { number, ok, name: name.to_string(), directive });
        }
    }
    Ok(ktap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ktap_is_parsed() {
        let console = "banner\nKTAP version 1\n1..3\nok 1 a.b\n# c.d: got 1, expected 2\nnot ok 2 c.d\nkernel line\nnot ok 3 e # unexpected exception\nBail out! unexpected exception\n";
        let ktap = parse_ktap(console).unwrap();
        assert_eq!(ktap.plan, 3);
        assert_eq!(ktap.results.len(), 3);
        assert_eq!(
            ktap.results[0],
            KtapResult { number: 1, ok: true, name: "a.b".into(), directive: None }
        );
        assert!(!ktap.results[1].ok);
        assert_eq!(ktap.results[2].directive.as_deref(), Some("unexpected exception"));
        assert_eq!(ktap.diagnostics, vec!["c.d: got 1, expected 2".to_string()]);
        assert_eq!(ktap.bail_out.as_deref(), Some("unexpected exception"));
    }

    #[test]
    fn malformed_ktap_is_refused() {
        assert!(parse_ktap("nothing").is_err());
        assert!(parse_ktap("KTAP version 1\n1..x\n").is_err());
        assert!(parse_ktap("KTAP version 1\n1..1\nok one\n").is_err());
    }
}
