//! What the report says, before it is rendered: titled sections of rows, and the targets'
//! one-line summary. [`super::table`] turns a [`Report`] into plain text or Markdown.

use super::decimal;
use super::linux;
use super::metrics::Metrics;
use super::targets::{self, Target, Verdict};

/// The line above every report: what the numbers are.
pub const PREAMBLE: &str =
    "Instructions executed, counted by QEMU with -icount shift=0 (exact, the same on every run).";

/// How a column's cells line up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alignment {
    /// Flush left: names and words.
    Left,
    /// Flush right: numbers.
    Right,
}

/// One column: its header and alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header text.
    pub header: &'static str,
    /// How its cells line up.
    pub alignment: Alignment,
}

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A metric name or rule in the metrics' names (code in Markdown).
    Name(String),
    /// A number, already formatted.
    Number(String),
    /// Prose.
    Text(String),
    /// A count the run did not measure (`-`).
    Absent,
}

/// A titled table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The section's title.
    pub title: &'static str,
    /// Its columns.
    pub columns: Vec<Column>,
    /// Its rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The sections, in reading order.
    pub sections: Vec<Section>,
    /// The targets' verdict in one sentence.
    pub summary: String,
}

/// A left-aligned column.
const fn left(header: &'static str) -> Column {
    Column { header, alignment: Alignment::Left }
}

/// A right-aligned column.
const fn right(header: &'static str) -> Column {
    Column { header, alignment: Alignment::Right }
}

/// The header of the columns of Linux's figures ([`linux`]).
pub const LINUX_HEADER: &str = "Linux 6.1";

/// The columns of a section of single metrics.
const METRIC_COLUMNS: [Column; 4] =
    [left("metric"), right("instructions"), left("measures"), right(LINUX_HEADER)];

/// Linux's figure for the metric `name`, or absent when Linux has no such quantity.
fn linux_figure(name: &str) -> Cell {
    optional_count(linux::figure(name))
}

/// A known count as a cell.
fn count(value: u64) -> Cell {
    Cell::Number(value.to_string())
}

/// A count the run may have left out, as a cell.
fn optional_count(value: Option<u64>) -> Cell {
    value.map_or(Cell::Absent, count)
}

/// A row of a section of single metrics, with Linux's figure for the same metric.
fn metric_row(name: &str, value: Cell, measures: &str) -> Vec<Cell> {
    vec![Cell::Name(name.to_owned()), value, Cell::Text(measures.to_owned()), linux_figure(name)]
}

/// Builds the report of one run.
pub fn build(metrics: &Metrics) -> Report {
    let targets = targets::evaluate(metrics);
    let mut sections = vec![
        window_section(metrics),
        copy_section(metrics),
        syscall_section(metrics),
        boot_section(metrics),
        target_section(&targets),
    ];
    if !metrics.seccomp.is_empty() {
        sections.push(seccomp_section(metrics));
    }
    if let Some(section) = xpfo_section(metrics) {
        sections.push(section);
    }
    if metrics.other.keys().any(|name| !is_xpfo_metric(name)) {
        sections.push(other_section(metrics));
    }
    Report { sections, summary: summary(&targets) }
}

/// (1) The window and the single accesses.
fn window_section(metrics: &Metrics) -> Section {
    Section {
        title: "Uaccess window and single accesses",
        columns: METRIC_COLUMNS.to_vec(),
        rows: vec![
            metric_row(
                "window_open_close",
                count(metrics.window_open_close),
                "opening and closing the uaccess window (the DACR write sequence)",
            ),
            metric_row("get_user", count(metrics.get_user), "one 32-bit user load, whole helper"),
            metric_row("put_user", count(metrics.put_user), "one 32-bit user store, whole helper"),
        ],
    }
}

/// (2) The copies, one row per size, against memcpy and against pan=off.
fn copy_section(metrics: &Metrics) -> Section {
    let rows = metrics
        .copies
        .iter()
        .map(|copies| {
            let ratio = match (copies.copy_from_user, copies.memcpy) {
                (Some(copy), Some(memcpy)) => decimal::ratio(copy, memcpy),
                _ => None,
            };
            vec![
                Cell::Number(copies.size.to_string()),
                optional_count(copies.copy_from_user),
                optional_count(copies.copy_to_user),
                optional_count(copies.memcpy),
                ratio.map_or(Cell::Absent, Cell::Number),
                optional_count(copies.copy_from_user_pan_off),
                optional_count(copies.copy_to_user_pan_off),
                optional_count(copies.clear_user),
                linux_figure(&format!("copy_from_user_{}", copies.size)),
                linux_figure(&format!("memcpy_{}", copies.size)),
                linux_figure(&format!("clear_user_{}", copies.size)),
            ]
        })
        .collect();
    Section {
        title: "Copies (instructions per copy)",
        columns: vec![
            right("bytes"),
            right("copy_from_user"),
            right("copy_to_user"),
            right("memcpy"),
            right("from_user / memcpy"),
            right("from_user pan=off"),
            right("to_user pan=off"),
            right("clear_user"),
            right("Linux from_user"),
            right("Linux memcpy"),
            right("Linux clear_user"),
        ],
        rows,
    }
}

