//! Device drivers for the vexpress-a15 board.

pub mod gic;
pub mod pl011;
