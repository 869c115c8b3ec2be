//! `taskset`: shows or sets a process's CPU affinity, or runs a program on chosen CPUs, in
//! util-linux's forms and words:
//!
//! ```text
//! taskset [-c] MASK|LIST PROGRAM [ARG...]   run PROGRAM on those CPUs
//! taskset [-c] -p [MASK|LIST] PID           show (and set) PID's CPUs
//! ```
//!
//! A MASK is hexadecimal (`3`, `0x3`: CPUs 0 and 1); with `-c` (`--cpu-list`) a LIST names
//! CPUs (`0,2`, `1-3`). Output as util-linux prints it:
//!
//! ```text
//! pid 1's current affinity mask: f
//! pid 1's new affinity list: 2
//! ```
//!
//! Exit status 0 on success, 1 when a call fails (with `strerror`'s text), 2 for bad usage.

#![no_std]
#![no_main]

use core::fmt::Write;
use swpan_user::{println, syscall};

swpan_user::main!(run);

const USAGE: &str =
    "usage: taskset [-c] MASK|LIST PROGRAM [ARG...] or taskset [-c] -p [MASK|LIST] PID";

fn run(_: &str) -> i32 {
    let mut list = false;
    let mut pid_mode = false;
    let mut words = swpan_user::arguments().skip(1).peekable();
    while let Some(&word) = words.peek() {
        match word {
            "-c" | "--cpu-list" => list = true,
            "-p" | "--pid" => pid_mode = true,
            "-pc" | "-cp" => (list, pid_mode) = (true, true),
            "-h" | "--help" => {
                println!("{USAGE}");
                return 0;
            }
            _ if word.starts_with('-') && word.len() > 1 => {
                println!("taskset: invalid option -- '{}'", word.trim_start_matches('-'));
                println!("{USAGE}");
                return 2;
            }
            _ => break,
        }
        words.next();
    }
    let rest: alloc_free::Words = words.collect();
    if pid_mode {
        let (cpus, pid) = match rest.as_slice() {
            [pid] => (None, *pid),
            [cpus, pid] => (Some(*cpus), *pid),
            _ => {
                println!("{USAGE}");
                return 2;
            }
        };
        let Some(pid) = pid.parse::<u32>().ok() else {
            println!("taskset: invalid PID argument: '{pid}'");
            return 2;
        };
        let wanted = match cpus.map(|cpus| parse(cpus, list)) {
            Some(Ok(mask)) => Some(mask),
            Some(Err(())) => return bad_cpus(cpus.unwrap_or(""), list),
            None => None,
        };
        if !show(pid, "current", list) {
            return 1;
        }
        if let Some(mask) = wanted {
            if let Err(errno) = syscall::sched_setaffinity(pid, mask) {
                println!("taskset: failed to set pid {pid}'s affinity: {}", errno.description());
                return 1;
            }
            if !show(pid, "new", list) {
                return 1;
            }
        }
        return 0;
    }
    let [cpus, program, ..] = rest.as_slice() else {
        println!("{USAGE}");
        return 2;
    };
    let Ok(mask) = parse(cpus, list) else { return bad_cpus(cpus, list) };
    if let Err(errno) = syscall::sched_setaffinity(0, mask) {
        println!(
            "taskset: failed to set pid {}'s affinity: {}",
            syscall::getpid(),
            errno.description()
        );
        return 1;
    }
    // A name without a slash is looked up in /bin, the one directory of the PATH.
    let mut path = [0u8; 256];
    let path = match program.contains('/') {
        true => *program,
        false => {
            let length = (5 + program.len()).min(path.len());
            path[..5].copy_from_slice(b"/bin/");
            path[5..length].copy_from_slice(&program.as_bytes()[..length - 5]);
            core::str::from_utf8(&path[..length]).unwrap_or(program)
        }
    };
    let errno = syscall::execve(path, &rest.as_slice()[1..], &[]);
    println!("taskset: failed to execute {program}: {}", errno.description());
    1
}

/// The words after the options (at most 16).
mod alloc_free {
    /// A short list of words, without an allocator.
    pub struct Words {
        words: [&'static str; 16],
        count: usize,
    }

    impl Words {
        /// The words.
        pub fn as_slice(&self) -> &[&'static str] {
            &self.words[..self.count]
        }
    }

    impl FromIterator<&'static str> for Words {
        fn from_iter<I: IntoIterator<Item = &'static str>>(iter: I) -> Words {
            let mut words = Words { words: [""; 16], count: 0 };
            for word in iter.into_iter().take(16) {
                words.words[words.count] = word;
                words.count += 1;
            }
            words
        }
    }
}

fn bad_cpus(cpus: &str, list: bool) -> i32 {
    if list {
        println!("taskset: failed to parse CPU list: {cpus}");
    } else {
        println!("taskset: failed to parse CPU mask: {cpus}");
    }
    2
}

/// Prints `pid 1's current affinity mask: f` (or `list: 0-3`); false if the call failed.
fn show(pid: u32, which: &str, list: bool) -> bool {
    match syscall::sched_getaffinity(pid) {
        Ok(mask) if list => {
            println!("pid {pid}'s {which} affinity list: {}", ListText(mask));
            true
        }
        Ok(mask) => {
            println!("pid {pid}'s {which} affinity mask: {mask:x}");
            true
        }
        Err(errno) => {
            println!("taskset: failed to get pid {pid}'s affinity: {}", errno.description());
            false
        }
    }
}

/// A mask (hexadecimal, `0x` optional) or, with `list`, a CPU list (`0,2-3`).
fn parse(text: &str, list: bool) -> Result<u32, ()> {
    if !list {
        let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
        return u32::from_str_radix(digits, 16).map_err(|_| ());
    }
    let mut mask = 0u32;
    for part in text.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((first, last)) => (first.parse::<u32>(), last.parse::<u32>()),
            None => (part.parse::<u32>(), part.parse::<u32>()),
        };
        let (Ok(first), Ok(last)) = (first, last) else { return Err(()) };
        if first > last || last >= 32 {
            return Err(());
        }
        for cpu in first..=last {
            mask |= 1 << cpu;
        }
    }
    Ok(mask)
}

/// A mask as util-linux's list: ranges of three or more CPUs as `a-b`, others one by one.
struct ListText(u32);

impl core::fmt::Display for ListText {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut first = true;
        let mut cpu = 0;
        while cpu < 32 {
            if self.0 & (1 << cpu) == 0 {
                cpu += 1;
                continue;
            }
            let start = cpu;
            while cpu + 1 < 32 && self.0 & (1 << (cpu + 1)) != 0 {
                cpu += 1;
            }
            if !first {
                formatter.write_char(',')?;
            }
            first = false;
            match cpu - start {
                0 => write!(formatter, "{start}")?,
                1 => write!(formatter, "{start},{cpu}")?,
                _ => write!(formatter, "{start}-{cpu}")?,
            }
            cpu += 1;
        }
        Ok(())
    }
}
