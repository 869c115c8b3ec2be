// SPDX-License-Identifier: GPL-2.0
/*
 * qemu/linux/uaccess_bench.c: Linux's kernel-side figures for `make compare-linux`, counted
 * the way swpan's kernel counts its own (kernel/src/kernel_benchmarks.rs). Under QEMU's
 * -icount shift=0 the cycle counter (PMCCNTR, switched on by pmu_user.ko, loaded first)
 * advances by one per instruction. Each figure is the fewest instructions over RUNS calls
 * of the operation, less the fewest over as many calls of an empty operation, both through
 * the same measuring function, with IRQs masked (local_irq_save) for the whole series.
 *
 * What it measures, on user memory it maps into the process that loads it (vm_mmap,
 * populated and written once before any count, so that no page fault lands inside one) and a
 * kmalloc'd kernel buffer:
 *   window_open_close        uaccess_save_and_enable + uaccess_restore (software PAN's
 *                            DACR write and its restore)
 *   get_user, put_user       32-bit, through the checking macros
 *   copy_from_user_N         the copy a driver calls: access_ok, hardened usercopy's object
 *   copy_to_user_N           check, then the raw copy
 *   raw_copy_from_user_N     the window around arm_copy_from_user / arm_copy_to_user only
 *   raw_copy_to_user_N
 *   memcpy_N                 the kernel's own memcpy, kernel buffer to kernel buffer
 *   clear_user_N             access_ok, the window, arm_clear_user
 * for N = 8, 64, 4096 and 65536 bytes. One console line each, `bench: NAME INSTRUCTIONS`,
 * with swpan's metric names; `bench: kernel side failed: WHY` if it cannot measure. The
 * module keeps nothing once loaded: it unmaps and frees what it used.
 */
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

/* How many times each operation is counted; the fewest counts. */
#define RUNS 8
/* The largest size measured, and so the bytes of each buffer. */
#define BUFFER_BYTES 65536
#define PMCR_E (1u << 0)

static const unsigned long sizes[] = { 8, 64, 4096, BUFFER_BYTES };

/* What an operation works on: the measuring function passes it through unseen. */
struct bench_args {
	void __user *user;
	void *kernel;
	void *other;
	unsigned long size;
};

typedef void (*bench_op)(const struct bench_args *args);

/* The cycle counter; the memory clobber keeps the compiler's work on either side of it. */
static inline u32 cycles(void)
{
	u32 count;

	asm volatile("mrc p15, 0, %0, c9, c13, 0" : "=r"(count) : : "memory");
	return count;
}

/* The counter before and after one call of `op`. Neither inlined nor specialised for one
 * `op` (noipa): every operation, the empty one included, is reached by the same
 * instructions, which the subtraction then removes. */
static __attribute__((__noipa__)) u32 one_measurement(bench_op op, const struct bench_args *args)
{
	u32 start = cycles();

	op(args);
	return cycles() - start;
}

static noinline void op_empty(const struct bench_args *args)
{
}

static noinline void op_window(const struct bench_args *args)
{
	unsigned int flags = uaccess_save_and_enable();

	uaccess_restore(flags);
}

static noinline void op_get_user(const struct bench_args *args)
{
	u32 value;

	(void)!get_user(value, (u32 __user *)args->user);
}

static noinline void op_put_user(const struct bench_args *args)
{
	(void)!put_user(0x5a5a5a5au, (u32 __user *)args->user);
}

static noinline void op_copy_from_user(const struct bench_args *args)
{
	(void)!copy_from_user(args->kernel, args->user, args->size);
}

static noinline void op_copy_to_user(const struct bench_args *args)
{
	(void)!copy_to_user(args->user, args->kernel, args->size);
}

static noinline void op_raw_copy_from_user(const struct bench_args *args)
{
	(void)!raw_copy_from_user(args->kernel, args->user, args->size);
}

static noinline void op_raw_copy_to_user(const struct bench_args *args)
{
	(void)!raw_copy_to_user(args->user, args->kernel, args->size);
}

