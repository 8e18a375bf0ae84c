"""Security of the build cache and the search index (issue #16, items 1, 2, 5 and 8; docs/security.md).

A writer's pull request can commit anything into the repository, symlinks and files under `.cache/`
included. These tests reproduce what the security probe did on the code before: a committed symlink
that made every build delete another folder's files, a planted pickle that ran a command during a
normal build, an unlinked huge file read whole for the cache key, and a cut-short search index
published with exit 0 and then reused from the cache.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from clair import cache, search
from clair.pipeline import build_site, publish
from clair.project import CACHE_ENV, Project
from conftest import minimal_pages, write_tree
from pagefind_fakes import write_cut_short

ROOT = Path(__file__).resolve().parent.parent


def run(folder: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python build.py ARGS` from inside the project folder, as CI runs it."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=folder, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def repository(tmp_path) -> Path:
    """A small project as a checkout: content, site.yaml and a `.git` folder."""
    folder = tmp_path / "repo"
    write_tree(folder, minimal_pages())
    (folder / ".git").mkdir()
    return folder


@pytest.fixture
def victim(tmp_path) -> Path:
    """Someone's files elsewhere on the build machine (~/.ssh, the CI workspace...)."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "id_ed25519").write_text("PRIVATE KEY")
    (folder / "notes.txt").write_text("keep me")
    return folder


# -- item 1: a committed symlink must not make the build write or delete elsewhere ---------------

def test_a_committed_symlink_in_the_cache_folder_deletes_nothing(repository, victim):
    """The probe's case: `.cache/clair/entries` committed as a symlink (git add -f) to another folder."""
    (repository / ".cache/clair").mkdir(parents=True)
    (repository / ".cache/clair/entries").symlink_to(victim)
    before = files_of(victim)
    for _ in range(2):  # the first build fills the cache, the second prunes it
        done = run(repository, "build", "--skip-checks")
        assert done.returncode == 0, done.stderr
    assert files_of(victim) == before


def test_a_cache_folder_inside_the_checkout_is_not_used(repository, victim):
    """Even when CI points the cache into the checkout, a pull request's links and entries there are never used."""
    (repository / ".cache/clair").mkdir(parents=True)
    (repository / ".cache/clair/entries").symlink_to(victim)
    before = files_of(victim)
    done = run(repository, "build", "--skip-checks", env={CACHE_ENV: str(repository / ".cache/clair")})
    assert done.returncode == 0, done.stderr
    assert ".cache/clair:1: warning: this build cache folder is not used: it is inside" in done.stderr
    assert "a pull request could put files into it" in done.stderr
    assert "Traceback" not in done.stderr
    assert files_of(victim) == before


@pytest.mark.parametrize("link", ["", "entries", "written"])
def test_a_link_in_the_users_cache_folder_is_never_followed(repository, victim, tmp_path, link):
    folder = tmp_path / "user-cache/clair"
    folder.parent.mkdir()
    if link:
        folder.mkdir()
        (folder / link).symlink_to(victim)
    else:
        folder.symlink_to(victim)
    before = files_of(victim)
    done = run(repository, "build", "--skip-checks", env={CACHE_ENV: str(folder)})
    assert done.returncode == 0, done.stderr
    assert "is a link (symlink) to another place" in done.stderr
    assert files_of(victim) == before


def test_pruning_removes_only_what_clair_wrote(repository, tmp_path):
    folder = tmp_path / "user-cache"
    run(repository, "build", "--skip-checks", env={CACHE_ENV: str(folder)})
    foreign = {"notes.txt": b"mine", "unit-" + "0" * 64: b"not an entry clair wrote"}
    for name, data in foreign.items():
        (folder / "entries" / name).write_bytes(data)
    (folder / "entries" / ("site-" + "1" * 64)).symlink_to(tmp_path / "elsewhere")
    (repository / "content/en/new.md").write_text("---\ntitle: New\ndescription: A new page.\n---\n\nNew text.\n")
    done = run(repository, "build", "--skip-checks", env={CACHE_ENV: str(folder)})
    assert done.returncode == 0, done.stderr
    for name, data in foreign.items():
        assert (folder / "entries" / name).read_bytes() == data
    assert (folder / "entries" / ("site-" + "1" * 64)).is_symlink()


