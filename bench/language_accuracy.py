#!/usr/bin/env python3
"""Measure language identifiers on short English and French texts from real bilingual sites (not a test).

    python bench/language_accuracy.py [--sites /tmp/real/*] [--sample content] [--out results.json]

`parity.untranslated` asks a language identifier whether each passage of a French page (paragraph,
list item, heading, table cell, caption, image description, title) is English, and the reverse.
This script makes a labelled set from the pages of real sites and the sample publication, with the
check's own reading of a page (checks/language_passages.py: the same passages, the same words left
out), keeps the passages of 3 to 40 words, and measures each candidate that is installed:

- accuracy, and each kind of mistake: "English" said of French text (the costly one: in a French
  page it would be a false error that blocks a pull request) and "French" said of English text;
- the same by passage length, and at confidence thresholds (how many false flags, how many real
  ones found);
- time to classify 1,000 passages, time to import and load, and memory added (each candidate runs in
  its own process, so their memory is not mixed).

The label is the language of the page the passage comes from (front matter `lang:`, a folder named
`en`/`fr`, or the site's one language). Real French pages do hold English passages (names of
programmes, untranslated quotes): those are the check's true positives, not the identifier's
mistakes. RELABELLED lists the passages read by a person whose page language is not their language
(found by reading every passage that two or more candidates disagreed with); they get their real
label, or are left out when they mix both languages (bench/language_relabelled.tsv).

Candidates: lingua-language-detector (high and low accuracy modes), py3langid, langdetect (seeded),
pycld2. fastText's identifier is not a candidate: its model is a separate download.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIN_WORDS, MAX_WORDS = 3, 40
SITE_LANGUAGE = {"design-system": "en", "systeme-conception": "fr"}  # sites of one language each
FOLDER_LANGUAGE = {"en": "en", "eng": "en", "fr": "fr", "fra": "fr"}
TEMPLATE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
CANDIDATES = ("lingua", "lingua-low", "py3langid", "langdetect", "pycld2")
DISTRIBUTIONS = {"lingua": ["lingua-language-detector"], "lingua-low": ["lingua-language-detector"],
                 "py3langid": ["py3langid", "numpy"], "langdetect": ["langdetect", "six"], "pycld2": ["pycld2"]}
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
WORD_FLOORS = (3, 4, 5, 6, 8)

RELABELLED_FILE = Path(__file__).with_name("language_relabelled.tsv")


def relabelled() -> dict[str, str]:
    """Passages whose page language is not their language, judged by reading them: the start of the passage
    (as judged_text gives it) -> its real language, or "mixed" (left out of the set)."""
    rows = (line.split("\t") for line in RELABELLED_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#"))
    return {start: label for label, _, start in rows}


# --- the labelled set ---------------------------------------------------------------------------

def page_language(path: Path, site: str, meta: dict) -> str | None:
    """en or fr: the front matter's `lang`, a folder or file suffix naming the language, or the site's one language."""
    declared = str(meta.get("lang") or meta.get("language") or "").lower()[:3].rstrip("-_")
    if declared in FOLDER_LANGUAGE:
        return FOLDER_LANGUAGE[declared]
    suffix = path.name.split(".")[-2] if path.name.count(".") >= 2 else ""
    for part in (suffix, *reversed(path.parts[:-1])):
        if part in FOLDER_LANGUAGE:
            return FOLDER_LANGUAGE[part]
    return SITE_LANGUAGE.get(site)


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(front matter, body, the body's first file line); a page without a readable block has none."""
    import yaml
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                try:
                    meta = yaml.safe_load("\n".join(lines[1:index])) or {}
                except yaml.YAMLError:
                    meta = {}
                return (meta if isinstance(meta, dict) else {}), "\n".join(lines[index + 1:]), index + 2
    return {}, text, 1


def blank(template_tag: re.Match) -> str:
    """A template tag as blanks, its line breaks kept, so the lines after it keep their numbers."""
    text = template_tag.group(0)
    return "\n" * text.count("\n") if "\n" in text else " " * len(text)