static noinline void op_memcpy(const struct bench_args *args)
{
	memcpy(args->other, args->kernel, args->size);
}

static noinline void op_clear_user(const struct bench_args *args)
{
	(void)!clear_user(args->user, args->size);
}

/* Instructions `op` takes: fewest of RUNS, less the fewest of RUNS empty measurements. */
static u32 instructions(bench_op op, const struct bench_args *args)
{
	u32 empty = U32_MAX, fewest = U32_MAX;
	unsigned long flags;
	int run;

	local_irq_save(flags);
	for (run = 0; run < RUNS; run++) {
		empty = min(empty, one_measurement(op_empty, args));
		fewest = min(fewest, one_measurement(op, args));
	}
	local_irq_restore(flags);
	return fewest > empty ? fewest - empty : 0;
}

static void report(const char *name, unsigned long size, bench_op op,
		   const struct bench_args *args)
{
	u32 count = instructions(op, args);

	if (size)
		pr_info("bench: %s_%lu %u\n", name, size, count);
	else
		pr_info("bench: %s %u\n", name, count);
}

/* Every operation once, outside the counts: each must succeed on these buffers (and the
 * user pages are then present and written). */
static bool operations_work(struct bench_args *args)
{
	u32 value;

	return !clear_user(args->user, BUFFER_BYTES) &&
	       !copy_to_user(args->user, args->kernel, BUFFER_BYTES) &&
	       !copy_from_user(args->kernel, args->user, BUFFER_BYTES) &&
	       !get_user(value, (u32 __user *)args->user) &&
	       !put_user(value, (u32 __user *)args->user);
}

static void measure(struct bench_args *args)
{
	size_t index;

	report("window_open_close", 0, op_window, args);
	report("get_user", 0, op_get_user, args);
	report("put_user", 0, op_put_user, args);
	for (index = 0; index < ARRAY_SIZE(sizes); index++) {
		args->size = sizes[index];
		report("copy_from_user", args->size, op_copy_from_user, args);
		report("copy_to_user", args->size, op_copy_to_user, args);
		report("raw_copy_from_user", args->size, op_raw_copy_from_user, args);
		report("raw_copy_to_user", args->size, op_raw_copy_to_user, args);
		report("memcpy", args->size, op_memcpy, args);
		report("clear_user", args->size, op_clear_user, args);
	}
}

static int __init uaccess_bench_init(void)
{
	struct bench_args args = {};
	unsigned long address;
	u32 pmcr;

	asm volatile("mrc p15, 0, %0, c9, c12, 0" : "=r"(pmcr));
	if (!(pmcr & PMCR_E)) {
		pr_info("bench: kernel side failed: the cycle counter is off (load pmu_user.ko first)\n");
		return -ENODEV;
	}
	args.kernel = kmalloc(BUFFER_BYTES, GFP_KERNEL);
	args.other = kmalloc(BUFFER_BYTES, GFP_KERNEL);
	address = vm_mmap(NULL, 0, BUFFER_BYTES, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	if (!args.kernel || !args.other || IS_ERR_VALUE(address)) {
		pr_info("bench: kernel side failed: no memory for the buffers\n");
	} else {
		memset(args.kernel, 0x11, BUFFER_BYTES);
		memset(args.other, 0x22, BUFFER_BYTES);
		args.user = (void __user *)address;
		if (operations_work(&args))
			measure(&args);
		else
			pr_info("bench: kernel side failed: a user access failed on its own pages\n");
	}
	if (!IS_ERR_VALUE(address))
		vm_munmap(address, BUFFER_BYTES);
	kfree(args.other);
	kfree(args.kernel);
	return 0;
}

static void __exit uaccess_bench_exit(void)
{
}

module_init(uaccess_bench_init);
module_exit(uaccess_bench_exit);
MODULE_DESCRIPTION("Instruction counts of the uaccess window, user copies and memcpy");
MODULE_LICENSE("GPL");
