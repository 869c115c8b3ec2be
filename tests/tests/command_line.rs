//! The command line reaches the kernel whole: through qemu/run whatever the kernel's path (a
//! space in it, more bytes than the command line may have), and through the README's plain
//! QEMU line.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use swpan_tests::{BootOptions, boot_image_with, kernel, root, status};

/// A copy of the kernel at `top/nested.../kernel`, removed (with `top`) on drop.
struct KernelCopy {
    top: PathBuf,
    image: PathBuf,
}

impl KernelCopy {
    fn new(top: PathBuf, nested: &[String]) -> KernelCopy {
        let directory = nested.iter().fold(top.clone(), |path, name| path.join(name));
        std::fs::create_dir_all(&directory).unwrap();
        let image = directory.join("kernel");
        std::fs::copy(kernel(), &image).unwrap();
        KernelCopy { top, image }
    }
}

impl Drop for KernelCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.top);
    }
}

/// A directory of this test's own under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{name} {}", std::process::id()))
}

#[test]
fn a_kernel_at_a_path_with_a_space_gets_its_command_line() {
    let copy = KernelCopy::new(scratch("swpan kernel path"), &[]);
    assert!(copy.image.to_str().unwrap().contains(' '));
    let run = boot_image_with(&copy.image, "selftest pan=off", &BootOptions::default());
    run.assert_status(status::SUCCESS);
    run.assert_line("Command line: selftest pan=off");
    run.assert_contains("\nPAN: off: ");
    run.assert_contains(" passed, 0 failed");
}

#[test]
fn the_kernel_path_does_not_count_against_the_command_line_limit() {
    // 1,023 bytes is the kernel's limit for "<program name> <words>": the path is not in it.
    let copy = KernelCopy::new(scratch("swpan long path"), &vec!["d".repeat(220); 5]);
    assert!(copy.image.as_os_str().len() > 1100);
    let run = boot_image_with(&copy.image, "fuzz=1,100", &BootOptions::default());
    run.assert_status(status::SUCCESS);
    // A comma in a word reaches the kernel as one comma.
    run.assert_line("Command line: fuzz=1,100");
}

/// The `sh` block under "boots with exactly:" in the README.
fn readme_qemu_line() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let after = readme.split_once("boots with exactly:\n\n```sh\n").expect("the QEMU line").1;
    after.split_once("\n```").unwrap().0.to_string()
}

#[test]
fn the_readme_qemu_line_boots_with_its_append_string() {
    let line = readme_qemu_line()
        .replace("target/armv7a-none-eabi/release/kernel", &shell_quoted(&kernel()))
        .replace("<command line>", "init=true");
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("timeout 60 {line}"))
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    let console = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    assert_eq!(output.status.code(), Some(status::SUCCESS), "{line}:\n{console}");
    assert!(console.contains("\nCommand line: init=true\n"), "{line}:\n{console}");
    assert!(console.contains("\ninit: true exited with status 0\n"), "{line}:\n{console}");
}

fn shell_quoted(path: &Path) -> String {
    format!("'{}'", path.to_str().unwrap().replace('\'', r"'\''"))
}
