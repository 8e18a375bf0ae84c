"""Write stage, search index: a client for Pagefind's service mode (`pagefind --service`), fed page by page.

Pagefind's own Python package speaks the same protocol, but it waits a tenth of a second before
reading each answer, so a site of 2,000 pages would take over three minutes; this client reads the
answers as they come. The protocol is the one `pagefind.service` uses: each message is JSON encoded
in base64 and ended by a comma, in both directions; every request carries a number that its answer
repeats. Requests: `NewIndex` (with the indexing options), `AddFile` (a page's HTML and its path in
the site, from which Pagefind makes its address, as it does for `--site`), `GetFiles` (every file of
the index, in the answer). Pagefind ends when its input closes. (Its `WriteFiles` answers before the
last bytes of each file are written, and Pagefind ends at once when its input closes, leaving files
cut short: clair writes the files itself.)

A writer thread sends what `add` queues, so the build never waits on Pagefind; a reader thread takes
the answers. Pagefind's messages go to a temporary file and are shown only when something fails.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import queue
import subprocess
import tempfile
import threading
from pathlib import PurePosixPath

from .children import start_program, stop_signals_held


END = object()  # queued after the last page


class ServiceFailed(Exception):
    """Pagefind stopped, refused a request or did not answer in time; the message says what it said."""


class Service:
    """One running `pagefind --service` holding one index."""

    def __init__(self, program: str, config: dict, timeout: float):
        self.timeout = timeout
        self.log = tempfile.TemporaryFile()
        try:
            with stop_signals_held():
                self.process = subprocess.Popen([program, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                stderr=self.log, preexec_fn=functools.partial(start_program, os.getpid()))
        except OSError as err:
            self.log.close()
            raise ServiceFailed(f"Pagefind did not start ({err})") from None
        except BaseException:  # a Ctrl-C held while it started: it exists, and no one else would stop it
            if hasattr(self, "process"):
                self.process.kill()
                self.process.wait()
            self.log.close()
            raise
        self.answers: dict[int, dict] = {}
        self.problems: list[str] = []
        self.ended = False
        self.changed = threading.Condition()
        self.numbers = iter(range(1, 1 << 62))
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.closed = False
        self.files_asked: int | None = None  # the number of the `GetFiles` request, once sent
        threading.Thread(target=self.read, name="pagefind-answers", daemon=True).start()
        self.index = self.ask({"type": "NewIndex", "config": config})["index_id"]
        threading.Thread(target=self.write, name="pagefind-pages", daemon=True).start()

    def add(self, path: PurePosixPath, html: bytes) -> None:
        """Queue a page (its path in the site, its HTML as UTF-8); it is sent while the build goes on."""
        self.outbox.put((str(path), html))

    def close(self) -> None:
        """No more pages: once the queued ones are sent, Pagefind is asked for the index, which it starts making
        while the build goes on (`get_files` takes it)."""
        if not self.closed:
            self.closed = True
            self.outbox.put(END)

    def get_files(self) -> dict[PurePosixPath, bytes]:
        """Every file of the index (path in the index folder: bytes), once Pagefind has made it; Pagefind ends."""
        self.close()
        answer = self.wait(lambda: self.files_asked is not None and self.answers.get(self.files_asked))
        self.end_input()
        listed, files = answer.pop("files", None), {}
        try:
            while listed:  # each file's text let go once decoded
                item = listed.pop()
                files[PurePosixPath(item["path"])] = base64.b64decode(item["content"])
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as err:
            raise ServiceFailed(f"Pagefind's answer is not a list of files ({err})") from None
        if self.problems:
            raise ServiceFailed(self.problems[0])
        return files

    def stop(self) -> None:
        """End Pagefind now (done, or a failed or interrupted build); the threads end with it."""
        self.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.end_input()
        self.log.close()

    def end_input(self) -> None:
        try:
            self.process.stdin.close()
        except (OSError, ValueError):  # Pagefind has already ended
            pass

    # --- the protocol ----------------------------------------------------------------------------

    def ask(self, payload: dict) -> dict:
        """Send one request now and wait for its answer."""
        number = self.send(payload)
        return self.wait(lambda: self.answers.get(number))

    def send(self, payload: dict) -> int:
        number = next(self.numbers)
        message = json.dumps({"message_id": number, "payload": payload}, ensure_ascii=False).encode("utf-8")
        try:
            self.process.stdin.write(base64.b64encode(message) + b",")
            self.process.stdin.flush()
        except (OSError, ValueError):
            self.note_end()
        return number

    def wait(self, ready):
        """`ready()`'s value once it is true; ServiceFailed if Pagefind ends, refuses a request, or takes too long."""
        with self.changed:
            if not self.changed.wait_for(lambda: ready() or self.problems or self.ended, self.timeout):
                raise ServiceFailed(f"Pagefind did not answer within {self.timeout:g} seconds")
            if self.problems:
                raise ServiceFailed(self.problems[0])
            value = ready()
            if value:
                return value
        raise ServiceFailed(self.said())

    def write(self) -> None:
        """The writer thread: each queued page as an `AddFile` request, then, after `close`, the `GetFiles` one."""
        while True:
            item = self.outbox.get()
            if item is END:
                number = self.send({"type": "GetFiles", "index_id": self.index})
                with self.changed:
                    self.files_asked = number
                    self.changed.notify_all()
                return
            path, html = item
            self.send({"type": "AddFile", "index_id": self.index, "file_path": path, "url": None,
                       "file_contents": html.decode("utf-8")})

    def read(self) -> None:
        """The reader thread: every answer, as it comes (the index's files come in one, tens of megabytes long);
        a refusal is kept as a problem."""
        pending = bytearray()  # the answer being read; never copied whole
        try:
            while chunk := self.process.stdout.read1(1 << 20):
                start = 0
                while (end := chunk.find(b",", start)) >= 0:
                    pending += chunk[start:end]
                    self.take(pending)
                    start = end + 1
                pending += chunk[start:]
        except (OSError, ValueError):
            pass  # Pagefind's output closed under it: it has ended
        finally:
            self.note_end()

    def take(self, message: bytearray) -> None:
        """Decode one answer and keep it, emptying `message` as soon as it is decoded (it may be big)."""
        try:
            decoded = base64.b64decode(message, validate=True)
        except binascii.Error:
            return  # not a message of the protocol
        finally:
            message.clear()
        try:
            answer = json.loads(decoded)
            del decoded
            number, payload = answer.get("message_id"), answer["payload"]
        except (ValueError, KeyError, TypeError, AttributeError):
            return
        with self.changed:
            if payload.get("type") == "Error":
                self.problems.append(" ".join(str(payload.get("message") or "no message").split())[:800])
            elif number is not None and payload.get("type") != "IndexedFile":  # pages' answers are not waited for
                self.answers[number] = payload
            self.changed.notify_all()

    def note_end(self) -> None:
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def said(self) -> str:
        """What Pagefind printed before ending, for a message."""
        try:
            self.process.wait(5)
            self.log.seek(0)
            text = " ".join(self.log.read(4000).decode("utf-8", "replace").split())
        except (OSError, ValueError, subprocess.TimeoutExpired):
            text = ""
        code = self.process.returncode
        return f"Pagefind stopped (exit code {code}): {text or 'no message'}"
