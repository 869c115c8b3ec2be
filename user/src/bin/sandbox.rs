//! `sandbox [--strict] [--filter=HEX]... [--policy=NAME] [--no-nnp] -- PROGRAM [ARG...]`:
//! confines itself with seccomp, then execs PROGRAM (a bare name is looked up in `/bin`, as
//! execvp does), which inherits the confinement.
//!
//! - `--filter=HEX`: a classic-BPF filter as the hex of its `sock_filter` array, 16 digits
//!   (8 little-endian bytes) per instruction: exactly the bytes libseccomp's `export_bpf`
//!   writes for ARM. Repeated, the filters are installed in the order given (the last one
//!   runs first).
//! - `--policy=NAME`: a built-in policy, a table of (system call, action) this program
//!   compiles to BPF ([`POLICIES`]); `--policy=NAME --dump` prints the table and its hex
//!   instead of running anything.
//! - `--strict`: strict mode, after the filters. Strict mode allows read, write, exit and
//!   rt_sigreturn only, so the execve that follows is itself killed (SIGKILL): Linux's
//!   strict mode is for code that confines itself, as `syscall --strict` does.
//! - `--no-nnp`: skip `PR_SET_NO_NEW_PRIVS`; then only a process with CAP_SYS_ADMIN may
//!   install a filter (EACCES otherwise).
//!
//! `sandbox --script` reads command lines from the console, one per line, up to a line `end`:
//! each runs as `sandbox WORDS` in a child, followed by `sandbox: [N] exited with status S` or
//! `sandbox: [N] killed by signal S (NAME)`, N counting from 1.
//!
//! Exit status: a malformed command line or filter is a usage error, 2; a filter or mode the
//! kernel refuses prints `sandbox: seccomp: errno E (NAME)` and exits 1; a PROGRAM that cannot
//! be executed exits 127 (not found) or 126 (any other reason).

#![no_std]
#![no_main]

use core::fmt::Write;
use swpan_user::abi::seccomp::{self as abi, SockFilter};
use swpan_user::abi::{ExitInfo, exec, map, protection, syscall as number};
use swpan_user::seccomp::{self, ErrnoText, Policy, Rule};
use swpan_user::syscall::{self, CStrings, raw};
use swpan_user::{Console, Errno, print, println};

swpan_user::main!(run);

const USAGE: &str =
    "usage: sandbox [--strict] [--filter=HEX]... [--policy=NAME] [--no-nnp] -- PROGRAM [ARG...]
       sandbox --policy=NAME --dump
       sandbox --script";

/// Usage errors.
const USAGE_ERROR: i32 = 2;
/// The most `--filter` options.
const MAX_FILTERS: usize = 8;
/// The most instructions of one filter given as hex: more than a command line of ARG_MAX
/// bytes can carry (16 hex digits each).
const MAX_HEX_INSTRUCTIONS: usize = exec::ARG_MAX / 16;

/// `ERRNO(EPERM)`: the call fails as if the kernel forbade it.
const DENY: u32 = abi::RET_ERRNO | Errno::EPERM as u32;

/// Network calls fail with EPERM; starting another program kills the process.
const NO_NETWORK_NO_EXEC: &[Rule] = &[
    Rule { name: "socket", number: 281, action: DENY },
    Rule { name: "bind", number: 282, action: DENY },
    Rule { name: "connect", number: 283, action: DENY },
    Rule { name: "listen", number: 284, action: DENY },
    Rule { name: "accept", number: 285, action: DENY },
    Rule { name: "socketpair", number: 288, action: DENY },
    Rule { name: "sendto", number: 290, action: DENY },
    Rule { name: "recvfrom", number: 292, action: DENY },
    Rule { name: "sendmsg", number: 296, action: DENY },
    Rule { name: "recvmsg", number: 297, action: DENY },
    Rule { name: "recvmmsg", number: 365, action: DENY },
    Rule { name: "accept4", number: 366, action: DENY },
    Rule { name: "sendmmsg", number: 374, action: DENY },
    Rule { name: "execve", number: number::EXECVE, action: abi::RET_KILL_PROCESS },
    Rule { name: "execveat", number: 387, action: abi::RET_KILL_PROCESS },
];

