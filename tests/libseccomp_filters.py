#!/usr/bin/python3
"""Compiles seccomp filters for ARM with libseccomp (Debian's python3-seccomp), for the
integration tests in tests/tests/seccomp.rs.

    libseccomp_filters.py compile < FILTERS.json    one line of hex per filter
    libseccomp_filters.py resolve NAME...           "NAME NUMBER" per line, ARM EABI numbers

FILTERS.json is a list of filters, each {"default": ACTION, "rules": [RULE...]}, a RULE being
{"action": ACTION, "syscall": NAME, "args": [[INDEX, OP, VALUE...]...]}. ACTION is ALLOW,
KILL, KILL_PROCESS, TRAP, LOG, "ERRNO(n)" or "TRACE(n)"; OP is EQ, NE, GT, GE, LT, LE or
MASKED_EQ (then MASK, VALUE). The hex is the filter's sock_filter array as export_bpf writes
it: 8 little-endian bytes per instruction, what `sandbox --filter=` takes.

Never load() a filter here: it would confine this (x86-64) process with an ARM-only filter.
"""

import json
import sys
import tempfile

import seccomp

OPERATORS = {
    "EQ": seccomp.EQ,
    "NE": seccomp.NE,
    "GT": seccomp.GT,
    "GE": seccomp.GE,
    "LT": seccomp.LT,
    "LE": seccomp.LE,
    "MASKED_EQ": seccomp.MASKED_EQ,
}


def action(text):
    """The libseccomp action a test names."""
    simple = {
        "ALLOW": seccomp.ALLOW,
        "KILL": seccomp.KILL,
        "KILL_PROCESS": seccomp.KILL_PROCESS,
        "TRAP": seccomp.TRAP,
        "LOG": seccomp.LOG,
    }
    if text in simple:
        return simple[text]
    for name, make in (("ERRNO", seccomp.ERRNO), ("TRACE", seccomp.TRACE)):
        if text.startswith(name + "(") and text.endswith(")"):
            return make(int(text[len(name) + 1 : -1], 0))
    raise ValueError(f"unknown action {text!r}")


def compile_filter(spec):
    """The ARM program of one filter, as hex."""
    syscall_filter = seccomp.SyscallFilter(action(spec["default"]))
    syscall_filter.add_arch(seccomp.Arch.ARM)
    syscall_filter.remove_arch(seccomp.Arch.NATIVE)
    for rule in spec.get("rules", []):
        comparisons = [
            seccomp.Arg(index, OPERATORS[operator], *values)
            for index, operator, *values in rule.get("args", [])
        ]
        syscall_filter.add_rule(action(rule["action"]), rule["syscall"], *comparisons)
    # export_bpf writes to a file descriptor: a real file, not a BytesIO.
    with tempfile.TemporaryFile() as output:
        syscall_filter.export_bpf(output)
        output.flush()
        output.seek(0)
        return output.read().hex()


def main(arguments):
    if arguments[:1] == ["compile"]:
        for spec in json.load(sys.stdin):
            print(compile_filter(spec))
    elif arguments[:1] == ["resolve"]:
        for name in arguments[1:]:
            print(name, seccomp.resolve_syscall(seccomp.Arch.ARM, name))
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
