//! `/bin/sh`: a small shell on the console. Interactive (no arguments), it reads command
//! lines, edited as at a terminal's prompt ([`line_editor`]); Ctrl-D on an empty line powers
//! off, as `poweroff` does. `sh -c 'CMD'` runs one command line and exits with its status.
//! Reads piped input too, one command per line.
//!
//! A command is a builtin (`help` lists them) or a program of `/bin`: the interactive shell
//! runs it in a child (`spawn` of `sh -c LINE`, which `execve`s the program in place of
//! itself) and waits; `sh -c` runs it with `execve` directly. A name that is neither is
//! `sh: NAME: not found`, status 127. Words are separated by spaces; a word in single or
//! double quotes keeps its spaces.

#![no_std]
#![no_main]

mod line_editor;

use core::fmt::Write;
use line_editor::{Input, LineEditor};
use swpan_user::abi::{ExitInfo, ExitStatus};
use swpan_user::{Errno, print, println, syscall, users};

swpan_user::main!(run);

const HELP: &str = "\
commands:
  help              this list
  lkdtm list        the crash types the kernel implements
  provoke NAME      run crash type NAME in a child process and report how it died
  dacr              the DACR at each step of a system call, as the kernel reports it
  maps              this shell's memory mappings
  ptdump            the page tables as the MMU walks them (this shell's and the kernel's)
  status            this shell's identity and credentials, as /proc/self/status
  id                the user and group ids, with their names
  ls [/bin]         the programs, as ls -l lists them
  echo WORD...      print the words
  exit [N]          leave the shell with status N (default: the last command's)
  NAME [ARG...]     run /bin/NAME in a child process and wait for it
  poweroff          power the machine off";

/// The most words a command line splits into.
const MAX_WORDS: usize = 16;

/// Status of a command that was not found (POSIX).
const NOT_FOUND: i32 = 127;
/// Status of a command found but not executable (POSIX).
const NOT_EXECUTABLE: i32 = 126;

fn run(_: &str) -> i32 {
    let mut arguments = swpan_user::arguments().skip(1);
    match (arguments.next(), arguments.next()) {
        (None, _) => interactive(),
        (Some("-c"), Some(command)) => {
            let mut shell = Shell { interactive: false, last_status: 0 };
            match shell.run_line(command) {
                Outcome::Status(status) | Outcome::Exit(status) => status,
            }
        }
        _ => {
            println!("usage: sh [-c COMMAND]");
            2
        }
    }
}

fn interactive() -> i32 {
    println!("swpan shell: type 'help' for the commands");
    let mut editor = LineEditor::new();
    let mut shell = Shell { interactive: true, last_status: 0 };
    loop {
        print!("swpan$ ");
        let command = match editor.read() {
            Some(Input::Line(command)) => command,
            Some(Input::Interrupted) => continue,
            Some(Input::EndOfTransmission) => {
                println!("poweroff");
                let _ = syscall::poweroff(ExitStatus::Success);
                return 0;
            }
            None => return 1,
        };
        if let Outcome::Exit(status) = shell.run_line(command) {
            return status;
        }
    }
}

/// What running a line leads to.
enum Outcome {
    /// The command ended with this status; read the next line.
    Status(i32),
    /// `exit`: the shell ends with this status.
    Exit(i32),
}

struct Shell {
    /// Reading lines at a prompt (programs then run in a child); `sh -c` otherwise.
    interactive: bool,
    /// The status of the last command, for `exit` without a number.
    last_status: i32,
}

impl Shell {
    fn run_line(&mut self, line: &str) -> Outcome {
        let mut storage = [""; MAX_WORDS];
        let words = match split_words(line, &mut storage) {
            Ok(words) => words,
            Err(message) => {
                println!("sh: {message}");
                self.last_status = 2;
                return Outcome::Status(2);
            }
        };
        let outcome = self.run_words(line, words);
        if let Outcome::Status(status) = outcome {
            self.last_status = status;
        }
        outcome
    }

    fn run_words(&mut self, line: &str, words: &[&str]) -> Outcome {
        let status = match words {
            [] => 0,
            ["help"] => {
                println!("{HELP}");
                0
            }
            ["lkdtm", "list"] => lkdtm_list(),
            ["provoke", name] => provoke(name),
            ["dacr"] => dacr(),
            ["maps"] => maps(),
            ["ptdump"] => match syscall::ptdump() {
                Ok(()) => 0,
                Err(errno) => {
                    println!("ptdump: {errno}");
                    1
                }
            },
            ["poweroff"] => {
                let _ = syscall::poweroff(ExitStatus::Success);
                return Outcome::Exit(0);
            }
            ["status"] => status(),
            ["id"] => id(),
            ["ls"] | ["ls", "/bin" | "/bin/" | "-l"] | ["ls", "-l", "/bin" | "/bin/"] => ls(),
            ["ls", .., path] => {
                println!("ls: cannot access '{path}': No such file or directory");
                2
            }
            ["echo", rest @ ..] => echo(rest),
            ["exit"] => return Outcome::Exit(self.last_status),
            ["exit", number] => match number.parse::<i32>() {
                Ok(status) => return Outcome::Exit(status & 0xff),
                Err(_) => {
                    println!("sh: exit: {number}: numeric argument required");
                    return Outcome::Exit(2);
                }
            },
            [name, ..] if self.interactive => run_in_child(name, line),
            [name, ..] => execute(name, words),
        };
        Outcome::Status(status)
    }
}

/// Splits `line` into words at spaces; a word in single or double quotes keeps its spaces.
fn split_words<'a, 'w>(
    line: &'a str,
    storage: &'w mut [&'a str; MAX_WORDS],
) -> Result<&'w [&'a str], &'static str> {
    let mut count = 0;
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let (word, after) = match rest.as_bytes()[0] {
            quote @ (b'\'' | b'"') => {
                let inside = &rest[1..];
                let end = inside.find(quote as char).ok_or("unterminated quote")?;
                (&inside[..end], &inside[end + 1..])
            }
            _ => {
                let end = rest.find(|c: char| c.is_ascii_whitespace()).unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        *storage.get_mut(count).ok_or("too many words")? = word;
        count += 1;
        rest = after.trim_start();
    }
    Ok(&storage[..count])
}

