//! A small shell on the console: provoke lkdtm crash types in child processes and look at
//! the kernel's state. Reads piped input too, one command per line.
//! Lines are edited as at a terminal's prompt ([`line_editor`]); Ctrl-D on an empty line
//! powers off, as `poweroff` does.

#![no_std]
#![no_main]

mod line_editor;

use line_editor::{Input, LineEditor};
use swpan_user::abi::{ExitInfo, ExitStatus};
use swpan_user::{print, println, syscall};

swpan_user::main!(run);

const HELP: &str = "\
commands:
  help              this list
  lkdtm list        the crash types the kernel implements
  provoke NAME      run crash type NAME in a child process and report how it died
  dacr              the DACR at each step of a system call, as the kernel reports it
  maps              this shell's memory mappings
  ptdump            the page tables as the MMU walks them (this shell's and the kernel's)
  poweroff          power the machine off";

fn run(_: &str) -> i32 {
    println!("swpan shell: type 'help' for the commands");
    let mut editor = LineEditor::new();
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
        let mut words = command.split_ascii_whitespace();
        match (words.next(), words.next(), words.next()) {
            (None, _, _) => {}
            (Some("help"), None, _) => println!("{HELP}"),
            (Some("lkdtm"), Some("list"), None) => lkdtm_list(),
            (Some("provoke"), Some(name), None) => provoke(name),
            (Some("dacr"), None, _) => dacr(),
            (Some("maps"), None, _) => maps(),
            (Some("ptdump"), None, _) => {
                if let Err(errno) = syscall::ptdump() {
                    println!("ptdump: {errno}");
                }
            }
            (Some("poweroff"), None, _) => {
                let _ = syscall::poweroff(ExitStatus::Success);
                return 0;
            }
            _ => println!("unknown command '{command}': type 'help'"),
        }
    }
}

fn lkdtm_list() {
    let mut text = [0u8; 1024];
    match syscall::lkdtm_list(&mut text) {
        Ok(length) => print!("{}", core::str::from_utf8(&text[..length]).unwrap_or("?\n")),
        Err(errno) => println!("lkdtm list: {errno}"),
    }
}

fn provoke(name: &str) {
    let child = match syscall::spawn("provoke", name) {
        Ok(child) => child,
        Err(errno) => return println!("provoke: spawn failed: {errno}"),
    };
    match syscall::wait(Some(child)) {
        Ok(info) => report(name, &info),
        Err(errno) => println!("provoke: wait failed: {errno}"),
    }
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

fn dacr() {
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
}

fn on_off(flag: u32) -> &'static str {
    if flag != 0 { "on" } else { "off" }
}

fn maps() {
    let mut text = [0u8; 1024];
    match syscall::maps(&mut text) {
        Ok(length) => print!("{}", core::str::from_utf8(&text[..length]).unwrap_or("?\n")),
        Err(errno) => println!("maps: {errno}"),
    }
}
