//! Parsing the command line into what the kernel will do: pure, host-tested.

use core::fmt;

/// What the kernel does after booting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job<'a> {
    /// The default: the guided tour (`make run`).
    Tour,
    /// Run the in-kernel self-tests and print KTAP.
    SelfTest,
    /// Run the interactive shell.
    Shell,
    /// Run the named lkdtm crash types, comma-separated, each in a fresh process.
    Lkdtm(&'a str),
    /// Run one embedded user program as the first process, powering off with its verdict.
    Init(&'a str),
    /// Run the benchmarks.
    Bench(BenchMode),
    /// Fuzz the system calls: `count` calls from seed `seed`.
    Fuzz {
        /// The seed.
        seed: u64,
        /// How many calls.
        count: u64,
    },
}

/// What the benchmarks measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchMode {
    /// Instruction counts, for a boot under `-icount shift=0`.
    Instructions,
    /// Wall-clock time of system calls, for a boot without `-icount`.
    Wall,
}

impl BenchMode {
    const NAMES: &'static [(&'static str, BenchMode)] =
        &[("instructions", BenchMode::Instructions), ("wall", BenchMode::Wall)];
}

/// A fault provoked on purpose, for the integration tests of the failure paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestHook {
    /// Add a self-test that fails, to prove a failing self-test fails the run.
    FailingSelfTest,
    /// Panic right after boot.
    Panic,
    /// Panic inside the panic handler's output, to exercise the re-entry guard.
    NestedPanic,
    /// Execute an undefined instruction in kernel mode with nobody expecting it.
    UndefinedInstruction,
    /// Spin forever with interrupts masked, to prove the runner's timeout.
    Hang,
    /// Read a mapped user page from kernel mode outside any window: the oops report.
    Oops,
    /// A child's system call faults on an unmapped kernel address inside an open window, as
    /// a buggy copy routine would: the oops must not leave the window open.
    OopsInWindow,
    /// A child's system call faults while it holds the process table lock: the oops must
    /// end in a panic with a message, never a hang.
    OopsUnderLock,
    /// With a second CPU online: CPU 1 reads a vmalloc page, CPU 0 unmaps it, CPU 1 reads it
    /// again (which must fault: the unmapping's TLB invalidation reached every CPU).
    TlbShootdown,
    /// With a second CPU online: a process on CPU 1 copies through its window while CPU 0,
    /// with that process's user half mapped, reads the same user page: every read must be a
    /// domain fault (CPU 1's open window is CPU 1's alone).
    WindowPerCpu,
}

impl TestHook {
    const NAMES: &'static [(&'static str, TestHook)] = &[
        ("failing-selftest", TestHook::FailingSelfTest),
        ("panic", TestHook::Panic),
        ("nested-panic", TestHook::NestedPanic),
        ("undefined-instruction", TestHook::UndefinedInstruction),
        ("hang", TestHook::Hang),
        ("oops", TestHook::Oops),
        ("oops-in-window", TestHook::OopsInWindow),
        ("oops-under-lock", TestHook::OopsUnderLock),
        ("tlb-shootdown", TestHook::TlbShootdown),
        ("window-per-cpu", TestHook::WindowPerCpu),
    ];
}

/// How much the kernel logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Errors and warnings.
    Warn,
    /// The normal boot log.
    Info,
    /// Everything the kernel explains about itself.
    Debug,
}

impl LogLevel {
    const NAMES: &'static [(&'static str, LogLevel)] = &[
        ("error", LogLevel::Error),
        ("warn", LogLevel::Warn),
        ("info", LogLevel::Info),
        ("debug", LogLevel::Debug),
    ];
}