def test_pruning_removes_the_entries_of_an_earlier_format(tmp_path):
    """After an upgrade changes the format, the old entries are clair's own still: the next build removes them."""
    store = cache.BuildCache(tmp_path)
    store.put("unit-" + "a" * 64, {"n": 1})
    old, foreign = store.folder / ("unit-" + "b" * 64), store.folder / ("unit-" + "c" * 64)
    old.write_bytes(b"clair-cache-3\nunit-" + b"b" * 64 + b"\n" + b"0" * 64 + b"\n\n[{},[]]\0")
    foreign.write_bytes(b"clair-cachet\nnot an entry")
    cache.BuildCache(tmp_path).prune()
    assert not old.exists() and foreign.exists() and not (store.folder / ("unit-" + "a" * 64)).exists()


def test_the_default_cache_is_outside_the_project_and_only_its_owner_reads_it(repository, user_cache_folder):
    project = Project.from_options(repository / "content", repository / "site.yaml", cache=True)
    assert user_cache_folder in project.cache.parents
    assert cache.refusal(project) is None
    assert oct(project.cache.stat().st_mode & 0o777) == oct(0o700)


# -- item 2: a planted cache entry must never run code --------------------------------------------

class Planted:
    """A pickle that runs a command when loaded: what the probe committed as a cache entry."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def plant(folder: Path, marker: Path) -> int:
    """Replace every file under `folder` with the planted pickle (the keys stay: any build will look them up)."""
    entries = [path for path in folder.rglob("*") if path.is_file()]
    for path in entries:
        path.write_bytes(pickle.dumps(Planted(marker)))
    return len(entries)


def test_a_planted_entry_committed_to_the_repository_runs_nothing(repository, tmp_path):
    """The probe's case: the old cache lived in `.cache/clair/` inside the repository, and the key of the 404,
    search and splash pages' link data is a hash anyone can compute; a committed pickle there ran."""
    marker = tmp_path / "ran"
    scratch = tmp_path / "scratch"
    shutil.copytree(repository, scratch)
    run(scratch, "build")  # anyone can build the repository and learn the keys
    names = [path.name for path in (scratch / ".cache/clair/entries").iterdir()] if (
        scratch / ".cache/clair/entries").is_dir() else []
    names += [f"file-{'0' * 64}"]  # and, today, an entry wherever the cache would be
    committed = repository / ".cache/clair/entries"
    committed.mkdir(parents=True)
    for name in names:
        (committed / name).write_bytes(pickle.dumps(Planted(marker)))
    done = run(repository, "build")
    assert not marker.exists(), "a cache entry committed to the repository ran a command"
    assert done.returncode == 0, done.stderr


def test_a_planted_entry_in_the_cache_folder_runs_nothing_and_is_built_again(repository, tmp_path):
    marker = tmp_path / "ran"
    folder = tmp_path / "user-cache"
    cold = tmp_path / "cold"
    assert run(repository, "build", "--out", str(cold), env={CACHE_ENV: str(folder)}).returncode == 0
    assert plant(folder / "entries", marker) > 3
    warm = tmp_path / "warm"
    done = run(repository, "build", "--out", str(warm), "--timings", env={CACHE_ENV: str(folder)})
    assert not marker.exists(), "a cache entry ran a command"
    assert done.returncode == 0, done.stderr
    assert re.search(r"\d+ built in \d+ process(es)?, 0 from the cache", done.stderr), done.stderr
    assert files_of(warm) == files_of(cold)


