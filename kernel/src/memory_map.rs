//! The memory map: every address the kernel knows, physical and virtual, in one place.
//!
//! Physical (QEMU's vexpress-a15, "A-series" map, hw/arm/vexpress.c):
//!
//! ```text
//!  0x1C01_0000  system registers (SYS_CFGCTRL powers the board off)
//!  0x1C09_0000  PL011 UART0, the console (SPI 5 = GIC ID 37)
//!  0x1C11_0000  SP804 timer 0/1 (SPI 2 = GIC ID 34)
//!  0x2C00_1000  GIC distributor
//!  0x2C00_2000  GIC CPU interface
//!  0x8000_0000  RAM, 128 MiB (-m 128M)
//! ```
//!
//! Virtual (TTBCR.N = 1: TTBR0 translates the lower 2 GiB, TTBR1 the upper 2 GiB):
//!
//! ```text
//!  0x0000_0000 +--------------------------------+ TTBR0: the current process
//!              | never mapped (64 KiB)          |   a NULL dereference always faults
//!  0x0001_0000 +--------------------------------+
//!              | user memory: program, heap,    |   domain 1 (USER): out of the
//!              | mmap, stack                    |   kernel's reach outside uaccess
//!  0x8000_0000 +================================+ TTBR1: the kernel, in every process
//!              | RAM at its physical address:   |   domain 0 (KERNEL)
//!              | the kernel image (4 KiB pages, |
//!              | text RX, rodata R, data RW),   |
//!              | then page frames (RW, XN)      |
//!  0x8800_0000 +--------------------------------+
//!              | (unmapped)                     |
//!  0xE000_0000 | vmalloc: page-mapped kernel    |   domain 0 (KERNEL), RW, XN,
//!              | allocations, guard pages       |   an unmapped page around each
//!  0xF000_0000 | (unmapped)                     |
//!  0xF800_0000 | devices 0x1C00_0000, 2 MiB     |   domain 2 (IO), Device, XN
//!  0xF820_0000 | GIC 0x2C00_0000, 1 MiB         |   domain 2 (IO), Device, XN
//!              | (unmapped)                     |
//!  0xFFFF_0000 | the exception vector page      |   domain 3 (VECTORS), RX
//!  0xFFFF_FFFF +--------------------------------+
//! ```

/// Start of RAM, physical and virtual (the kernel maps RAM at its physical address).
pub const RAM_BASE: usize = 0x8000_0000;
/// RAM size: the documented QEMU line passes `-m 128M`.
pub const RAM_SIZE: usize = 128 << 20;
/// End of RAM (exclusive).
pub const RAM_END: usize = RAM_BASE + RAM_SIZE;

/// Lowest user address the kernel maps by itself (programs, stacks, `mmap`): below it is the
/// NULL gap, where a NULL dereference faults.
pub const USER_START: usize = 0x0001_0000;
const _: () = assert!(USER_START >= 64 << 10, "the first 64 KiB stay unmapped");

/// Linux's `vm.mmap_min_addr`: a `MAP_FIXED` mapping below it needs CAP_SYS_RAWIO (EPERM
/// without), so only such a process can put a page in the NULL gap, at its own request.
pub const MMAP_MIN_ADDR: usize = USER_START;

/// End of the user half (exclusive), where TTBR1's half begins.
pub const USER_END: usize = 0x8000_0000;
/// TTBCR.N: the boundary between TTBR0 and TTBR1 is 2^(32 - N).
pub const TTBCR_N: u32 = 1;

/// Start of the vmalloc area: kernel allocations mapped page by page, with guard pages.
pub const VMALLOC_START: usize = 0xE000_0000;
/// End of the vmalloc area (exclusive).
pub const VMALLOC_END: usize = 0xF000_0000;

/// A window of device registers: `size` bytes at `physical`, mapped at `virtual_address`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceWindow {
    /// Physical base, 1 MiB aligned.
    pub physical: usize,
    /// Virtual base, 1 MiB aligned.
    pub virtual_address: usize,
    /// Size, a multiple of 1 MiB.
    pub size: usize,
}

