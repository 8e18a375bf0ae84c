"""Load and render stages: ASCII slugs for URLs and heading ids: 'Énoncé de vision' -> 'enonce-de-vision'."""
import re
import unicodedata


def slugify(text: str) -> str:
    """Strip accents, lower-case, and join words with hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