/// Runs the command `line` (whose first word is `name`) in a child shell, `sh -c LINE`, which
/// replaces itself with the program; waits for it.
fn run_in_child(name: &str, line: &str) -> i32 {
    let child = match syscall::spawn_argv("/bin/sh", &["sh", "-c", line]) {
        Ok(child) => child,
        Err(errno) => {
            println!("sh: {name}: {errno}");
            return NOT_EXECUTABLE;
        }
    };
    match syscall::wait(Some(child)) {
        Ok(info) if info.how == ExitInfo::EXITED => info.status,
        Ok(info) => {
            report(name, &info);
            128 + info.status
        }
        Err(errno) => {
            println!("sh: wait: {errno}");
            1
        }
    }
}

/// Replaces this shell with `/bin/NAME` (`sh -c`); returns only if that failed.
fn execute(name: &str, words: &[&str]) -> i32 {
    const BIN: &str = "/bin/";
    let mut path = [0u8; 64];
    let length = BIN.len() + name.len();
    let errno = if name.contains('/') || length > path.len() {
        Errno::ENOENT
    } else {
        path[..BIN.len()].copy_from_slice(BIN.as_bytes());
        path[BIN.len()..length].copy_from_slice(name.as_bytes());
        syscall::execve(core::str::from_utf8(&path[..length]).unwrap_or(""), words, &[])
    };
    match errno {
        Errno::ENOENT => {
            println!("sh: {name}: not found");
            NOT_FOUND
        }
        Errno::EACCES => {
            println!("sh: {name}: Permission denied");
            NOT_EXECUTABLE
        }
        errno => {
            println!("sh: {name}: {errno}");
            NOT_EXECUTABLE
        }
    }
}

fn status() -> i32 {
    match syscall::getstatus() {
        Ok(status) => {
            let mut console = swpan_user::Console::new();
            let _ = swpan_user::status::write(&mut console, &status);
            console.flush();
            0
        }
        Err(errno) => {
            println!("status: {errno}");
            1
        }
    }
}

