//! `getcap`: lists the programs of `/bin` that carry file capabilities, one line each, as
//! libcap's `getcap -r /bin` does: the path, a space, the record in `cap_to_text` form.

#![no_std]
#![no_main]

use core::fmt::Write;
use swpan_user::abi::capability_text::{self, CapState};
use swpan_user::abi::{BinEntry, ProcessStatus};
use swpan_user::{Console, syscall};

swpan_user::main!(run);

fn run(_argument: &str) -> i32 {
    let mut index = 0;
    while let Ok(entry) = syscall::bin_entry(index) {
        index += 1;
        if entry.has_capabilities == 0 {
            continue;
        }
        let mut console = Console::new();
        let _ = write!(console, "/bin/{} ", entry.name());
        let _ = capability_text::write_text(&mut console, &file_state(&entry));
        let _ = console.write_char('\n');
        console.flush();
    }
    0
}

/// The record as a capability state: fE is one bit, which makes every permitted and
/// inheritable capability of the file effective.
fn file_state(entry: &BinEntry) -> CapState {
    let permitted = ProcessStatus::join(entry.cap_permitted);
    let inheritable = ProcessStatus::join(entry.cap_inheritable);
    let effective = if entry.cap_effective != 0 { permitted | inheritable } else { 0 };
    CapState { effective, permitted, inheritable }
}
