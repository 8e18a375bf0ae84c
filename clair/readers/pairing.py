"""Pair stage, other generators: pair the English and French versions of a team's pages the way their generator does, most trusted way first:
a shared key (`translationKey`, `ref`, `eleventyNavigation.key`), an address naming the other version
(`altLangPage`), the same path in the other language's folder, and last a guess that says which pages it paired."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from .generators import Generator, canonical
from .pages import LANGUAGE_WORDS, ForeignPage

LANGUAGE_SUFFIX = re.compile(r"[-_]?(en|fr|eng|fra)$", re.IGNORECASE)  # angularEN / angularFR share `angular`
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|href=[\"']([^\"']+)")
NUMBER = re.compile(r"\d[\d,.\s]*\d|\d")
PICTURE = re.compile(r"([\w.-]+\.(?:png|jpe?g|gif|svg|webp))", re.IGNORECASE)
LEADING_NUMBER = re.compile(r"^(\d+)[-_. ]")
LANGUAGE_IN_URL = re.compile(r"(?<=[/=_-])(en|fr|eng|fra)(?=[/&#.-]|$)", re.IGNORECASE)
MIN_GUESS_SCORE = 0.35
OTHER = {"en": "fr", "fr": "en"}


class Pairs:
    """English page -> (French page, how they were paired), filled strategy by strategy."""

    def __init__(self, pages: list[ForeignPage]):
        self.by_lang = {lang: [p for p in pages if p.lang == lang] for lang in ("en", "fr")}
        self.partner: dict[int, tuple[ForeignPage, str]] = {}

    def unpaired(self, lang: str) -> list[ForeignPage]:
        return [p for p in self.by_lang[lang] if id(p) not in self.partner]

    def join(self, english: ForeignPage, french: ForeignPage, how: str) -> None:
        self.partner[id(english)] = (french, how)
        self.partner[id(french)] = (english, how)

    def of(self, page: ForeignPage) -> tuple[ForeignPage | None, str]:
        return self.partner.get(id(page), (None, ""))


def pair_pages(pages: list[ForeignPage], generator: Generator, addresses: dict[int, str]) -> Pairs:
    """Every page's counterpart and how it was found; `addresses` gives each page's own address on the site."""
    pairs = Pairs(pages)
    for key in generator.pairing_keys:
        by_shared_key(pairs, key)
    for key in generator.address_keys:
        by_address(pairs, key, addresses)
    by_same_path(pairs)
    by_paired_folder(pairs)
    by_guess(pairs)
    return pairs


def unique_match(pairs: Pairs, english_key, french_key, how: str) -> None:
    """Join the pages whose keys agree, when exactly one page of each language has the key."""
    groups: dict[str, dict[str, list]] = defaultdict(lambda: {"en": [], "fr": []})
    for lang, key_of in (("en", english_key), ("fr", french_key)):
        for page in pairs.unpaired(lang):
            for key in set(key_of(page)):
                groups[key][lang].append(page)
    for group in groups.values():
        if len(group["en"]) == 1 and len(group["fr"]) == 1 and id(group["en"][0]) not in pairs.partner \
                and id(group["fr"][0]) not in pairs.partner:
            pairs.join(group["en"][0], group["fr"][0], how)


def by_shared_key(pairs: Pairs, key: str) -> None:
    """Both versions carry the same value of `key` (`translationKey: angular`; `angularEN` / `angularFR`)."""
    def keys(page: ForeignPage) -> list[str]:
        value = page.value(key)
        if not isinstance(value, (str, int)) or not str(value).strip():
            return []
        text = str(value).strip().lower()
        return [LANGUAGE_SUFFIX.sub("", text) or text] if key.endswith(".key") else [text]
    unique_match(pairs, keys, keys, key)


def by_address(pairs: Pairs, key: str, addresses: dict[int, str]) -> None:
    """One version names the other's address (`altLangPage: https://…/fr/page.html`, `../fr/page`, or only its last
    part, read from the page's own folder in the other language). Full addresses are matched first; then what is
    left over by their ends (a French site published on its own host)."""
    def named(page: ForeignPage) -> str | None:
        value = page.value(key)
        return urlsplit(value.strip()).path if isinstance(value, str) and value.strip() else None

    def named_in_full(page: ForeignPage) -> list[str]:
        path = named(page)
        if path is None:
            return []
        if not path.startswith("/"):
            own = addresses[id(page)]
            path = LANGUAGE_IN_URL.sub(OTHER[page.lang], own.rsplit("/", 1)[0]) + "/" + path
        return [canonical(path)]

    def own_in_full(page: ForeignPage) -> list[str]:
        return [canonical(addresses[id(page)])]

    def named_end(page: ForeignPage) -> list[str]:
        path = named(page)
        return [] if path is None else [tail(canonical(path))]

    def own_end(page: ForeignPage) -> list[str]:
        return [tail(canonical(addresses[id(page)]))]

    for theirs, ours in ((named_in_full, own_in_full), (named_end, own_end)):
        mutual_match(pairs, theirs, ours, key)
        unique_match(pairs, theirs, ours, key)
        unique_match(pairs, ours, theirs, key)


def mutual_match(pairs: Pairs, named, own, how: str) -> None:
    """Join the pages that name each other, even when other pages name one of them too (canada-ca/design-system's
    `news-pages.md` and its copy `news-pages-2.md` both name `pages-nouvelles.html`, which names `news-pages.html`)."""
    french_at = defaultdict(list)
    for page in pairs.unpaired("fr"):
        for address in own(page):
            french_at[address].append(page)
    for english in pairs.unpaired("en"):
        for address in named(english):
            found = [french for french in french_at.get(address, ()) if set(own(english)) & set(named(french))]
            if len(found) == 1 and id(found[0]) not in pairs.partner and id(english) not in pairs.partner:
                pairs.join(english, found[0], how)


def tail(address: str) -> str:
    """The address without its first part when that part only names the language or the site (`/fr/a/b` -> `a/b`),
    so addresses on another host (a French site published separately) still match."""
    parts = [p for p in address.split("/") if p]
    while len(parts) > 1 and (parts[0].lower() in LANGUAGE_WORDS or len(parts) > 2):
        parts = parts[1:]
    return "/".join(parts)


def without_language(rel: PurePosixPath) -> str:
    """The page's path with its language taken out: en/a/b.md and fr/a/b.md, a.en.md and a.fr.md agree."""
    parts = [p for p in rel.parts[:-1] if p.lower() not in LANGUAGE_WORDS]
    name = ".".join(s for s in rel.name.split(".") if s.lower() not in LANGUAGE_WORDS)
    return "/".join([*parts, PurePosixPath(name).stem])


