//! Links the kernel with linker/kernel.ld and builds the user programs it embeds.
//!
//! The user programs are a separate crate (`user/`), each binary its own ELF linked with
//! linker/user.ld. They are built here, by a nested `cargo build` into their own target
//! directory (so it never waits on the outer build's lock), and their paths are handed to the
//! kernel as `SWPAN_USER_<NAME>` environment variables for `include_bytes!`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The programs the kernel embeds (user/src/bin/*.rs).
const PROGRAMS: &[&str] = &[
    "ambient",
    "badptr",
    "bench",
    "capsh",
    "dmesg",
    "escalate",
    "fuzz",
    "getcap",
    "provoke",
    "sandbox",
    "seccomp_bpf",
    "shell",
    "syscall",
    "taskset",
    "test_execve",
    "tour",
    "true",
    "usertest",
    "validate_cap",
];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap().to_path_buf();
    let script = workspace.join("linker/kernel.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    if std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default() != "none" {
        // Host builds (unit tests) compile only the pure logic: no link, no user programs.
        return;
    }
    println!("cargo:rustc-link-arg-bins=-T{}", script.display());
    build_user_programs(&workspace);
}

fn build_user_programs(workspace: &Path) {
    for watched in ["user", "abi", "linker/user.ld"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let target_dir = workspace.join("target/user");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--release", "--package", "swpan-user", "--bins"])
        .args(["--target", "armv7a-none-eabi"])
        // Embedded in the kernel image: symbols yes, debug info no.
        .args(["--config", "profile.release.debug=false"])
        .args(["--config", "profile.release.strip=\"debuginfo\""])
        .arg("--target-dir")
        .arg(&target_dir);
    // The outer build's settings are for the kernel crate (and clippy, when it runs): the user
    // crate takes its own from .cargo/config.toml.
    for variable in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
    ] {
        command.env_remove(variable);
    }
    let status = command.status().expect("running cargo for the user programs");
    assert!(status.success(), "building the user programs failed");
    let output = target_dir.join("armv7a-none-eabi/release");
    for program in PROGRAMS {
        let path = output.join(program);
        assert!(path.is_file(), "user program {} was not built", path.display());
        println!("cargo:rustc-env=SWPAN_USER_{}={}", program.to_uppercase(), path.display());
    }
}