/// The device windows, mapped as 1 MiB sections in the IO domain.
pub const DEVICE_WINDOWS: [DeviceWindow; 2] = [
    DeviceWindow { physical: 0x1C00_0000, virtual_address: 0xF800_0000, size: 2 << 20 },
    DeviceWindow { physical: 0x2C00_0000, virtual_address: 0xF820_0000, size: 1 << 20 },
];

/// The virtual address of a device register at `physical`, once the MMU is on.
pub const fn device_virtual(physical: usize) -> usize {
    let mut index = 0;
    while index < DEVICE_WINDOWS.len() {
        let window = DEVICE_WINDOWS[index];
        if physical >= window.physical && physical < window.physical + window.size {
            return physical - window.physical + window.virtual_address;
        }
        index += 1;
    }
    panic!("not in a device window")
}

/// Motherboard system registers (physical).
pub const SYSTEM_REGISTERS_PHYSICAL: usize = 0x1C01_0000;
/// SYS_FLAGS in the system registers: reads the flags, a write sets the bits written. A CPU
/// parked at boot branches to the address CPU 0 leaves here (arch/boot.s).
pub const SYS_FLAGS_OFFSET: usize = 0x30;
/// SYS_FLAGSCLR in the system registers: a write clears the bits written in SYS_FLAGS.
pub const SYS_FLAGSCLR_OFFSET: usize = 0x34;
/// PL011 UART0 (physical).
pub const UART0_PHYSICAL: usize = 0x1C09_0000;

/// GICv2 distributor (physical).
pub const GIC_DISTRIBUTOR_PHYSICAL: usize = 0x2C00_1000;
/// GICv2 CPU interface (physical).
pub const GIC_CPU_INTERFACE_PHYSICAL: usize = 0x2C00_2000;

/// GICC_CTLR, in the CPU interface: bit 0 lets interrupts reach this CPU.
pub const GICC_CTLR_OFFSET: usize = 0x00;
/// GICC_PMR, in the CPU interface: the priority mask.
pub const GICC_PMR_OFFSET: usize = 0x04;

/// Motherboard system registers (virtual).
pub const SYSTEM_REGISTERS: usize = device_virtual(SYSTEM_REGISTERS_PHYSICAL);
/// PL011 UART0 (virtual).
pub const UART0: usize = device_virtual(UART0_PHYSICAL);

/// GICv2 distributor (virtual).
pub const GIC_DISTRIBUTOR: usize = device_virtual(GIC_DISTRIBUTOR_PHYSICAL);
/// GICv2 CPU interface (virtual).
pub const GIC_CPU_INTERFACE: usize = device_virtual(GIC_CPU_INTERFACE_PHYSICAL);

/// GIC interrupt ID of UART0 (SPI 5).
pub const UART0_IRQ: u32 = 37;

/// Where the exception vector page is mapped (VBAR), in its own domain.
pub const VECTORS: usize = 0xFFFF_0000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_in_the_kernel_half() {
        assert_eq!(UART0, 0xF809_0000);
        assert_eq!(SYSTEM_REGISTERS, 0xF801_0000);
        for window in DEVICE_WINDOWS {
            assert!(window.virtual_address >= USER_END);
            assert!(window.virtual_address + window.size <= VECTORS);
            assert!(window.virtual_address >= RAM_END);
            assert_eq!(window.physical % (1 << 20), 0);
            assert_eq!(window.virtual_address % (1 << 20), 0);
        }
    }

    #[test]
    fn halves() {
        assert_eq!(1usize << (32 - TTBCR_N), USER_END);
        assert_eq!(RAM_BASE, USER_END);
        assert!(RAM_END <= VMALLOC_START && VMALLOC_END <= DEVICE_WINDOWS[0].virtual_address);
    }
}
