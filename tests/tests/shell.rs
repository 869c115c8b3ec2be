//! The shell, driven through piped input as `printf '...' | make shell` does: its commands,
//! and its line editing byte by byte (the keys of a terminal arrive as these bytes).

use swpan_tests::{BootOptions, boot_with, status};

fn shell(input: &str) -> swpan_tests::Boot {
    boot_with("shell", &BootOptions { input: input.as_bytes(), ..Default::default() })
}

/// A line the `dacr` command prints, and one `maps` prints: how many times each ran.
const DACR_RAN: &str = "PAN on, PXN on";
const MAPS_RAN: &str = "7fff0000-80000000 rw-p [stack]";
const HELP_RAN: &str = "  help              this list";

/// What a terminal sends for the cursor keys: CSI (`ESC [`) and SS3 (`ESC O`) forms.
const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";
const RIGHT: &str = "\x1b[C";
const LEFT: &str = "\x1b[D";
const UP_SS3: &str = "\x1bOA";
const DOWN_SS3: &str = "\x1bOB";

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
    run.assert_line("sh: frobnicate: not found");
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

#[test]
fn up_and_down_recall_earlier_lines() {
    let run = shell(&format!(
        // Up Up Down: maps. Up Up Up (one past the oldest) Down: maps. Down past the newest
        // gives back the line being typed: `lkdtm` + ` list`.
        "dacr\nmaps\n{UP}{UP}{DOWN}\n{UP_SS3}{UP_SS3}{UP_SS3}{DOWN_SS3}\nlkdtm{UP}{DOWN} list\npoweroff\n"
    ));
    run.assert_status(status::SUCCESS);
    run.assert_line_count(DACR_RAN, 1);
    run.assert_line_count(MAPS_RAN, 3);
    run.assert_line("ACCESS_USERSPACE");
    run.assert_lacks(": not found");
}

#[test]
fn left_right_home_end_and_delete_edit_inside_the_line() {
    let run = shell(&format!(
        "hlp{LEFT}{LEFT}e{RIGHT}{RIGHT}\n\
         dacrXY{LEFT}{LEFT}\x1b[3~\x1b[3~\n\
         acr\x1b[Hd\x1b[F\n\
         aps\x01m\x05\n\
         cr\x1b[1~da\x1b[4~\n\
         poweroff\n"
    ));
    run.assert_status(status::SUCCESS);
    run.assert_line_count(HELP_RAN, 1);
    run.assert_line_count(DACR_RAN, 3);
    run.assert_line_count(MAPS_RAN, 1);
    run.assert_lacks(": not found");
}

#[test]
fn escape_sequences_with_parameters_are_read_whole_and_unused_ones_ignored() {
    // Page Up, Ctrl-F3, show-cursor, bracketed paste around the text, Alt-x, Ctrl-Right.
    let run = shell("\x1b[5~\x1b[1;5R\x1b[?25h\x1b[200~da\x1b[201~\x1bxcr\x1b[1;5C\npoweroff\n");
    run.assert_status(status::SUCCESS);
    run.assert_line_count(DACR_RAN, 1);
    run.assert_lacks(": not found");
}

#[test]
fn ctrl_c_abandons_the_line_and_ctrl_u_clears_it() {
    let run = shell("frob\x03dacr\nnicate\x15maps\npoweroff\n");
    run.assert_status(status::SUCCESS);
    run.assert_contains("swpan$ frob^C\nswpan$ dacr\n");
    run.assert_line_count(DACR_RAN, 1);
    run.assert_line_count(MAPS_RAN, 1);
    run.assert_lacks(": not found");
}

#[test]
fn backspace_and_del_erase() {
    let run = shell("dacrx\x7f\nmapsy\x08\nhelp\x7f\x7f\x7f\x7f\x7f\x7fmaps\npoweroff\n");
    run.assert_status(status::SUCCESS);
    run.assert_line_count(DACR_RAN, 1);
    run.assert_line_count(MAPS_RAN, 2);
    run.assert_lacks(": not found");
}

#[test]
fn ctrl_d_on_an_empty_line_powers_off() {
    // Inside a line Ctrl-D deletes under the cursor (nothing, at the end): dacr still runs.
    let run = boot_with(
        "shell",
        &BootOptions { input: b"dacr\x04\n\x04", timeout: Some(30), ..Default::default() },
    );
    run.assert_status(status::SUCCESS);
    run.assert_line_count(DACR_RAN, 1);
    assert!(run.console.ends_with("swpan$ poweroff\n"), "no power-off after Ctrl-D:\n{run}");
}

#[test]
fn ctrl_a_in_piped_input_reaches_the_shell() {
    // With QEMU's Ctrl-A escape on the console, Ctrl-A h would print QEMU's help, Ctrl-A c
    // switch to its monitor and Ctrl-A x quit. The shell takes Ctrl-A as Home.
    let run = boot_with(
        "shell",
        &BootOptions {
            input: b"elp\x01h\n\x01c\n\x01x\ndacr\npoweroff\n",
            timeout: Some(30),
            ..Default::default()
        },
    );
    run.assert_status(status::SUCCESS);
    run.assert_line_count(HELP_RAN, 1);
    run.assert_line("sh: c: not found");
    run.assert_line("sh: x: not found");
    run.assert_line_count(DACR_RAN, 1);
    run.assert_lacks("(qemu)");
    run.assert_lacks("QEMU: Terminated");
}

#[test]
fn piped_input_far_larger_than_the_console_buffer_is_never_dropped() {
    // 5 KB at once, twenty times the kernel's 256-byte input buffer: the receive interrupt
    // goes off while the buffer is full and the UART holds the sender back, so every line runs.
    let mut script: String = (0..400).map(|index| format!("echo line{index}\n")).collect();
    script.push_str("poweroff\n");
    let run = boot_with("shell", &BootOptions { input: script.as_bytes(), ..Default::default() });
    run.assert_status(status::SUCCESS);
    let echoed: Vec<&str> = run.console.lines().filter(|line| line.starts_with("line")).collect();
    let expected: Vec<String> = (0..400).map(|index| format!("line{index}")).collect();
    assert_eq!(echoed, expected, "{run}");
}
