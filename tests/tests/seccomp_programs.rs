//! seccomp from user mode: strict mode through `syscall --strict`, Linux's selftests
//! (`/bin/seccomp_bpf`), and filters compiled on the host by libseccomp
//! (tests/libseccomp_filters.py, python3-seccomp) run under `/bin/sandbox`, each outcome
//! checked against what the rule that produced it says. Most cases share one boot:
//! `sandbox --script` runs one sandbox command line per console line, each in a child.

use std::io::Write;
use std::process::{Command, Stdio};
use swpan_abi::seccomp::{self as abi, SockFilter, bpf};
use swpan_tests::{Boot, BootOptions, boot, boot_with, parse_ktap, status};

/// SIGSYS: what KILL_THREAD, KILL_PROCESS and an unhandled TRAP end a process with.
const SIGSYS: u32 = 31;

/// A libseccomp action.
#[derive(Clone, Copy, Debug)]
enum Action {
    Allow,
    Kill,
    KillProcess,
    Trap,
    Log,
    Errno(u32),
}

impl Action {
    /// How tests/libseccomp_filters.py spells it.
    fn libseccomp(self) -> String {
        match self {
            Action::Allow => "ALLOW".into(),
            Action::Kill => "KILL".into(),
            Action::KillProcess => "KILL_PROCESS".into(),
            Action::Trap => "TRAP".into(),
            Action::Log => "LOG".into(),
            Action::Errno(errno) => format!("ERRNO({errno})"),
        }
    }

    /// The filter's return value (include/uapi/linux/seccomp.h).
    fn value(self) -> u32 {
        match self {
            Action::Allow => abi::RET_ALLOW,
            Action::Kill => abi::RET_KILL_THREAD,
            Action::KillProcess => abi::RET_KILL_PROCESS,
            Action::Trap => abi::RET_TRAP,
            Action::Log => abi::RET_LOG,
            Action::Errno(errno) => abi::RET_ERRNO | errno,
        }
    }
}

/// An argument comparison (libseccomp's `Arg`): on ARM, of the argument's 32 bits.
#[derive(Clone, Copy, Debug)]
enum Compare {
    Eq(u32),
    Ne(u32),
    Gt(u32),
    Ge(u32),
    Lt(u32),
    Le(u32),
    MaskedEq(u32, u32),
}

impl Compare {
    fn holds(self, value: u32) -> bool {
        match self {
            Compare::Eq(datum) => value == datum,
            Compare::Ne(datum) => value != datum,
            Compare::Gt(datum) => value > datum,
            Compare::Ge(datum) => value >= datum,
            Compare::Lt(datum) => value < datum,
            Compare::Le(datum) => value <= datum,
            Compare::MaskedEq(mask, datum) => value & mask == datum,
        }
    }

    fn json(self, index: usize) -> String {
        let (operator, values) = match self {
            Compare::Eq(datum) => ("EQ", format!("{datum}")),
            Compare::Ne(datum) => ("NE", format!("{datum}")),
            Compare::Gt(datum) => ("GT", format!("{datum}")),
            Compare::Ge(datum) => ("GE", format!("{datum}")),
            Compare::Lt(datum) => ("LT", format!("{datum}")),
            Compare::Le(datum) => ("LE", format!("{datum}")),
            Compare::MaskedEq(mask, datum) => ("MASKED_EQ", format!("{mask}, {datum}")),
        };
        format!("[{index}, \"{operator}\", {values}]")
    }
}

/// One libseccomp rule: `action` for system call `name` (ARM number `number`) when every
/// comparison holds.
struct Rule {
    action: Action,
    name: &'static str,
    number: u32,
    args: Vec<(usize, Compare)>,
}

fn rule(action: Action, name: &'static str, number: u32, args: &[(usize, Compare)]) -> Rule {
    Rule { action, name, number, args: args.to_vec() }
}

/// A libseccomp filter: its rules (one per system call) and default action.
struct Filter {
    default: Action,
    rules: Vec<Rule>,
}

