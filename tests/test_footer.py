"""The signature (wordmark) and footer links set in site.yaml (clair/footer.py): shown on every page in the
page's language when set, absent when not, and a mistake is a load error naming site.yaml and its line."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from clair.config import load_config
from clair.model import ContentError, ContentErrors
from clair.pipeline import build_site, publish
from clair.project import Project
from conftest import SITE_YAML, minimal_pages, write_tree

ROOT = Path(__file__).resolve().parent.parent
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5d6a9dc0000000049454e44ae426082")

LINKS = """\
footer_links:
  - en: {text: Contact us, url: "https://www.example.ca/en/contact"}
    fr: {text: Nous joindre, url: "https://www.example.ca/fr/contact"}
  - en: {text: "Privacy: how we use your information", url: /en/privacy/}
    fr: {text: "Confidentialité : ce que nous faisons de vos renseignements", url: /fr/confidentialite/}
"""
PICTURE_SIGNATURE = """\
signature:
  en: {image: images/wordmark-en.png, alt: Government of Canada}
  fr: {image: images/wordmark-fr.png, alt: Gouvernement du Canada}
"""
TEXT_SIGNATURE = """\
signature:
  en: {text: Government of Ontario}
  fr: {text: Gouvernement de l'Ontario}
"""


def built(tmp_path, settings: str = "", pictures=("images/wordmark-en.png", "images/wordmark-fr.png")):
    """Build the minimal site with these settings added to site.yaml; (files by path as text, the result)."""
    content, config = write_tree(tmp_path, minimal_pages(), SITE_YAML + settings)
    for name in pictures:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_bytes(PNG)
    return build_site(Project(content, config), run_checks=False)


def footer(result, path: str) -> str:
    text = result.files[PurePosixPath(path)]
    text = text.decode() if isinstance(text, bytes) else text
    return text.split('<footer class="site-footer">')[1]


# ----------------------------------------------------------------------------- configured: in both languages

def test_footer_links_are_shown_in_the_page_language(tmp_path):
    result = built(tmp_path, LINKS)
    english, french = footer(result, "en/index.html"), footer(result, "fr/index.html")
    assert '<nav class="site-links" aria-label="About this site">' in english
    assert '<a href="https://www.example.ca/en/contact">Contact us</a>' in english
    assert '<a href="/en/privacy/">Privacy: how we use your information</a>' in english
    assert "Nous joindre" not in english and "Contact us" not in french
    assert '<nav class="site-links" aria-label="À propos de ce site">' in french
    assert '<a href="https://www.example.ca/fr/contact">Nous joindre</a>' in french
    # French spacing: a no-break space before the colon
    assert '<a href="/fr/confidentialite/">Confidentialité\u00a0: ce que nous faisons de vos renseignements</a>' in french
    assert "site-links" in footer(result, "fr/404.html")  # every page with the layout, the 404 pages too


def test_a_picture_signature_is_a_file_of_the_site_with_its_language_text_alternative(tmp_path):
    result = built(tmp_path, PICTURE_SIGNATURE)
    assert '<p class="signature"><img src="/media/images/wordmark-en.png" alt="Government of Canada"></p>' \
        in footer(result, "en/index.html")
    assert '<p class="signature"><img src="/media/images/wordmark-fr.png" alt="Gouvernement du Canada"></p>' \
        in footer(result, "fr/index.html")
    assert result.files[PurePosixPath("media/images/wordmark-en.png")] == PNG
    out = tmp_path / "out"
    publish(result, out, search_index=False)
    assert (out / "media/images/wordmark-fr.png").read_bytes() == PNG


def test_a_text_signature_is_shown_in_the_page_language(tmp_path):
    result = built(tmp_path, TEXT_SIGNATURE)
    assert '<p class="signature">Government of Ontario</p>' in footer(result, "en/index.html")
    assert '<p class="signature">Gouvernement de l&#39;Ontario</p>' in footer(result, "fr/index.html")


def test_nothing_is_shown_when_nothing_is_set(tmp_path):
    result = built(tmp_path, pictures=())
    for path in ("en/index.html", "fr/index.html", "en/404.html"):
        text = footer(result, path)
        assert "site-links" not in text and "signature" not in text and "<img" not in text
    assert not any(str(path).startswith("media/") for path in result.files)
    config = load_config(tmp_path / "site.yaml")
    assert config.signature == {} and config.footer_links == []


# ----------------------------------------------------------------------------- mistakes: site.yaml and its line

FIRST = SITE_YAML.count("\n")  # the settings below start on the line after SITE_YAML's
# (settings added to site.yaml, the line of the mistake among them, words of the message)
MISTAKES = [
    ("signature:\n  en: {image: 'https://cdn.example.com/logo.png', alt: Logo}\n  fr: {image: images/w.png, alt: Logo}\n",
     2, "not a file of this site; nothing on its pages may load from another site"),
    ("signature:\n  en: {image: //cdn.example.com/logo.png, alt: Logo}\n  fr: {text: Logo}\n",
     2, "may load from another site"),
    ("signature:\n  en: {image: images/w.svg, alt: Logo}\n  fr: {text: Logo}\n", 2, "PNG, JPEG, GIF, WebP or AVIF"),
    ("signature:\n  en: {image: ../secret.png, alt: Logo}\n  fr: {text: Logo}\n", 2, "no `..`"),
    ("signature:\n  en: {image: images/w.png}\n  fr: {text: Logo}\n", 2, "`alt: …`"),
    ("signature:\n  en: {text: Logo}\n", 1, "a group for each language"),
    ("signature:\n  en: {text: Logo, colour: red}\n  fr: {text: Logo}\n", 2, "unknown key `colour`"),
    ("signature:\n  en: {text: 2018}\n  fr: {text: Logo}\n", 2, "must be a piece of text"),
    ("signature: Government of Canada\n", 1, "`signature` must be a group of `key: value` lines"),
    ("footer_links:\n  en: {text: Contact, url: https://example.ca}\n", 1, "`footer_links` must be a list"),
    ("footer_links:\n  - en: {text: Contact, url: https://example.ca}\n    fr: {text: Contact, url: https://example.ca}\n"
     "  - en: {text: Terms, url: 'javascript:alert(1)'}\n    fr: {text: Conditions, url: /fr/conditions/}\n",
     4, "must be a web address (https://…)"),
    ("footer_links:\n  - en: {text: Terms, url: /en/terms/}\n", 2, "footer link 1 needs a group for each language"),
    ("footer_links:\n  - en: {text: Terms, url: /en/terms/}\n    fr: {url: /fr/conditions/}\n", 3,
     "footer link 1 in `fr` needs `text: …` and `url: …`"),
    ("footer_links:\n  - en: {text: Terms, url: terms.html}\n    fr: {text: Conditions, url: /fr/conditions/}\n",
     2, "an address on this site starting with /"),
]


@pytest.mark.parametrize("settings, line, words", MISTAKES)
def test_a_mistake_is_a_load_error_naming_site_yaml_and_its_line(tmp_path, settings, line, words):
    config = write_tree(tmp_path, {}, SITE_YAML + settings)[1]
    with pytest.raises(ContentError) as caught:
        load_config(config)
    assert (caught.value.file, caught.value.line) == (str(config), FIRST + line), caught.value
    assert words in str(caught.value.message), caught.value.message


def test_a_picture_missing_from_the_content_folder_stops_the_build_at_its_line(tmp_path):
    with pytest.raises((ContentError, ContentErrors)) as caught:
        built(tmp_path, PICTURE_SIGNATURE, pictures=("images/wordmark-en.png",))
    error = caught.value.errors[0] if isinstance(caught.value, ContentErrors) else caught.value
    assert error.file.endswith("site.yaml") and error.line == FIRST + 3
    assert "images/wordmark-fr.png" in error.message and "content folder" in error.message


def test_the_command_says_it_in_plain_words_with_exit_code_2(tmp_path):
    content, config = write_tree(tmp_path, minimal_pages(), SITE_YAML + MISTAKES[0][0])
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(content),
                          "--config", str(config)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2, run.stdout + run.stderr
    assert re.search(rf"site\.yaml:{FIRST + 2}: error: the picture `https://cdn\.example\.com/logo\.png` is not a file of "
                     r"this site", run.stdout + run.stderr)
    assert "Traceback" not in run.stderr
