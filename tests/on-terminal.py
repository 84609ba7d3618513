#!/usr/bin/env python3
# on-terminal.py COMMAND [ARGS...]: run COMMAND on a pseudo-terminal and
# type the lines of standard input, one after each prompt (output that
# ends in ": "), as a person at the terminal would.  Prints what the
# terminal showed (to stdout, for the test to keep in a variable: it may
# hold a password shown once) and exits with the command's exit code.
import os
import pty
import select
import sys

answers = sys.stdin.read().split('\n')[:-1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
shown = b''
answered_at = 0
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    shown += data
    if answers and shown.endswith(b': ') and len(shown) > answered_at:
        os.write(fd, answers.pop(0).encode() + b'\n')
        answered_at = len(shown)
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode('utf-8', 'replace').replace('\r', ''))
sys.exit(os.waitstatus_to_exitcode(status))
