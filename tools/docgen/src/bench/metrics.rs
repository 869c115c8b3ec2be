//! Reading `bench.json`: a flat JSON object from metric name to instruction count, checked
//! key by key and sorted into [`Metrics`].
//!
//! Every value must be a non-negative integer that fits in 64 bits, every name may appear only
//! once, and the [`REQUIRED_METRICS`] must all be there. Names the report does not know are
//! kept in [`Metrics::other`], never rejected, so the benchmark job can grow ahead of the tool.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// The copy sizes the benchmark measures, in bytes, smallest first.
pub const COPY_SIZES: [u32; 4] = [8, 64, 4096, 65536];

/// The metrics without which there is no report: the targets and the chart's large copies
/// depend on them.
pub const REQUIRED_METRICS: [&str; 10] = [
    "window_open_close",
    "get_user",
    "put_user",
    "copy_from_user_4096",
    "memcpy_4096",
    "copy_from_user_65536",
    "memcpy_65536",
    "null_syscall_pan_on",
    "null_syscall_pan_off",
    "boot_to_user",
];

/// The single-valued metrics besides the copies, each optional unless it is also in
/// [`REQUIRED_METRICS`].
const SCALAR_METRICS: [&str; 14] = [
    "window_open_close",
    "get_user",
    "put_user",
    "null_syscall_pan_on",
    "null_syscall_pan_off",
    "invariant_checks",
    "write_4096",
    "console_write_path_4096",
    "read_4096",
    "sched_yield",
    "context_switch",
    "signal_round_trip",
    "execve",
    "boot_to_user",
];

/// The seccomp figures, each absent when the run did not measure it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeccompCosts {
    /// `null_syscall_before_seccomp_allow_all`: getpid in the child that then installs the
    /// allow-all filter, before it does.
    pub before_allow_all: Option<u64>,
    /// `null_syscall_seccomp_allow_all`: the same getpid under a filter of RET ALLOW alone.
    pub allow_all: Option<u64>,
    /// `null_syscall_before_seccomp_allowlist`: getpid in the other child, before its filter.
    pub before_allowlist: Option<u64>,
    /// `null_syscall_seccomp_allowlist`: the same getpid under libseccomp's 20-rule allowlist.
    pub allowlist: Option<u64>,
    /// `seccomp_filter_return`: the interpreter running RET alone.
    pub filter_return: Option<u64>,
    /// `seccomp_filter_alu`: [`SECCOMP_RUN_LENGTH`] ADD K, then RET.
    pub filter_alu: Option<u64>,
    /// `seccomp_filter_load`: [`SECCOMP_RUN_LENGTH`] LD W ABS, then RET.
    pub filter_load: Option<u64>,
    /// `seccomp_filter_jump`: [`SECCOMP_RUN_LENGTH`] JEQ K, then RET.
    pub filter_jump: Option<u64>,
}

/// The instructions before the RET in each long filter of the interpreter benchmark.
pub const SECCOMP_RUN_LENGTH: u64 = 1024;

impl SeccompCosts {
    /// True when the run measured none of it.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The instruction counts of the copies of one size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyCosts {
    /// The size copied, in bytes.
    pub size: u32,
    /// `copy_from_user_N`: user to kernel, PAN on.
    pub copy_from_user: Option<u64>,
    /// `copy_to_user_N`: kernel to user, PAN on.
    pub copy_to_user: Option<u64>,
    /// `memcpy_N`: the kernel's own `memcpy` of the same size, the baseline.
    pub memcpy: Option<u64>,
    /// `copy_from_user_N_pan_off`: the same copy in a boot with `pan=off`.
    pub copy_from_user_pan_off: Option<u64>,
    /// `copy_to_user_N_pan_off`: the same copy in a boot with `pan=off`.
    pub copy_to_user_pan_off: Option<u64>,
    /// `clear_user_N`: zeroing N bytes of user memory, PAN on.
    pub clear_user: Option<u64>,
    /// `clear_user_N_pan_off`: the same in a boot with `pan=off`.
    pub clear_user_pan_off: Option<u64>,
}

/// Every measurement of one benchmark run, in instructions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metrics {
    /// `window_open_close`: opening and closing the uaccess window (the DACR write sequence).
    pub window_open_close: u64,
    /// `get_user`: one 32-bit user load, whole helper.
    pub get_user: u64,
    /// `put_user`: one 32-bit user store, whole helper.
    pub put_user: u64,
    /// The copies, one entry per size of [`COPY_SIZES`], in that order.
    pub copies: Vec<CopyCosts>,
    /// `null_syscall_pan_on`: a getpid round trip from user mode, PAN on.
    pub null_syscall_pan_on: u64,
    /// `null_syscall_pan_off`: the same round trip in a boot with `pan=off`.
    pub null_syscall_pan_off: u64,
    /// `invariant_checks`: the DACR invariant checks one system call runs.
    pub invariant_checks: Option<u64>,
    /// `write_4096`: 4 KiB through write() to the null device, which copies nothing.
    pub write_4096: Option<u64>,
    /// `console_write_path_4096`: 4 KiB through the console's write path (bounce buffer, a
    /// copy window per 256 bytes) without the UART, measured in the kernel.
    pub console_write_path_4096: Option<u64>,
    /// `read_4096`: 4 KiB through read() from the loopback device.
    pub read_4096: Option<u64>,
    /// `sched_yield`: a yield with nothing else runnable.
    pub sched_yield: Option<u64>,
    /// `context_switch`: what a yield that switches costs beyond a null system call.
    pub context_switch: Option<u64>,
    /// `signal_round_trip`: `kill` to itself, the signal frame, an empty handler and
    /// `rt_sigreturn`.
    pub signal_round_trip: Option<u64>,
    /// `execve`: from the call to the new program's first statement.
    pub execve: Option<u64>,
    /// `boot_to_user`: from the kernel's first instruction to the first user program's first
    /// statement.
    pub boot_to_user: u64,
    /// The seccomp figures.
    pub seccomp: SeccompCosts,
    /// The metrics this tool does not know, by name.
    pub other: BTreeMap<String, u64>,
}

