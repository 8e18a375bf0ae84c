"""The benchmark's corpus generator (bench/corpus.py): deterministic, well formed, buildable by clair.

No timings here: the benchmark itself (bench/run.py) is run by hand, not by the test suite.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402  (bench/corpus.py)
from clair.cli import main as clair_main  # noqa: E402

PAIRS = 5


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def split(path: Path) -> tuple[dict, str]:
    _, meta, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(meta), body


def numbers(text: str, lang: str) -> Counter:
    """Every number as a value, read in each language's convention (1,250.5 / 1 250,5)."""
    if lang == "en":
        found = re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", text)
        return Counter(n.replace(",", "") for n in found)
    found = re.findall(r"\d{1,3}(?: \d{3})+(?:,\d+)?|\d+(?:,\d+)?", text)
    return Counter(n.replace(" ", "").replace(",", ".") for n in found)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("corpus")
    corpus.generate(target, PAIRS, seed=7)
    return target


def test_same_seed_gives_identical_bytes(generated, tmp_path):
    corpus.generate(tmp_path / "again", PAIRS, seed=7)
    assert files_of(tmp_path / "again") == files_of(generated)
    corpus.generate(tmp_path / "other", PAIRS, seed=8)
    assert files_of(tmp_path / "other") != files_of(generated)


def test_n_pairs_in_sections_with_home_pages(generated, tmp_path):
    for lang in ("en", "fr"):
        content = generated / "content" / lang
        assert (content / "_index.md").is_file()
        assert split(content / "_index.md")[0]["layout"] == "home"
        assert sorted(p.name for p in content.rglob("page-*.md")) == [f"page-{n:04d}.md" for n in range(1, PAIRS + 1)]
        assert (content / "section-001" / "_index.md").is_file()
    assert (generated / "site.yaml").is_file()
    summary = corpus.generate(tmp_path / "small-sections", PAIRS, seed=7, section_size=2)
    assert summary["sections"] == 3
    assert len(list((tmp_path / "small-sections" / "content" / "fr").rglob("_index.md"))) == 1 + 3


def test_every_page_pair_has_the_required_parts(generated):
    for english in sorted((generated / "content" / "en").rglob("page-*.md")):
        french = generated / "content" / "fr" / english.relative_to(generated / "content" / "en")
        meta_en, body_en = split(english)
        meta_fr, body_fr = split(french)
        assert {"title", "description", "weight", "modified"} <= set(meta_en)
        assert {"title", "description", "weight", "modified", "slug", "translated_from"} <= set(meta_fr)
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", meta_fr["slug"])
        for body, caption in ((body_en, "Table: "), (body_fr, "Tableau : ")):
            assert corpus.WORDS_MIN <= corpus.count_words(body) <= corpus.WORDS_MAX
            assert len(re.findall(r"^## ", body, re.M)) >= 4
            assert re.search(r"^- \S", body, re.M)
            assert re.search(rf"^{caption}.+\n\n\| .+ \|\n\| --- \|", body, re.M)
            links = re.findall(r"\]\(([^)]+\.md)\)", body)
            assert len(links) >= 3
            for link in links:
                assert (english.parent / link).resolve().is_file(), link
        # the same structure and the same facts in both languages
        assert re.findall(r"^#+ ", body_en, re.M) == re.findall(r"^#+ ", body_fr, re.M)
        assert re.findall(r"\]\(([^)]+)\)", body_en) == re.findall(r"\]\(([^)]+)\)", body_fr)
        assert numbers(body_en, "en") == numbers(body_fr, "fr")
        assert "«" in body_fr and any(c in body_fr for c in "éèàç")


def test_sentences_stay_short(generated):
    """8-20 words a sentence in the word banks; with a linked page's title, still within clair's limit of 25."""
    for page in (generated / "content").rglob("page-*.md"):
        for line in split(page)[1].splitlines():
            if not line or line[0] in "#|" or line.startswith("Tabl"):
                continue
            for sentence in re.split(r"(?<=[.?!»”])\s+(?=[A-ZÀ-Ý«\[])", line.removeprefix("- ")):
                assert len(re.findall(r"\w+(?:['’-]\w+)*", sentence)) <= 25, sentence


def test_clair_builds_the_corpus(generated, tmp_path, capsys):
    out = tmp_path / "site"
    code = clair_main(["build", "--content", str(generated / "content"), "--config", str(generated / "site.yaml"),
                       "--out", str(out), "--skip-checks"])
    assert code == 0
    assert (out / "en" / "section-001" / "page-0001" / "index.html").is_file()
    french_pages = [p for p in (out / "fr" / "section-001").glob("*/index.html") if p.parent.name != "tout"]
    assert len(french_pages) == PAIRS  # `tout/` is the whole-publication view, not a page of the corpus
