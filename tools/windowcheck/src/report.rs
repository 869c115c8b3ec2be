//! What a check found: the violations, the windows, the counts, and the exempt self-tests.

use std::fmt;

/// One broken rule, at one instruction (or exception-table entry).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The address it is reported at.
    pub address: u32,
    /// `symbol+0xoffset` of that address.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:#010x} {}: {}", self.address, self.location, self.message)
    }
}

/// One window: an `mcr` that opens the user domain, and what happens until it closes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The `mcr` that opens it.
    pub opened_at: u32,
    /// `symbol+0xoffset` of the opening.
    pub location: String,
    /// The `mcr` instructions that close it.
    pub closes: Vec<u32>,
    /// Its listed user accesses (exception-table kind 1).
    pub user_accesses: Vec<u32>,
    /// Its listed accesses to the kernel's buffer (kind 2).
    pub kernel_buffer_accesses: Vec<u32>,
    /// Whether it lies in the exempt self-test namespace.
    pub exempt: bool,
}

impl fmt::Display for Window {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let closes: Vec<String> =
            self.closes.iter().map(|address| format!("{address:#010x}")).collect();
        write!(
            formatter,
            "window {:#010x} {}: closed at {}; {} user access(es), {} kernel-buffer access(es)",
            self.opened_at,
            self.location,
            if closes.is_empty() { "nowhere".to_owned() } else { closes.join(", ") },
            self.user_accesses.len(),
            self.kernel_buffer_accesses.len()
        )?;
        if self.exempt {
            formatter.write_str(" (exempt)")?;
        }
        Ok(())
    }
}

/// The self-test namespace, which opens windows on purpose and does odd things inside them:
/// counted here, never reported as violations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exempt {
    /// Functions in the namespace.
    pub functions: usize,
    /// Windows they open.
    pub windows: usize,
    /// User accesses listed inside their windows.
    pub user_accesses: usize,
    /// DACR writes in them.
    pub dacr_writes: usize,
    /// What would be violations anywhere else.
    pub findings: Vec<Violation>,
}

/// The outcome of checking one kernel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Every violation, by address.
    pub violations: Vec<Violation>,
    /// Every window found, exempt ones included, by address.
    pub windows: Vec<Window>,
    /// User accesses (exception-table kind 1) proven inside windows, outside the exempt
    /// namespace.
    pub user_accesses: usize,
    /// DACR writes in the code, outside the exempt namespace.
    pub dacr_writes: usize,
    /// The DACR writes, outside the exempt namespace, that choose between DACR_KERNEL and
    /// DACR_USER on a condition (the boot's pan on/off choice), as (address, `symbol+offset`).
    pub dacr_choices: Vec<(u32, String)>,
    /// The exempt self-test namespace.
    pub exempt: Exempt,
}

impl Report {
    /// Windows outside the exempt namespace.
    pub fn window_count(&self) -> usize {
        self.windows.iter().filter(|window| !window.exempt).count()
    }

    /// The summary line: `windowcheck: <n> windows, <m> user accesses, <k> DACR writes,
    /// <v> violations`.
    pub fn summary(&self) -> String {
        format!(
            "windowcheck: {} windows, {} user accesses, {} DACR writes, {} violations",
            self.window_count(),
            self.user_accesses,
            self.dacr_writes,
            self.violations.len()
        )
    }

    /// The line about the exempt namespace: `windowcheck: exempt swpan::selftest::* except
    /// hook, init, memory::init: ...`, the exceptions being [`crate::NOT_EXEMPT`].
    pub fn exempt_summary(&self) -> String {
        let checked: Vec<&str> = crate::NOT_EXEMPT
            .iter()
            .map(|path| path.strip_prefix(crate::EXEMPT_NAMESPACE).unwrap_or(path))
            .collect();
        format!(
            "windowcheck: exempt {}* except {}: {} functions, {} windows, {} user accesses, \
             {} DACR writes, {} findings not counted",
            crate::EXEMPT_NAMESPACE,
            checked.join(", "),
            self.exempt.functions,
            self.exempt.windows,
            self.exempt.user_accesses,
            self.exempt.dacr_writes,
            self.exempt.findings.len()
        )
    }
}
