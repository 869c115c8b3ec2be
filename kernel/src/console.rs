//! The console: `print!`/`println!`, the `log` backend and the emergency writer, all on UART0.
//!
//! Everything the kernel prints through them also goes into the kernel log ([`LOG`]), which
//! `syslog` reads; a user program's output (`write_bytes`) does not.

use crate::arch::mmu;
use crate::drivers::pl011::Pl011;
use crate::logbuf::{self, LOG_SIZE, LogRing};
use crate::memory_map::{UART0, UART0_PHYSICAL};
use crate::sync::IrqSafeLock;
use core::fmt::{self, Write};

/// UART0: at its physical address until the MMU is on, at its window in the IO domain after.
fn uart() -> Pl011 {
    let base = if mmu::mmu_on() { UART0 } else { UART0_PHYSICAL };
    // SAFETY: UART0 is a PL011 and `base` is where it is reachable now (memory_map.rs); only
    // this module drives it.
    unsafe { Pl011::new(base) }
}

/// Serialises whole lines: the lock is held for one `print!` call.
static CONSOLE: IrqSafeLock<()> = IrqSafeLock::new(());

/// The kernel log: every kernel message, the newest [`LOG_SIZE`] bytes, `%pK` fields marked.
/// Held for one copy with IRQs masked. A message written while this CPU holds it (from an
/// exception that interrupted the copy) is left out of the log rather than waited for;
/// another CPU's copy is waited for.
pub static LOG: IrqSafeLock<LogRing<LOG_SIZE>> = IrqSafeLock::new(LogRing::new());

/// Appends `text` to the kernel log, unless the log is held (see [`LOG`]).
fn log_text(text: &str) {
    if let Some(mut log) = LOG.lock_unless_held_here() {
        log.push(text.as_bytes());
    }
}

/// A `fmt::Write` that sends straight to the UART, translating `\n` to `\r\n` and leaving
/// out the log's pointer marks; and copies the text, marks included, into the kernel log.
struct UartWriter;

impl Write for UartWriter {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        log_text(text);
        for byte in text.bytes() {
            if logbuf::is_marker(byte) {
                continue;
            }
            if byte == b'\n' {
                uart().write_byte(b'\r');
            }
            uart().write_byte(byte);
        }
        Ok(())
    }
}

/// Programs the UART. Call once, before the first `print!`.
pub fn init() {
    uart().init();
}

/// Prints under the console lock. Use `print!` / `println!`.
#[doc(hidden)]
pub fn print_locked(args: fmt::Arguments<'_>) {
    let _guard = CONSOLE.lock();
    // UartWriter never fails.
    let _ = UartWriter.write_fmt(args);
}

/// A writer for the paths that must print whatever state the kernel is in (panic, fatal
/// exceptions): it waits for the console lock if another CPU holds it (so that its text does
/// not interleave with that CPU's line), and writes without it if this CPU does (the failing
/// code may hold it).
pub struct EmergencyWriter;

impl Write for EmergencyWriter {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let _guard = CONSOLE.lock_unless_held_here();
        UartWriter.write_str(text)
    }
}

/// Waits until everything printed has left the UART (before powering off).
pub fn flush() {
    uart().flush();
}

/// Bytes received and not read yet: filled by the receive interrupt, drained by `read`.
struct InputBuffer {
    bytes: [u8; 256],
    start: usize,
    length: usize,
    /// The buffer filled up with bytes still waiting in the UART: the receive interrupt is
    /// off until a read makes room.
    throttled: bool,
}

static INPUT: IrqSafeLock<InputBuffer> =
    IrqSafeLock::new(InputBuffer { bytes: [0; 256], start: 0, length: 0, throttled: false });

/// Lets the UART raise its receive interrupt (the GIC line is enabled separately), then
/// takes what is already waiting: the interrupt fires on the arrival of a byte into an empty
/// FIFO, so bytes that came before would otherwise wait for company.
pub fn enable_input_interrupt() {
    uart().enable_receive_interrupt();
    receive_interrupt();
}

