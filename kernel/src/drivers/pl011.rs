//! ARM PrimeCell UART (PL011), the console on vexpress UART0.
//!
//! Register map and bits from the PL011 Technical Reference Manual (DDI 0183), section 3.3.
//! QEMU's model transmits without any set-up and ignores the baud rate; `init` still programs
//! the line the way real hardware needs it, so the driver is the one a board would use.

use core::ptr::NonNull;
use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};
use tock_registers::{register_bitfields, register_structs};

register_bitfields! {
    u32,
    /// Data register.
    DR [
        /// The received or transmitted byte.
        DATA OFFSET(0) NUMBITS(8) [],
        /// Framing, parity, break and overrun errors of the received byte.
        ERRORS OFFSET(8) NUMBITS(4) []
    ],
    /// Flag register.
    FR [
        /// Transmit FIFO full.
        TXFF OFFSET(5) NUMBITS(1) [],
        /// Receive FIFO empty.
        RXFE OFFSET(4) NUMBITS(1) [],
        /// The UART is still sending data.
        BUSY OFFSET(3) NUMBITS(1) []
    ],
    /// Line control register.
    LCR_H [
        /// Word length.
        WLEN OFFSET(5) NUMBITS(2) [
            /// Eight data bits.
            EightBits = 0b11
        ],
        /// Enable the FIFOs (left off: see `Pl011::init`).
        FEN OFFSET(4) NUMBITS(1) []
    ],
    /// Control register.
    CR [
        /// Receive enable.
        RXE OFFSET(9) NUMBITS(1) [],
        /// Transmit enable.
        TXE OFFSET(8) NUMBITS(1) [],
        /// UART enable.
        UARTEN OFFSET(0) NUMBITS(1) []
    ],
    /// Interrupt mask, raw status, masked status and clear registers share this layout.
    INT [
        /// Receive timeout: bytes wait in the FIFO below the trigger level.
        RT OFFSET(6) NUMBITS(1) [],
        /// Transmit.
        TX OFFSET(5) NUMBITS(1) [],
        /// Receive.
        RX OFFSET(4) NUMBITS(1) []
    ]
}

register_structs! {
    /// The PL011 register block.
    pub Registers {
        (0x000 => dr: ReadWrite<u32, DR::Register>),
        (0x004 => rsr_ecr: ReadWrite<u32>),
        (0x008 => _reserved0),
        (0x018 => fr: ReadOnly<u32, FR::Register>),
        (0x01c => _reserved1),
        (0x024 => ibrd: ReadWrite<u32>),
        (0x028 => fbrd: ReadWrite<u32>),
        (0x02c => lcr_h: ReadWrite<u32, LCR_H::Register>),
        (0x030 => cr: ReadWrite<u32, CR::Register>),
        (0x034 => ifls: ReadWrite<u32>),
        (0x038 => imsc: ReadWrite<u32, INT::Register>),
        (0x03c => ris: ReadOnly<u32, INT::Register>),
        (0x040 => mis: ReadOnly<u32, INT::Register>),
        (0x044 => icr: WriteOnly<u32, INT::Register>),
        (0x048 => @END),
    }
}

/// The receive (bit 4) and receive-timeout (bit 6) interrupt bits.
const RECEIVE_BITS: u32 = (1 << 4) | (1 << 6);

/// The UART reference clock on vexpress boards (24 MHz) and the console's line rate.
const REFERENCE_CLOCK_HZ: u32 = 24_000_000;
const BAUD_RATE: u32 = 115_200;

/// A PL011 at a fixed MMIO address.
pub struct Pl011 {
    registers: NonNull<Registers>,
}

// SAFETY: the registers are device memory reached only through `&self` methods that each do
// single-copy-atomic 32-bit accesses; callers serialise whole operations with the console lock.
unsafe impl Send for Pl011 {}
// SAFETY: as above.
unsafe impl Sync for Pl011 {}

