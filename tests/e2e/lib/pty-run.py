#!/usr/bin/python3
# pty-run.py SCRIPT_JSON ARGV... - runs ARGV on a new pseudo-terminal (its controlling
# terminal, so /dev/tty is it) and plays SCRIPT_JSON, a list of [prompt, reply]: waits for
# each prompt in the output, then types the reply. Prints {"status", "output"} as JSON: the
# exit status and everything the terminal showed (echoed input included).
import json
import os
import pty
import select
import sys
import time


def main():
    script = json.loads(sys.argv[1])
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    out = b''
    deadline = time.time() + 30
    step = 0
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        while step < len(script) and script[step][0].encode() in out.split(b'\x00')[-1]:
            out += b'\x00'  # a marker: the prompt is answered, look for the next one after it
            os.write(fd, script[step][1].encode())
            step += 1
    _, status = os.waitpid(pid, 0)
    text = out.replace(b'\x00', b'').decode('utf-8', 'replace')
    print(json.dumps({'status': os.waitstatus_to_exitcode(status), 'output': text}))


main()
