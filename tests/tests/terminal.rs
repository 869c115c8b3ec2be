//! The kernel run the way a person runs it: `make shell`, `make selftest` and `qemu/run` with a
//! terminal (a pseudo-terminal) on standard input and output, keys typed at the prompt.
//!
//! The pseudo-terminal comes from Python's `pty` module: the command is the session leader of
//! a new terminal and in its foreground process group, as under a login shell. A small driver
//! waits for each expected text, then types the next keys, and gives back everything the
//! terminal showed and the command's exit status. The Makefile targets run with `-o build -o
//! qemu-present` (their recipes only: the kernel the other tests boot is not rebuilt under
//! them) and without the outer make's MAKEFLAGS, as from a person's shell.

use std::process::Command;
use swpan_tests::{kernel, root, status};

/// The driver: `python3 -c DRIVER SECONDS COUNT EXPECT1 KEYS1 ... COMMAND...`. It prints the
/// terminal's output and exits with the command's status; 200 when the time ran out or the
/// terminal closed before an expected text (the command's process group is then killed).
/// Expected texts are looked for with the terminal's `\r`s left out.
const DRIVER: &str = r#"
import os, pty, select, signal, sys, time
deadline = time.monotonic() + float(sys.argv[1])
count = int(sys.argv[2])
steps = [(sys.argv[3 + 2 * i].encode(), sys.argv[4 + 2 * i].encode()) for i in range(count)]
command = sys.argv[3 + 2 * count:]
pid, terminal = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
output = b""
def read_more():
    global output
    left = deadline - time.monotonic()
    if left <= 0:
        return False
    if select.select([terminal], [], [], min(left, 0.2))[0]:
        try:
            data = os.read(terminal, 4096)
        except OSError:
            data = b""
        if not data:
            return False
        output += data
    return True
def give_up(reason):
    sys.stdout.buffer.write(output)
    sys.stderr.write("terminal driver: %s\n" % reason)
    os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.exit(200)
def find(text, start):
    return output.replace(b"\r", b"").find(text, start)
searched = 0
for expect, keys in steps:
    while find(expect, searched) < 0:
        if not read_more():
            give_up("no %r on the terminal" % expect.decode())
    searched = find(expect, searched) + len(expect)
    os.write(terminal, keys)
while read_more():
    pass
if time.monotonic() >= deadline:
    give_up("still running when the time ran out")
_, wait_status = os.waitpid(pid, 0)
sys.stdout.buffer.write(output)
sys.exit(os.waitstatus_to_exitcode(wait_status) if os.WIFEXITED(wait_status) else 201)
"#;

/// What a command did on a terminal.
#[derive(Debug)]
struct Session {
    /// Everything the terminal showed, `\r` removed.
    screen: String,
    /// The command's exit status (200: the driver gave up).
    status: i32,
    /// The driver's complaint, if any.
    stderr: String,
}

impl Session {
    fn assert_status(&self, expected: i32) {
        assert_eq!(self.status, expected, "exit status on the terminal:\n{self}");
    }

    fn assert_shows(&self, text: &str) {
        assert!(self.screen.contains(text), "the terminal did not show {text:?}:\n{self}");
    }

    fn count(&self, line: &str) -> usize {
        self.screen.lines().filter(|candidate| *candidate == line).count()
    }
}

impl std::fmt::Display for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "--- terminal (status {}) ---", self.status)?;
        f.write_str(&self.screen)?;
        writeln!(f, "--- driver ---")?;
        f.write_str(&self.stderr)
    }
}

/// Runs `command` in the workspace on a new terminal: for each `(expect, keys)`, waits until
/// `expect` appears (after the previous one) and types `keys`; then waits for the end. All
/// within `seconds`.
fn on_terminal(command: &[&str], steps: &[(&str, &str)], seconds: u32) -> Session {
    let mut driver = Command::new("python3");
    driver.current_dir(root()).arg("-c").arg(DRIVER).arg(seconds.to_string());
    driver.arg(steps.len().to_string());
    for (expect, keys) in steps {
        driver.arg(expect).arg(keys);
    }
    driver.args(command);
    for variable in ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR"] {
        driver.env_remove(variable);
    }
    let output = driver.output().expect("python3 runs (the terminal tests need it)");
    Session {
        screen: String::from_utf8_lossy(&output.stdout).replace('\r', ""),
        status: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `make shell`, its recipe only.
const MAKE_SHELL: &[&str] =
    &["make", "--no-print-directory", "-o", "build", "-o", "qemu-present", "shell"];

const PROMPT: &str = "swpan$ ";
const DACR_RAN: &str = "kernel, window closed      DACR 0x51";

#[test]
fn make_shell_on_a_terminal_takes_typed_commands_and_powers_off() {
    // A command, Up and Enter to run it again, then poweroff typed out.
    let session = on_terminal(
        MAKE_SHELL,
        &[(PROMPT, "dacr\r"), (PROMPT, "\x1b[A\r"), (PROMPT, "poweroff\r")],
        60,
    );
    session.assert_status(status::SUCCESS);
    session.assert_shows("swpan 0.1.0: emulated PAN and PXN through the ARM DACR");
    session.assert_shows("swpan shell: type 'help' for the commands\nswpan$ dacr\n");
    assert_eq!(session.count(DACR_RAN), 2, "dacr, then Up and Enter:\n{session}");
    session.assert_shows("swpan$ poweroff\n");
}

#[test]
fn on_a_terminal_ctrl_c_abandons_the_line_and_ctrl_d_powers_off() {
    // Ctrl-C is a key for the shell, not a signal that ends QEMU.
    let session =
        on_terminal(MAKE_SHELL, &[(PROMPT, "frobnicate\x03"), ("^C\nswpan$ ", "\x04")], 60);
    session.assert_status(status::SUCCESS);
    session.assert_shows("swpan$ frobnicate^C\nswpan$ poweroff\n");
    assert!(!session.screen.contains("unknown command"), "{session}");
}

#[test]
fn on_a_terminal_ctrl_a_x_quits_qemu() {
    let kernel = kernel();
    let session =
        on_terminal(&["qemu/run", kernel.to_str().unwrap(), "shell"], &[(PROMPT, "\x01x")], 60);
    session.assert_shows("QEMU: Terminated");
    session.assert_status(status::SUCCESS);
}

#[test]
fn make_selftest_runs_on_a_terminal() {
    let session = on_terminal(
        &["make", "--no-print-directory", "-o", "build", "-o", "qemu-present", "selftest"],
        &[],
        120,
    );
    session.assert_status(status::SUCCESS);
    session.assert_shows("KTAP version 1\n");
    session.assert_shows(" passed, 0 failed\n");
}

#[test]
fn on_a_terminal_the_timeout_still_kills_qemu_with_124() {
    let kernel = kernel();
    let session =
        on_terminal(&["qemu/run", "--timeout", "3", kernel.to_str().unwrap(), "shell"], &[], 60);
    session.assert_status(status::TIMEOUT);
    session.assert_shows(PROMPT);
    session.assert_shows("qemu/run: QEMU killed after 3s (timeout)");
}

#[test]
fn make_run_with_a_command_line_runs_on_a_terminal() {
    let session = on_terminal(
        &[
            "make",
            "--no-print-directory",
            "-o",
            "build",
            "-o",
            "qemu-present",
            "run",
            "CMDLINE=init=true",
        ],
        &[],
        60,
    );
    session.assert_status(status::SUCCESS);
    session.assert_shows("Command line: init=true\n");
    session.assert_shows("init: true exited with status 0\n");
}
