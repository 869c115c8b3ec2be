//! System calls from user mode, with good pointers and bad ones: every bad pointer must come
//! back as an errno, never as an oops or a write outside the buffer.
//!
//! `usertest` runs every check, prints each failure and a summary line, and exits with the
//! number of failures. With an argument it does one thing for the kernel's self-tests:
//! `touch-kernel` reads kernel memory, `null` reads address 0, `undefined` runs an undefined
//! instruction, `spin` loops forever (all four to be killed), `copy N` pushes N rounds of
//! 16 KiB through the loopback device and checks every byte comes back, `map-code N` maps N
//! executable pages and one that is not (the kernel counts the cache maintenance it does),
//! `read` blocks reading the console, `waiter` runs `usertest read` and blocks waiting for it
//! (both to be killed while they block). `seccomp` runs the seccomp checks, each scenario in a
//! child of its own (`seccomp-*`).

#![no_std]
#![no_main]

use swpan_user::abi::exec::{ARG_MAX, auxv};
use swpan_user::abi::{ExitInfo, capability, map, protection, syscall as number};
use swpan_user::forbidden::{DEVICE, KERNEL_DATA, KERNEL_TEXT, USER_END};
use swpan_user::syscall::{self, check, raw};
use swpan_user::{Errno, println};

swpan_user::main!(run);

#[path = "../usertest/capabilities.rs"]
mod capabilities;
#[path = "../usertest/signals.rs"]
mod signals;

#[path = "../usertest/klog.rs"]
mod klog;

#[path = "../usertest/seccomp.rs"]
mod seccomp;

struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn expect(&mut self, what: &str, got: Result<u32, Errno>, expected: Result<u32, Errno>) {
        if got == expected {
            self.passed += 1;
        } else {
            self.failed += 1;
            println!("usertest: FAIL {what}: got {got:?}, expected {expected:?}");
        }
    }

    fn expect_true(&mut self, what: &str, condition: bool) {
        if condition {
            self.passed += 1;
        } else {
            self.failed += 1;
            println!("usertest: FAIL {what}");
        }
    }
}

fn call(number: u32, arguments: [u32; 6]) -> Result<u32, Errno> {
    // SAFETY: the checks below pass bad pointers on purpose: the kernel must refuse them; the
    // good ones point at live buffers of the sizes given.
    check(unsafe { raw(number, arguments) })
}

fn run(argument: &str) -> i32 {
    match argument {
        "touch-kernel" => misbehave_read(KERNEL_DATA),
        "null" => misbehave_read(0),
        "undefined" => {
            // SAFETY: raises an undefined-instruction exception on purpose; the kernel kills us.
            unsafe { core::arch::asm!("udf #0x11") };
            0
        }
        "spin" => loop {
            core::hint::spin_loop();
        },
        copy if copy.starts_with("copy ") => copy_rounds(copy[5..].parse().unwrap_or(0)),
        "read" => {
            let mut byte = [0u8; 1];
            match syscall::read(0, &mut byte) {
                Ok(_) => 0,
                Err(errno) => {
                    println!("usertest read: {errno}");
                    1
                }
            }
        }
        "waiter" => {
            match syscall::spawn("usertest", "read").and_then(|pid| syscall::wait(Some(pid))) {
                Ok(_) => 0,
                Err(errno) => {
                    println!("usertest waiter: {errno}");
                    1
                }
            }
        }
        code if code.starts_with("map-code ") => map_code(code[9..].parse().unwrap_or(0)),
        mode if mode.starts_with("signal-") => signals::child(mode),
        mode if mode.starts_with("klog-") => klog::child(mode),
        "seccomp" => {
            let mut checks = Checks { passed: 0, failed: 0 };
            seccomp::checks(&mut checks);
            println!("usertest seccomp: {} checks passed, {} failed", checks.passed, checks.failed);
            checks.failed as i32
        }
        mode if mode.starts_with("seccomp-") => seccomp::child(mode),
        "exec-check" => exec_check(),
        argv if argv.starts_with("argv ") => argv_check(),
        "credentials" => credentials_as_student(),
        "capabilities" => capabilities::child(),
        "ambient-check" => capabilities::ambient_check(),
        "" => run_checks(),
        other => {
            println!("usertest: unknown argument '{other}'");
            2
        }
    }
}

/// 16 KiB through the loopback device and back, `rounds` times, each round with its own
/// pattern; the exit status is the number of rounds that came back different.
fn copy_rounds(rounds: u32) -> i32 {
    const SIZE: usize = 16 * 1024;
    let mut out = [0u8; SIZE];
    let mut back = [0u8; SIZE];
    let mut bad_rounds = 0;
    for round in 0..rounds {
        for (index, byte) in out.iter_mut().enumerate() {
            *byte = (index as u32).wrapping_mul(31).wrapping_add(round.wrapping_mul(7)) as u8;
        }
        back.fill(0);
        let written = syscall::write(4, &out);
        let read = syscall::read(4, &mut back);
        if written != Ok(SIZE) || read != Ok(SIZE) || out != back {
            bad_rounds += 1;
        }
    }
    if bad_rounds > 0 {
        println!("usertest: {bad_rounds} of {rounds} loopback rounds came back different");
    }
    bad_rounds
}