def site_pages(folder: Path):
    """(language, Page with tokens) of every Markdown page of a site whose language is known."""
    from clair.markdown import make_parser
    from clair.model import Page
    parser = make_parser(allow_raw_html=True)
    files = sorted(p for pattern in ("**/*.md", "**/*.markdown") for p in folder.glob(pattern)
                   if "node_modules" not in p.parts and not any(part.startswith((".", "_site")) for part in p.parts))
    for path in files:
        meta, body, body_line = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
        lang = page_language(path.relative_to(folder), folder.name, meta)
        if lang is None:
            continue
        body = TEMPLATE.sub(blank, body)
        page = Page(path, PurePosixPath(path.name), lang, meta, body, body_line)
        page.tokens = parser.parse(body, {"lang": lang})
        yield lang, page


def labelled_set(folders: list[Path]) -> list[dict]:
    """Passages of 3 to 40 judged words, each once, with the language of its page and where it comes from.

    A passage found on pages of both languages (a name, a product) tells nothing and is left out."""
    from clair.checks.language_passages import judged_text, passages
    from clair.checks.prose import words
    found: dict[str, dict] = {}
    languages: dict[str, set] = {}
    for folder in folders:
        for lang, page in site_pages(folder):
            for passage in passages(page):
                text = judged_text(passage.text)
                count = len(words(text))
                if MIN_WORDS <= count <= MAX_WORDS:
                    languages.setdefault(text, set()).add(lang)
                    found.setdefault(text, {"text": text, "label": lang, "words": count, "kind": passage.kind,
                                            "site": folder.name, "source": f"{page.source}:{passage.line}"})
    labelled, corrections = [], relabelled()
    for text, item in found.items():
        if len(languages[text]) > 1:
            continue
        real = corrections.get(text[:60], item["label"])
        if real != "mixed":
            labelled.append({**item, "page_label": item["label"], "label": real})
    return labelled


# --- the candidates, each in its own process -----------------------------------------------------

