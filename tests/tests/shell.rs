//! The shell, driven through piped input as `printf '...' | make shell` does.

use swpan_tests::{BootOptions, boot_with, status};

fn shell(input: &str) -> swpan_tests::Boot {
    boot_with("shell", &BootOptions { input: input.as_bytes(), ..Default::default() })
}

#[test]
fn provoke_through_piped_input() {
    let run = shell("provoke ACCESS_USERSPACE\npoweroff\n");
    run.assert_status(status::SUCCESS);
    run.assert_contains("swpan$ provoke ACCESS_USERSPACE");
    run.assert_line("Unhandled fault: page domain fault (0x01b) at 0x40000000");
    run.assert_line(
        "ACCESS_USERSPACE: blocked: process 2 killed by a kernel oops (page domain fault at 0x40000000)",
    );
    run.assert_contains("swpan$ poweroff");
}

#[test]
fn every_command_answers() {
    let run = shell(
        "help\nlkdtm list\ndacr\nmaps\nprovoke EXEC_USERSPACE\nprovoke NOPE\nfrobnicate\npoweroff\n",
    );
    run.assert_status(status::SUCCESS);
    run.assert_line(
        "  provoke NAME      run crash type NAME in a child process and report how it died",
    );
    run.assert_line("ACCESS_USERSPACE");
    run.assert_line("EXEC_USERSPACE");
    run.assert_line("PAN on, PXN on");
    run.assert_line("kernel, syscall entry      DACR 0x51");
    run.assert_line("kernel, inside the window  DACR 0x55");
    run.assert_line("7fff0000-80000000 rw-p [stack]");
    run.assert_line("EXEC_USERSPACE: blocked: process 2 killed by a kernel oops (page domain fault at 0x40000000)");
    run.assert_line("provoke: NOPE: EINVAL");
    run.assert_line("unknown command 'frobnicate': type 'help'");
}

#[test]
fn without_pan_the_shell_shows_the_attack_succeeding() {
    let run = boot_with(
        "shell pan=off",
        &BootOptions { input: b"dacr\nprovoke ACCESS_USERSPACE\npoweroff\n", ..Default::default() },
    );
    run.assert_status(status::SUCCESS);
    run.assert_line("PAN off, PXN on");
    run.assert_line("kernel, syscall entry      DACR 0x55");
    run.assert_line("ACCESS_USERSPACE: FAIL: process 2 survived: the kernel was not protected");
}
