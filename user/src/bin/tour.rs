//! The user half of the tour: a process whose system calls copy through the window, and what
//! the DACR is at each step.

#![no_std]
#![no_main]

use swpan_user::abi::{map, protection};
use swpan_user::{println, syscall};

swpan_user::main!(run);

fn run(_: &str) -> i32 {
    let pid = syscall::getpid();
    println!("tour[{pid}]: hello from user mode; this line crossed the window in write()");
    let Ok(report) = syscall::uaccess_report() else {
        println!("tour[{pid}]: uaccess_report failed");
        return 1;
    };
    println!("tour[{pid}]: the DACR during one system call, as the kernel saw it:");
    let state = |dacr: u32| {
        if dacr & 0b1100 == 0b0100 { "user domain Client" } else { "user domain No access" }
    };
    for (step, dacr) in [
        ("user mode", report.user),
        ("kernel, syscall entry", report.kernel_entry),
        ("kernel, inside the window", report.inside_window),
        ("kernel, window closed", report.after_window),
        ("back in user mode", report.user),
    ] {
        println!("  {step:<28} DACR {dacr:#04x}  ({})", state(dacr));
    }

    let flags = map::PRIVATE | map::ANONYMOUS;
    let Ok(page) = syscall::mmap(0, 4096, protection::READ | protection::WRITE, flags) else {
        println!("tour[{pid}]: mmap failed");
        return 1;
    };
    let message = b"written by user code into its own page, then copied out by the kernel\n";
    // SAFETY: `page` is a fresh read-write mapping of 4096 bytes in this process.
    let bytes = unsafe { core::slice::from_raw_parts_mut(page as *mut u8, 4096) };
    bytes[..message.len()].copy_from_slice(message);
    println!("tour[{pid}]: mmap gave a page at {page:#010x}; write() of it from there:");
    let _ = syscall::write(1, &bytes[..message.len()]);
    let mut text = [0u8; 512];
    if let Ok(length) = syscall::maps(&mut text) {
        println!("tour[{pid}]: its mappings (all in domain 1):");
        let _ = syscall::write(1, &text[..length]);
    }
    println!("tour[{pid}]: the page tables as the MMU walks them (ptdump):");
    let _ = syscall::ptdump();
    0
}
