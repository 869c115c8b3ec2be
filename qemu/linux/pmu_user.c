// SPDX-License-Identifier: GPL-2.0
/*
 * qemu/linux/pmu_user.c: lets user mode read the cycle counter (PMCCNTR), for the Linux side
 * of `make compare-linux`. swpan's benchmark reads PMCCNTR directly; on Linux that needs
 * PMUSERENR.EN, which only kernel mode can set. On loading, on every CPU: the counter on
 * (PMCR.E) at one count per cycle (PMCR.D clear), the cycle counter enabled (PMCNTENSET.C),
 * and user reads allowed. Under QEMU's -icount shift=0 one cycle is one instruction.
 */
#include <linux/module.h>
#include <linux/smp.h>

#define PMCR_E (1u << 0)
#define PMCR_D (1u << 3)
#define PMCNTENSET_C (1u << 31)
#define PMUSERENR_EN (1u << 0)

static void pmu_user_enable(void *unused)
{
	u32 pmcr;

	asm volatile("mrc p15, 0, %0, c9, c12, 0" : "=r"(pmcr));
	pmcr = (pmcr | PMCR_E) & ~PMCR_D;
	asm volatile("mcr p15, 0, %0, c9, c12, 0" : : "r"(pmcr));
	asm volatile("mcr p15, 0, %0, c9, c12, 1" : : "r"(PMCNTENSET_C));
	asm volatile("mcr p15, 0, %0, c9, c14, 0" : : "r"(PMUSERENR_EN));
	isb();
}

static int __init pmu_user_init(void)
{
	on_each_cpu(pmu_user_enable, NULL, 1);
	pr_info("pmu_user: PMCCNTR readable from user mode\n");
	return 0;
}

static void __exit pmu_user_exit(void)
{
}

module_init(pmu_user_init);
module_exit(pmu_user_exit);
MODULE_DESCRIPTION("User-mode reads of the cycle counter, for benchmarks");
MODULE_LICENSE("GPL");
