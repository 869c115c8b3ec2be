/* qemu/linux/init.c: the /init of the Linux side of `make compare-linux`, a static armhf
 * program. It mounts what it needs, loads the modules in /lib/modules, then does the one job
 * named on the kernel command line (/proc/cmdline) and powers the machine off:
 *
 *   compare=bench    runs /bin/bench, swpan's own benchmark ELF, as swpan's bench job runs
 *                    it: file descriptor 3 is the null device (/dev/null), 4 a loopback that
 *                    gives back what was written to it (a FIFO opened for reading and
 *                    writing: Linux's pipe code), and user mode may read the cycle counter
 *                    (pmu_user.ko). First, after `compare: module uaccess_bench`, the kernel's
 *                    own `bench: NAME VALUE` lines from uaccess_bench.ko, which measures
 *                    the uaccess routines in the kernel on memory it maps into this process
 *                    while it loads. Then bench's `bench: NAME VALUE` lines. It runs
 *                    twice: under Linux's default policy (`compare: policy SCHED_OTHER`),
 *                    then under SCHED_FIFO (`compare: policy SCHED_FIFO`), where a yield
 *                    always hands the CPU to a runnable peer, as swpan's scheduler does.
 *                    Under the default policy a yield does not switch to the freshly
 *                    forked partner of bench's context switch (CFS keeps running the
 *                    yielding task while the newcomer's virtual runtime is ahead).
 *   compare=attacks  each lkdtm crash type listed in /etc/attacks, written to
 *                    debugfs's provoke-crash/DIRECT by a child of its own; between
 *                    `compare: begin NAME` and `compare: end NAME: OUTCOME` the console has
 *                    the kernel's own lines for it (its oops, or lkdtm's FAIL or XFAIL), or
 *                    `compare: write NAME: ERROR` when the write failed (lkdtm refuses a
 *                    name it does not know with EINVAL).
 *
 * Every line it prints itself starts with `compare: `.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Mounts `type` at `path`, creating the folder; a failure is reported and tolerated. */
static void mount_at(const char *type, const char *path)
{
	mkdir(path, 0755);
	if (mount(type, path, type, 0, NULL) != 0 && errno != EBUSY)
		printf("compare: mount %s on %s: %s\n", type, path, strerror(errno));
}

/* Makes the console file descriptors 0, 1 and 2, whatever the kernel left there. */
static void open_console(void)
{
	int console = open("/dev/console", O_RDWR | O_NOCTTY);

	if (console < 0)
		return;
	for (int fd = 0; fd < 3; fd++)
		if (console != fd)
			dup2(console, fd);
	if (console > 2)
		close(console);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Loads the kernel module at `path` with finit_module (no parameters). */
static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int result;

	if (fd < 0) {
		printf("compare: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	result = syscall(SYS_finit_module, fd, "", 0);
	if (result != 0)
		printf("compare: finit_module %s: %s\n", path, strerror(errno));
	close(fd);
	return result;
}

/* The value of `key=` on the kernel command line, copied into `value`; 0 if absent. */
static int command_line(const char *key, char *value, size_t size)
{
	char line[1024];
	size_t key_length = strlen(key);
	FILE *file = fopen("/proc/cmdline", "r");
	int found = 0;

	if (!file)
		return 0;
	if (fgets(line, sizeof line, file)) {
		for (char *word = strtok(line, " \n"); word; word = strtok(NULL, " \n")) {
			if (strncmp(word, key, key_length) == 0 && word[key_length] == '=') {
				snprintf(value, size, "%s", word + key_length + 1);
				found = 1;
			}
		}
	}
	fclose(file);
	return found;
}

/* Puts `path` (opened with `flags`) at file descriptor `fd`. */
static int open_at(const char *path, int flags, int fd)
{
	int opened = open(path, flags);

	if (opened < 0) {
		printf("compare: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (opened != fd) {
		dup2(opened, fd);
		close(opened);
	}
	return 0;
}

/* Describes how a child ended, as the `end` line gives it. */
static void describe(int status, char *text, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(text, size, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(text, size, "exited with status %d", WEXITSTATUS(status));
}

/* Runs /bin/bench once under `policy` (its children inherit it). */
static int bench_under(int policy, const char *name)
{
	char *argv[] = { "bench", NULL };
	char *envp[] = { NULL };
	struct sched_param parameter = { .sched_priority = policy == SCHED_FIFO ? 1 : 0 };
	char ended[128];
	int status;
	pid_t child;

	printf("compare: policy %s\n", name);
	child = fork();
	if (child == 0) {
		if (sched_setscheduler(0, policy, &parameter) != 0) {
			printf("compare: sched_setscheduler %s: %s\n", name, strerror(errno));
			_exit(126);
		}
		execve("/bin/bench", argv, envp);
		printf("compare: execve /bin/bench: %s\n", strerror(errno));
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		return 1;
	describe(status, ended, sizeof ended);
	printf("compare: bench %s\n", ended);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int run_bench(void)
{
	if (load_module("/lib/modules/pmu_user.ko") != 0)
		return 1;
	printf("compare: module uaccess_bench\n");
	if (load_module("/lib/modules/uaccess_bench.ko") != 0)
		return 1;
	if (mkfifo("/loopback", 0600) != 0 && errno != EEXIST) {
		printf("compare: mkfifo: %s\n", strerror(errno));
		return 1;
	}
	if (open_at("/dev/null", O_RDWR, 3) || open_at("/loopback", O_RDWR, 4))
		return 1;
	return bench_under(SCHED_OTHER, "SCHED_OTHER") | bench_under(SCHED_FIFO, "SCHED_FIFO");
}

/* Provokes crash type `name` from a child of its own. */
static void attack(const char *name)
{
	char ended[128];
	int status;
	pid_t child;

	printf("compare: begin %s\n", name);
	child = fork();
	if (child == 0) {
		int fd = open("/sys/kernel/debug/provoke-crash/DIRECT", O_WRONLY);
		ssize_t written;

		if (fd < 0) {
			printf("compare: open DIRECT: %s\n", strerror(errno));
			_exit(126);
		}
		written = write(fd, name, strlen(name));
		if (written < 0)
			printf("compare: write %s: %s\n", name, strerror(errno));
		_exit(written == (ssize_t)strlen(name) ? 0 : 1);
	}
	if (child < 0 || waitpid(child, &status, 0) != child) {
		printf("compare: end %s: no child\n", name);
		return;
	}
	describe(status, ended, sizeof ended);
	printf("compare: end %s: %s\n", name, ended);
}

static int run_attacks(void)
{
	char name[64];
	FILE *list;

	mount_at("debugfs", "/sys/kernel/debug");
	if (load_module("/lib/modules/lkdtm.ko") != 0)
		return 1;
	list = fopen("/etc/attacks", "r");
	if (!list) {
		printf("compare: /etc/attacks: %s\n", strerror(errno));
		return 1;
	}
	while (fscanf(list, "%63s", name) == 1)
		attack(name);
	fclose(list);
	return 0;
}

int main(void)
{
	char job[32] = "";
	int failed;

	mount_at("devtmpfs", "/dev");
	open_console();
	mount_at("proc", "/proc");
	mount_at("sysfs", "/sys");
	command_line("compare", job, sizeof job);
	if (strcmp(job, "bench") == 0)
		failed = run_bench();
	else if (strcmp(job, "attacks") == 0)
		failed = run_attacks();
	else {
		printf("compare: no job: compare=bench or compare=attacks\n");
		failed = 1;
	}
	printf("compare: done (%s)\n", failed ? "failed" : "ok");
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