impl Filter {
    fn json(&self) -> String {
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|rule| {
                let args: Vec<String> =
                    rule.args.iter().map(|(index, compare)| compare.json(*index)).collect();
                format!(
                    "{{\"action\": \"{}\", \"syscall\": \"{}\", \"args\": [{}]}}",
                    rule.action.libseccomp(),
                    rule.name,
                    args.join(", ")
                )
            })
            .collect();
        format!(
            "{{\"default\": \"{}\", \"rules\": [{}]}}",
            self.default.libseccomp(),
            rules.join(", ")
        )
    }

    /// What the rules say of call `number` with `args`.
    fn verdict(&self, number: u32, args: &[u32; 6]) -> u32 {
        self.rules
            .iter()
            .find(|rule| {
                rule.number == number
                    && rule.args.iter().all(|(index, compare)| compare.holds(args[*index]))
            })
            .map_or(self.default, |rule| rule.action)
            .value()
    }
}

/// What a stack of filters (installed first to last) says: each runs, newest first; the
/// lowest action wins, and on a tie the newest filter's data.
fn chain_verdict(filters: &[&Filter], number: u32, args: &[u32; 6]) -> u32 {
    let mut verdict = abi::RET_ALLOW;
    for filter in filters.iter().rev() {
        let candidate = filter.verdict(number, args);
        if ((candidate & abi::ACTION_FULL) as i32) < ((verdict & abi::ACTION_FULL) as i32) {
            verdict = candidate;
        }
    }
    verdict
}

/// How `syscall NR ARGS` run under a verdict ends: the line it prints (or None when it dies)
/// and the sandbox script's closing line for it.
fn expected_end(number: u32, verdict: u32) -> (Option<String>, String) {
    let data = verdict & abi::DATA;
    match verdict & abi::ACTION_FULL {
        abi::RET_ALLOW | abi::RET_LOG => {
            (Some(format!("syscall: {number} returned ")), "exited with status 0".into())
        }
        abi::RET_ERRNO if data == 0 => {
            (Some(format!("syscall: {number} returned 0")), "exited with status 0".into())
        }
        abi::RET_ERRNO => {
            let errno = data.min(4095);
            let name = swpan_abi::Errno::from_number(errno).map_or("unknown", |errno| errno.name());
            (
                Some(format!("syscall: {number} failed: errno {errno} ({name})")),
                "exited with status 1".into(),
            )
        }
        _ => (None, format!("killed by signal {SIGSYS} (SIGSYS)")),
    }
}

/// Compiles `filters` with libseccomp for ARM; their hex, in order.
fn compile(filters: &[&Filter]) -> Vec<String> {
    let specification =
        format!("[{}]", filters.iter().map(|filter| filter.json()).collect::<Vec<_>>().join(", "));
    let output = python(&["compile"], &specification);
    let hex: Vec<String> = output.lines().map(str::to_string).collect();
    assert_eq!(hex.len(), filters.len(), "one program per filter:\n{output}");
    hex
}