def entry(key: str, values: bytes, blobs: bytes = b"", sizes: bytes = b"[]") -> bytes:
    """An entry with a valid header: what someone who knows the format could write."""
    payload = b"[" + values + b"," + sizes + b"]\0" + blobs
    return cache.BuildCache.framed(key, payload)


PAGE = b'[0,[],1,{},null]'  # a rendered page whose HTML is blobs 0 and 1
PAGE_BLOBS, PAGE_SIZES = b"<p>x</p><html></html>", b"[8,13]"


@pytest.mark.parametrize("values,blobs,sizes", [
    (b'{"pages":[' + PAGE + b'],"extra_files":{},"findings":[],"scores":{},"links":{}}', PAGE_BLOBS, PAGE_SIZES),
    (b'{"pages": []}', b"", b"[]"),  # not a unit's result
    (b'[1, 2, 3]', b"", b"[]"),
    (b'{"pages":[[0,[],1,{"media/secret.txt":"/etc/passwd"},null]],"extra_files":{},'
     b'"findings":[],"scores":{},"links":{}}', PAGE_BLOBS, PAGE_SIZES),  # a file from outside the content folder
    (b'{"pages":[],"extra_files":{"../../escape.csv":0},"findings":[],"scores":{},"links":{}}', b"x", b"[1]"),
    (b'{"pages":[],"extra_files":{},"findings":[["a.md","1","c","error","m",null,null,null]],"scores":{},'
     b'"links":{}}', b"", b"[]"),
    (b'{"pages":[' + PAGE + b'],"extra_files":{},"findings":[],"scores":{},"links":{}}', PAGE_BLOBS, b"[8,12]"),
    (b'{"pages":[' + PAGE + b'],"extra_files":{},"findings":[],"scores":{},"links":{}}', PAGE_BLOBS, b"[21]"),
])
def test_an_entry_of_the_wrong_shape_is_read_as_missing(tmp_path, values, blobs, sizes):
    """The first entry is well formed (and read); each of the others is wrong in one way."""
    from clair.units import UnitResult
    store = cache.BuildCache(tmp_path)
    key = "unit-" + "a" * 64
    store.folder.mkdir()
    (store.folder / key).write_bytes(entry(key, values, blobs, sizes))
    found = store.get(key, lambda data, blobs: UnitResult.from_data(data, blobs, tmp_path / "content"))
    if values.startswith(b'{"pages":[' + PAGE) and sizes == PAGE_SIZES:
        assert found.pages[0].html_utf8 == b"<p>x</p>" and found.pages[0].output_utf8 == b"<html></html>"
    else:
        assert found is None


def test_an_entry_for_another_key_or_cut_short_is_read_as_missing(tmp_path):
    store = cache.BuildCache(tmp_path)
    key, other = "file-" + "a" * 64, "file-" + "b" * 64
    store.put(key, [["x"], []], [b"blob"])
    assert store.get(key, lambda values, blobs: (values, blobs)) == ([["x"], []], [b"blob"])
    shutil.copy(store.folder / key, store.folder / other)
    assert store.get(other, lambda values, blobs: values) is None  # verified against its key
    whole = (store.folder / key).read_bytes()
    (store.folder / key).write_bytes(whole[:-3])
    assert store.get(key, lambda values, blobs: values) is None


@pytest.mark.parametrize("framed", [
    lambda key, payload: cache.BuildCache.framed(key, payload).replace(b"\n\n", b"", 1),  # no blank line after header
    lambda key, payload: cache.BuildCache.framed(key, payload.replace(b"\0", b"")),  # no NUL between values and blobs
    lambda key, payload: cache.BuildCache.framed(key, payload) + b"x",  # one byte more
])
def test_an_entry_framed_wrongly_is_read_as_missing(tmp_path, framed):
    store = cache.BuildCache(tmp_path)
    key = "file-" + "a" * 64
    store.put(key, [], [])
    payload = (store.folder / key).read_bytes().partition(b"\n\n")[2]
    assert store.get(key, lambda values, blobs: (values, blobs)) == ([], [])
    (store.folder / key).write_bytes(framed(key, payload))
    assert store.get(key, lambda values, blobs: (values, blobs)) is None


