//! Addresses that no user pointer may name, for the programs that test the kernel with bad
//! pointers (`usertest`, `badptr`, `fuzz`): each is mapped for the kernel, so only the
//! kernel's range check, never the MMU alone, keeps a system call away from it.

/// The start of kernel text.
pub const KERNEL_TEXT: u32 = 0x8000_0000;
/// Kernel data, in the middle of the kernel's RAM.
pub const KERNEL_DATA: u32 = 0x8010_0000;
/// A device register: the UART's data register.
pub const DEVICE: u32 = 0xF809_0000;
/// The end of the user half: the last user page is the top of the stack, so a range from
/// just below it runs over.
pub const USER_END: u32 = 0x8000_0000;
