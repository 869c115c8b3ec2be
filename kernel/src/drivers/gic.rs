//! ARM Generic Interrupt Controller v2: the distributor and this CPU's interface.
//!
//! Register maps from the GICv2 Architecture Specification (IHI 0048B), sections 4.3 and 4.4.
//! The kernel's devices use shared peripheral interrupts, level-triggered, all at one priority,
//! routed to CPU 0; a software-generated interrupt wakes the other CPUs at boot.

use tock_registers::interfaces::{Readable, Writeable};
use tock_registers::registers::{ReadOnly, ReadWrite, WriteOnly};
use tock_registers::{register_bitfields, register_structs};

register_bitfields! {
    u32,
    /// Distributor control.
    GICD_CTLR [
        /// Forward interrupts to the CPU interfaces (group 0; group 1 on a non-secure view).
        ENABLE OFFSET(0) NUMBITS(1) []
    ],
    /// CPU interface control.
    GICC_CTLR [
        /// Signal interrupts to the processor.
        ENABLE OFFSET(0) NUMBITS(1) []
    ],
    /// Interrupt acknowledge / end of interrupt.
    GICC_IAR [
        /// The interrupt ID.
        INTERRUPT_ID OFFSET(0) NUMBITS(10) [],
        /// The requesting CPU, for software-generated interrupts.
        CPU_ID OFFSET(10) NUMBITS(3) []
    ]
}

register_structs! {
    /// The distributor.
    pub DistributorRegisters {
        (0x000 => ctlr: ReadWrite<u32, GICD_CTLR::Register>),
        (0x004 => typer: ReadOnly<u32>),
        (0x008 => _reserved0),
        (0x100 => isenabler: [ReadWrite<u32>; 32]),
        (0x180 => icenabler: [ReadWrite<u32>; 32]),
        (0x200 => _reserved1),
        (0x400 => ipriorityr: [ReadWrite<u32>; 255]),
        (0x7fc => _reserved2),
        (0x800 => itargetsr: [ReadWrite<u32>; 255]),
        (0xbfc => _reserved3),
        (0xc00 => icfgr: [ReadWrite<u32>; 64]),
        (0xd00 => _reserved4),
        (0xf00 => sgir: WriteOnly<u32>),
        (0xf04 => @END),
    }
}

register_structs! {
    /// The CPU interface.
    pub CpuInterfaceRegisters {
        (0x00 => ctlr: ReadWrite<u32, GICC_CTLR::Register>),
        (0x04 => pmr: ReadWrite<u32>),
        (0x08 => bpr: ReadWrite<u32>),
        (0x0c => iar: ReadOnly<u32, GICC_IAR::Register>),
        (0x10 => eoir: WriteOnly<u32, GICC_IAR::Register>),
        (0x14 => @END),
    }
}

/// Where GICC_CTLR is in the CPU interface.
pub const CPU_INTERFACE_CTLR_OFFSET: usize = core::mem::offset_of!(CpuInterfaceRegisters, ctlr);
/// Where GICC_PMR is in the CPU interface.
pub const CPU_INTERFACE_PMR_OFFSET: usize = core::mem::offset_of!(CpuInterfaceRegisters, pmr);

/// The interrupt ID the CPU interface returns when nothing is pending.
pub const SPURIOUS: u32 = 1023;

/// A GICv2.
pub struct Gic {
    distributor: usize,
    cpu_interface: usize,
}

impl Gic {
    /// A driver for the GIC whose distributor and CPU interface are mapped at these addresses.
    ///
    /// # Safety
    ///
    /// Both must be the virtual addresses of the GIC's register blocks, mapped as Device
    /// memory while the driver is used, and no other code may program the GIC.
    pub const unsafe fn new(distributor: usize, cpu_interface: usize) -> Gic {
        Gic { distributor, cpu_interface }
    }

    fn distributor(&self) -> &DistributorRegisters {
        // SAFETY: `new`'s contract.
        unsafe { &*(self.distributor as *const DistributorRegisters) }
    }

    fn cpu(&self) -> &CpuInterfaceRegisters {
        // SAFETY: `new`'s contract.
        unsafe { &*(self.cpu_interface as *const CpuInterfaceRegisters) }
    }

    /// Enables the distributor and the CPU interface, with every priority let through.
    pub fn init(&self) {
        self.distributor().ctlr.write(GICD_CTLR::ENABLE::SET);
        self.init_cpu_interface();
    }

    /// Enables this CPU's interface (the interface is banked: each CPU enables its own), with
    /// every priority let through.
    pub fn init_cpu_interface(&self) {
        self.cpu().pmr.set(0xFF);
        self.cpu().bpr.set(0);
        self.cpu().ctlr.write(GICC_CTLR::ENABLE::SET);
    }

    /// Enables shared interrupt `id` (32 or more), level-triggered, to CPU 0.
    pub fn enable(&self, id: u32) {
        let distributor = self.distributor();
        let (word, shift) = ((id / 4) as usize, (id % 4) * 8);
        let priority = &distributor.ipriorityr[word];
        priority.set((priority.get() & !(0xFF << shift)) | (0xA0 << shift));
        let target = &distributor.itargetsr[word];
        target.set((target.get() & !(0xFF << shift)) | (0x01 << shift));
        let config = &distributor.icfgr[(id / 16) as usize];
        config.set(config.get() & !(0b10 << ((id % 16) * 2)));
        distributor.isenabler[(id / 32) as usize].set(1 << (id % 32));
    }

    /// Enables private peripheral interrupt `id` (16 to 31) on this CPU: the enable bit and
    /// the priority of IDs below 32 are banked, each CPU has its own.
    pub fn enable_private(&self, id: u32) {
        let distributor = self.distributor();
        let (word, shift) = ((id / 4) as usize, (id % 4) * 8);
        let priority = &distributor.ipriorityr[word];
        priority.set((priority.get() & !(0xFF << shift)) | (0xA0 << shift));
        distributor.isenabler[0].set(1 << id);
    }

    /// Disables interrupt `id`.
    pub fn disable(&self, id: u32) {
        self.distributor().icenabler[(id / 32) as usize].set(1 << (id % 32));
    }

    /// Acknowledges the highest-priority pending interrupt: its IAR value (ID in bits 9:0),
    /// [`SPURIOUS`] if none.
    pub fn acknowledge(&self) -> u32 {
        self.cpu().iar.get()
    }

    /// Signals the end of the interrupt acknowledged with `iar`.
    pub fn end_of_interrupt(&self, iar: u32) {
        self.cpu().eoir.set(iar);
    }

    /// How many interrupt lines the distributor implements.
    pub fn lines(&self) -> u32 {
        32 * ((self.distributor().typer.get() & 0x1F) + 1)
    }
}