impl Pl011 {
    /// A driver for the PL011 whose registers are mapped at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be the virtual address of a PL011 register block, mapped as Device memory
    /// for as long as the driver is used, and no other code may program the device.
    pub const unsafe fn new(base: usize) -> Pl011 {
        let registers = base as *mut Registers;
        // SAFETY: a PL011 base address is never 0 (the caller's contract).
        Pl011 { registers: unsafe { NonNull::new_unchecked(registers) } }
    }

    fn registers(&self) -> &Registers {
        // SAFETY: `new`'s contract: the block is mapped and belongs to this driver.
        unsafe { self.registers.as_ref() }
    }

    /// Programs 115200 8N1, enables transmit and receive, and masks interrupts. The FIFOs stay
    /// off, as they are at reset: switching them on empties the receive FIFO, which would drop
    /// a byte that arrived a moment before (QEMU feeds piped input from its first instant).
    /// One byte at a time is plenty for a console; the sender keeps the rest until it is read.
    pub fn init(&self) {
        let regs = self.registers();
        self.flush();
        regs.cr.set(0);
        // Divisor = clock / (16 * baud) as a 16.6 fixed-point number.
        let divisor_x64 = (REFERENCE_CLOCK_HZ * 4) / BAUD_RATE;
        regs.ibrd.set(divisor_x64 >> 6);
        regs.fbrd.set(divisor_x64 & 0x3F);
        regs.lcr_h.write(LCR_H::WLEN::EightBits);
        regs.imsc.set(0);
        // Receive and receive-timeout stay as they are: clearing them while bytes wait in the
        // FIFO would lose the interrupt for those bytes (QEMU raises it only when a byte
        // lands in an empty FIFO). The caller drains the FIFO instead.
        regs.icr.set(0x7FF & !(RECEIVE_BITS));
        regs.cr.write(CR::UARTEN::SET + CR::TXE::SET + CR::RXE::SET);
    }

    /// True when the transmitter can take a byte now.
    pub fn transmit_ready(&self) -> bool {
        !self.registers().fr.is_set(FR::TXFF)
    }

    /// Sends one byte, waiting while the transmit FIFO is full.
    pub fn write_byte(&self, byte: u8) {
        let regs = self.registers();
        while regs.fr.is_set(FR::TXFF) {
            core::hint::spin_loop();
        }
        regs.dr.write(DR::DATA.val(byte as u32));
    }

    /// Waits until every byte written has left the UART.
    pub fn flush(&self) {
        while self.registers().fr.is_set(FR::BUSY) {
            core::hint::spin_loop();
        }
    }

    /// A received byte, if one is waiting. Bytes received with an error are dropped.
    pub fn read_byte(&self) -> Option<u8> {
        let regs = self.registers();
        while !regs.fr.is_set(FR::RXFE) {
            let data = regs.dr.extract();
            if data.read(DR::ERRORS) == 0 {
                return Some(data.read(DR::DATA) as u8);
            }
            regs.rsr_ecr.set(0);
        }
        None
    }

    /// Raises the receive interrupt whenever a byte arrives (or waits below the FIFO level).
    /// Drain the FIFO with `read_byte` after this: bytes already there raise nothing new.
    pub fn enable_receive_interrupt(&self) {
        self.registers().imsc.modify(INT::RX::SET + INT::RT::SET);
    }

    /// Stops the receive interrupt; bytes stay in the UART (and, on QEMU, in its input
    /// backend, which stops reading while the UART is full).
    pub fn disable_receive_interrupt(&self) {
        self.registers().imsc.modify(INT::RX::CLEAR + INT::RT::CLEAR);
    }

    /// True when a received byte is waiting.
    pub fn receive_ready(&self) -> bool {
        !self.registers().fr.is_set(FR::RXFE)
    }

    /// True when the receive interrupt is pending (used by the IRQ handler).
    pub fn receive_interrupt_pending(&self) -> bool {
        let mis = self.registers().mis.extract();
        mis.is_set(INT::RX) || mis.is_set(INT::RT)
    }
}