def by_same_path(pairs: Pairs) -> None:
    """The same path in both language folders (Hugo's content/en and content/fr; en/ and fr/; page.fr.md)."""
    same = lambda page: [without_language(page.rel)]  # noqa: E731 - the same key on both sides
    unique_match(pairs, same, same, "same path")


def mirror_folders(pairs: Pairs) -> dict[str, str]:
    """English folder -> French folder, where the pages paired so far agree on one."""
    folders: dict[str, set[str]] = defaultdict(set)
    for page in pairs.by_lang["en"]:
        partner, _ = pairs.of(page)
        if partner is not None:
            folders[page.rel.parent.as_posix()].add(partner.rel.parent.as_posix())
    return {folder: next(iter(others)) for folder, others in folders.items() if len(others) == 1}


def by_paired_folder(pairs: Pairs) -> None:
    """The same file name in two folders whose other pages are translations of each other
    (components/alert/code.md and composants/alerte/code.md)."""
    mirror = mirror_folders(pairs)
    unique_match(pairs, lambda page: [f"{mirror[page.rel.parent.as_posix()]}/{page.rel.name}"]
                 if page.rel.parent.as_posix() in mirror else [],
                 lambda page: [page.rel.as_posix()], "paired folder")


def fingerprint(page: ForeignPage) -> set[str]:
    """What stays the same in a translation: the addresses linked to (language parts taken out), the numbers,
    the pictures and the number the file name starts with."""
    marks = set()
    for found in LINK.finditer(page.body):
        address = found.group(1) or found.group(2)
        marks.add("link:" + LANGUAGE_IN_URL.sub("*", address.split("#")[0].rstrip("/")))
    marks.update("number:" + re.sub(r"\D", "", n) for n in NUMBER.findall(page.body) if len(re.sub(r"\D", "", n)) > 1)
    marks.update("picture:" + p.lower() for p in PICTURE.findall(page.body))
    leading = LEADING_NUMBER.match(page.rel.name)
    if leading:
        marks.add(f"position:{page.rel.parent.name if page.rel.parent.name.lower() not in LANGUAGE_WORDS else ''}:"
                  f"{int(leading.group(1))}")
    return marks


def by_guess(pairs: Pairs) -> None:
    """Last resort: pair each left-over page with the left-over page of the other language that shares the most
    of its fingerprint, when each is the other's best match. The pair is marked as a guess for a person to check."""
    english, french = pairs.unpaired("en"), pairs.unpaired("fr")
    if not english or not french:
        return
    marks = {id(p): fingerprint(p) for p in english + french}

    def score(a: ForeignPage, b: ForeignPage) -> float:
        union = marks[id(a)] | marks[id(b)]
        return len(marks[id(a)] & marks[id(b)]) / len(union) if union else 0.0

    best_french = {id(e): max(french, key=lambda f: score(e, f)) for e in english}
    best_english = {id(f): max(english, key=lambda e: score(e, f)) for f in french}
    for page in english:
        match = best_french[id(page)]
        if best_english[id(match)] is page and score(page, match) >= MIN_GUESS_SCORE:
            pairs.join(page, match, "guess")
    by_last_left(pairs)


def by_last_left(pairs: Pairs) -> None:
    """A folder with one page left in each language (the same folder, or two folders whose other pages are
    translations of each other): those two, as a guess."""
    mirror = mirror_folders(pairs)

    def english_folder(page: ForeignPage) -> list[str]:
        folder = page.rel.parent.as_posix()
        return [mirror.get(folder, "same:" + without_language(page.rel).rpartition("/")[0])]

    def french_folder(page: ForeignPage) -> list[str]:
        return [page.rel.parent.as_posix(), "same:" + without_language(page.rel).rpartition("/")[0]]

    unique_match(pairs, english_folder, french_folder, "guess")
