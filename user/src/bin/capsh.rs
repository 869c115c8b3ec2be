//! `capsh`: libcap's capability shell wrapper. Runs its options in order, changing the
//! process's capabilities, ids and securebits, then optionally executes `/bin/sh` (`--`) or
//! itself (`==`) with the remaining arguments. A failed step prints libcap capsh's message for
//! it (with `strerror`'s text for an errno, as capsh's) and exits 1.

#![no_std]
#![no_main]

use core::fmt::{self, Write};
use swpan_user::abi::capability_text::{self, CapState, parse_c_number};
use swpan_user::abi::{Errno, ProcessStatus, prctl};
use swpan_user::{Console, capability, println, syscall, users};

swpan_user::main!(run);

/// The most arguments passed on by `--` or `==`.
const MAX_ARGUMENTS: usize = 32;
/// `CAP_SETGID`, `CAP_SETUID` and `CAP_SETPCAP`, raised in the effective set just for the
/// calls that need them, as capsh does.
const CAP_SETGID: u32 = 6;
const CAP_SETUID: u32 = 7;
const CAP_SETPCAP: u32 = 8;
/// The shell that `--` runs (libcap's default is `/bin/bash`; swpan's shell is `/bin/sh`).
const SHELL: &str = "/bin/sh";

/// A step failed; its message is printed already.
struct Failed;

/// Prints a failed step's message and fails the step.
macro_rules! fail {
    ($($argument:tt)*) => {{
        println!($($argument)*);
        return Err(Failed);
    }};
}

/// What to do after an option.
enum Next {
    /// Go on with the next option.
    Continue,
    /// The option is not one of capsh's: print the usage.
    Usage,
}

fn run(_joined: &str) -> i32 {
    let mut arguments = swpan_user::arguments();
    let program = arguments.next().unwrap_or("capsh");
    let first = arguments.clone().next().unwrap_or("");
    while let Some(argument) = arguments.next() {
        if argument == "--" || argument == "==" {
            let mut argv = [""; MAX_ARGUMENTS];
            // `==` runs capsh again, found in the PATH (/bin) under the name it was run as.
            let path = if argument == "--" { SHELL } else { "/bin/capsh" };
            argv[0] = path;
            let mut count = 1;
            for rest in arguments.by_ref().take(MAX_ARGUMENTS - 1) {
                argv[count] = rest;
                count += 1;
            }
            let mut envp = [""; MAX_ARGUMENTS];
            let mut environment_count = 0;
            for variable in swpan_user::environment().take(MAX_ARGUMENTS) {
                envp[environment_count] = variable;
                environment_count += 1;
            }
            let _ = syscall::execve(path, &argv[..count], &envp[..environment_count]);
            println!("execve '{path}' failed!");
            return 1;
        }
        match step(argument) {
            Ok(Next::Continue) => {}
            Ok(Next::Usage) => {
                usage(program);
                // Only a first argument asking for help makes the usage a success.
                return if first == "--help" || first == "-h" { 0 } else { 1 };
            }
            Err(Failed) => return 1,
        }
    }
    0
}