fn id() -> i32 {
    let (uid, euid) = (syscall::getuid(), syscall::geteuid());
    let (gid, egid) = (syscall::getgid(), syscall::getegid());
    let mut console = swpan_user::Console::new();
    let user_name = |uid| users::by_uid(uid).map(|user| user.name);
    let _ = users::write_id(&mut console, "uid", uid, user_name(uid));
    let _ = console.write_str(" ");
    let _ = users::write_id(&mut console, "gid", gid, users::group_name(gid));
    if euid != uid {
        let _ = console.write_str(" ");
        let _ = users::write_id(&mut console, "euid", euid, user_name(euid));
    }
    if egid != gid {
        let _ = console.write_str(" ");
        let _ = users::write_id(&mut console, "egid", egid, users::group_name(egid));
    }
    let _ = console.write_str("\n");
    console.flush();
    0
}

/// `ls -l /bin`: mode, links, owner, group, size, name.
fn ls() -> i32 {
    for index in 0.. {
        let entry = match syscall::bin_entry(index) {
            Ok(entry) => entry,
            Err(Errno::ENOENT) => break,
            Err(errno) => {
                println!("ls: {errno}");
                return 1;
            }
        };
        let mut mode = [b'-'; 10];
        for (bit, letter) in (0..9).rev().zip(b"rwxrwxrwx") {
            if entry.mode & (1 << bit) != 0 {
                mode[9 - bit] = *letter;
            }
        }
        for (special, position) in [(0o4000, 3), (0o2000, 6)] {
            if entry.mode & special != 0 {
                mode[position] = if mode[position] == b'x' { b's' } else { b'S' };
            }
        }
        let owner = users::by_uid(entry.uid).map_or("?", |user| user.name);
        let group = users::group_name(entry.gid).unwrap_or("?");
        println!(
            "{} 1 {owner} {group} {:>6} {}",
            core::str::from_utf8(&mode).unwrap_or("?"),
            entry.size,
            entry.name()
        );
    }
    0
}

fn echo(words: &[&str]) -> i32 {
    let mut console = swpan_user::Console::new();
    for (index, word) in words.iter().enumerate() {
        let _ = console.write_str(if index == 0 { "" } else { " " });
        let _ = console.write_str(word);
    }
    let _ = console.write_str("\n");
    console.flush();
    0
}

fn lkdtm_list() -> i32 {
    let mut text = [0u8; 1024];
    match syscall::lkdtm_list(&mut text) {
        Ok(length) => print!("{}", core::str::from_utf8(&text[..length]).unwrap_or("?\n")),
        Err(errno) => println!("lkdtm list: {errno}"),
    }
    0
}

fn provoke(name: &str) -> i32 {
    let child = match syscall::spawn("provoke", name) {
        Ok(child) => child,
        Err(errno) => {
            println!("provoke: spawn failed: {errno}");
            return 1;
        }
    };
    match syscall::wait(Some(child)) {
        Ok(info) => report(name, &info),
        Err(errno) => println!("provoke: wait failed: {errno}"),
    }
    0
}

fn report(name: &str, info: &ExitInfo) {
    if info.how == ExitInfo::KILLED && info.by_oops != 0 {
        println!(
            "{name}: blocked: process {} killed by a kernel oops ({} at {:#010x})",
            info.pid,
            info.cause(),
            info.fault_address
        );
    } else if info.how == ExitInfo::KILLED {
        println!(
            "{name}: process {} killed by signal {} ({})",
            info.pid,
            info.status,
            info.cause()
        );
    } else if info.status == 1 {
        println!("{name}: FAIL: process {} survived: the kernel was not protected", info.pid);
    } else {
        println!("{name}: process {} exited with status {}", info.pid, info.status);
    }
}

fn dacr() -> i32 {
    match syscall::uaccess_report() {
        Ok(report) => {
            println!("PAN {}, PXN {}", on_off(report.pan), on_off(report.pxn));
            println!("user mode                  DACR {:#04x}", report.user);
            println!("kernel, syscall entry      DACR {:#04x}", report.kernel_entry);
            println!("kernel, inside the window  DACR {:#04x}", report.inside_window);
            println!("kernel, window closed      DACR {:#04x}", report.after_window);
        }
        Err(errno) => println!("dacr: {errno}"),
    }
    0
}

fn on_off(flag: u32) -> &'static str {
    if flag != 0 { "on" } else { "off" }
}

fn maps() -> i32 {
    let mut text = [0u8; 1024];
    match syscall::maps(&mut text) {
        Ok(length) => print!("{}", core::str::from_utf8(&text[..length]).unwrap_or("?\n")),
        Err(errno) => println!("maps: {errno}"),
    }
    0
}
