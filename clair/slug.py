"""Load and render stages: ASCII slugs for URLs and heading ids: 'Énoncé de vision' -> 'enonce-de-vision'."""
import re
import unicodedata

# Letters Unicode does not decompose into a base letter and an accent, written as French and
# English readers spell them without the ligature: 'cœur' -> 'coeur', 'Straße' -> 'strasse'.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                           "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "Þ": "TH"})


NON_ASCII = re.compile(r"[^\x00-\x7f]")  # the only dash in ASCII is the hyphen itself


def slugify(text: str) -> str:
    """Strip accents, spell ligatures out, lower-case, and join words with hyphens; a dash of any kind
    ('2018–2020') separates words like a hyphen does."""
    text = NON_ASCII.sub(_dash_as_hyphen, text.translate(LIGATURES))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _dash_as_hyphen(match: re.Match) -> str:
    """A dash of any kind (`–`, `—`, `‐`) as a hyphen; any other character as it is."""
    return "-" if unicodedata.category(match.group(0)) == "Pd" else match.group(0)