/// Runs one option, recognised as capsh recognises it (most options by their prefix up to
/// and including `=`; `--noamb` by its first seven characters).
fn step(argument: &str) -> Result<Next, Failed> {
    if let Some(names) = argument.strip_prefix("--drop=") {
        drop_bounding(names)?;
    } else if let Some(names) = argument.strip_prefix("--addamb=") {
        change_ambient(names, true)?;
    } else if let Some(names) = argument.strip_prefix("--delamb=") {
        change_ambient(names, false)?;
    } else if argument.starts_with("--noamb") {
        if let Err(error) = capability::ambient_clear() {
            fail!("failed to reset ambient set: {}", error.description());
        }
    } else if let Some(names) = argument.strip_prefix("--inh=") {
        set_inheritable(names)?;
    } else if let Some(text) = argument.strip_prefix("--caps=") {
        let raised = raised_for_setpcap()?;
        if let Some(raised) = raised {
            // Only needed when the new inheritable set exceeds the permitted set: a failure
            // here need not make the real change fail.
            let _ = capability::capset(&raised);
        }
        let Ok(state) = capability_text::from_text(text) else {
            fail!("unable to interpret [{argument}]");
        };
        if capability::capset(&state).is_err() {
            fail!("Unable to set capabilities [{argument}]");
        }
    } else if let Some(value) = argument.strip_prefix("--keep=") {
        let value = non_negative(value, "invalid --keep value")?;
        if let Err(error) = capability::prctl(prctl::SET_KEEPCAPS, [value, 0, 0, 0]) {
            fail!("prctl(PR_SET_KEEPCAPS, {value}) failed: {}", error.description());
        }
    } else if let Some(value) = argument.strip_prefix("--secbits=") {
        let value = non_negative(value, "invalid --secbits value")?;
        if capability::set_securebits(value).is_err() {
            fail!("failed to set securebits to 0{value:o}/0x{value:x}");
        }
    } else if let Some(value) = argument.strip_prefix("--uid=") {
        let uid = non_negative(value, "invalid --uid value")?;
        if let Err(error) = syscall::setuid(uid) {
            fail!("Failed to set uid={uid}: {}", error.description());
        }
    } else if let Some(value) = argument.strip_prefix("--gid=") {
        let gid = non_negative(value, "invalid --gid value")?;
        if let Err(error) = syscall::setgid(gid) {
            fail!("Failed to set gid={gid}: {}", error.description());
        }
    } else if let Some(name) = argument.strip_prefix("--user=") {
        let Some(user) = users::by_name(name) else {
            fail!("User [{name}] not known");
        };
        if let Err(error) = with_effective(CAP_SETGID, false, || syscall::setgid(user.gid)) {
            fail!("Unable to set group list for user: {}", error.description());
        }
        if let Err(error) = with_effective(CAP_SETUID, true, || syscall::setuid(user.uid)) {
            fail!("Failed to set uid={}(user={name}): {}", user.uid, error.description());
        }
    } else if let Some(value) = argument.strip_prefix("--decode=") {
        // strtoull's rules: whatever follows the hexadecimal digits is ignored.
        let value = parse_c_number(value, 16).map_or(0, |(value, _)| value);
        let mut console = Console::new();
        let _ = capability_text::write_decode(&mut console, value);
        let _ = console.write_char('\n');
        console.flush();
    } else if argument == "--print" {
        print()?;
    } else if let Some(name) = argument.strip_prefix("--has-p=") {
        let bit = known(name)?;
        let state = match capability::capget() {
            Ok(state) => state,
            Err(error) => fail!("failed to get process capabilities: {}", error.description()),
        };
        if state.permitted >> bit & 1 == 0 {
            fail!("cap[{name}] not permitted");
        }
    } else if let Some(name) = argument.strip_prefix("--has-a=") {
        let bit = known(name)?;
        // libcap reads an error (a number past the kernel's last capability) as "set".
        if capability::ambient_has(bit) == Ok(false) {
            fail!("cap[{name}] not in ambient vector");
        }
    } else {
        return Ok(Next::Usage);
    }
    Ok(Next::Continue)
}

/// The capability `name` starts with, for the `--has-*` checks.
fn known(name: &str) -> Result<u32, Failed> {
    match capability_text::from_name(name) {
        Some(bit) => Ok(bit),
        None => fail!("cap[{name}] not recognized by library"),
    }
}

/// A non-negative number in C's notation (capsh's `nonneg_uint`).
fn non_negative(text: &str, what: &str) -> Result<u32, Failed> {
    match parse_c_number(text, 0) {
        Some((value, "")) if !text.starts_with('-') => Ok(u32::try_from(value).unwrap_or(u32::MAX)),
        _ => fail!("{what}: want non-negative integer, got \"{text}\""),
    }
}

/// The process's capabilities, and the same with CAP_SETPCAP effective when it is not already
/// (capsh raises it around the changes that may need it).
fn raised_for_setpcap() -> Result<Option<CapState>, Failed> {
    let state = current()?;
    Ok((state.effective >> CAP_SETPCAP & 1 == 0)
        .then_some(CapState { effective: state.effective | 1 << CAP_SETPCAP, ..state }))
}

