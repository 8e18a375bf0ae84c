#!/usr/bin/env python3
"""Measure `python build.py serve`: the time from saving a page to the rebuilt page being served.

    python bench/corpus.py --pairs 1000 --out /tmp/corpus-1000
    python bench/serve_latency.py --site /tmp/corpus-1000 [--edits 20]

Starts the preview in this process on a free port (the same Preview, Builder and Watcher as the
command), builds the site, then edits pages one at a time (a sentence added to a paragraph, in
rotation over pages of different sections, English and French), each at a random moment of the
watcher's polling cycle. For each edit it records, from the moment the file is written:

    event   the Server-Sent Event announcing the new build reaches a client of /__clair/events
            (what makes an open page call location.reload())
    served  then a GET of the edited page returns the new text (what the reloaded page shows)

and the rebuild's own time and kind ("pages": the page and its translation only). The figures
are measured, not asserted; the machine's CPU count and load average are printed with them,
because on a busy machine every figure grows. The target in issue 7 is `served` within 300 ms.
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import string
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clair.serve import Preview  # noqa: E402
from clair.project import Project  # noqa: E402
from clair.serve_build import Builder  # noqa: E402
from clair.children import usable_cpus  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, required=True, help="a folder with content/ and site.yaml")
    parser.add_argument("--edits", type=int, default=20, help="how many saves to measure (default 20)")
    parser.add_argument("--skip-checks", action="store_true", help="serve without checks")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    content, config = args.site / "content", args.site / "site.yaml"
    random.seed(args.seed)

    preview = Preview(Builder(Project.from_options(content, config, cache=True), run_checks=not args.skip_checks,
                              jobs=usable_cpus()), port=0, out=io.StringIO())
    preview.start_server()
    started = time.perf_counter()
    first = preview.build()
    if first.errors:
        print(preview.out.getvalue())
        return 2
    pages = [page for page in preview.builder.result.site.pages if not page.is_section]
    print(f"first build: {len(preview.builder.result.site.pages)} pages in {time.perf_counter() - started:.1f} s",
          flush=True)
    preview.watch()

    builds: list[tuple[float, str]] = []
    arrived = threading.Condition()

    def listen() -> None:
        with urllib.request.urlopen(preview.url + "__clair/events", timeout=600) as events:
            for line in events:
                if line.startswith(b"data: "):
                    with arrived:
                        builds.append((time.perf_counter(), line[6:].strip().decode()))
                        arrived.notify_all()

    threading.Thread(target=listen, daemon=True).start()
    with arrived:
        arrived.wait_for(lambda: builds, 10)

    chosen = [pages[(i * 997) % len(pages)] for i in range(args.edits)]
    rows = []
    for number, page in enumerate(chosen):
        time.sleep(0.3 + random.random() * 0.2)  # a random moment of the polling cycle
        source = Path(page.source)
        text = source.read_text(encoding="utf-8")
        marker = "Edit" + "".join(random.choices(string.ascii_lowercase, k=10))  # no digits: French groups them
        heading = text.find("\n## ")  # a new short paragraph before the first `##` heading
        if heading < 0:
            continue
        edited = text[:heading] + f"\n{marker} is here.\n" + text[heading:]
        with arrived:
            seen = len(builds)
        source.write_text(edited, encoding="utf-8")
        saved = time.perf_counter()
        with arrived:
            if not arrived.wait_for(lambda: len(builds) > seen, 120):
                print(f"no build event after editing {source}")
                return 1
            event = builds[seen][0]
        if preview.last.errors:
            print(f"the edit of {source} did not build: {preview.last.errors}")
            return 1
        url = preview.url.rstrip("/") + page.url
        while True:
            with urllib.request.urlopen(url, timeout=60) as response:
                if marker in response.read().decode("utf-8"):
                    break
            time.sleep(0.005)
        served = time.perf_counter()
        outcome = preview.last
        rows.append((str(source), outcome.kind, outcome.seconds * 1000, (event - saved) * 1000,
                     (served - saved) * 1000))
        print(f"edit {number + 1}/{len(chosen)}: {outcome.kind}, served {rows[-1][4]:.0f} ms after saving",
              file=sys.stderr, flush=True)
        with arrived:
            seen = len(builds)
        source.write_text(text, encoding="utf-8")  # put it back, and let that rebuild finish first
        with arrived:
            arrived.wait_for(lambda: len(builds) > seen, 120)
    preview.stop()

    print(f"\n{'page':58} {'kind':6} {'rebuild':>8} {'event':>8} {'served':>8}  (ms after saving)")
    for source, kind, rebuild, event, served in rows:
        print(f"{source[-58:]:58} {kind:6} {rebuild:8.0f} {event:8.0f} {served:8.0f}")
    for name, index in (("rebuild", 2), ("event", 3), ("served", 4)):
        values = sorted(row[index] for row in rows)
        print(f"{name:8} median {statistics.median(values):6.0f} ms   p90 "
              f"{values[max(0, int(len(values) * 0.9) - 1)]:6.0f} ms   max {values[-1]:6.0f} ms")
    load = os.getloadavg()
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, Python {platform.python_version()}")
    return 0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


if __name__ == "__main__":
    sys.exit(main())