/// The receive interrupt: moves received bytes into the input buffer.
pub fn receive_interrupt() {
    fill(&uart(), &mut INPUT.lock());
}

/// Moves bytes from the UART into `input` while there is room. When the buffer is full and
/// a byte still waits, the receive interrupt goes off: the byte stays in the UART, the UART
/// refuses more, and the sender (QEMU's input backend, a pipe behind it) waits. Nothing is
/// dropped however fast input comes; `read_input` turns the interrupt back on.
fn fill(uart: &Pl011, input: &mut InputBuffer) {
    while input.length < input.bytes.len() {
        let Some(byte) = uart.read_byte() else {
            if input.throttled {
                input.throttled = false;
                uart.enable_receive_interrupt();
            }
            return;
        };
        let slot = (input.start + input.length) % input.bytes.len();
        input.bytes[slot] = byte;
        input.length += 1;
    }
    if uart.receive_ready() && !input.throttled {
        input.throttled = true;
        uart.disable_receive_interrupt();
    }
}

/// True when `read_input` has something to return.
pub fn input_available() -> bool {
    INPUT.lock().length > 0
}

/// Moves up to `buffer.len()` received bytes into `buffer`; returns how many.
pub fn read_input(buffer: &mut [u8]) -> usize {
    let mut input = INPUT.lock();
    let count = buffer.len().min(input.length);
    for byte in buffer.iter_mut().take(count) {
        *byte = input.bytes[input.start];
        input.start = (input.start + 1) % input.bytes.len();
        input.length -= 1;
    }
    if input.throttled {
        fill(&uart(), &mut input);
    }
    count
}

/// Writes raw bytes (a user program's output), translating `\n` to `\r\n`.
pub fn write_bytes(bytes: &[u8]) {
    let mut guard = CONSOLE.lock();
    let uart = uart();
    for &byte in bytes {
        if byte == b'\n' {
            guard = wait_for_transmitter(guard, &uart);
            uart.write_byte(b'\r');
        }
        guard = wait_for_transmitter(guard, &uart);
        uart.write_byte(byte);
    }
}

/// Returns the console lock once the transmitter can take a byte. While it cannot, the lock
/// is released and IRQs are open: a long write never keeps the receive interrupt out (without
/// the PL011 FIFOs, a byte that arrives while IRQs stay masked for a character time is lost).
fn wait_for_transmitter<'a>(
    mut guard: crate::sync::IrqSafeGuard<'a, ()>,
    uart: &Pl011,
) -> crate::sync::IrqSafeGuard<'a, ()> {
    while !uart.transmit_ready() {
        drop(guard);
        core::hint::spin_loop();
        guard = CONSOLE.lock();
    }
    guard
}

/// Prints to the console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::print_locked(format_args!($($arg)*)) };
}

/// Prints to the console, with a newline.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::console::print_locked(format_args!("{}\n", format_args!($($arg)*))) };
}

/// The `log` backend: one line per record. Records logged with an explicit target
/// (`info!(target: "lkdtm", ...)`) are prefixed with it, as Linux prefixes a subsystem's
/// messages; warnings and errors say so.
struct ConsoleLogger;

impl log::Log for ConsoleLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => "error: ",
            log::Level::Warn => "warning: ",
            _ => "",
        };
        let target = record.target();
        if target.starts_with(env!("CARGO_CRATE_NAME")) {
            println!("{level}{}", record.args());
        } else {
            println!("{target}: {level}{}", record.args());
        }
    }

    fn flush(&self) {
        flush();
    }
}

static LOGGER: ConsoleLogger = ConsoleLogger;

/// Installs the `log` backend with the given maximum level.
pub fn init_logger(level: log::LevelFilter) {
    // Fails only if a logger is already set, which then stays in place.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}