/// The process's capabilities, as `capget` gives them.
fn current() -> Result<CapState, Failed> {
    match capability::capget() {
        Ok(state) => Ok(state),
        Err(error) => fail!("Capabilities not available: {}", error.description()),
    }
}

/// `--drop=`: drops each capability of the list (or `all` of them) from the bounding set, in
/// the order given, CAP_SETPCAP raised around each drop.
fn drop_bounding(names: &str) -> Result<(), Failed> {
    let original = current()?;
    let raised = raised_for_setpcap()?;
    let drop = |bit: u32| -> Result<Result<(), Errno>, Failed> {
        if let Some(raised) = raised
            && let Err(error) = capability::capset(&raised)
        {
            fail!("unable to raise CAP_SETPCAP for BSET changes: {}", error.description());
        }
        let status = capability::bounding_drop(bit);
        if raised.is_some()
            && let Err(error) = capability::capset(&original)
        {
            fail!("unable to lower CAP_SETPCAP post BSET change: {}", error.description());
        }
        Ok(status)
    };
    if names == "all" {
        for bit in (0..).take_while(|&bit| capability::bounding_has(bit).is_ok()) {
            if drop(bit)?.is_err() {
                fail!("Unable to drop bounding capability [{}]", Name(bit));
            }
        }
        return Ok(());
    }
    for name in names.split(',').filter(|name| !name.is_empty()) {
        let Some(bit) = capability_text::from_name(name) else {
            fail!("capability [{name}] is unknown to libcap");
        };
        if drop(bit)?.is_err() {
            fail!("failed to drop [{name}={bit}]");
        }
    }
    Ok(())
}

/// `--addamb=` and `--delamb=`: raises or lowers each capability of the list (or `all` of
/// them) in the ambient set, in the order given.
fn change_ambient(names: &str, raise: bool) -> Result<(), Failed> {
    let verb = if raise { "raise" } else { "clear" };
    if names == "all" {
        for bit in (0..).take_while(|&bit| capability::bounding_has(bit).is_ok()) {
            if capability::ambient_set(bit, raise).is_err() {
                fail!("Unable to {verb} ambient capability [{}]", Name(bit));
            }
        }
        return Ok(());
    }
    for name in names.split(',').filter(|name| !name.is_empty()) {
        let Some(bit) = capability_text::from_name(name) else {
            fail!("capability [{name}] is unknown to libcap");
        };
        if capability::ambient_set(bit, raise).is_err() {
            fail!("failed to {verb} ambient [{name}={bit}]");
        }
    }
    Ok(())
}

/// `--inh=`: the inheritable set becomes the list (`none` or nothing: empty), read as the
/// clause `LIST+i` of `cap_from_text`; CAP_SETPCAP is raised first when it is permitted
/// but not effective, so that the list may go beyond the permitted set.
fn set_inheritable(names: &str) -> Result<(), Failed> {
    let mut state = current()?;
    let raised = raised_for_setpcap()?;
    state.inheritable = 0;
    if !names.is_empty() && names != "none" {
        let mut clause = TextBuffer { bytes: [0; 512], length: 0 };
        let parsed = write!(clause, "{names}+i")
            .ok()
            .and_then(|()| capability_text::apply_text(&mut state, clause.as_str()).ok());
        if parsed.is_none() {
            fail!("Fatal error internalizing capabilities: {}", Errno::EINVAL.description());
        }
    }
    if let Some(raised) = raised {
        let _ = capability::capset(&raised);
    }
    if let Err(error) = capability::capset(&state) {
        fail!("Unable to set inheritable capabilities: {}", error.description());
    }
    Ok(())
}

/// Runs `action` with capability `bit` raised in the effective set and, for `keep`, keep-caps
/// on (libcap's `cap_setgroups` and `cap_setuid`); the effective set is empty afterwards,
/// whatever it was before, as with libcap.
fn with_effective(
    bit: u32,
    keep: bool,
    action: impl FnOnce() -> Result<(), Errno>,
) -> Result<(), Errno> {
    let mut working = capability::capget()?;
    working.effective |= 1 << bit;
    if keep {
        let _ = capability::set_keepcaps(true);
    }
    let result = capability::capset(&working).and_then(|()| action());
    if keep {
        let _ = capability::set_keepcaps(false);
    }
    working.effective = 0;
    let _ = capability::capset(&working);
    result
}