/// (3) System calls and scheduling.
fn syscall_section(metrics: &Metrics) -> Section {
    Section {
        title: "System calls and scheduling",
        columns: METRIC_COLUMNS.to_vec(),
        rows: vec![
            metric_row(
                "null_syscall_pan_on",
                count(metrics.null_syscall_pan_on),
                "getpid round trip from user mode, pan=on",
            ),
            metric_row(
                "null_syscall_pan_off",
                count(metrics.null_syscall_pan_off),
                "getpid round trip from user mode, pan=off",
            ),
            vec![
                Cell::Text("pan on - pan off".to_owned()),
                Cell::Number(targets::null_syscall_overhead(metrics).to_string()),
                Cell::Text("what PAN adds to a system call".to_owned()),
                Cell::Absent,
            ],
            metric_row(
                "invariant_checks",
                optional_count(metrics.invariant_checks),
                "the DACR invariant checks one system call runs",
            ),
            metric_row(
                "write_4096",
                optional_count(metrics.write_4096),
                "4 KiB through write() to the null device, which copies nothing (as Linux's)",
            ),
            metric_row(
                "console_write_path_4096",
                optional_count(metrics.console_write_path_4096),
                "4 KiB through the console's write path (a copy window per 256 bytes), UART aside",
            ),
            metric_row(
                "read_4096",
                optional_count(metrics.read_4096),
                "4 KiB through read() from the loopback device",
            ),
            metric_row(
                "sched_yield",
                optional_count(metrics.sched_yield),
                "a yield with nothing else runnable",
            ),
            metric_row(
                "context_switch",
                optional_count(metrics.context_switch),
                "a yield that switches, beyond a null system call",
            ),
            metric_row(
                "signal_round_trip",
                optional_count(metrics.signal_round_trip),
                "kill to itself, the signal frame, an empty handler, rt_sigreturn",
            ),
            metric_row(
                "execve",
                optional_count(metrics.execve),
                "execve of a program, from the call to the new program's first statement",
            ),
        ],
    }
}

/// (4) Boot.
fn boot_section(metrics: &Metrics) -> Section {
    Section {
        title: "Boot",
        columns: METRIC_COLUMNS.to_vec(),
        rows: vec![metric_row(
            "boot_to_user",
            count(metrics.boot_to_user),
            "from the first kernel instruction to the first user program's first statement",
        )],
    }
}

/// (5) The targets, each with its numbers and verdict.
fn target_section(targets: &[Target]) -> Section {
    Section {
        title: "Targets",
        columns: vec![
            left("target"),
            right("measured"),
            right("limit"),
            left("verdict"),
            left("reference"),
        ],
        rows: targets
            .iter()
            .map(|target| {
                vec![
                    Cell::Name(target.rule.to_owned()),
                    Cell::Number(target.measured.clone()),
                    Cell::Number(target.limit.clone()),
                    Cell::Text(target.verdict.to_string()),
                    Cell::Text(target.reference.to_owned()),
                ]
            })
            .collect(),
    }
}

/// (6) seccomp: a null system call under two filters against the same call before them, and
/// the interpreter's cost per filter instruction.
fn seccomp_section(metrics: &Metrics) -> Section {
    let seccomp = &metrics.seccomp;
    let overhead = |before, after| {
        targets::seccomp_overhead(before, after)
            .map_or(Cell::Absent, |added| Cell::Number(format!("{added:+}")))
    };
    let mut rows = vec![
        vec![
            Cell::Name("null_syscall_seccomp_allow_all".to_owned()),
            optional_count(seccomp.allow_all),
            optional_count(seccomp.before_allow_all),
            overhead(seccomp.before_allow_all, seccomp.allow_all),
            Cell::Text("getpid under RET ALLOW, against the same call before it".to_owned()),
        ],
        vec![
            Cell::Name("null_syscall_seccomp_allowlist".to_owned()),
            optional_count(seccomp.allowlist),
            optional_count(seccomp.before_allowlist),
            overhead(seccomp.before_allowlist, seccomp.allowlist),
            Cell::Text(
                "getpid under libseccomp's 20-rule allowlist (10 filter instructions run)"
                    .to_owned(),
            ),
        ],
        vec![
            Cell::Name("seccomp_filter_return".to_owned()),
            optional_count(seccomp.filter_return),
            Cell::Absent,
            Cell::Absent,
            Cell::Text("the interpreter running RET alone (the fixed cost of a run)".to_owned()),
        ],
    ];
    let per_instruction = targets::seccomp_per_instruction_hundredths(metrics);
    for ((kind, long), (_, cost)) in
        [("alu", seccomp.filter_alu), ("load", seccomp.filter_load), ("jump", seccomp.filter_jump)]
            .into_iter()
            .zip(per_instruction)
    {
        let what = match kind {
            "alu" => "1024 ADD K, then RET: per ALU instruction",
            "load" => "1024 LD W ABS, then RET: per load from seccomp_data",
            _ => "1024 JEQ K, then RET: per conditional jump",
        };
        rows.push(vec![
            Cell::Name(format!("seccomp_filter_{kind}")),
            optional_count(long),
            Cell::Absent,
            cost.map_or(Cell::Absent, |cost| Cell::Number(decimal::hundredths_text(cost))),
            Cell::Text(what.to_owned()),
        ]);
    }
    Section {
        title: "seccomp (instructions; the last three rows: per filter instruction)",
        columns: vec![
            left("metric"),
            right("instructions"),
            right("before the filter"),
            right("added"),
            left("measures"),
        ],
        rows,
    }
}

