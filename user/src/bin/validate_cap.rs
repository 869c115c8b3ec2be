//! `validate_cap E P I A`: checks, right after `execve`, whether CAP_NET_BIND_SERVICE is in
//! this process's effective, permitted, inheritable and ambient sets, each argument `1` (it
//! must be) or `0` (it must not); exits 0 when all four match, 1 on the first mismatch, with a
//! `# ` diagnostic line (KTAP) naming it. The exec target of `test_execve`, which runs it
//! under `/bin/validate_cap` and under four set-id copies of the same image.

#![no_std]
#![no_main]

use swpan_user::abi::capability::NET_BIND_SERVICE;
use swpan_user::abi::exec::auxv;
use swpan_user::capability::ambient_has;
use swpan_user::{println, syscall};

swpan_user::main!(run);

/// The sets in argument order, as a diagnostic names them.
const SETS: [&str; 4] = ["effective", "permitted", "inheritable", "ambient"];

fn run(_joined: &str) -> i32 {
    if swpan_user::arguments().count() != 1 + SETS.len() {
        return fail(format_args!("wrong argc"));
    }
    let mut expected = [false; 4];
    for (index, word) in swpan_user::arguments().enumerate().skip(1) {
        expected[index - 1] = match word {
            "0" => false,
            "1" => true,
            _ => return fail(format_args!("wrong argv[{index}]")),
        };
    }
    // AT_SECURE says whether the kernel judged the exec privileged: worth knowing on a
    // mismatch, as the set-id copies are the privileged execs.
    let secure = match swpan_user::auxiliary(auxv::AT_SECURE) {
        Some(0) => " (AT_SECURE is not set)",
        Some(_) => " (AT_SECURE is set)",
        None => "",
    };
    let [effective, permitted, inheritable] = match syscall::capget(0) {
        Ok(sets) => sets,
        Err(errno) => return fail(format_args!("capget: {errno}")),
    };
    let ambient = match ambient_has(NET_BIND_SERVICE) {
        Ok(set) => set,
        Err(errno) => return fail(format_args!("PR_CAP_AMBIENT_IS_SET: {errno}")),
    };
    let bit = 1u64 << NET_BIND_SERVICE;
    let found = [effective & bit != 0, permitted & bit != 0, inheritable & bit != 0, ambient];
    for ((set, found), expected) in SETS.iter().zip(found).zip(expected) {
        if found != expected {
            return fail(format_args!("Wrong {set} state{secure}"));
        }
    }
    println!("# validate_cap: Capabilities after execve were correct");
    0
}

/// Prints `message` as a KTAP diagnostic and returns the failing exit status.
fn fail(message: core::fmt::Arguments<'_>) -> i32 {
    println!("# validate_cap: {message}");
    1
}
