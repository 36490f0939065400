"""Start a command under resource limits: the grader launches each submission's kernel with it.

    python sandbox.py --memory-mb 4096 --file-mb 64 -- python -m ipykernel_launcher -f conn.json

It sets the limits on itself and then *becomes* the command (os.execvp), so the kernel keeps
the process id the kernel manager signals and kills. Run as a script, not as a module, so that
starting a kernel does not import the teaching_tools package first.

- memory (RLIMIT_DATA): a submission that allocates more gets a MemoryError in its cell, and the
  machine stays responsive for the other submissions. RLIMIT_DATA counts the memory a process
  writes to, not the address space it reserves, which TensorFlow does generously;
- file size (RLIMIT_FSIZE): no file written by the kernel grows beyond this;
- core dumps (RLIMIT_CORE) are off: a crashing submission leaves nothing behind.
"""

import argparse
import os
import resource
import sys


def limit(which, value):
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=0, help="0: no limit")
    parser.add_argument("--file-mb", type=int, default=0, help="0: no limit")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    if args.memory_mb:
        limit(resource.RLIMIT_DATA, args.memory_mb * 2**20)
    if args.file_mb:
        limit(resource.RLIMIT_FSIZE, args.file_mb * 2**20)
    limit(resource.RLIMIT_CORE, 0)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
