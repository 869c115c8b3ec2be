//! `docgen bench`: turns the kernel's benchmark results into a report, Markdown tables and a
//! chart.
//!
//! The kernel's benchmark job boots swpan under QEMU with `-icount shift=0`, where every guest
//! instruction is one tick, so each measurement is an exact instruction count, the same on
//! every run. It writes them to `target/bench.json` as one flat JSON object from metric name
//! to count: the uaccess window, `get_user`/`put_user`, `copy_from_user`/`copy_to_user`
//! against a kernel `memcpy` at four sizes (and again in a `pan=off` boot), the null system
//! call with PAN on and off, and the boot itself.
//!
//! The pieces, in the order data flows through them:
//!
//! 1. [`metrics`] reads and checks the JSON into [`Metrics`] (required and optional counts,
//!    the copies by size, unknown names kept aside);
//! 2. [`targets`] judges the cost targets, most of them Linux's own costs for the same job
//!    (its window, its user entry/exit with software PAN, its null system call, its `memcpy`
//!    and its `clear_user`; [`linux`] holds Linux's figures);
//! 3. [`report`] lays the counts and verdicts out as titled sections of rows;
//! 4. [`table`] renders those as aligned text or GitHub Markdown;
//! 5. [`chart`] draws what the uaccess window costs as a share of each copy size, with the
//!    docs' own SVG writer ([`crate::svg`]; no font or plotting library, so it builds and
//!    renders the same on any machine).
//!
//! Every output is a pure function of the input: no floating point reaches the tables, and
//! the chart prints its coordinates with fixed precision, so the same `bench.json` always
//! gives the same bytes, fit to be checked in.

pub mod chart;
mod decimal;
pub mod linux;
pub mod metrics;
pub mod report;
pub mod table;
pub mod targets;

pub use metrics::{Metrics, MetricsError};
