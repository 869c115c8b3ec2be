//! The panic handler: report, then power off with [`ExitStatus::Fatal`].

use crate::arch::cpu;
use crate::console::EmergencyWriter;
use crate::power::{self, ExitStatus};
use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    let _ = cpu::mask_irqs();
    let mut out = EmergencyWriter;
    if PANICKING.swap(true, Ordering::SeqCst) {
        // A panic while reporting a panic: print as little as possible and stop.
        let _ = writeln!(out, "\nKernel panic - not syncing: panic inside the panic handler");
        power::poweroff(ExitStatus::Fatal)
    }
    crate::expected_exception::abandon_current("panic");
    let _ = write!(out, "Kernel panic - not syncing: ");
    let _ = write!(out, "{}", info.message());
    if let Some(location) = info.location() {
        let _ = write!(out, " (at {}:{})", location.file(), location.line());
    }
    let _ = writeln!(out);
    power::poweroff(ExitStatus::Fatal)
}
