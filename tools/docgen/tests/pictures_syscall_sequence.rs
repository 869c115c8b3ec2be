//! The system-call picture from real captures: the lifelines and messages in the order of a
//! system call, each reported DACR value beside its step with the state it gives the user
//! domain, decoded for all four domains, a step the report leaves out marked as such, and the
//! same capture giving the same bytes.

mod common;

use common::{assert_matches_expected, assert_well_formed, fixture, position, texts};
use docgen::pictures::{Error, syscall_sequence_svg};

/// The texts of the picture of the fixture `name`.
fn picture_texts(name: &str) -> Vec<String> {
    let svg = syscall_sequence_svg(&fixture(name)).expect("the capture draws");
    assert_well_formed(&svg);
    texts(&svg)
}

/// The texts starting with `prefix`, in order.
fn starting_with<'a>(texts: &'a [String], prefix: &str) -> Vec<&'a str> {
    texts.iter().filter(|text| text.starts_with(prefix)).map(String::as_str).collect()
}

#[test]
fn the_tour_values_and_their_meaning_appear_in_order() {
    let texts = picture_texts("tour-sample.txt");
    assert_eq!(
        starting_with(&texts, "DACR 0x"),
        ["DACR 0x55", "DACR 0x51", "DACR 0x55", "DACR 0x51", "DACR 0x55"]
    );
    assert_eq!(
        starting_with(&texts, "user domain: "),
        [
            "user domain: Client",
            "user domain: No access",
            "user domain: Client",
            "user domain: No access",
            "user domain: Client",
        ]
    );
    let labels = [
        "user mode",
        "kernel, syscall entry",
        "kernel, inside the window",
        "kernel, window closed",
        "back in user mode",
    ];
    let positions: Vec<usize> = labels.iter().map(|label| position(&texts, label)).collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{positions:?}");
    for (label, at) in labels.iter().zip(&positions) {
        assert!(texts[at + 1].starts_with("DACR 0x"), "{label}: {}", texts[at + 1]);
    }
}

#[test]
fn each_value_is_decoded_for_all_four_domains() {
    let texts = picture_texts("tour-sample.txt");
    let entry = position(&texts, "kernel, syscall entry");
    assert_eq!(
        texts[entry + 1..entry + 5],
        [
            "DACR 0x51",
            "user domain: No access",
            "0 KERNEL Client, 1 USER No access,",
            "2 IO Client, 3 VECTORS Client",
        ]
    );
    let window = position(&texts, "kernel, inside the window");
    assert_eq!(texts[window + 3], "0 KERNEL Client, 1 USER Client,");
}

#[test]
fn the_lifelines_and_messages_follow_the_system_call() {
    let texts = picture_texts("tour-sample.txt");
    let order = [
        "user program",
        "exception entry",
        "system call handler",
        "uaccess window",
        "svc #0",
        "closes the window",
        "mov #0x51; mcr; isb",
        "calls the handler",
        "opens the window",
        "mrc; orr #4; mcr; isb",
        "copies user memory",
        "mcr (saved DACR); isb",
        "returns",
        "returns to user mode",
        "mov #0x55; mcr; rfe",
    ];
    let positions: Vec<usize> = order.iter().map(|text| position(&texts, text)).collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{positions:?}");
    position(&texts, "vectors.s");
    position(&texts, "copy_*_user");
}

#[test]
fn the_shell_report_leaves_the_return_unreported() {
    let texts = picture_texts("shell-dacr-ptdump.txt");
    assert_eq!(
        starting_with(&texts, "DACR 0x"),
        ["DACR 0x55", "DACR 0x51", "DACR 0x55", "DACR 0x51"]
    );
    let back = position(&texts, "back in user mode");
    assert_eq!(texts[back + 1..back + 3], ["DACR", "(not reported)"]);
}

#[test]
fn a_boot_without_pan_is_said_so() {
    let texts = picture_texts("tour-pan-off.txt");
    assert_eq!(starting_with(&texts, "user domain: "), ["user domain: Client"; 5]);
    assert!(texts[2].starts_with("This boot ran without PAN (pan=off)"), "{}", texts[2]);
    position(&texts, "leaves the DACR alone");
    assert!(!texts.iter().any(|text| text == "mov #0x51; mcr; isb"));
    let with_pan = picture_texts("tour-sample.txt");
    assert!(with_pan[2].contains("emulated PAN"), "{}", with_pan[2]);
}

#[test]
fn the_same_capture_gives_the_same_bytes_whatever_its_line_ends() {
    let crlf = fixture("tour-sample.txt");
    let first = syscall_sequence_svg(&crlf).expect("draws");
    assert_eq!(syscall_sequence_svg(&crlf).expect("draws"), first);
    assert_eq!(syscall_sequence_svg(&crlf.replace("\r\n", "\n")).expect("draws"), first);
}

#[test]
fn the_pictures_match_the_expected_ones() {
    let tour = syscall_sequence_svg(&fixture("tour-sample.txt")).expect("draws");
    assert_matches_expected(&tour, "syscall-sequence.svg");
    let shell = syscall_sequence_svg(&fixture("shell-dacr-ptdump.txt")).expect("draws");
    assert_matches_expected(&shell, "syscall-sequence-shell.svg");
}

#[test]
fn a_capture_without_a_report_or_with_a_bad_line_is_refused() {
    assert_eq!(syscall_sequence_svg(&fixture("ptdump-sample.txt")), Err(Error::NoDacrReport));
    let lying = fixture("tour-sample.txt")
        .replace("DACR 0x51  (user domain No access)", "DACR 0x51  (user domain Client)");
    let Err(Error::MalformedDacrLine { line: 22, problem }) = syscall_sequence_svg(&lying) else {
        panic!("the contradiction is not reported on line 22");
    };
    assert!(problem.contains("0x51 gives it No access"), "{problem}");
}