/// Maps `pages` pages read-execute and one page read-write; exits with 0 if both worked.
fn map_code(pages: usize) -> i32 {
    let flags = map::PRIVATE | map::ANONYMOUS;
    let code = syscall::mmap(0, pages * 4096, protection::READ | protection::EXEC, flags);
    let data = syscall::mmap(0, 4096, protection::READ | protection::WRITE, flags);
    if code.is_err() || data.is_err() {
        println!("usertest: map-code: {code:?}, {data:?}");
        return 1;
    }
    0
}

fn misbehave_read(address: u32) -> i32 {
    // SAFETY: not sound on purpose: the kernel must kill this process with SIGSEGV.
    let value = unsafe { core::ptr::read_volatile(address as *const u32) };
    println!("usertest: read {value:#x} at {address:#010x}: the kernel did not stop it");
    0
}

fn run_checks() -> i32 {
    let mut checks = Checks { passed: 0, failed: 0 };
    let flags = map::PRIVATE | map::ANONYMOUS;
    // Mapped before the hole is made, so that it cannot land in it.
    let read_only = syscall::mmap(0, 4096, protection::READ, flags).unwrap_or(0);
    let page = match syscall::mmap(0, 2 * 4096, protection::READ | protection::WRITE, flags) {
        Ok(page) => page,
        Err(errno) => {
            println!("usertest: FAIL mmap: {errno}");
            return 1;
        }
    };
    // The second page goes away: `page + 4096` is a hole, right after a mapped page.
    checks.expect("munmap", syscall::munmap(page + 4096, 4096).map(|()| 0), Ok(0));
    let hole = page + 4096;

    bad_pointers(
        &mut checks,
        "write",
        true,
        |pointer, length| call(number::WRITE, [1, pointer, length, 0, 0, 0]),
        hole,
    );
    checks.expect(
        "write good",
        syscall::write(1, b"usertest: write from user memory\n").map(|n| n as u32),
        Ok(33),
    );
    checks.expect("write bad fd", call(number::WRITE, [7, page, 1, 0, 0, 0]), Err(Errno::EBADF));
    checks.expect("write zero bytes", call(number::WRITE, [1, page, 0, 0, 0, 0]), Ok(0));
    // read would block on a NULL pointer (the console waits for input before copying), so only
    // the pointers refused before any wait are tried.
    for (what, pointer, length) in [
        ("read into kernel text", KERNEL_TEXT, 16),
        ("read into a device", DEVICE, 4),
        ("read with a wrapping length", page, u32::MAX),
        ("read across the top of the user half", USER_END - 8, 16),
    ] {
        checks.expect(what, call(number::READ, [0, pointer, length, 0, 0, 0]), Err(Errno::EFAULT));
    }
    checks.expect("read bad fd", call(number::READ, [7, page, 1, 0, 0, 0]), Err(Errno::EBADF));

    let name = b"provoke\0";
    let name_pointer = name.as_ptr() as u32;
    bad_pointers(
        &mut checks,
        "spawn program",
        false,
        |pointer, _| call(number::SPAWN, [pointer, name_pointer, 0, 0, 0, 0]),
        hole,
    );
    bad_pointers(
        &mut checks,
        "spawn argument",
        false,
        |pointer, _| call(number::SPAWN, [name_pointer, pointer, 0, 0, 0, 0]),
        hole,
    );
    checks.expect("spawn unknown program", syscall::spawn("nosuchprogram", ""), Err(Errno::ENOENT));
    // SAFETY: `page` is this process's own read-write page.
    unsafe { core::ptr::write_bytes(page as *mut u8, b'a', 4096) };
    checks.expect(
        "spawn overlong name",
        call(number::SPAWN, [page, name_pointer, 0, 0, 0, 0]),
        Err(Errno::ENAMETOOLONG),
    );
    checks.expect(
        "wait without children",
        syscall::wait(None).map(|info| info.pid),
        Err(Errno::ECHILD),
    );
    match syscall::spawn("usertest", "null") {
        Ok(child) => {
            for (what, pointer) in
                [("wait into kernel data", KERNEL_DATA), ("wait across the top", USER_END - 8)]
            {
                checks.expect(
                    what,
                    call(number::WAIT, [child, pointer, 0, 0, 0, 0]),
                    Err(Errno::EFAULT),
                );
            }
            match syscall::wait(Some(child)) {
                Ok(info) => {
                    checks.expect_true(
                        "a child reading NULL is killed",
                        info.how == ExitInfo::KILLED,
                    );
                    checks.expect("its signal", Ok(info.status as u32), Ok(11));
                    checks.expect("its fault address", Ok(info.fault_address), Ok(0));
                    checks.expect_true("not by an oops", info.by_oops == 0);
                }
                Err(errno) => checks.expect("wait", Err(errno), Ok(child)),
            }
        }
        Err(errno) => checks.expect("spawn usertest", Err(errno), Ok(0)),
    }

    bad_pointers(
        &mut checks,
        "provoke",
        false,
        |pointer, _| call(number::PROVOKE, [pointer, 0, 0, 0, 0, 0]),
        hole,
    );
    checks.expect(
        "provoke unknown",
        syscall::provoke("NO_SUCH_TEST").map(|()| 0),
        Err(Errno::EINVAL),
    );
    bad_pointers(
        &mut checks,
        "uaccess_report",
        true,
        |pointer, _| call(number::UACCESS_REPORT, [pointer, 0, 0, 0, 0, 0]),
        hole,
    );
    checks.expect(
        "uaccess_report to a read-only page",
        call(number::UACCESS_REPORT, [read_only, 0, 0, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    match syscall::uaccess_report() {
        Ok(report) => {
            checks.expect("DACR inside the window", Ok(report.inside_window), Ok(0x55));
            checks.expect(
                "DACR after the window",
                Ok(report.after_window),
                Ok(report.kernel_entry),
            );
        }
        Err(errno) => checks.expect("uaccess_report", Err(errno), Ok(0)),
    }
    bad_pointers(
        &mut checks,
        "maps",
        true,
        |pointer, length| call(number::MAPS, [pointer, length, 0, 0, 0, 0]),
        hole,
    );
    bad_pointers(
        &mut checks,
        "lkdtm_list",
        true,
        |pointer, length| call(number::LKDTM_LIST, [pointer, length, 0, 0, 0, 0]),
        hole,
    );
    let mut small = [0u8; 5];
    checks.expect("lkdtm_list truncates", syscall::lkdtm_list(&mut small).map(|n| n as u32), Ok(5));
    checks.expect_true("lkdtm_list content", &small == b"EXEC_");

    checks.expect(
        "mmap without MAP_ANONYMOUS",
        syscall::mmap(0, 4096, protection::READ, map::PRIVATE),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap of nothing",
        syscall::mmap(0, 0, protection::READ, flags),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap of everything",
        syscall::mmap(0, u32::MAX as usize, protection::READ, flags),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap unknown protection",
        syscall::mmap(0, 4096, 0x80, flags),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap fixed unaligned",
        syscall::mmap(page + 1, 4096, protection::READ, flags | map::FIXED),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap fixed over a mapping",
        syscall::mmap(page, 4096, protection::READ, flags | map::FIXED),
        Err(Errno::EEXIST),
    );
    checks.expect(
        "mmap fixed in the kernel half",
        syscall::mmap(KERNEL_DATA, 4096, protection::READ, flags | map::FIXED),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "mmap fixed in the hole",
        syscall::mmap(hole, 4096, protection::READ, flags | map::FIXED),
        Ok(hole),
    );
    checks.expect(
        "munmap unaligned",
        syscall::munmap(page + 1, 4096).map(|()| 0),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "munmap the program",
        syscall::munmap(0x10_0000, 4096).map(|()| 0),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "munmap wrapping",
        syscall::munmap(0xFFFF_F000, 0x2000).map(|()| 0),
        Err(Errno::EINVAL),
    );

    code_written_at_run_time(&mut checks);
    execve_refusals(&mut checks, page);
    credentials(&mut checks);
    devices(&mut checks, page, read_only);
    out_of_memory(&mut checks);
    bad_destinations(&mut checks, read_only);

    checks.expect("unknown system call", call(0x0f_0fff, [0; 6]), Err(Errno::ENOSYS));
    checks.expect("unknown Linux system call", call(2, [0; 6]), Err(Errno::ENOSYS));
    checks.expect_true("getpid", syscall::getpid() > 0);
    // kill(0, signal) is the caller's group (checked in `signals`), never the kernel.
    checks.expect("kill nobody", syscall::kill(999, 9).map(|()| 0), Err(Errno::ESRCH));
    checks.expect(
        "kill nobody another signal",
        syscall::kill(999, 15).map(|()| 0),
        Err(Errno::ESRCH),
    );

    signals::checks(&mut checks);
    capabilities::checks(&mut checks);
    klog::checks(&mut checks);
    println!("usertest: {} checks passed, {} failed", checks.passed, checks.failed);
    checks.failed as i32
}

/// The argv and envp `exec-check` hands the new image, which `argv_check` expects back.
const EXEC_ARGV: [&str; 4] = ["usertest", "argv", "two words", ""];
const EXEC_ENVP: [&str; 2] = ["HOME=/", "LOGNAME=root"];

/// Every way `execve` refuses (the caller must come back intact after each), then one that
/// succeeds, in a child (`exec-check`).
fn execve_refusals(checks: &mut Checks, page: u32) {
    // Below the first page a program may map: never mapped, whatever ran before.
    let hole = 0x1000;
    let execve =
        |path: u32, argv: u32, envp: u32| call(number::EXECVE, [path, argv, envp, 0, 0, 0]);
    let true_path = c"/bin/true".as_ptr() as u32;
    let true_name = c"true".as_ptr() as u32;
    bad_pointers(checks, "execve path", false, |pointer, _| execve(pointer, 0, 0), hole);
    for (what, path, expected) in [
        ("execve of a missing program", &b"/bin/nosuch\0"[..], Errno::ENOENT),
        ("execve of a bare name", b"true\0", Errno::ENOENT),
        ("execve outside /bin", b"/etc/true\0", Errno::ENOENT),
        ("execve of an empty path", b"\0", Errno::ENOENT),
        ("execve of a file without execute bits", b"/bin/README\0", Errno::EACCES),
        ("execve of the directory", b"/bin\0", Errno::EACCES),
    ] {
        checks.expect(what, execve(path.as_ptr() as u32, 0, 0), Err(expected));
    }
    // A path with no NUL within PATH_MAX: the page holds 4096 'a's (written above).
    checks.expect("execve of an overlong path", execve(page, 0, 0), Err(Errno::ENAMETOOLONG));

    // The vectors themselves, then their elements, at every bad address but NULL (a NULL
    // vector is an empty one, as on Linux).
    let bad = [
        ("an unmapped page", hole),
        ("kernel text", KERNEL_TEXT),
        ("kernel data", KERNEL_DATA),
        ("a device", DEVICE),
        ("the top of the user half", USER_END - 2),
    ];
    for (what, pointer) in bad {
        let vector = [true_name, pointer, 0];
        let vector = vector.as_ptr() as u32;
        // A string at the top of the user half is good when the stack's last byte is a NUL:
        // strings running out of the user half have their own check below.
        let elements = pointer != USER_END - 2;
        let mut cases = [
            ("argv", true, execve(true_path, pointer, 0)),
            ("envp", true, execve(true_path, 0, pointer)),
            ("spawn argv", true, call(number::SPAWN, [true_path, 0, pointer, 0, 0, 0])),
            ("argv element", elements, Err(Errno::EFAULT)),
            ("envp element", elements, Err(Errno::EFAULT)),
            ("spawn argv element", elements, Err(Errno::EFAULT)),
        ];
        if elements {
            cases[3].2 = execve(true_path, vector, 0);
            cases[4].2 = execve(true_path, 0, vector);
            cases[5].2 = call(number::SPAWN, [true_path, 0, vector, 0, 0, 0]);
        }
        for (position, _, result) in cases.into_iter().filter(|case| case.1) {
            if result == Err(Errno::EFAULT) {
                checks.passed += 1;
            } else {
                checks.failed += 1;
                println!(
                    "usertest: FAIL execve {position} at {what}: got {result:?}, expected Err(EFAULT)"
                );
            }
        }
    }
    // envp running into the end of the user half with no NULL: its last two words are
    // pointers to a string, the next word would be in the kernel. They are the top of this
    // stack (argv's strings): saved and put back.
    let top = (USER_END - 8) as *mut [u32; 2];
    // SAFETY: the last 8 bytes of the user half are this process's stack, read-write; nothing
    // reads them between here and their restoration.
    let saved = unsafe { top.read_volatile() };
    // SAFETY: as above.
    unsafe { top.write_volatile([true_name, true_name]) };
    let unterminated = execve(true_path, 0, top as u32);
    // SAFETY: as above.
    unsafe { top.write_volatile(saved) };
    checks.expect(
        "execve with envp not terminated before the end of the user half",
        unterminated,
        Err(Errno::EFAULT),
    );
    // Strings that do not end within the user half.
    let at_end = [true_name, USER_END - 1, 0];
    // SAFETY: the last byte of the user half is this process's stack; the byte is put back.
    let last = unsafe { ((USER_END - 1) as *mut u8).read_volatile() };
    // SAFETY: as above.
    unsafe { ((USER_END - 1) as *mut u8).write_volatile(b'x') };
    let result = execve(true_path, at_end.as_ptr() as u32, 0);
    // SAFETY: as above.
    unsafe { ((USER_END - 1) as *mut u8).write_volatile(last) };
    checks.expect(
        "execve with an argv string running out of the user half",
        result,
        Err(Errno::EFAULT),
    );

    // E2BIG: five 4000-byte strings are more than ARG_MAX.
    // SAFETY: `page` is this process's own read-write page.
    unsafe { ((page + 4000) as *mut u8).write(0) };
    let mut vector = [page; 7];
    vector[6] = 0;
    let length = 4001 * 6 + 4 * 6;
    checks.expect_true("the long vector exceeds ARG_MAX", length > ARG_MAX);
    checks.expect(
        "execve past ARG_MAX",
        execve(true_path, vector.as_ptr() as u32, 0),
        Err(Errno::E2BIG),
    );
    checks.expect(
        "execve with envp past ARG_MAX",
        execve(true_path, 0, vector.as_ptr() as u32),
        Err(Errno::E2BIG),
    );
    checks.expect(
        "spawn with argv past ARG_MAX",
        call(number::SPAWN, [true_path, 0, vector.as_ptr() as u32, 0, 0, 0]),
        Err(Errno::E2BIG),
    );
    let argv = [true_name, 0];
    checks.expect(
        "spawn with both an argument and an argv",
        call(number::SPAWN, [true_path, true_name, argv.as_ptr() as u32, 0, 0, 0]),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "spawn of a file without execute bits",
        syscall::spawn("README", ""),
        Err(Errno::EACCES),
    );
    // SAFETY: as above.
    unsafe { ((page + 4000) as *mut u8).write(b'a') };

    // Success, in a child: it replaces itself and checks what the new image received.
    let result =
        syscall::spawn("usertest", "exec-check").and_then(|child| syscall::wait(Some(child)));
    match result {
        Ok(info) => checks.expect(
            "a child's execve with argv, envp and auxv",
            Ok(info.how * 1000 + info.status as u32),
            Ok(0),
        ),
        Err(errno) => checks.expect("spawn exec-check", Err(errno), Ok(0)),
    }
    let result = syscall::spawn_argv("/bin/usertest", &["usertest", "argv", "from", "spawn"])
        .and_then(|child| syscall::wait(Some(child)));
    checks.expect(
        "spawn with an argv",
        result.map(|info| info.how * 1000 + info.status as u32),
        Ok(0),
    );
}

/// `usertest exec-check`: replaces itself with `usertest argv ...` (same pid), which checks
/// what it received. Exits 99 if the execve fails.
fn exec_check() -> i32 {
    let pid = syscall::getpid();
    let mut pid_text = [0u8; 10];
    let mut length = pid_text.len();
    let mut rest = pid;
    loop {
        length -= 1;
        pid_text[length] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let pid_text = core::str::from_utf8(&pid_text[length..]).unwrap_or("?");
    let mut argv = EXEC_ARGV;
    argv[3] = pid_text;
    let errno = syscall::execve("/bin/usertest", &argv, &EXEC_ENVP);
    println!("usertest exec-check: execve: {errno}");
    99
}

/// `usertest argv ...`: checks argc, argv, envp and the auxiliary vector the kernel laid out
/// (after `exec-check`'s execve, argv's last word is the pid before it, which must not have
/// changed; after `spawn`, the words given). Exits with the number of failures.
fn argv_check() -> i32 {
    let mut checks = Checks { passed: 0, failed: 0 };
    let mut arguments = swpan_user::arguments();
    let environment = swpan_user::environment();
    if arguments.clone().nth(2) == Some("from") {
        let expected = ["usertest", "argv", "from", "spawn"];
        checks.expect_true("spawn's argv", arguments.clone().eq(expected));
        checks.expect("spawn gives no environment", Ok(environment.count() as u32), Ok(0));
    } else {
        checks.expect("argc", Ok(arguments.clone().count() as u32), Ok(4));
        for expected in &EXEC_ARGV[..3] {
            checks.expect_true("argv[i]", arguments.next() == Some(*expected));
        }
        let same_pid = arguments.next().and_then(|pid| pid.parse::<u32>().ok());
        checks.expect(
            "the pid across execve",
            Ok(syscall::getpid()),
            same_pid.ok_or(Errno::EINVAL),
        );
        checks.expect_true("envp", environment.eq(EXEC_ENVP));
    }
    checks.expect(
        "AT_PAGESZ",
        swpan_user::auxiliary(auxv::AT_PAGESZ).ok_or(Errno::ENOENT),
        Ok(4096),
    );
    checks.expect(
        "AT_UID",
        swpan_user::auxiliary(auxv::AT_UID).ok_or(Errno::ENOENT),
        Ok(syscall::getuid()),
    );
    checks.expect(
        "AT_EUID",
        swpan_user::auxiliary(auxv::AT_EUID).ok_or(Errno::ENOENT),
        Ok(syscall::geteuid()),
    );
    checks.expect(
        "AT_GID",
        swpan_user::auxiliary(auxv::AT_GID).ok_or(Errno::ENOENT),
        Ok(syscall::getgid()),
    );
    checks.expect(
        "AT_EGID",
        swpan_user::auxiliary(auxv::AT_EGID).ok_or(Errno::ENOENT),
        Ok(syscall::getegid()),
    );
    checks.expect("AT_SECURE", swpan_user::auxiliary(auxv::AT_SECURE).ok_or(Errno::ENOENT), Ok(0));
    let random = swpan_user::auxiliary(auxv::AT_RANDOM).unwrap_or(0);
    checks.expect_true("AT_RANDOM is on the stack", (0x7FFF_0000..USER_END - 16).contains(&random));
    let mut stack_pointer: u32;
    // SAFETY: reads SP.
    unsafe { core::arch::asm!("mov {}, sp", out(reg) stack_pointer) };
    stack_pointer &= !0xFFF;
    checks.expect_true("AT_RANDOM is above the running stack", random > stack_pointer);
    if checks.failed > 0 {
        println!("usertest argv: {} checks failed", checks.failed);
    }
    checks.failed as i32
}

/// The credential calls as root, then (in a child) as a user who keeps root as its saved uid.
fn credentials(checks: &mut Checks) {
    checks.expect("getuid", Ok(syscall::getuid()), Ok(0));
    checks.expect("getresuid", syscall::getresuid().map(|ids| ids[0] + ids[1] + ids[2]), Ok(0));
    checks.expect("getresgid", syscall::getresgid().map(|ids| ids[0] + ids[1] + ids[2]), Ok(0));
    let mut id = 0u32;
    let good = core::ptr::from_mut(&mut id) as u32;
    for (position, number) in
        [(0, number::GETRESUID32), (1, number::GETRESUID32), (2, number::GETRESGID32)]
    {
        bad_pointers(
            checks,
            "getresuid/getresgid",
            false,
            |pointer, _| {
                let mut arguments = [good, good, good, 0, 0, 0];
                arguments[position] = pointer;
                call(number, arguments)
            },
            0x1000,
        );
    }
    bad_pointers(
        checks,
        "getstatus",
        false,
        |pointer, _| call(number::GETSTATUS, [pointer, 0, 0, 0, 0, 0]),
        0x10,
    );
    bad_pointers(
        checks,
        "bin_entry",
        false,
        |pointer, _| call(number::BIN_ENTRY, [0, pointer, 0, 0, 0, 0]),
        0x10,
    );
    checks.expect(
        "bin_entry past the last",
        syscall::bin_entry(999).map(|_| 0),
        Err(Errno::ENOENT),
    );
    checks.expect("bin_entry 0", syscall::bin_entry(0).map(|entry| entry.mode), Ok(0o755));
    checks.expect("setuid(-1)", syscall::setuid(u32::MAX).map(|()| 0), Err(Errno::EINVAL));
    match syscall::getstatus() {
        Ok(status) => {
            checks.expect("status pid", Ok(status.pid), Ok(syscall::getpid()));
            checks.expect_true("status name", status.name() == "usertest");
            checks.expect_true(
                "root's effective set",
                status.cap_effective == swpan_user::abi::ProcessStatus::split(capability::ALL),
            );
        }
        Err(errno) => checks.expect("getstatus", Err(errno), Ok(0)),
    }
    let result =
        syscall::spawn("usertest", "credentials").and_then(|child| syscall::wait(Some(child)));
    checks.expect(
        "credential rules as a user with a saved root uid",
        result.map(|info| info.how * 1000 + info.status as u32),
        Ok(0),
    );
    checks.expect("the child's changes stay in the child", Ok(syscall::geteuid()), Ok(0));
}

/// `usertest credentials`: Linux's rules for an unprivileged process. Exits with the number
/// of failures.
fn credentials_as_student() -> i32 {
    const STUDENT: u32 = 1000;
    const KEEP: u32 = u32::MAX;
    let mut checks = Checks { passed: 0, failed: 0 };
    let ok = |result: Result<(), Errno>| result.map(|()| 0);
    checks.expect("setresgid as root", ok(syscall::setresgid(STUDENT, STUDENT, STUDENT)), Ok(0));
    checks.expect(
        "setresuid keeping a saved root",
        ok(syscall::setresuid(STUDENT, STUDENT, 0)),
        Ok(0),
    );
    checks.expect(
        "getresuid",
        syscall::getresuid().map(|ids| ids[0] * 3 + ids[1] * 2 + ids[2]),
        Ok(5000),
    );
    checks.expect("getgid", Ok(syscall::getgid()), Ok(STUDENT));
    let status = syscall::getstatus().unwrap_or_default();
    checks.expect("effective set dropped", Ok(status.cap_effective[0]), Ok(0));
    checks.expect("permitted set kept (saved uid 0)", Ok(status.cap_permitted[0]), Ok(u32::MAX));
    checks.expect(
        "setresgid unprivileged",
        ok(syscall::setresgid(0, KEEP, KEEP)),
        Err(Errno::EPERM),
    );
    checks.expect(
        "setreuid to a foreign uid",
        ok(syscall::setreuid(KEEP, 4242)),
        Err(Errno::EPERM),
    );
    checks.expect("setuid back to the saved root", ok(syscall::setuid(0)), Ok(0));
    checks.expect("geteuid", Ok(syscall::geteuid()), Ok(0));
    checks.expect("getuid stays", Ok(syscall::getuid()), Ok(STUDENT));
    checks.expect("setuid as effective root: all of them", ok(syscall::setuid(STUDENT)), Ok(0));
    checks.expect(
        "getresuid after",
        syscall::getresuid().map(|ids| ids[0] + ids[1] + ids[2]),
        Ok(3000),
    );
    checks.expect("no way back", ok(syscall::setuid(0)), Err(Errno::EPERM));
    checks.expect("setresuid to root", ok(syscall::setresuid(KEEP, 0, KEEP)), Err(Errno::EPERM));
    checks.expect("setgid to another group", ok(syscall::setgid(0)), Err(Errno::EPERM));
    let status = syscall::getstatus().unwrap_or_default();
    checks.expect(
        "permitted set dropped",
        Ok(status.cap_permitted[0] | status.cap_permitted[1]),
        Ok(0),
    );
    checks.expect("bounding set kept", Ok(status.cap_bounding[1]), Ok(0x1ff));
    // kill: Linux's credential rule. The parent runs as root; this process is all student.
    checks.expect("kill a root parent", ok(syscall::kill(status.ppid, 0)), Err(Errno::EPERM));
    checks.expect("kill itself", ok(syscall::kill(syscall::getpid(), 0)), Ok(0));
    // `id` in a child prints the student's names from the user database.
    let id = syscall::spawn_argv("/bin/sh", &["sh", "-c", "id"])
        .and_then(|child| syscall::wait(Some(child)))
        .map(|info| info.how * 256 + info.status as u32);
    checks.expect("sh -c id as the student (exited, status 0)", id, Ok(ExitInfo::EXITED * 256));
    checks.expect(
        "execve of a file without execute bits",
        Err(syscall::execve("/bin/README", &["README"], &[])),
        Err::<u32, Errno>(Errno::EACCES),
    );
    // The spawned child inherits the credentials.
    let result = syscall::spawn_argv("/bin/usertest", &["usertest", "argv", "from", "spawn"])
        .and_then(|child| syscall::wait(Some(child)));
    checks.expect(
        "a child of a user",
        result.map(|info| info.how * 1000 + info.status as u32),
        Ok(0),
    );
    if checks.failed > 0 {
        println!("usertest credentials: {} checks failed", checks.failed);
    }
    checks.failed as i32
}

/// The bad pointers every pointer-taking call must refuse with EFAULT: NULL, a hole after a
/// mapped page, kernel text and data, a device register, a range running over the top of the
/// user half, and a wrapping length.
/// A string argument has no length: for those (`sized` false) only the pointers that are bad
/// whatever the length are tried.
fn bad_pointers(
    checks: &mut Checks,
    call_name: &str,
    sized: bool,
    call: impl Fn(u32, u32) -> Result<u32, Errno>,
    hole: u32,
) {
    let cases = [
        ("NULL", 0, 16),
        ("an unmapped page", hole, 16),
        ("kernel text", KERNEL_TEXT, 16),
        ("kernel data", KERNEL_DATA, 16),
        ("a device", DEVICE, 16),
        ("the top of the user half", USER_END - 8, 16),
        ("a wrapping length", 0x10_0000, u32::MAX),
    ];
    let count = if sized { cases.len() } else { 5 };
    for &(what, pointer, length) in &cases[..count] {
        let result = call(pointer, length);
        if result != Err(Errno::EFAULT) {
            checks.failed += 1;
            println!(
                "usertest: FAIL {call_name} with {what}: got {result:?}, expected Err(EFAULT)"
            );
        } else {
            checks.passed += 1;
        }
    }
}

/// A JIT's path: write code into a page, `cacheflush` it, run it. The cache maintenance runs
/// on user addresses inside a window (the path Linux once forgot to open).
fn code_written_at_run_time(checks: &mut Checks) {
    // Writable and executable at once: granted, as on Linux (PaX's MPROTECT would refuse).
    let all = protection::READ | protection::WRITE | protection::EXEC;
    let Ok(page) = syscall::mmap(0, 4096, all, map::PRIVATE | map::ANONYMOUS) else {
        return checks.expect_true("mmap a writable and executable page", false);
    };
    // mov r0, #42 ; bx lr
    let code: [u32; 2] = [0xE3A0_002A, 0xE12F_FF1E];
    // SAFETY: `page` is this process's fresh read-write-execute page.
    unsafe { core::ptr::copy_nonoverlapping(code.as_ptr(), page as *mut u32, 2) };
    checks.expect("cacheflush", call(number::CACHEFLUSH, [page, page + 8, 0, 0, 0, 0]), Ok(0));
    // SAFETY: the page now holds a function that returns 42, and the caches know it.
    let function: extern "C" fn() -> u32 = unsafe { core::mem::transmute(page as usize) };
    checks.expect("code written at run time runs", Ok(function()), Ok(42));
    checks.expect(
        "cacheflush with flags",
        call(number::CACHEFLUSH, [page, page + 8, 1, 0, 0, 0]),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "cacheflush backwards",
        call(number::CACHEFLUSH, [page + 8, page, 0, 0, 0, 0]),
        Err(Errno::EINVAL),
    );
    checks.expect(
        "cacheflush of kernel text",
        call(number::CACHEFLUSH, [KERNEL_TEXT, KERNEL_TEXT + 64, 0, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    checks.expect(
        "cacheflush of an unmapped range",
        call(number::CACHEFLUSH, [0x0020_0000, 0x0020_0040, 0, 0, 0, 0]),
        Err(Errno::EINVAL),
    );
    let _ = syscall::munmap(page, 4096);
}

/// The null device and the loopback.
fn devices(checks: &mut Checks, page: u32, read_only: u32) {
    checks.expect(
        "write to the null device",
        call(number::WRITE, [3, page, 4096, 0, 0, 0]),
        Ok(4096),
    );
    checks.expect("read from the null device", call(number::READ, [3, page, 4096, 0, 0, 0]), Ok(0));
    // As Linux's /dev/null: the bytes are never read, so a user address with nothing
    // mapped is written as well as any (a kernel address is still EFAULT).
    checks.expect(
        "write NULL to the null device",
        call(number::WRITE, [3, 0, 16, 0, 0, 0]),
        Ok(16),
    );
    checks.expect(
        "write a kernel address to the null device",
        call(number::WRITE, [3, 0x8000_0000, 16, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    checks.expect("loopback: write", syscall::write(4, b"round trip").map(|n| n as u32), Ok(10));
    let mut back = [0u8; 16];
    // Into a read-only page first: refused, and the bytes stay in the loopback.
    checks.expect(
        "loopback: read into a read-only page",
        call(number::READ, [4, read_only, 10, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    checks.expect("loopback: read back", syscall::read(4, &mut back).map(|n| n as u32), Ok(10));
    checks.expect_true("loopback: the same bytes", &back[..10] == b"round trip");
    checks.expect("loopback: empty", syscall::read(4, &mut back).map(|n| n as u32), Ok(0));
    checks.expect(
        "loopback: write from NULL",
        call(number::WRITE, [4, 0, 16, 0, 0, 0]),
        Err(Errno::EFAULT),
    );
    // A misaligned source is fine: the kernel copies bytes.
    checks.expect(
        "write from a misaligned pointer",
        call(number::WRITE, [3, page + 1, 100, 0, 0, 0]),
        Ok(100),
    );
    // A huge length over valid memory: the kernel copies until the first hole, then stops.
    let huge = call(number::WRITE, [3, page, 0x7FF0_0000, 0, 0, 0]);
    checks.expect_true(
        "write with a huge length stops at the first hole",
        matches!(huge, Ok(n) if n < 0x10_0000) || huge == Err(Errno::EFAULT),
    );
}

/// Calls that write to user memory, pointed at a read-only page: EFAULT, the page unchanged.
fn bad_destinations(checks: &mut Checks, read_only: u32) {
    for (what, number, arguments) in [
        (
            "uaccess_report into a read-only page",
            number::UACCESS_REPORT,
            [read_only, 0, 0, 0, 0, 0],
        ),
        ("maps into a read-only page", number::MAPS, [read_only, 64, 0, 0, 0, 0]),
        ("lkdtm_list into a read-only page", number::LKDTM_LIST, [read_only, 64, 0, 0, 0, 0]),
    ] {
        checks.expect(what, call(number, arguments), Err(Errno::EFAULT));
    }
    // SAFETY: the page is mapped readable.
    let untouched = unsafe { core::slice::from_raw_parts(read_only as *const u8, 4096) }
        .iter()
        .all(|&byte| byte == 0);
    checks.expect_true("the read-only page is still all zero", untouched);
    if let Ok(child) = syscall::spawn("usertest", "null") {
        checks.expect(
            "wait into a read-only page",
            call(number::WAIT, [child, read_only, 0, 0, 0, 0]),
            Err(Errno::EFAULT),
        );
    }
}

/// Takes every free page frame, then asks for more: ENOMEM for the mapping and for a spawn,
/// never a panic; and all of it comes back after `munmap`.
fn out_of_memory(checks: &mut Checks) {
    const CHUNK: usize = 4 << 20;
    const PAGE: usize = 4096;
    let flags = map::PRIVATE | map::ANONYMOUS;
    let read_write = protection::READ | protection::WRITE;
    // (address, length) of every mapping taken; RAM is 128 MiB, so big chunks stop early.
    let mut taken = [(0u32, 0usize); 64 + 1024];
    let mut count = 0;
    let mut last = Ok(0);
    for length in [CHUNK, PAGE] {
        while count < taken.len() {
            last = syscall::mmap(0, length, read_write, flags);
            match last {
                Ok(address) => {
                    taken[count] = (address, length);
                    count += 1;
                }
                Err(_) => break,
            }
        }
    }
    checks.expect("mmap with no memory left", last, Err(Errno::ENOMEM));
    checks.expect_true("some memory was mapped first", count > 0);
    checks.expect("spawn with no memory left", syscall::spawn("true", ""), Err(Errno::ENOMEM));
    for &(address, length) in &taken[..count] {
        let _ = syscall::munmap(address, length);
    }
    let again = syscall::mmap(0, CHUNK, read_write, flags);
    checks.expect_true("memory comes back after munmap", again.is_ok());
    if let Ok(address) = again {
        let _ = syscall::munmap(address, CHUNK);
    }
}