def memory_kb() -> int:
    """Resident memory of this process now (Linux), or its peak so far elsewhere, in kB."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def load(name: str):
    """The candidate restricted to English and French, as a function text -> probability that it is English."""
    if name in ("lingua", "lingua-low"):
        from lingua import Language, LanguageDetectorBuilder
        builder = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH)
        if name == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.with_preloaded_language_models().build()
        return lambda text: detector.compute_language_confidence(text, Language.ENGLISH)
    if name == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(["en", "fr"])

        def py3langid_english(text):
            lang, probability = identifier.classify(text)
            return float(probability) if lang == "en" else 1 - float(probability)
        return py3langid_english
    if name == "langdetect":
        from langdetect import detector_factory
        from langdetect.lang_detect_exception import LangDetectException
        detector_factory.init_factory()
        factory = detector_factory._factory
        factory.set_seed(0)  # langdetect draws at random: unseeded, the same text may get another answer

        def langdetect_english(text):
            detector = factory.create()
            detector.set_prior_map({"en": 0.5, "fr": 0.5})  # every other language gets no chance
            detector.append(text)
            try:
                return next((p.prob for p in detector.get_probabilities() if p.lang == "en"), 0.0)
            except LangDetectException:
                return 0.5
        return langdetect_english
    if name == "pycld2":
        import pycld2

        def pycld2_english(text):
            _, _, details = pycld2.detect(text, bestEffort=True)
            scores = {code: percent for _, code, percent, _ in details}
            total = scores.get("en", 0) + scores.get("fr", 0)
            return scores.get("en", 0) / total if total else 0.5
        return pycld2_english
    raise ValueError(name)


def worker(name: str, texts_file: str) -> None:
    """Run one candidate over the texts; print its timings, memory and answers as JSON."""
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    before = memory_kb()
    started = time.perf_counter()
    english = load(name)
    loaded = time.perf_counter()
    after_load = memory_kb()
    answers = [english(text) for text in texts]
    done = time.perf_counter()
    again = [english(text) for text in texts[:500]]  # the same answers, to the ninth decimal, a second time
    print(json.dumps({"load_seconds": loaded - started, "classify_seconds": done - loaded,
                      "memory_load_mb": (after_load - before) / 1024, "memory_after_mb": (memory_kb() - before) / 1024,
                      "deterministic": [round(p, 9) for p in again] == [round(p, 9) for p in answers[:500]],
                      "english": answers}))


def installed_mb(distributions: list[str]) -> float | None:
    """Disk space of the installed distributions (the candidate and what it needs), in MB."""
    from importlib import metadata
    total = 0
    for name in distributions:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            return None
        total += sum(f.size or 0 for f in files)
    return total / 1e6


def measure(name: str, texts: list[str]) -> dict | None:
    """A candidate's figures, from its own process; None when it is not installed."""
    if installed_mb(DISTRIBUTIONS[name]) is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(texts, handle)
    try:
        run = subprocess.run([sys.executable, __file__, "--worker", name, "--texts", handle.name],
                             capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    result = json.loads(run.stdout)
    result["installed_mb"] = installed_mb(DISTRIBUTIONS[name])
    return result


# --- the figures ---------------------------------------------------------------------------------

def length_bucket(words: int) -> str:
    return next(name for name, top in (("3-4", 4), ("5-7", 7), ("8-15", 15), ("16-40", 40)) if words <= top)


def quick_test(items: list[dict], english: list[float]) -> dict:
    """What the check's quick test (could_be) does at the check's defaults: passages of a page's own language
    it lets through to the identifier (each one loads the model), and passages the identifier flags that it stops."""
    from clair.checks.parity_language import RULES, could_be
    defaults = RULES[0].defaults()
    through = stopped = judged = flagged = 0
    for item, probability in zip(items, english):
        if item["words"] < defaults["min_words"]:
            continue
        judged += 1
        for page_lang, other in (("en", "fr"), ("fr", "en")):
            if item["label"] == page_lang:
                through += could_be(other, item["text"])
            elif (probability if other == "en" else 1 - probability) >= defaults["min_confidence"]:
                flagged += 1
                stopped += not could_be(other, item["text"])
    return {"min_words": defaults["min_words"], "min_confidence": defaults["min_confidence"], "judged": judged,
            "own_language_let_through": through, "flagged": flagged, "flagged_stopped": stopped}


def figures(items: list[dict], english: list[float]) -> dict:
    """Accuracy, the two kinds of mistake, by length, the flags at each threshold and word floor, the quick test."""
    said = ["en" if p >= 0.5 else "fr" for p in english]
    french = [i for i, item in enumerate(items) if item["label"] == "fr"]
    english_ones = [i for i, item in enumerate(items) if item["label"] == "en"]
    result = {
        "accuracy": sum(said[i] == items[i]["label"] for i in range(len(items))) / len(items),
        "english_said_of_french": sum(said[i] == "en" for i in french) / len(french),
        "french_said_of_english": sum(said[i] == "fr" for i in english_ones) / len(english_ones),
        "by_length": {},
        "thresholds": [],
        "quick_test": quick_test(items, english),
    }
    for bucket in ("3-4", "5-7", "8-15", "16-40"):
        members = [i for i in range(len(items)) if length_bucket(items[i]["words"]) == bucket]
        if members:
            right = sum(said[i] == items[i]["label"] for i in members)
            result["by_length"][bucket] = {"n": len(members), "accuracy": right / len(members)}
    for floor in WORD_FLOORS:
        for threshold in THRESHOLDS:
            fr_kept = [i for i in french if items[i]["words"] >= floor]
            en_kept = [i for i in english_ones if items[i]["words"] >= floor]
            result["thresholds"].append({
                "min_words": floor, "confidence": threshold,
                "false_english_in_french": sum(english[i] >= threshold for i in fr_kept), "french_judged": len(fr_kept),
                "false_french_in_english": sum(1 - english[i] >= threshold for i in en_kept),
                "english_judged": len(en_kept),
                "english_found": sum(english[i] >= threshold for i in en_kept) / max(1, len(en_kept)),
                "french_found": sum(1 - english[i] >= threshold for i in fr_kept) / max(1, len(fr_kept)),
            })
    return result


def disagreements(items: list[dict], answers: dict[str, list[float]]) -> list[dict]:
    """Passages that two or more candidates say are not in their page's language: to be read by a person."""
    flagged = []
    for i, item in enumerate(items):
        against = [name for name, english in answers.items()
                   if ("en" if english[i] >= 0.5 else "fr") != item["label"]]
        if len(against) >= 2:
            flagged.append({**item, "against": against})
    return flagged


def print_summary(items: list[dict], results: dict) -> None:
    counts = {lang: sum(item["label"] == lang for item in items) for lang in ("en", "fr")}
    print(f"{len(items)} passages of {MIN_WORDS}-{MAX_WORDS} words: {counts['en']} English, {counts['fr']} French "
          f"({sum(i['label'] != i['page_label'] for i in items)} relabelled by hand)")
    print(f"{'candidate':<12} {'accuracy':>8} {'en|fr':>7} {'fr|en':>7} {'ms/1000':>8} {'load s':>7} {'MB mem':>7} "
          f"{'MB disk':>8} determ.")
    for name, result in results.items():
        f = result["figures"]
        print(f"{name:<12} {f['accuracy']:8.2%} {f['english_said_of_french']:7.2%} {f['french_said_of_english']:7.2%} "
              f"{1e6 * result['classify_seconds'] / len(items):8.0f} {result['load_seconds']:7.2f} "
              f"{result['memory_after_mb']:7.0f} {result['installed_mb']:8.1f} {result['deterministic']}")
        print("             by length: " + ", ".join(f"{bucket} words {v['accuracy']:.1%} (n={v['n']})"
                                                      for bucket, v in f["by_length"].items()))
        floor = [t for t in f["thresholds"] if t["min_words"] == f["quick_test"]["min_words"]]
        print(f"             at {floor[0]['min_words']}+ words, false flags (French said English / English said "
              "French) and share found, by confidence: " + ", ".join(
                  f"{t['confidence']}: {t['false_english_in_french']}/{t['false_french_in_english']} "
                  f"{t['english_found']:.1%}/{t['french_found']:.1%}" for t in floor))
        q = f["quick_test"]
        print(f"             check's quick test: {q['own_language_let_through']} of {q['judged']} passages of the "
              f"page's language go to the identifier; {q['flagged_stopped']} of {q['flagged']} it flags are stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure language identifiers on short English and French texts.")
    parser.add_argument("--sites", nargs="*", default=sorted(glob.glob("/tmp/real/*")),
                        help="folders of real bilingual sites (default: /tmp/real/*)")
    parser.add_argument("--sample", default=str(ROOT / "content"), help="clair's sample content (default: content)")
    parser.add_argument("--candidates", default=",".join(CANDIDATES),
                        help="comma-separated, of " + ", ".join(CANDIDATES))
    parser.add_argument("--out", help="write every figure and the passages to read (disagreements) as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--texts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.texts)
        return
    items = labelled_set([Path(folder) for folder in [*args.sites, args.sample]])
    texts = [item["text"] for item in items]
    results, answers = {}, {}
    for name in args.candidates.split(","):
        measured = measure(name, texts)
        if measured is None:
            print(f"{name}: not installed, skipped (pip install {DISTRIBUTIONS[name][0]})")
            continue
        answers[name] = measured.pop("english")
        results[name] = {**measured, "figures": figures(items, answers[name])}
    print_summary(items, results)
    if args.out:
        Path(args.out).write_text(json.dumps({"passages": len(items), "results": results,
                                              "disagreements": disagreements(items, answers),
                                              "items": [{**item, "english": {n: a[i] for n, a in answers.items()}}
                                                        for i, item in enumerate(items)]},
                                             indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
