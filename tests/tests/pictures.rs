//! The pictures in the README and the course come from the kernel's own output: redrawn from
//! fresh boots, exactly as `make pictures` captures them, they must be the committed files.

use docgen::pictures::{
    address_map_svg, descriptors_svg, exception_path_svg, linear_map_svg, syscall_sequence_svg,
};
use std::io::Write;
use std::process::{Command, Stdio};
use swpan_tests::{kernel, root};

/// What `qemu/run KERNEL WORDS...` prints with `input` on its standard input.
fn console(words: &[&str], input: &str) -> String {
    let mut child = Command::new(root().join("qemu/run"))
        .arg(kernel())
        .args(words)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "qemu/run {words:?} failed");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_address_map_is_drawn_from_ptdump() {
    let capture = console(&["shell"], "ptdump\npoweroff\n");
    let fresh = address_map_svg(&capture).unwrap_or_else(|error| panic!("{error}"));
    let committed = std::fs::read_to_string(root().join("docs/address-map.svg")).unwrap();
    assert_eq!(committed, fresh, "docs/address-map.svg is out of date: make pictures");
}

#[test]
fn the_linear_map_is_drawn_from_ptdump_with_and_without_xpfo() {
    let with_defence = console(&["shell"], "ptdump\npoweroff\n");
    let without_defence = console(&["shell", "xpfo=off"], "ptdump\npoweroff\n");
    let fresh =
        linear_map_svg(&with_defence, &without_defence).unwrap_or_else(|error| panic!("{error}"));
    assert!(fresh.contains("owned by a process"), "the xpfo=on boot shows no holes:\n{fresh}");
    let committed = std::fs::read_to_string(root().join("docs/linear-map.svg")).unwrap();
    assert_eq!(committed, fresh, "docs/linear-map.svg is out of date: make pictures");
}

#[test]
fn the_syscall_sequence_is_drawn_from_the_tour() {
    let capture = console(&["tour"], "");
    let fresh = syscall_sequence_svg(&capture).unwrap_or_else(|error| panic!("{error}"));
    let committed = std::fs::read_to_string(root().join("docs/syscall-sequence.svg")).unwrap();
    assert_eq!(committed, fresh, "docs/syscall-sequence.svg is out of date: make pictures");
}

#[test]
fn the_descriptor_layouts_are_drawn_from_the_kernel_encoders() {
    let committed = std::fs::read_to_string(root().join("docs/descriptors.svg")).unwrap();
    assert_eq!(committed, descriptors_svg(), "docs/descriptors.svg is out of date: make pictures");
}

#[test]
fn the_exception_path_is_drawn_from_the_kernel_sources() {
    let source = |path: &str| std::fs::read_to_string(root().join(path)).unwrap();
    let fresh =
        exception_path_svg(&source("kernel/src/trap.rs"), &source("kernel/src/arch/vectors.s"))
            .unwrap_or_else(|error| panic!("{error}"));
    let committed = std::fs::read_to_string(root().join("docs/exception-path.svg")).unwrap();
    assert_eq!(committed, fresh, "docs/exception-path.svg is out of date: make pictures");
}