/// Runs tests/libseccomp_filters.py with the host's python3-seccomp (`make test` installs it).
fn python(arguments: &[&str], input: &str) -> String {
    let script = swpan_tests::root().join("tests/libseccomp_filters.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(&script)
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 runs (Debian package python3-seccomp: `make test` installs it)");
    child.stdin.take().expect("piped").write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{} failed (is python3-seccomp installed?):\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Boots `init=sandbox -- --script` with one command line per case; the boot and, per case,
/// its lines (those its child printed, then the script's closing line).
fn run_script(lines: &[String]) -> (Boot, Vec<Vec<String>>) {
    let mut input = lines.join("\n");
    input.push_str("\nend\n");
    let options = BootOptions { input: input.as_bytes(), timeout: Some(120), ..Default::default() };
    let run = boot_with("init=sandbox -- --script", &options);
    run.assert_line("init: sandbox exited with status 0");
    let mut cases = vec![Vec::new()];
    let start = run.console.find("Command line:").unwrap_or(0);
    for line in run.console[start..].lines().skip(1) {
        let closing = format!("sandbox: [{}] ", cases.len());
        cases.last_mut().unwrap().push(line.to_string());
        if line.starts_with(&closing) {
            cases.push(Vec::new());
        }
    }
    cases.pop();
    assert_eq!(cases.len(), lines.len(), "one closing line per case:\n{run}");
    (run, cases)
}

/// The closing line of case `index` (from 0) without its `sandbox: [N] ` prefix.
fn closing(cases: &[Vec<String>], index: usize) -> &str {
    let last = cases[index].last().unwrap();
    &last[format!("sandbox: [{}] ", index + 1).len()..]
}

fn syscall_words(number: u32, args: &[u32; 6]) -> String {
    let used = args.iter().rposition(|&value| value != 0).map_or(0, |last| last + 1);
    let mut words = vec![number.to_string()];
    words.extend(args[..used].iter().map(|value| format!("{value:#x}")));
    words.join(" ")
}

const GETPID: u32 = 20;
const SCHED_YIELD: u32 = 158;
const GETUID32: u32 = 199;
const GETGID32: u32 = 200;
const GETEUID32: u32 = 201;
const GETEGID32: u32 = 202;

/// The filters the cases stack: every action, every comparison, default actions other than
/// ALLOW, and the calls sandbox and syscall themselves need (execve, write, exit) allowed
/// where the default would stop them.
fn filters() -> Vec<Filter> {
    use Action::*;
    use Compare::*;
    let base = |default, extra: Vec<Rule>| {
        let mut rules = vec![
            rule(Allow, "execve", 11, &[]),
            rule(Allow, "write", 4, &[]),
            rule(Allow, "exit", 1, &[]),
        ];
        rules.extend(extra);
        Filter { default, rules }
    };
    vec![
        // 0: a rule with a comparison for each operator.
        Filter {
            default: Allow,
            rules: vec![
                rule(Errno(7), "getpid", GETPID, &[(0, Eq(5))]),
                rule(Kill, "getuid32", GETUID32, &[(1, Ne(3))]),
                rule(Trap, "getgid32", GETGID32, &[(0, Gt(100))]),
                rule(Errno(9), "geteuid32", GETEUID32, &[(2, Le(10))]),
                rule(KillProcess, "getegid32", GETEGID32, &[(0, MaskedEq(0xf0, 0x30))]),
                rule(Errno(1), "sched_yield", SCHED_YIELD, &[(4, Lt(9)), (5, Ge(0x8000_0000))]),
            ],
        },
        // 1: an allowlist whose default is an errno.
        base(
            Errno(13),
            vec![
                rule(Log, "getpid", GETPID, &[]),
                rule(Allow, "getuid32", GETUID32, &[(0, Ge(7))]),
            ],
        ),
        // 2: an allowlist whose default kills the process.
        base(
            KillProcess,
            vec![rule(Allow, "getpid", GETPID, &[]), rule(Trap, "getuid32", GETUID32, &[])],
        ),
        // 3: everything logged, getpid's errno 0.
        Filter { default: Log, rules: vec![rule(Errno(0), "getpid", GETPID, &[])] },
        // 4, 5, 6: for stacking.
        Filter { default: Allow, rules: vec![rule(Errno(11), "getpid", GETPID, &[])] },
        Filter {
            default: Allow,
            rules: vec![
                rule(Errno(12), "getpid", GETPID, &[]),
                rule(Log, "getuid32", GETUID32, &[]),
            ],
        },
        Filter { default: Allow, rules: vec![rule(Trap, "getuid32", GETUID32, &[])] },
        // 7: the largest errno libseccomp takes (4094; above that the kernel caps the data at
        // 4095, which the selftest ERRNO_capped checks) and a default kill of the thread.
        base(
            Kill,
            vec![rule(Errno(4094), "getpid", GETPID, &[]), rule(Allow, "getgid32", GETGID32, &[])],
        ),
    ]
}

/// Each case: the filters stacked (indices into [`filters`], installed in order) and a call.
fn calls() -> Vec<(Vec<usize>, u32, [u32; 6])> {
    let mut calls = Vec::new();
    let mut add = |stack: &[usize], number, args: &[u32]| {
        let mut all = [0u32; 6];
        all[..args.len()].copy_from_slice(args);
        calls.push((stack.to_vec(), number, all));
    };
    // Each comparison on both sides of its boundary.
    add(&[0], GETPID, &[5]);
    add(&[0], GETPID, &[6]);
    add(&[0], GETUID32, &[0, 3]);
    add(&[0], GETUID32, &[0, 4]);
    for value in [100, 101, u32::MAX] {
        add(&[0], GETGID32, &[value]);
    }
    for value in [10, 11, 0] {
        add(&[0], GETEUID32, &[0, 0, value]);
    }
    for value in [0x3f, 0x4f, 0x1234_5635] {
        add(&[0], GETEGID32, &[value]);
    }
    add(&[0], SCHED_YIELD, &[0, 0, 0, 0, 8, 0x8000_0000]);
    add(&[0], SCHED_YIELD, &[0, 0, 0, 0, 9, 0x8000_0000]);
    add(&[0], SCHED_YIELD, &[0, 0, 0, 0, 8, 0x7fff_ffff]);
    // Default actions.
    add(&[1], GETPID, &[]);
    add(&[1], GETUID32, &[7]);
    add(&[1], GETUID32, &[6]);
    add(&[1], GETGID32, &[]);
    add(&[2], GETPID, &[]);
    add(&[2], GETUID32, &[]);
    add(&[2], GETGID32, &[]);
    add(&[3], GETPID, &[]);
    add(&[3], GETGID32, &[]);
    add(&[7], GETPID, &[]);
    add(&[7], GETGID32, &[]);
    add(&[7], GETUID32, &[]);
    // Stacks: the lowest action wins, the newest filter's data on a tie.
    add(&[4, 5], GETPID, &[]);
    add(&[5, 4], GETPID, &[]);
    add(&[5, 6], GETUID32, &[]);
    add(&[6, 5], GETUID32, &[]);
    add(&[0, 4], GETPID, &[5]);
    add(&[3, 5], GETPID, &[]);
    calls
}

#[test]
fn libseccomp_filters_do_what_their_rules_say() {
    let filters = filters();
    let hex = compile(&filters.iter().collect::<Vec<_>>());
    // The model the outcomes are checked against, pinned on a few cases.
    let verdict = |stack: &[usize], number, args: [u32; 6]| {
        chain_verdict(
            &stack.iter().map(|&index| &filters[index]).collect::<Vec<_>>(),
            number,
            &args,
        )
    };
    assert_eq!(verdict(&[0], GETPID, [5, 0, 0, 0, 0, 0]), abi::RET_ERRNO | 7);
    assert_eq!(verdict(&[0], GETGID32, [100, 0, 0, 0, 0, 0]), abi::RET_ALLOW);
    assert_eq!(verdict(&[4, 5], GETPID, [0; 6]), abi::RET_ERRNO | 12);
    assert_eq!(verdict(&[5, 4], GETPID, [0; 6]), abi::RET_ERRNO | 11);
    assert_eq!(verdict(&[5, 6], GETUID32, [0; 6]), abi::RET_TRAP);

    let calls = calls();
    let lines: Vec<String> = calls
        .iter()
        .map(|(stack, number, args)| {
            let options: Vec<String> =
                stack.iter().map(|&index| format!("--filter={}", hex[index])).collect();
            format!("{} -- syscall {}", options.join(" "), syscall_words(*number, args))
        })
        .collect();
    let (run, cases) = run_script(&lines);
    let mut failures = Vec::new();
    for (index, (stack, number, args)) in calls.iter().enumerate() {
        let (printed, end) = expected_end(*number, verdict(stack, *number, *args));
        let case = &cases[index];
        let printed_ok = match &printed {
            Some(prefix) => case.iter().any(|line| line.starts_with(prefix.as_str())),
            None => !case.iter().any(|line| line.starts_with("syscall: ")),
        };
        // LOG: the kernel's audit record for the call (signal 0), as Linux's seccomp_log writes.
        let logged = format!(" sig=0 arch=40000028 syscall={number} ");
        let logged_ok = verdict(stack, *number, *args) & abi::ACTION_FULL != abi::RET_LOG
            || case
                .iter()
                .any(|line| line.starts_with("audit: type=1326 ") && line.contains(&logged));
        if !printed_ok || !logged_ok || closing(&cases, index) != end {
            failures.push(format!(
                "case {} (filters {stack:?}, syscall {}): expected {printed:?} and {end:?}, got {case:?}",
                index + 1,
                syscall_words(*number, args)
            ));
        }
    }
    assert!(failures.is_empty(), "{}\n{run}", failures.join("\n"));
    run.assert_lacks("Oops");
}

#[test]
fn a_libseccomp_filter_on_the_command_line_as_the_issue_gives_it() {
    let filters = filters();
    let hex = compile(&[&filters[4]]);
    let run = boot(&format!("init=sandbox -- --filter={} -- syscall 20", hex[0]));
    run.assert_line("syscall: 20 failed: errno 11 (EAGAIN)");
    run.assert_line("init: syscall exited with status 1");
    run.assert_status(status::FAILURE);
}

/// Programs the kernel must refuse with EINVAL, one per rule of Linux's checker
/// (bpf_check_classic, then seccomp's own list of instructions).
fn malformed() -> Vec<(&'static str, Vec<SockFilter>)> {
    let statement = SockFilter::statement;
    let jump = SockFilter::jump;
    let allow = statement(bpf::RET | bpf::K, abi::RET_ALLOW);
    let load = |k| statement(bpf::LD | bpf::W | bpf::ABS, k);
    let with_allow = |instruction| vec![instruction, allow];
    vec![
        ("an opcode classic BPF lacks", with_allow(statement(0xffff, 0))),
        ("an ALU opcode classic BPF lacks", with_allow(statement(bpf::ALU | 0xf0, 0))),
        ("division by a constant 0", with_allow(statement(bpf::ALU | bpf::DIV | bpf::K, 0))),
        ("a left shift by 32", with_allow(statement(bpf::ALU | bpf::LSH | bpf::K, 32))),
        ("a right shift by 32", with_allow(statement(bpf::ALU | bpf::RSH | bpf::K, 32))),
        ("a store to scratch word 16", with_allow(statement(bpf::ST, 16))),
        ("a store of X to scratch word 16", with_allow(statement(bpf::STX, 16))),
        ("a jump past the end", with_allow(statement(bpf::JMP | bpf::JA, 1))),
        ("a true branch past the end", with_allow(jump(bpf::JMP | bpf::JEQ | bpf::K, 0, 1, 0))),
        ("a false branch past the end", with_allow(jump(bpf::JMP | bpf::JGT | bpf::X, 0, 0, 1))),
        ("no RET at the end", vec![allow, load(0)]),
        (
            "a scratch word read before any write",
            vec![statement(bpf::LD | bpf::MEM, 3), statement(bpf::RET | bpf::A, 0)],
        ),
        (
            "a scratch word written on one path only",
            vec![
                load(0),
                jump(bpf::JMP | bpf::JEQ | bpf::K, 20, 0, 1),
                statement(bpf::ST, 2),
                statement(bpf::LDX | bpf::MEM, 2),
                allow,
            ],
        ),
        (
            "MOD, which seccomp does not take",
            with_allow(statement(bpf::ALU | bpf::MOD | bpf::K, 3)),
        ),
        ("a half-word load", with_allow(statement(bpf::LD | bpf::H | bpf::ABS, 0))),
        ("a byte load", with_allow(statement(bpf::LD | bpf::B | bpf::ABS, 0))),
        ("an indirect load", with_allow(statement(bpf::LD | bpf::W | bpf::IND, 0))),
        ("BPF_MSH", with_allow(statement(bpf::LDX | bpf::B | bpf::MSH, 0))),
        ("an unaligned load", with_allow(load(2))),
        ("a load past seccomp_data", with_allow(load(64))),
    ]
}

fn hex(filter: &[SockFilter]) -> String {
    filter
        .iter()
        .flat_map(|instruction| instruction.to_le_bytes())
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[test]
fn sandbox_refuses_malformed_programs_and_malformed_command_lines() {
    let malformed = malformed();
    let mut lines: Vec<String> =
        malformed.iter().map(|(_, filter)| format!("--filter={} -- true", hex(filter))).collect();
    // A valid program with the instructions the checker accepts runs.
    let valid = [
        statement(bpf::LD | bpf::LEN, 0),
        statement(bpf::ST, 0),
        statement(bpf::LDX | bpf::MEM, 0),
        statement(bpf::MISC | bpf::TXA, 0),
        SockFilter::jump(bpf::JMP | bpf::JEQ | bpf::K, 64, 1, 0),
        statement(bpf::RET | bpf::K, abi::RET_KILL_PROCESS),
        statement(bpf::RET | bpf::K, abi::RET_ALLOW),
    ];
    lines.push(format!("--filter={} -- syscall 20", hex(&valid)));
    let usage = [
        ("--filter=abc -- true", "sandbox: --filter: an odd number of hex digits"),
        ("--filter=zz00000000000000 -- true", "sandbox: --filter: not a hex digit at offset 0"),
        (
            "--filter=06000000 -- true",
            "sandbox: --filter: not a whole number of instructions (16 hex digits each)",
        ),
        ("--filter= -- true", "sandbox: --filter: the filter is empty"),
        ("--bogus -- true", "sandbox: unknown option '--bogus'"),
        ("--strict", "sandbox: no PROGRAM (after '--')"),
        (
            "--policy=nosuch -- true",
            "sandbox: no policy 'nosuch'; the policies are: no-network-no-exec stdio",
        ),
    ];
    lines.extend(usage.iter().map(|(line, _)| line.to_string()));
    let (run, cases) = run_script(&lines);
    for (index, (what, _)) in malformed.iter().enumerate() {
        assert!(
            cases[index].iter().any(|line| line == "sandbox: seccomp: errno 22 (EINVAL)")
                && closing(&cases, index) == "exited with status 1",
            "{what}: {:?}\n{run}",
            cases[index]
        );
    }
    let valid_case = malformed.len();
    assert!(
        cases[valid_case].iter().any(|line| line.starts_with("syscall: 20 returned "))
            && closing(&cases, valid_case) == "exited with status 0",
        "the valid program: {:?}",
        cases[valid_case]
    );
    for (offset, (line, message)) in usage.iter().enumerate() {
        let index = valid_case + 1 + offset;
        assert!(
            cases[index].iter().any(|printed| printed == message)
                && closing(&cases, index) == "exited with status 2",
            "`{line}`: {:?}",
            cases[index]
        );
    }
}

fn statement(code: u16, k: u32) -> SockFilter {
    SockFilter::statement(code, k)
}

#[test]
fn the_built_in_policies_do_what_their_tables_say() {
    let lines: Vec<String> = [
        "--policy=no-network-no-exec --dump",
        "--policy=no-network-no-exec -- syscall 281 2 1 0",
        "--policy=no-network-no-exec -- syscall 20",
        "--policy=no-network-no-exec -- syscall 11 0 0 0",
        "--policy=stdio -- syscall 4 1 0 0",
        "--policy=stdio -- syscall 20",
        // Strict mode allows no execve: the sandbox dies exec'ing.
        "--strict -- true",
        // Root has CAP_SYS_ADMIN: a filter without no_new_privs is accepted.
        "--no-nnp --policy=stdio -- syscall 4 1 0 0",
    ]
    .map(String::from)
    .to_vec();
    let (run, cases) = run_script(&lines);
    // The table's numbers are libseccomp's for the names it gives.
    let table: Vec<(String, String)> = cases[0]
        .iter()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let (name, number) = (words.next()?, words.next()?);
            number.parse::<u32>().ok().map(|_| (name.to_string(), number.to_string()))
        })
        .collect();
    assert_eq!(table.len(), 15, "{run}");
    let names: Vec<&str> = table.iter().map(|(name, _)| name.as_str()).collect();
    let resolved = python(&[&["resolve"], names.as_slice()].concat(), "");
    for ((name, number), line) in table.iter().zip(resolved.lines()) {
        assert_eq!(line, format!("{name} {number}"), "libseccomp's number for {name}");
    }
    let expect = |index: usize, printed: Option<&str>, end: &str| {
        assert_eq!(closing(&cases, index), end, "`{}`\n{run}", lines[index]);
        if let Some(printed) = printed {
            assert!(
                cases[index].iter().any(|line| line.starts_with(printed)),
                "`{}`\n{run}",
                lines[index]
            );
        }
    };
    expect(1, Some("syscall: 281 failed: errno 1 (EPERM)"), "exited with status 1");
    expect(2, Some("syscall: 20 returned "), "exited with status 0");
    expect(3, None, "killed by signal 31 (SIGSYS)");
    expect(4, Some("syscall: 4 returned 0"), "exited with status 0");
    expect(5, None, "killed by signal 31 (SIGSYS)");
    expect(6, None, "killed by signal 9 (SIGKILL)");
    expect(7, Some("syscall: 4 returned 0"), "exited with status 0");
}

#[test]
fn strict_mode_allows_write_and_kills_anything_else() {
    let run = boot("init=syscall -- --strict 20");
    run.assert_line("init: syscall killed by signal 9 (SIGKILL)");
    run.assert_lacks("syscall: 20 returned");
    run.assert_status(status::FAILURE);
    let run = boot("init=syscall -- --strict 4 1 0 0");
    run.assert_line("syscall: 4 returned 0");
    run.assert_line("init: syscall exited with status 0");
    run.assert_status(status::SUCCESS);
}

#[test]
fn linux_s_seccomp_selftests_pass() {
    let run =
        boot_with("init=seccomp_bpf", &BootOptions { timeout: Some(120), ..Default::default() });
    let ktap = parse_ktap(&run.console).unwrap_or_else(|error| panic!("{error}\n{run}"));
    assert!(ktap.plan >= 40, "the plan counts every ported case:\n{run}");
    assert_eq!(ktap.results.len(), ktap.plan, "a result for every case of the plan:\n{run}");
    for (index, result) in ktap.results.iter().enumerate() {
        assert_eq!(result.number, index + 1, "{run}");
    }
    let failed: Vec<&str> = ktap
        .results
        .iter()
        .filter(|result| !result.ok)
        .map(|result| result.name.as_str())
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}\n{run}");
    assert!(ktap.results.iter().any(|result| result.name == "global.mode_strict_support"), "{run}");
    run.assert_line("init: seccomp_bpf exited with status 0");
    run.assert_status(status::SUCCESS);
    run.assert_lacks("Oops");
}