/// (7) The metrics this tool does not know, by name.
fn other_section(metrics: &Metrics) -> Section {
    Section {
        title: "Other metrics",
        columns: vec![left("metric"), right("instructions")],
        rows: metrics
            .other
            .iter()
            .filter(|(name, _)| !is_xpfo_metric(name))
            .map(|(name, value)| vec![Cell::Name(name.clone()), count(*value)])
            .collect(),
    }
}

/// The operations that give frames to a process and take them back, as the benchmark names
/// them (instructions; `NAME_tlbi` is the same operation's TLB invalidations, and every
/// figure has a `_xpfo_off` twin from an `xpfo=off` boot), with what each measures.
pub const XPFO_OPERATIONS: [(&str, &str); 5] = [
    ("map_unmap_user_page", "a fresh frame mapped in a user space and unmapped (kernel)"),
    ("map_unmap_65536", "16 frames mapped and unmapped, as mmap and munmap of 64 KiB do"),
    ("mmap_touch_munmap_65536", "mmap 64 KiB, write a word per page, munmap (from user mode)"),
    ("spawn_true", "spawn /bin/true and wait for it (from user mode)"),
    ("execve", "execve, from the call to the new image's first statement"),
];

/// True for a figure the ownership section shows (and the other metrics leave out).
fn is_xpfo_metric(name: &str) -> bool {
    name.ends_with("_xpfo_off")
        || name.ends_with("_tlbi")
        || name.ends_with("_frames")
        || XPFO_OPERATIONS.iter().any(|(operation, _)| name == *operation)
}

/// (8) What exclusive page-frame ownership costs: each operation with `xpfo=on` and
/// `xpfo=off`, in instructions and in TLB invalidations; absent when the run has none of it.
fn xpfo_section(metrics: &Metrics) -> Option<Section> {
    let known = |name: String| -> Option<u64> {
        match name.as_str() {
            "execve" => metrics.execve,
            _ => metrics.other.get(&name).copied(),
        }
    };
    let rows: Vec<Vec<Cell>> = XPFO_OPERATIONS
        .iter()
        .map(|(operation, measures)| {
            let on = known((*operation).to_owned());
            let off = known(format!("{operation}_xpfo_off"));
            let added = match (on, off) {
                (Some(on), Some(off)) => Cell::Number(format!("{:+}", on as i64 - off as i64)),
                _ => Cell::Absent,
            };
            vec![
                Cell::Name((*operation).to_owned()),
                optional_count(on),
                optional_count(off),
                added,
                optional_count(known(format!("{operation}_tlbi"))),
                optional_count(known(format!("{operation}_tlbi_xpfo_off"))),
                Cell::Text((*measures).to_owned()),
            ]
        })
        .collect();
    if !metrics.other.keys().any(|name| is_xpfo_metric(name)) {
        return None;
    }
    Some(Section {
        title: "Exclusive page-frame ownership (xpfo=on against xpfo=off)",
        columns: vec![
            left("operation"),
            right("xpfo=on"),
            right("xpfo=off"),
            right("added"),
            right("TLBI on"),
            right("TLBI off"),
            left("measures"),
        ],
        rows,
    })
}

/// `3 of 3 targets met.`, or which were missed and which not measured.
fn summary(targets: &[Target]) -> String {
    let with_verdict = |verdict: Verdict| -> Vec<&str> {
        targets
            .iter()
            .filter(|target| target.verdict == verdict)
            .map(|target| target.rule)
            .collect()
    };
    let met = with_verdict(Verdict::Met).len();
    let mut sentence = format!("{met} of {} targets met", targets.len());
    for (verdict, label) in [(Verdict::Missed, "missed"), (Verdict::NotMeasured, "not measured")] {
        let rules = with_verdict(verdict);
        if !rules.is_empty() {
            sentence.push_str(&format!("; {label}: {}", rules.join(", ")));
        }
    }
    sentence.push('.');
    sentence
}