/// The parsed command line. Every field has a default, so an empty line is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandLine<'a> {
    /// The main job.
    pub job: Job<'a>,
    /// Emulated PAN: user memory is out of the kernel's reach outside the uaccess window.
    pub pan: bool,
    /// Hardware PXN: the kernel can never execute user pages.
    pub pxn: bool,
    /// Exclusive page-frame ownership: frames a process owns leave the kernel's linear map.
    pub xpfo: bool,
    /// The log level.
    pub log_level: LogLevel,
    /// Reading the kernel log needs CAP_SYSLOG (Linux's `kernel.dmesg_restrict`).
    pub dmesg_restrict: bool,
    /// How `%pK` kernel addresses show to readers of the log (Linux's `kernel.kptr_restrict`):
    /// 0 real, 1 zeros without CAP_SYSLOG, 2 always zeros.
    pub kptr_restrict: u8,
    /// At most this many CPUs run (Linux's `maxcpus=`): CPU 0 and, of the others the board
    /// has, those numbered below it.
    pub max_cpus: u8,
    /// The deliberately vulnerable operations driver (`vulnerable=ops`), for teaching only:
    /// a system call that follows a user pointer to an operations table and calls through it.
    pub vulnerable_ops: bool,
    /// A failure path to exercise, for tests only.
    pub test_hook: Option<TestHook>,
    /// The words after the first `--`: the arguments of the `init=` program (argv[1] on),
    /// separated by ASCII whitespace (see [`CommandLine::init_arguments`]).
    pub init_arguments: &'a str,
}

impl<'a> CommandLine<'a> {
    /// The `init=` program's arguments after its name, as Linux passes the words after `--`
    /// on its command line to init.
    pub fn init_arguments(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.init_arguments.split_ascii_whitespace()
    }
}

impl Default for CommandLine<'_> {
    fn default() -> Self {
        CommandLine {
            job: Job::Tour,
            pan: true,
            pxn: true,
            xpfo: true,
            log_level: LogLevel::Info,
            dmesg_restrict: true,
            kptr_restrict: 1,
            max_cpus: MAX_CPUS,
            vulnerable_ops: false,
            test_hook: None,
            init_arguments: "",
        }
    }
}

/// One key the command line accepts, for the error message and `help`.
pub struct KeyInfo {
    /// The key.
    pub key: &'static str,
    /// Its value syntax, empty for a flag.
    pub value: &'static str,
    /// What it does.
    pub help: &'static str,
}

/// The most CPUs the kernel runs on: vexpress-a15's cluster has four.
pub const MAX_CPUS: u8 = 4;

/// Every key, in the order the error message lists them.
pub const KEYS: &[KeyInfo] = &[
    KeyInfo { key: "tour", value: "", help: "the guided tour (the default job)" },
    KeyInfo { key: "selftest", value: "", help: "run the in-kernel self-tests (KTAP)" },
    KeyInfo { key: "shell", value: "", help: "the interactive shell" },
    KeyInfo {
        key: "lkdtm",
        value: "=NAME[,NAME...]",
        help: "run lkdtm crash types, one process each",
    },
    KeyInfo {
        key: "init",
        value: "=PROGRAM [-- ARG...]",
        help: "run one user program (/bin/PROGRAM), exit with its verdict",
    },
    KeyInfo { key: "fuzz", value: "=SEED,COUNT", help: "COUNT random system calls from SEED" },
    KeyInfo {
        key: "bench",
        value: "=instructions|wall",
        help: "the benchmarks (instructions: under -icount)",
    },
    KeyInfo { key: "pan", value: "=on|off", help: "emulated PAN through the DACR (default on)" },
    KeyInfo { key: "pxn", value: "=on|off", help: "hardware PXN on user pages (default on)" },
    KeyInfo {
        key: "xpfo",
        value: "=on|off",
        help: "user-owned frames leave the kernel's linear map (default on)",
    },
    KeyInfo { key: "loglevel", value: "=error|warn|info|debug", help: "log level (default info)" },
    KeyInfo {
        key: "dmesg_restrict",
        value: "=0|1",
        help: "1: reading the kernel log needs CAP_SYSLOG (default 1)",
    },
    KeyInfo {
        key: "kptr_restrict",
        value: "=0|1|2",
        help: "%pK addresses in the log: 1 zeros without CAP_SYSLOG, 2 zeros (default 1)",
    },
    KeyInfo {
        key: "maxcpus",
        value: "=1|2|3|4",
        help: "bring up at most this many of the board's CPUs (default 4)",
    },
    KeyInfo {
        key: "vulnerable",
        value: "=ops",
        help: "a deliberately vulnerable driver, for teaching only (default: none)",
    },
    KeyInfo {
        key: "test",
        value: "=failing-selftest|panic|nested-panic|undefined-instruction|hang|oops",
        help: "reserved for the integration tests",
    },
];

