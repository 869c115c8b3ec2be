//! The memory map of QEMU's vexpress-a15 ("A-series" map, hw/arm/vexpress.c).
//!
//! ```text
//!  0x0000_0000 +----------------------------+
//!              |  (flash, unused)           |
//!  0x1C01_0000 |  system registers          |
//!  0x1C09_0000 |  PL011 UART0 (console)     |
//!  0x1C11_0000 |  SP804 timer 0/1           |
//!              |                            |
//!  0x2C00_1000 |  GIC distributor           |
//!  0x2C00_2000 |  GIC CPU interface         |
//!              |                            |
//!  0x8000_0000 +----------------------------+
//!              |  RAM, 128 MiB (-m 128M):   |
//!              |  the kernel image first    |
//!  0x8800_0000 +----------------------------+
//! ```
//!
//! Every address the kernel uses is a constant here, and nowhere else.

/// Start of RAM.
pub const RAM_BASE: usize = 0x8000_0000;
/// RAM size: the documented QEMU line passes `-m 128M`.
pub const RAM_SIZE: usize = 128 << 20;

/// Motherboard system registers (SYS_CFGCTRL powers the board off).
pub const SYSTEM_REGISTERS: usize = 0x1C01_0000;
/// PL011 UART0: the console.
pub const UART0: usize = 0x1C09_0000;