/// Why a `bench.json` cannot be reported on.
#[derive(Debug)]
pub enum MetricsError {
    /// Not JSON at all (bad syntax, invalid UTF-8, truncated).
    Syntax(serde_json::Error),
    /// JSON, but not an object of non-negative integers with unique names.
    Shape(serde_json::Error),
    /// Required metrics absent, in [`REQUIRED_METRICS`] order.
    Missing(Vec<&'static str>),
}

impl fmt::Display for MetricsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(error) => write!(formatter, "not valid JSON: {error}"),
            Self::Shape(error) => write!(formatter, "{error}"),
            Self::Missing(names) => {
                let noun = if names.len() == 1 { "metric" } else { "metrics" };
                write!(formatter, "missing required {noun}: {}", names.join(", "))
            }
        }
    }
}

impl std::error::Error for MetricsError {}

impl Metrics {
    /// Reads the bytes of a `bench.json`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, MetricsError> {
        let counts: InstructionCounts = serde_json::from_slice(bytes).map_err(|error| {
            if error.is_data() { MetricsError::Shape(error) } else { MetricsError::Syntax(error) }
        })?;
        Self::from_counts(counts.0)
    }

    /// Sorts already-validated counts, by metric name, into the known metrics and the rest.
    pub fn from_counts(mut counts: BTreeMap<String, u64>) -> Result<Self, MetricsError> {
        let missing: Vec<&'static str> =
            REQUIRED_METRICS.into_iter().filter(|name| !counts.contains_key(*name)).collect();
        if !missing.is_empty() {
            return Err(MetricsError::Missing(missing));
        }
        let mut scalars = BTreeMap::new();
        for name in SCALAR_METRICS {
            if let Some(count) = counts.remove(name) {
                scalars.insert(name, count);
            }
        }
        let copies = COPY_SIZES
            .into_iter()
            .map(|size| {
                let mut take = |name: String| counts.remove(&name);
                CopyCosts {
                    size,
                    copy_from_user: take(format!("copy_from_user_{size}")),
                    copy_to_user: take(format!("copy_to_user_{size}")),
                    memcpy: take(format!("memcpy_{size}")),
                    copy_from_user_pan_off: take(format!("copy_from_user_{size}_pan_off")),
                    copy_to_user_pan_off: take(format!("copy_to_user_{size}_pan_off")),
                    clear_user: take(format!("clear_user_{size}")),
                    clear_user_pan_off: take(format!("clear_user_{size}_pan_off")),
                }
            })
            .collect();
        let mut take = |name: &str| counts.remove(name);
        let seccomp = SeccompCosts {
            before_allow_all: take("null_syscall_before_seccomp_allow_all"),
            allow_all: take("null_syscall_seccomp_allow_all"),
            before_allowlist: take("null_syscall_before_seccomp_allowlist"),
            allowlist: take("null_syscall_seccomp_allowlist"),
            filter_return: take("seccomp_filter_return"),
            filter_alu: take("seccomp_filter_alu"),
            filter_load: take("seccomp_filter_load"),
            filter_jump: take("seccomp_filter_jump"),
        };
        // Checked above: every required metric is present, so the defaults are never used.
        let required = |name: &str| scalars.get(name).copied().unwrap_or_default();
        Ok(Self {
            window_open_close: required("window_open_close"),
            get_user: required("get_user"),
            put_user: required("put_user"),
            copies,
            null_syscall_pan_on: required("null_syscall_pan_on"),
            null_syscall_pan_off: required("null_syscall_pan_off"),
            invariant_checks: scalars.get("invariant_checks").copied(),
            write_4096: scalars.get("write_4096").copied(),
            console_write_path_4096: scalars.get("console_write_path_4096").copied(),
            read_4096: scalars.get("read_4096").copied(),
            sched_yield: scalars.get("sched_yield").copied(),
            context_switch: scalars.get("context_switch").copied(),
            signal_round_trip: scalars.get("signal_round_trip").copied(),
            execve: scalars.get("execve").copied(),
            boot_to_user: required("boot_to_user"),
            seccomp,
            other: counts,
        })
    }

    /// The copies of `size` bytes, if that is one of [`COPY_SIZES`].
    pub fn copy(&self, size: u32) -> Option<&CopyCosts> {
        self.copies.iter().find(|copies| copies.size == size)
    }
}

/// The raw object of a `bench.json`: every name once, every value a non-negative integer.
struct InstructionCounts(BTreeMap<String, u64>);

impl<'de> Deserialize<'de> for InstructionCounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(InstructionCountsVisitor)
    }
}

/// Reads the object one entry at a time, so each complaint names its metric and position.
struct InstructionCountsVisitor;

impl<'de> Visitor<'de> for InstructionCountsVisitor {
    type Value = InstructionCounts;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object mapping metric names to instruction counts")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut counts = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            let Some(count) = value.as_u64() else {
                return Err(de::Error::custom(format!(
                    "metric `{name}`: {} is not a non-negative integer",
                    describe(&value)
                )));
            };
            if counts.insert(name.clone(), count).is_some() {
                return Err(de::Error::custom(format!("metric `{name}` appears twice")));
            }
        }
        Ok(InstructionCounts(counts))
    }
}

/// A short description of a rejected value, for the error message.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}