/// Console I/O, memory and the way out; everything else kills the process.
const STDIO: &[Rule] = &[
    Rule { name: "read", number: number::READ, action: abi::RET_ALLOW },
    Rule { name: "write", number: number::WRITE, action: abi::RET_ALLOW },
    Rule { name: "exit", number: number::EXIT, action: abi::RET_ALLOW },
    Rule { name: "exit_group", number: 248, action: abi::RET_ALLOW },
    Rule { name: "rt_sigreturn", number: number::RT_SIGRETURN, action: abi::RET_ALLOW },
    Rule { name: "brk", number: 45, action: abi::RET_ALLOW },
    Rule { name: "mmap2", number: number::MMAP2, action: abi::RET_ALLOW },
    Rule { name: "munmap", number: number::MUNMAP, action: abi::RET_ALLOW },
];

/// The built-in policies.
pub const POLICIES: &[Policy] = &[
    Policy {
        name: "no-network-no-exec",
        summary: "network calls fail with EPERM, exec kills; everything else is allowed",
        rules: NO_NETWORK_NO_EXEC,
        default_action: abi::RET_ALLOW,
        exec_once: true,
    },
    Policy {
        name: "stdio",
        summary: "console I/O, memory and exit only; anything else kills",
        rules: STDIO,
        default_action: abi::RET_KILL_PROCESS,
        exec_once: true,
    },
];

/// The most instructions a built-in policy compiles to.
const MAX_POLICY_INSTRUCTIONS: usize = 64;
const _: () = {
    let mut index = 0;
    while index < POLICIES.len() {
        assert!(seccomp::compiled_length(&POLICIES[index]) <= MAX_POLICY_INSTRUCTIONS);
        index += 1;
    }
};

/// What the command line asks for.
struct Request<'a> {
    strict: bool,
    no_new_privs: bool,
    dump: bool,
    filters: [&'a str; MAX_FILTERS],
    filter_count: usize,
    policy: Option<&'static Policy>,
    /// PROGRAM and its arguments.
    command: &'a [&'a str],
}

fn usage(message: core::fmt::Arguments<'_>) -> i32 {
    println!("sandbox: {message}\n{USAGE}");
    USAGE_ERROR
}

fn run(_: &str) -> i32 {
    let mut words = [""; 64];
    let mut count = 0;
    for word in swpan_user::arguments().skip(1) {
        let Some(slot) = words.get_mut(count) else {
            return usage(format_args!("too many arguments"));
        };
        *slot = word;
        count += 1;
    }
    if words[..count] == ["--script"] {
        return script();
    }
    match parse(&words[..count]) {
        Ok(request) => confine_and_exec(&request),
        Err(status) => status,
    }
}

