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

/// The entry's capability record as a state.
fn file_state(entry: &BinEntry) -> CapState {
    CapState::of_file(
        ProcessStatus::join(entry.cap_permitted),
        ProcessStatus::join(entry.cap_inheritable),
        entry.cap_effective != 0,
    )
}