/// Prints the process's capability state as `capsh --print` does.
fn print() -> Result<(), Failed> {
    let status = match syscall::getstatus() {
        Ok(status) => status,
        Err(error) => fail!("failed to get process capabilities: {}", error.description()),
    };
    let state = CapState {
        effective: ProcessStatus::join(status.cap_effective),
        permitted: ProcessStatus::join(status.cap_permitted),
        inheritable: ProcessStatus::join(status.cap_inheritable),
    };
    let bounding = ProcessStatus::join(status.cap_bounding);
    let ambient = ProcessStatus::join(status.cap_ambient);
    // A kernel without PR_GET_SECUREBITS has none set.
    let securebits = capability::securebits().unwrap_or(0);
    let mut console = Console::new();
    let _ = (|| -> fmt::Result {
        console.write_str("Current: ")?;
        capability_text::write_text(&mut console, &state)?;
        console.write_str("\nBounding set =")?;
        capability_text::write_list(&mut console, bounding)?;
        console.write_str("\nAmbient set =")?;
        capability_text::write_list(&mut console, ambient)?;
        console.write_str("\nCurrent IAB: ")?;
        capability_text::write_iab(&mut console, state.inheritable, ambient, bounding)?;
        console.write_char('\n')?;
        capability_text::write_securebits(&mut console, securebits, status.no_new_privs != 0)?;
        let [ruid, euid, ..] = status.uid;
        users::write_id(&mut console, "uid", ruid, users::by_uid(ruid).map(|user| user.name))?;
        console.write_char(' ')?;
        users::write_id(&mut console, "euid", euid, users::by_uid(euid).map(|user| user.name))?;
        console.write_char('\n')?;
        let gid = status.gid[0];
        users::write_id(&mut console, "gid", gid, users::group_name(gid))?;
        console.write_str("\ngroups=\n")
    })();
    console.flush();
    Ok(())
}

/// The usage message, for an option capsh does not know.
fn usage(program: &str) {
    println!("usage: {program} [args ...]");
    for line in [
        "  --addamb=xxx   raise each capability of xxx,... in the ambient set",
        "  --caps=xxx     set the capabilities described by cap_from_text() text xxx",
        "  --decode=xxx   list the capabilities of hexadecimal mask xxx",
        "  --delamb=xxx   lower each capability of xxx,... in the ambient set",
        "  --drop=xxx     drop each capability of xxx,... from the bounding set",
        "  --gid=<n>      setgid(<n>)",
        "  --has-a=xxx    exit 1 unless capability xxx is ambient",
        "  --has-p=xxx    exit 1 unless capability xxx is permitted",
        "  --help, -h     print this message",
        "  --inh=xxx      make xxx,... the inheritable set",
        "  --keep=<n>     set keep-caps to <n> (prctl PR_SET_KEEPCAPS)",
        "  --noamb        clear the ambient set",
        "  --print        print the capability state",
        "  --secbits=<n>  set the securebits to <n>",
        "  --uid=<n>      setuid(<n>)",
        "  --user=<name>  become user <name>, keeping the permitted set",
        "  ==             run capsh again with the remaining arguments",
        "  --             run /bin/sh with the remaining arguments",
    ] {
        println!("{line}");
    }
}

/// A capability's name for a message (its number when it has none).
struct Name(u32);

impl fmt::Display for Name {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        capability_text::write_name(out, self.0)
    }
}

/// A text assembled in a fixed buffer (the program has no allocator).
struct TextBuffer {
    bytes: [u8; 512],
    length: usize,
}

impl TextBuffer {
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.length]).unwrap_or("")
    }
}

impl Write for TextBuffer {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.length + text.len();
        self.bytes.get_mut(self.length..end).ok_or(fmt::Error)?.copy_from_slice(text.as_bytes());
        self.length = end;
        Ok(())
    }
}