def test_an_entry_larger_than_any_clair_writes_is_read_as_missing(tmp_path, monkeypatch):
    """The size is asked of the file before it is read: a planted huge file is never read into memory."""
    store = cache.BuildCache(tmp_path)
    key = "file-" + "a" * 64
    store.put(key, ["x" * 100], [])
    assert store.get(key, lambda values, blobs: values) == ["x" * 100]
    monkeypatch.setattr(cache, "MAX_ENTRY", 100)
    assert store.get(key, lambda values, blobs: values) is None


@pytest.mark.parametrize("values", [{"n": 1}, {"long": "é" * 3 * cache.FIRST_READ}])
def test_an_entry_read_without_its_blobs_checks_its_values_only(tmp_path, values):
    """A check that shows no page of a unit again reads its values, not its HTML: the blobs come back empty, their
    damage goes unseen until a build reads them (and builds the unit again); damaged values are seen either way.
    Values longer than the first read are read whole."""
    store = cache.BuildCache(tmp_path)
    key, blobs = "unit-" + "a" * 64, [b"<p>x</p>", b"", b"<html></html>"]
    store.put(key, values, blobs)
    both = lambda found, blobs: (found, blobs)  # noqa: E731
    assert store.get(key, both, blobs=False) == (values, [b"", b"", b""])
    assert store.get(key, both) == (values, blobs)
    whole = (store.folder / key).read_bytes()
    (store.folder / key).write_bytes(whole[:-2] + b"X>")
    assert store.get(key, both, blobs=False) == (values, [b"", b"", b""])
    assert store.get(key, both) is None
    start = whole.index(b"\n\n") + 2
    (store.folder / key).write_bytes(whole[:start + 2] + b"_" + whole[start + 3:])
    assert store.get(key, both, blobs=False) is None and store.get(key, both) is None
    (store.folder / key).write_bytes(whole[:-1])
    assert store.get(key, both, blobs=False) is None  # the sizes no longer add up to the file's


def test_blobs_read_back_as_they_were_written(tmp_path):
    store = cache.BuildCache(tmp_path)
    key, blobs = "unit-" + "a" * 64, [b"", b"\0\n\n", b"<p>x</p>", b"", "é".encode()]
    store.put(key, {"n": 1}, blobs)
    assert store.get(key, lambda values, found: (values, found)) == ({"n": 1}, blobs)


def test_cached_results_make_the_same_site_as_a_cold_build(repository, tmp_path):
    """Every kind of entry written as JSON reads back to exactly what a cold build makes."""
    project = Project.from_options(repository / "content", repository / "site.yaml", tmp_path / "a",
                                   cache=True, cache_dir=tmp_path / "c")
    publish(build_site(project))
    publish(build_site(Project.from_options(repository / "content", repository / "site.yaml", tmp_path / "b")))
    warm = build_site(Project.from_options(repository / "content", repository / "site.yaml", tmp_path / "w",
                                           cache=True, cache_dir=tmp_path / "c"))
    assert " 0 built in 1 process," in warm.timings.notes["pages"]
    publish(warm)
    assert files_of(tmp_path / "w") == files_of(tmp_path / "b")


# -- item 8: only what the build uses is read for the cache key ------------------------------------