#[test]
fn a_trap_s_siginfo_reaches_the_handler_and_the_call_returns_its_first_argument() {
    // ld [0]; jeq #20, 0, 1; ret TRAP|0x42; ret ALLOW
    let filter = "200000000000000015000001140000000600000042000300060000000000ff7f";
    let run = boot(&format!("init=sandbox -- --filter={filter} -- syscall --sigsys 20 7"));
    let line = run
        .console
        .lines()
        .find(|line| line.starts_with("syscall: SIGSYS "))
        .unwrap_or_else(|| panic!("no SIGSYS line:\n{run}"));
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    let value = |name: &str| {
        let at = fields.iter().position(|field| *field == name).expect(name);
        fields[at + 1]
    };
    assert_eq!(value("si_code"), "1", "{line}");
    assert_eq!(fields[4], "(SYS_SECCOMP)", "{line}");
    assert_eq!(value("si_errno"), "66", "{line}");
    assert_eq!(value("si_syscall"), "20", "{line}");
    assert_eq!(value("si_arch"), "0x40000028", "{line}");
    let call_address = u32::from_str_radix(&value("si_call_addr")[2..], 16).expect("hex");
    assert!((0x0010_0000..0x4000_0000).contains(&call_address), "{line}");
    // The call was skipped with r0 rolled back: it "returns" its first argument.
    run.assert_line("syscall: 20 returned 7");
}
