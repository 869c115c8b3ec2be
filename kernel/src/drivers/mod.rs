//! Device drivers for the vexpress-a15 board.

pub mod pl011;