def test_unlinked_files_and_git_are_never_read_for_the_cache_key(repository, tmp_path):
    """The probe's case: an unlinked 3 GB video under content/ took 5.7 GB of memory; a `.git` folder was read too.
    Here a sparse 3 GB file (no disk used) and a FIFO inside content/.git, which would hang a reader."""
    with open(repository / "content/en/video.mp4", "wb") as video:
        video.truncate(3 << 30)
    (repository / "content/.git").mkdir()
    os.mkfifo(repository / "content/.git/fifo")
    probe = textwrap.dedent(f"""
        import resource, subprocess, sys
        done = subprocess.run([sys.executable, {str(ROOT / 'build.py')!r}, "check", "--skip-checks"],
                              cwd={str(repository)!r}, capture_output=True, text=True, timeout=100)
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, CACHE_ENV: str(tmp_path / "user-cache")})
    assert done.returncode == 0, done.stderr
    code, peak_kb = map(int, done.stdout.split())
    assert code == 0
    assert peak_kb < 1_000_000, f"the build took {peak_kb // 1024} MB"


def test_a_linked_files_bytes_are_hashed_in_chunks(tmp_path, monkeypatch):
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (3 * cache.CHUNK + 5))
    reads = []
    real_open = open

    def counting_open(*args, **kwargs):
        stream = real_open(*args, **kwargs)
        read = stream.read
        stream_reads = lambda size=-1: reads.append(size) or read(size)  # noqa: E731
        return type("Counted", (), {"read": staticmethod(stream_reads), "__enter__": lambda s: s,
                                    "__exit__": lambda s, *a: stream.close()})()
    monkeypatch.setattr("builtins.open", counting_open)
    digest = hashlib.sha256()
    cache.digest_file(digest, big)
    assert reads and all(0 < size <= cache.CHUNK for size in reads)
    monkeypatch.undo()
    assert digest.digest() == hashlib.sha256(big.read_bytes() + b"\0").digest()


# -- item 5: a broken search index is never published, nor kept ------------------------------------

def indexed_pages(site: Path) -> int:
    return sum(b" data-pagefind-body>" in path.read_bytes() for path in site.rglob("*.html"))


@pytest.mark.skipif(not search.available(), reason="Pagefind is one of clair's dependencies (pip install -e .)")
def test_a_cut_short_search_index_fails_the_build_and_is_not_kept(repository, tmp_path):
    out = tmp_path / "site"
    folder = tmp_path / "user-cache"
    assert run(repository, "build", "--skip-checks", "--out", str(out), "--no-cache").returncode == 0
    before = files_of(out)
    fake = write_cut_short(tmp_path / "pagefind")  # and Pagefind did not notice
    (repository / "content/en/new.md").write_text("---\ntitle: New\ndescription: A new page.\n---\n\nNew text.\n")
    env = {CACHE_ENV: str(folder), search.PAGEFIND_ENV: str(fake)}
    done = run(repository, "build", "--skip-checks", "--out", str(out), env=env)
    assert done.returncode == 2, done.stderr
    assert "the search index could not be built" in done.stderr and "cut short or damaged" in done.stderr
    assert "Traceback" not in done.stderr
    assert files_of(out) == before
    assert not list((folder / "entries").glob("index-*"))
    fixed = run(repository, "build", "--skip-checks", "--out", str(out), env={CACHE_ENV: str(folder)})
    assert fixed.returncode == 0, fixed.stderr
    assert search.verify_index(out / "pagefind", indexed_pages(out)) is None


@pytest.mark.skipif(not search.available(), reason="Pagefind is one of clair's dependencies (pip install -e .)")
def test_a_damaged_index_in_the_cache_is_built_again(repository, tmp_path):
    folder = tmp_path / "user-cache"
    env = {CACHE_ENV: str(folder)}
    assert run(repository, "build", "--skip-checks", "--out", str(tmp_path / "a"), env=env).returncode == 0
    [kept] = (folder / "entries").glob("index-*")
    kept.write_bytes(kept.read_bytes()[:-1000])  # the space ran out while the index was kept
    done = run(repository, "build", "--skip-checks", "--out", str(tmp_path / "b"), env=env)
    assert done.returncode == 0, done.stderr
    assert search.verify_index(tmp_path / "b" / "pagefind", indexed_pages(tmp_path / "b")) is None
    assert files_of(tmp_path / "b") == files_of(tmp_path / "a")