/// Why a command line was refused. Each variant names the word at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error<'a> {
    /// A key nobody knows.
    UnknownKey(&'a str),
    /// A known key with a value it does not accept.
    BadValue {
        /// The key.
        key: &'static str,
        /// The value given (empty when the key needs one and none was given).
        value: &'a str,
        /// What the key accepts.
        expected: &'static str,
    },
    /// A flag given a value (`selftest=1`).
    UnexpectedValue(&'static str),
    /// Two keys that each choose the main job.
    ConflictingJobs(&'a str, &'a str),
    /// The same key twice.
    Repeated(&'static str),
    /// Words after `--` (init's arguments) with no `init=` to take them.
    ArgumentsWithoutInit,
}

impl fmt::Display for Error<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownKey(key) => write!(f, "unknown key '{key}'"),
            Error::BadValue { key, value: "", expected } => {
                write!(f, "key '{key}' needs a value: {key}{expected}")
            }
            Error::BadValue { key, value, expected } => {
                write!(f, "bad value '{value}' for key '{key}': expected {key}{expected}")
            }
            Error::UnexpectedValue(key) => write!(f, "key '{key}' takes no value"),
            Error::ConflictingJobs(first, second) => {
                write!(f, "'{first}' and '{second}' both choose the main job: give one")
            }
            Error::Repeated(key) => write!(f, "key '{key}' given twice"),
            Error::ArgumentsWithoutInit => {
                write!(f, "the words after '--' are init's arguments: give init=PROGRAM")
            }
        }
    }
}

/// Splits a line at its first `--` word: (the kernel's words, init's arguments).
fn split_init_arguments(line: &str) -> (&str, Option<&str>) {
    let separator = line.split_ascii_whitespace().find(|&word| word == "--");
    match separator {
        Some(word) => {
            // `word` is a slice of `line`: its offset there.
            let start = word.as_ptr() as usize - line.as_ptr() as usize;
            (&line[..start], Some(&line[start + word.len()..]))
        }
        None => (line, None),
    }
}

/// Parses a command line. Words are separated by ASCII whitespace; the words after the first
/// `--` are the `init=` program's arguments.
pub fn parse(line: &str) -> Result<CommandLine<'_>, Error<'_>> {
    let mut parsed = CommandLine::default();
    let mut job_word: Option<&str> = None;
    let mut seen = [false; KEYS.len()];
    let (line, init_arguments) = split_init_arguments(line);

    for word in line.split_ascii_whitespace() {
        let (key, value) = match word.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (word, None),
        };
        let index = KEYS.iter().position(|info| info.key == key).ok_or(Error::UnknownKey(key))?;
        let info = &KEYS[index];
        if core::mem::replace(&mut seen[index], true) {
            return Err(Error::Repeated(info.key));
        }

        let job = match info.key {
            "tour" => {
                flag(info, value)?;
                Some(Job::Tour)
            }
            "selftest" => {
                flag(info, value)?;
                Some(Job::SelfTest)
            }
            "shell" => {
                flag(info, value)?;
                Some(Job::Shell)
            }
            "lkdtm" => Some(Job::Lkdtm(required(info, value)?)),
            "init" => Some(Job::Init(required(info, value)?)),
            "bench" => Some(Job::Bench(lookup(info, value, BenchMode::NAMES)?)),
            "fuzz" => {
                let text = required(info, value)?;
                let bad = Error::BadValue { key: info.key, value: text, expected: info.value };
                let (seed, count) = text.split_once(',').ok_or(bad)?;
                match (seed.parse(), count.parse()) {
                    (Ok(seed), Ok(count)) if count > 0 => Some(Job::Fuzz { seed, count }),
                    _ => return Err(bad),
                }
            }
            "pan" => {
                parsed.pan = on_off(info, value)?;
                None
            }
            "pxn" => {
                parsed.pxn = on_off(info, value)?;
                None
            }
            "xpfo" => {
                parsed.xpfo = on_off(info, value)?;
                None
            }
            "loglevel" => {
                parsed.log_level = lookup(info, value, LogLevel::NAMES)?;
                None
            }
            "dmesg_restrict" => {
                parsed.dmesg_restrict = lookup(info, value, &[("0", false), ("1", true)])?;
                None
            }
            "kptr_restrict" => {
                parsed.kptr_restrict = lookup(info, value, &[("0", 0), ("1", 1), ("2", 2)])?;
                None
            }
            "maxcpus" => {
                parsed.max_cpus = lookup(info, value, &[("1", 1), ("2", 2), ("3", 3), ("4", 4)])?;
                None
            }
            "vulnerable" => {
                parsed.vulnerable_ops = lookup(info, value, &[("ops", true)])?;
                None
            }
            "test" => {
                parsed.test_hook = Some(lookup(info, value, TestHook::NAMES)?);
                None
            }
            _ => unreachable!("every key in KEYS has a match arm"),
        };
        if let Some(job) = job {
            if let Some(first) = job_word {
                return Err(Error::ConflictingJobs(first, word));
            }
            job_word = Some(word);
            parsed.job = job;
        }
    }
    if let Some(arguments) = init_arguments {
        if !matches!(parsed.job, Job::Init(_)) {
            return Err(Error::ArgumentsWithoutInit);
        }
        parsed.init_arguments = arguments.trim();
    }
    Ok(parsed)
}

