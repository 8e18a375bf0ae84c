"""A faulty Pagefind for the tests of a damaged search index: the real one, behind a proxy that cuts short the
first page fragment of the index it sends back (as a failing disk or a faulty Pagefind would), and says nothing.

Used as $CLAIR_PAGEFIND (clair/search.py); it speaks the service protocol of clair/pagefind_service.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

from clair import search

CUT_SHORT = """#!{python}
import base64, json, subprocess, sys, threading
real = subprocess.Popen([{real!r}, *sys.argv[1:]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def forward_requests():
    while chunk := sys.stdin.buffer.read1(1 << 16):
        real.stdin.write(chunk)
        real.stdin.flush()
    real.stdin.close()


threading.Thread(target=forward_requests, daemon=True).start()
pending = b""
while chunk := real.stdout.read1(1 << 20):
    *messages, pending = (pending + chunk).split(b",")
    for message in messages:
        answer = json.loads(base64.b64decode(message))
        files = answer["payload"].get("files")
        if files:
            first = min((f for f in files if f["path"].startswith("fragment/")), key=lambda f: f["path"])
            first["content"] = base64.b64encode(base64.b64decode(first["content"])[:10]).decode()
            message = base64.b64encode(json.dumps(answer).encode())
        sys.stdout.buffer.write(message + b",")
        sys.stdout.buffer.flush()
"""


def write_cut_short(path: Path) -> Path:
    """The faulty Pagefind, as an executable file at `path`."""
    path.write_text(CUT_SHORT.format(python=sys.executable, real=search.executable()), encoding="utf-8")
    path.chmod(0o755)
    return path