fn parse<'a>(words: &'a [&'a str]) -> Result<Request<'a>, i32> {
    let mut request = Request {
        strict: false,
        no_new_privs: true,
        dump: false,
        filters: [""; MAX_FILTERS],
        filter_count: 0,
        policy: None,
        command: &[],
    };
    let mut index = 0;
    while index < words.len() {
        let word = words[index];
        index += 1;
        match word {
            "--" => {
                request.command = &words[index..];
                break;
            }
            "--strict" => request.strict = true,
            "--no-nnp" => request.no_new_privs = false,
            "--dump" => request.dump = true,
            filter if filter.starts_with("--filter=") => {
                let hex = &filter["--filter=".len()..];
                if let Err(error) = seccomp::hex_instruction_count(hex) {
                    return Err(usage(format_args!("--filter: {error}")));
                }
                let Some(slot) = request.filters.get_mut(request.filter_count) else {
                    return Err(usage(format_args!("at most {MAX_FILTERS} filters")));
                };
                *slot = hex;
                request.filter_count += 1;
            }
            policy if policy.starts_with("--policy=") => {
                let name = &policy["--policy=".len()..];
                let Some(found) = POLICIES.iter().find(|policy| policy.name == name) else {
                    print!("sandbox: no policy '{name}'; the policies are:");
                    for policy in POLICIES {
                        print!(" {}", policy.name);
                    }
                    println!("\n{USAGE}");
                    return Err(USAGE_ERROR);
                };
                if request.policy.replace(found).is_some() {
                    return Err(usage(format_args!("one --policy at most")));
                }
            }
            other => return Err(usage(format_args!("unknown option '{other}'"))),
        }
    }
    if request.dump {
        return match (request.policy, request.command.is_empty()) {
            (Some(_), true) => Ok(request),
            _ => Err(usage(format_args!("--dump takes --policy=NAME and nothing to run"))),
        };
    }
    if request.command.is_empty() {
        return Err(usage(format_args!("no PROGRAM (after '--')")));
    }
    Ok(request)
}

/// Sets no_new_privs, installs the filters, the policy and strict mode, in that order, then
/// execs the program.
fn confine_and_exec(request: &Request<'_>) -> i32 {
    let program = request.command.first().copied().unwrap_or("");
    // The path goes in first, so that its address is known before the policy is compiled.
    let mut strings = CStrings::<{ 8 * 1024 }, 64>::new();
    let mut path_buffer = [0u8; 64];
    let path = match program_path(program, &mut path_buffer) {
        Some(path) => path,
        None => return usage(format_args!("'{program}': name too long")),
    };
    let Ok(path_address) = strings.string(path) else {
        return usage(format_args!("'{program}': name too long"));
    };
    let mut policy_buffer = [SockFilter::default(); MAX_POLICY_INSTRUCTIONS];
    let policy_filter = match request.policy {
        Some(policy) => match seccomp::compile(policy, path_address, &mut policy_buffer) {
            Ok(filter) => Some(filter),
            Err(errno) => return usage(format_args!("--policy: {errno}")),
        },
        None => None,
    };
    if request.dump {
        return dump(request.policy, policy_filter.unwrap_or(&[]));
    }
    if request.no_new_privs
        && let Err(errno) = seccomp::set_no_new_privs()
    {
        println!("sandbox: no_new_privs: {}", ErrnoText(errno.number()));
        return 1;
    }
    let mut buffer = [SockFilter::default(); MAX_HEX_INSTRUCTIONS];
    for hex in &request.filters[..request.filter_count] {
        let filter = match seccomp::parse_hex(hex, &mut buffer) {
            Ok(filter) => filter,
            Err(error) => return usage(format_args!("--filter: {error}")),
        };
        if let Err(errno) = seccomp::install_filter(filter, 0) {
            println!("sandbox: seccomp: {}", ErrnoText(errno));
            return 1;
        }
    }
    if let Some(filter) = policy_filter
        && let Err(errno) = seccomp::install_filter(filter, 0)
    {
        println!("sandbox: seccomp: {}", ErrnoText(errno));
        return 1;
    }
    if request.strict
        && let Err(errno) = seccomp::enter_strict_mode()
    {
        println!("sandbox: seccomp: {}", ErrnoText(errno));
        return 1;
    }
    let errno = exec(&mut strings, path_address, request.command);
    println!("sandbox: {program}: {}", ErrnoText(errno));
    if errno == Errno::ENOENT.number() { 127 } else { 126 }
}

/// `/bin/NAME` for a bare name (execvp's search of a one-directory PATH), the path itself
/// when it has a slash.
fn program_path<'a>(program: &'a str, buffer: &'a mut [u8; 64]) -> Option<&'a str> {
    if program.contains('/') {
        return Some(program);
    }
    let prefix = exec::BIN.as_bytes();
    let length = prefix.len() + 1 + program.len();
    if length > buffer.len() {
        return None;
    }
    buffer[..prefix.len()].copy_from_slice(prefix);
    buffer[prefix.len()] = b'/';
    buffer[prefix.len() + 1..length].copy_from_slice(program.as_bytes());
    core::str::from_utf8(&buffer[..length]).ok()
}

/// execve(path, command, this environment); returns the errno when it fails.
fn exec<const B: usize, const P: usize>(
    strings: &mut CStrings<B, P>,
    path_address: u32,
    command: &[&str],
) -> u32 {
    let mut environment = [""; 32];
    let mut count = 0;
    for (slot, variable) in environment.iter_mut().zip(swpan_user::environment()) {
        *slot = variable;
        count += 1;
    }
    let vectors =
        strings.vector(command).and_then(|argv| Ok((argv, strings.vector(&environment[..count])?)));
    let (argv, envp) = match vectors {
        Ok(vectors) => vectors,
        Err(errno) => return errno.number(),
    };
    // SAFETY: the path, argv and envp are NUL-terminated strings and NULL-terminated vectors
    // in `strings`, alive across the call; a successful execve does not return.
    let result = unsafe { raw(number::EXECVE, [path_address, argv, envp, 0, 0, 0]) };
    (result as i32).unsigned_abs()
}

/// `--dump`: the policy's table, then its program as hex.
fn dump(policy: Option<&Policy>, filter: &[SockFilter]) -> i32 {
    let Some(policy) = policy else { return USAGE_ERROR };
    println!("policy {}: {}", policy.name, policy.summary);
    let mut console = Console::new();
    for rule in policy.rules {
        let _ = write!(console, "  {:<14} {:>4}  ", rule.name, rule.number);
        let _ = seccomp::action_name(rule.action, &mut console);
        let _ = writeln!(console);
        console.flush();
    }
    let _ = write!(console, "  {:<14} {:>4}  ", "(any other)", "");
    let _ = seccomp::action_name(policy.default_action, &mut console);
    let _ = writeln!(console);
    if policy.exec_once {
        let _ = writeln!(
            console,
            "  execve is allowed first when its path is the launcher's own (here at {:#x})",
            filter.get(6).map_or(0, |instruction| instruction.k)
        );
    }
    let _ = write!(console, "{} instructions: ", filter.len());
    let _ = seccomp::write_hex(filter, &mut console);
    let _ = writeln!(console);
    console.flush();
    0
}

/// The most bytes a script may have.
const SCRIPT_MAX: usize = 64 * 1024;

/// `--script`: each console line up to `end` is a sandbox command line, run in a child. The
/// whole script is read first, so that a child (which may read the console, or be confined
/// from reading it) never sees the lines meant for the cases after it.
fn script() -> i32 {
    let flags = map::PRIVATE | map::ANONYMOUS;
    let Ok(start) = syscall::mmap(0, SCRIPT_MAX, protection::READ | protection::WRITE, flags)
    else {
        println!("sandbox: no memory for the script");
        return 1;
    };
    // SAFETY: the kernel just mapped SCRIPT_MAX zeroed, writable bytes at `start` for this
    // process alone, and nothing unmaps them.
    let buffer = unsafe { core::slice::from_raw_parts_mut(start as *mut u8, SCRIPT_MAX) };
    let Some(length) = read_script(buffer) else {
        println!("sandbox: the script has no line `end` within {SCRIPT_MAX} bytes");
        return USAGE_ERROR;
    };
    let Ok(text) = core::str::from_utf8(&buffer[..length]) else {
        println!("sandbox: the script is not UTF-8");
        return USAGE_ERROR;
    };
    let mut case = 0;
    for line in text.lines().map(str::trim) {
        if line == "end" {
            break;
        }
        if line.is_empty() {
            continue;
        }
        case += 1;
        let mut words = [""; 64];
        let mut count = 1;
        words[0] = "sandbox";
        for word in line.split_ascii_whitespace() {
            let Some(slot) = words.get_mut(count) else {
                println!("sandbox: [{case}] too many words");
                return USAGE_ERROR;
            };
            *slot = word;
            count += 1;
        }
        let mut strings = CStrings::<{ 12 * 1024 }, 66>::new();
        let started = strings.string("/bin/sandbox").and_then(|path| {
            let argv = strings.vector(&words[..count])?;
            // SAFETY: the path and argv live in `strings` across the call.
            syscall::check(unsafe { raw(number::SPAWN, [path, 0, argv, 0, 0, 0]) })
        });
        match started.and_then(|pid| syscall::wait(Some(pid))) {
            Ok(info) if info.how == ExitInfo::KILLED => {
                let name = swpan_user::abi::signal::name(info.status as u32);
                println!("sandbox: [{case}] killed by signal {} ({name})", info.status);
            }
            Ok(info) => println!("sandbox: [{case}] exited with status {}", info.status),
            Err(errno) => println!("sandbox: [{case}] could not run: {errno}"),
        }
    }
    0
}

/// Reads the console into `buffer` up to and including a line `end`; the bytes read, or None
/// when the buffer fills (or input ends) first.
fn read_script(buffer: &mut [u8]) -> Option<usize> {
    let mut length = 0;
    let mut line_start = 0;
    while length < buffer.len() {
        let count = match syscall::read(0, &mut buffer[length..]) {
            Ok(0) | Err(_) => return None,
            Ok(count) => count,
        };
        for index in length..length + count {
            if buffer[index] == b'\n' || buffer[index] == b'\r' {
                if buffer[line_start..index].trim_ascii() == b"end" {
                    return Some(index);
                }
                line_start = index + 1;
            }
        }
        length += count;
    }
    None
}