fn flag<'a>(info: &KeyInfo, value: Option<&'a str>) -> Result<(), Error<'a>> {
    match value {
        None => Ok(()),
        Some(_) => Err(Error::UnexpectedValue(info.key)),
    }
}

fn required<'a>(info: &KeyInfo, value: Option<&'a str>) -> Result<&'a str, Error<'a>> {
    match value {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(Error::BadValue { key: info.key, value: "", expected: info.value }),
    }
}

fn on_off<'a>(info: &KeyInfo, value: Option<&'a str>) -> Result<bool, Error<'a>> {
    lookup(info, value, &[("on", true), ("off", false)])
}

fn lookup<'a, T: Copy>(
    info: &KeyInfo,
    value: Option<&'a str>,
    table: &[(&str, T)],
) -> Result<T, Error<'a>> {
    let value = required(info, value)?;
    table
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, meaning)| *meaning)
        .ok_or(Error::BadValue { key: info.key, value, expected: info.value })
}

/// SYS_GET_CMDLINE returns "<kernel path> <-append string>": the part after the first word.
pub fn without_program_name(semihosting_line: &str) -> &str {
    let line = semihosting_line.trim_start();
    match line.find(|c: char| c.is_ascii_whitespace()) {
        Some(end) => line[end..].trim(),
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;

    #[test]
    fn empty_line_is_the_default() {
        assert_eq!(parse(""), Ok(CommandLine::default()));
        assert_eq!(parse("   "), Ok(CommandLine::default()));
        let default = CommandLine::default();
        assert_eq!(default.job, Job::Tour);
        assert!(default.pan && default.pxn);
    }

    #[test]
    fn flags_and_values() {
        let line = parse("selftest loglevel=debug").unwrap();
        assert_eq!(line.job, Job::SelfTest);
        assert_eq!(line.log_level, LogLevel::Debug);
        let line = parse("  loglevel=warn\ttest=panic ").unwrap();
        assert_eq!(line.job, Job::Tour);
        assert_eq!(line.log_level, LogLevel::Warn);
    }

    #[test]
    fn protections() {
        let line = parse("pan=off pxn=on").unwrap();
        assert!(!line.pan && line.pxn);
        let line = parse("pxn=off").unwrap();
        assert!(line.pan && !line.pxn);
        assert!(line.xpfo, "xpfo is on by default");
        let line = parse("xpfo=off pan=on").unwrap();
        assert!(!line.xpfo && line.pan && line.pxn);
        assert_eq!(parse("xpfo=on xpfo=off"), Err(Error::Repeated("xpfo")));
        assert_eq!(
            parse("xpfo=1"),
            Err(Error::BadValue { key: "xpfo", value: "1", expected: "=on|off" })
        );
        assert_eq!(
            parse("pan=maybe"),
            Err(Error::BadValue { key: "pan", value: "maybe", expected: "=on|off" })
        );
        assert_eq!(
            parse("pxn"),
            Err(Error::BadValue { key: "pxn", value: "", expected: "=on|off" })
        );
        assert_eq!(parse("pan=on pan=off"), Err(Error::Repeated("pan")));
    }

    #[test]
    fn maxcpus_limits_the_cpus_brought_up() {
        assert_eq!(parse("").unwrap().max_cpus, 4);
        assert_eq!(parse("maxcpus=1").unwrap().max_cpus, 1);
        assert_eq!(parse("selftest maxcpus=3").unwrap().max_cpus, 3);
        assert_eq!(
            parse("maxcpus=5"),
            Err(Error::BadValue { key: "maxcpus", value: "5", expected: "=1|2|3|4" })
        );
        assert_eq!(
            parse("maxcpus=0"),
            Err(Error::BadValue { key: "maxcpus", value: "0", expected: "=1|2|3|4" })
        );
    }

    #[test]
    fn the_vulnerable_driver_is_off_unless_asked_for() {
        assert!(!parse("").unwrap().vulnerable_ops);
        assert!(!parse("pan=off pxn=off xpfo=off").unwrap().vulnerable_ops);
        let line = parse("vulnerable=ops pan=off init=sh").unwrap();
        assert!(line.vulnerable_ops && !line.pan);
        assert_eq!(
            parse("vulnerable=all"),
            Err(Error::BadValue { key: "vulnerable", value: "all", expected: "=ops" })
        );
        assert_eq!(
            parse("vulnerable"),
            Err(Error::BadValue { key: "vulnerable", value: "", expected: "=ops" })
        );
        assert_eq!(parse("vulnerable=ops vulnerable=ops"), Err(Error::Repeated("vulnerable")));
    }

    #[test]
    fn test_hooks() {
        assert_eq!(parse("test=panic").unwrap().test_hook, Some(TestHook::Panic));
        assert_eq!(
            parse("selftest test=failing-selftest").unwrap().test_hook,
            Some(TestHook::FailingSelfTest)
        );
        assert_eq!(
            parse("test=undefined-instruction").unwrap().test_hook,
            Some(TestHook::UndefinedInstruction)
        );
        assert_eq!(parse("test=oops-in-window").unwrap().test_hook, Some(TestHook::OopsInWindow));
        assert_eq!(parse("test=oops-under-lock").unwrap().test_hook, Some(TestHook::OopsUnderLock));
    }

    #[test]
    fn unknown_key_is_named() {
        assert_eq!(parse("selftest bogus=1"), Err(Error::UnknownKey("bogus")));
        assert_eq!(parse("SELFTEST"), Err(Error::UnknownKey("SELFTEST")));
        assert_eq!(parse("=on"), Err(Error::UnknownKey("")));
    }

    #[test]
    fn bad_values_are_named() {
        let expected = "=error|warn|info|debug";
        assert_eq!(
            parse("loglevel=maybe"),
            Err(Error::BadValue { key: "loglevel", value: "maybe", expected })
        );
        assert_eq!(
            parse("loglevel"),
            Err(Error::BadValue { key: "loglevel", value: "", expected })
        );
        assert_eq!(
            parse("loglevel="),
            Err(Error::BadValue { key: "loglevel", value: "", expected })
        );
        assert!(matches!(
            parse("test=bogus"),
            Err(Error::BadValue { key: "test", value: "bogus", .. })
        ));
        assert!(matches!(
            parse("loglevel=loud"),
            Err(Error::BadValue { key: "loglevel", value: "loud", .. })
        ));
        assert_eq!(parse("selftest=yes"), Err(Error::UnexpectedValue("selftest")));
    }

    #[test]
    fn jobs() {
        assert_eq!(parse("shell").unwrap().job, Job::Shell);
        assert_eq!(parse("tour pan=off").unwrap().job, Job::Tour);
        let line = parse("pxn=off lkdtm=ACCESS_USERSPACE,EXEC_USERSPACE").unwrap();
        assert_eq!(line.job, Job::Lkdtm("ACCESS_USERSPACE,EXEC_USERSPACE"));
        assert!(matches!(parse("lkdtm="), Err(Error::BadValue { key: "lkdtm", value: "", .. })));
        assert!(matches!(parse("lkdtm"), Err(Error::BadValue { key: "lkdtm", .. })));
        assert_eq!(parse("selftest lkdtm=X"), Err(Error::ConflictingJobs("selftest", "lkdtm=X")));
        assert_eq!(parse("shell=1"), Err(Error::UnexpectedValue("shell")));
        assert_eq!(parse("fuzz=7,200000").unwrap().job, Job::Fuzz { seed: 7, count: 200_000 });
        assert_eq!(parse("init=usertest").unwrap().job, Job::Init("usertest"));
        assert_eq!(parse("bench=wall").unwrap().job, Job::Bench(BenchMode::Wall));
        assert_eq!(
            parse("bench=instructions pan=off").unwrap().job,
            Job::Bench(BenchMode::Instructions)
        );
        assert!(matches!(parse("bench"), Err(Error::BadValue { key: "bench", value: "", .. })));
        assert!(matches!(parse("bench=fast"), Err(Error::BadValue { key: "bench", .. })));
        assert!(matches!(parse("init="), Err(Error::BadValue { key: "init", value: "", .. })));
        assert_eq!(parse("init=a shell"), Err(Error::ConflictingJobs("init=a", "shell")));
        for bad in ["fuzz=7", "fuzz=x,5", "fuzz=7,0", "fuzz=7,-1", "fuzz=,5"] {
            assert!(matches!(parse(bad), Err(Error::BadValue { key: "fuzz", .. })), "{bad}");
        }
    }

    #[test]
    fn words_after_the_separator_are_init_s_arguments() {
        let line = parse("init=capsh -- --user=nobody -- -c status").unwrap();
        assert_eq!(line.job, Job::Init("capsh"));
        let words: std::vec::Vec<&str> = line.init_arguments().collect();
        assert_eq!(words, ["--user=nobody", "--", "-c", "status"]);
        let line = parse("pan=off init=sh -- -c status pan=on").unwrap();
        assert!(!line.pan, "words after -- are not the kernel's");
        assert_eq!(line.init_arguments().collect::<std::vec::Vec<_>>(), ["-c", "status", "pan=on"]);
        assert_eq!(parse("init=sh --").unwrap().init_arguments().count(), 0);
        assert_eq!(parse("init=sh").unwrap().init_arguments, "");
        assert_eq!(parse("init=a--b").unwrap().job, Job::Init("a--b"));
        assert_eq!(parse("shell -- x"), Err(Error::ArgumentsWithoutInit));
        assert_eq!(parse("--"), Err(Error::ArgumentsWithoutInit));
        assert_eq!(parse("init=sh bogus -- x"), Err(Error::UnknownKey("bogus")));
    }

    #[test]
    fn keys_do_not_repeat() {
        assert_eq!(parse("loglevel=info loglevel=debug"), Err(Error::Repeated("loglevel")));
        assert_eq!(parse("selftest selftest"), Err(Error::Repeated("selftest")));
    }

    #[test]
    fn messages_name_the_word() {
        use std::string::ToString;
        assert_eq!(Error::UnknownKey("bogus").to_string(), "unknown key 'bogus'");
        let bad = Error::BadValue { key: "loglevel", value: "loud", expected: "=error|debug" };
        assert_eq!(
            bad.to_string(),
            "bad value 'loud' for key 'loglevel': expected loglevel=error|debug"
        );
        let missing = Error::BadValue { key: "loglevel", value: "", expected: "=error|debug" };
        assert_eq!(missing.to_string(), "key 'loglevel' needs a value: loglevel=error|debug");
        assert_eq!(
            Error::ConflictingJobs("selftest", "tour").to_string(),
            "'selftest' and 'tour' both choose the main job: give one"
        );
    }

    #[test]
    fn program_name_is_dropped() {
        assert_eq!(without_program_name("target/kernel selftest pan=off"), "selftest pan=off");
        assert_eq!(without_program_name("target/kernel"), "");
        assert_eq!(without_program_name("target/kernel "), "");
        assert_eq!(without_program_name(""), "");
    }

    #[test]
    fn kernel_log_restrictions() {
        let default = parse("").unwrap();
        assert!(default.dmesg_restrict);
        assert_eq!(default.kptr_restrict, 1);
        let open = parse("dmesg_restrict=0 kptr_restrict=0").unwrap();
        assert!(!open.dmesg_restrict);
        assert_eq!(open.kptr_restrict, 0);
        let strict = parse("dmesg_restrict=1 kptr_restrict=2").unwrap();
        assert!(strict.dmesg_restrict);
        assert_eq!(strict.kptr_restrict, 2);
        assert_eq!(
            parse("kptr_restrict=3"),
            Err(Error::BadValue { key: "kptr_restrict", value: "3", expected: "=0|1|2" })
        );
        assert_eq!(
            parse("dmesg_restrict=on"),
            Err(Error::BadValue { key: "dmesg_restrict", value: "on", expected: "=0|1" })
        );
        assert_eq!(parse("dmesg_restrict"), parse("dmesg_restrict="));
    }

    #[test]
    fn every_key_is_parsed() {
        for info in KEYS {
            assert!(!matches!(parse(info.key), Err(Error::UnknownKey(_))), "{}", info.key);
        }
    }
}
