"""Load and render stages: the site's signature (wordmark) and footer links, set in site.yaml, per language.

    signature:                      # words, or a picture under content/ with its text alternative
      en: {image: images/wordmark-en.png, alt: Government of Canada}
      fr: {image: images/wordmark-fr.png, alt: Gouvernement du Canada}
    footer_links:                   # contact, terms, privacy...: each with its text and address in both languages
      - en: {text: Contact us, url: "https://www.canada.ca/en/contact.html"}
        fr: {text: Nous joindre, url: "https://www.canada.ca/fr/contact.html"}

Both are empty unless set. Nothing may load from another site, so the picture is a file of the site itself
(copied to /media/ like the pictures pages show) and an address such as `https://…/logo.png` is refused;
links may lead anywhere, since following one is the reader's choice.
"""
from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from .files import PICTURE_TYPES, read_regular, special_kind
from .i18n import french_typography
from .markdown import MEDIA_DIR, SVG_HINT
from .model import LANGUAGES, ContentError

SIGNATURE_KEYS = ({"text"}, {"image", "alt"})  # words, or a picture and its text alternative
LINK_KEYS = ({"text", "url"},)
LINK_SCHEMES = ("https", "http", "mailto", "tel")
PICTURE_WORDS = "PNG, JPEG, GIF, WebP or AVIF"


def check_footer_settings(data: dict, file: str, lines: dict) -> None:
    """`signature` and `footer_links`, if set: the right keys for both languages, texts that are texts,
    a picture of the site's own, addresses a link can follow; ContentError at the line otherwise."""
    if "signature" in data:
        check_signature(data["signature"], file, lines)
    for index, link in enumerate(data.get("footer_links", ())):
        check_link(link, index, file, lines)


def line_of(lines: dict, where: tuple) -> int | None:
    """The file line of a setting (`where`: its path of keys and list indexes), else of the first key inside it
    (a list item has no key of its own), else of what holds it."""
    exact = lines.get(where[0] if len(where) == 1 else where)
    inside = [line for key, line in lines.items() if isinstance(key, tuple) and key[:len(where)] == where]
    return exact or min(inside, default=None) or (line_of(lines, where[:-1]) if len(where) > 1 else None)


def _languages(value, where: tuple, what: str, example: str, file: str, lines: dict) -> None:
    """`value` has a group for `en` and one for `fr`, and nothing else."""
    if not isinstance(value, dict) or set(value) != set(LANGUAGES) or not all(isinstance(v, dict) for v in value.values()):
        raise ContentError(file, line_of(lines, where),
                           f"{what} needs a group for each language, `en:` and `fr:`, and nothing else, such as "
                           f"`en: {example}` (see README, 'Configuration')")


def _texts(group: dict, where: tuple, allowed: tuple[set, ...], file: str, lines: dict) -> None:
    """Every key of `group` is one of `allowed` and holds a non-empty piece of text."""
    for key, value in group.items():
        line = line_of(lines, (*where, key))
        if not any(key in keys for keys in allowed):
            choices = " or ".join(", ".join(f"`{k}`" for k in sorted(keys)) for keys in allowed)
            raise ContentError(file, line, f"unknown key `{key}` in `{where[0]}`; use {choices}")
        if not isinstance(value, str) or not value.strip():
            raise ContentError(file, line, f"`{key}` must be a piece of text; put it in quotation marks if it "
                                           "is a number or starts with a sign")


def check_signature(signature, file: str, lines: dict) -> None:
    _languages(signature, ("signature",), "`signature`", "{text: Government of Ontario}", file, lines)
    for lang, group in signature.items():
        where = ("signature", lang)
        _texts(group, where, SIGNATURE_KEYS, file, lines)
        if set(group) not in SIGNATURE_KEYS:
            raise ContentError(file, line_of(lines, where), f"`signature` in `{lang}` is either words, `text: …`, "
                                                            "or a picture with its text alternative, `image: …` and "
                                                            "`alt: …`")
        if "image" in group:
            check_picture(group["image"], file, line_of(lines, (*where, "image")))


def check_picture(address: str, file: str, line: int | None) -> None:
    """A picture of the site's own, named from the content folder; never one on another site."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or address.startswith("/"):
        raise ContentError(file, line, f"the picture `{address}` is not a file of this site; nothing on its pages "
                                       "may load from another site, so put the picture in the content folder and "
                                       "name it from there, such as `images/wordmark-en.png`")
    if ".." in PurePosixPath(address).parts or address.startswith("\\") or "\\" in address:
        raise ContentError(file, line, f"the picture `{address}` must be named from the content folder with / "
                                       "between folders and no `..`, such as `images/wordmark-en.png`")
    suffix = PurePosixPath(address).suffix.lower()
    if suffix not in PICTURE_TYPES:
        raise ContentError(file, line, f"the picture `{address}` must be a {PICTURE_WORDS} file; save it in one "
                                       f"of those formats{SVG_HINT.get(suffix, '')}")


def check_link(link, index: int, file: str, lines: dict) -> None:
    where = ("footer_links", index)
    _languages(link, where, f"footer link {index + 1}", "{text: Contact us, url: https://…}", file, lines)
    for lang, group in link.items():
        _texts(group, (*where, lang), LINK_KEYS, file, lines)
        if set(group) not in LINK_KEYS:
            raise ContentError(file, line_of(lines, (*where, lang)),
                               f"footer link {index + 1} in `{lang}` needs `text: …` and `url: …`")
        url = group["url"]
        parts = urlsplit(url)
        if (parts.scheme not in LINK_SCHEMES and not url.startswith("/")) or url.startswith("//") or any(
                c.isspace() or c in "\"'<>" for c in url):
            raise ContentError(file, line_of(lines, (*where, lang, "url")),
                               f"`url: {url}` must be a web address (https://…), an e-mail address (mailto:…), a "
                               "telephone number (tel:…) or an address on this site starting with /")


def footer_context(config, lang: str) -> dict:
    """What the layout shows of these settings in one language: `signature` (text, or image address and alt)
    and `footer_links` (text and url each), French texts with French spacing."""
    def typeset(text: str) -> str:
        return french_typography(text, config.french_spacing) if lang == "fr" else text

    signature = {key: "/" + posixpath.join(MEDIA_DIR, value) if key == "image" else typeset(value)
                 for key, value in config.signature.get(lang, {}).items()}
    links = [{"text": typeset(link[lang]["text"]), "url": link[lang]["url"]} for link in config.footer_links]
    return {"signature": signature, "footer_links": links}


def signature_files(config, content: Path) -> dict[PurePosixPath, bytes]:
    """The signature's pictures, read from the content folder for /media/; a missing one is an error at its line."""
    files = {}
    for lang, group in sorted(config.signature.items()):
        if "image" not in group:
            continue
        line = line_of(config.lines, ("signature", lang, "image"))
        source = content / group["image"]
        if content.resolve() not in source.resolve().parents or any(part.startswith(".") for part in
                                                                      PurePosixPath(group["image"]).parts):
            raise ContentError(config.file, line, f"the picture `{group['image']}` must be a file inside the content "
                                                  "folder whose name does not start with a dot")
        try:
            kind = special_kind(source.stat().st_mode)
            if kind:  # a named pipe would stall the build
                raise ContentError(config.file, line, f"the picture `{group['image']}` is {kind}, not a file")
            files[PurePosixPath(MEDIA_DIR, group["image"])] = read_regular(source)
        except OSError:
            raise ContentError(config.file, line, f"the picture `{group['image']}` is not in the content folder "
                                                  f"({source.as_posix()} does not exist or cannot be read); add it "
                                                  "there or correct its name") from None
    return files
