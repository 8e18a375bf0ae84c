"""Render stage: the published address of a site path, for a site at its host's root or under a path.

Inside clair every address is a site path: `/en/x/` is the page built into `en/x/index.html`,
whatever the address the site is published at. So are the addresses writers type in Markdown
(`[plan](/en/plan/)`, `![chart](/media/chart.png)`): `/` is the site's root. `base_url` in
site.yaml says where that root is published: `https://org.github.io/plan/` puts it at the path
`/plan/`. Only what is written out (HTML, the sitemap, robots.txt) turns a site path into an
address a browser can follow, through `SiteUrls`: the templates' `url` and `absolute_url`
filters, the Markdown renderer's link and image rules (clair/markdown.py), the raw HTML sanitiser
and the one-page views. The link checks read the built HTML and turn its addresses back into site
paths (`site_path`). With `base_url` at the root, a published address is the site path itself.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit


def base_path_of(base_url: str) -> str:
    """The path the site's root is published at, with a slash at each end: `/` or `/plan/`."""
    path = urlsplit(base_url).path.strip("/")
    return f"/{path}/" if path else "/"


def is_site_path(address: str) -> bool:
    """An address from the site's root: `/en/x/` (not `//host/x`, which names another host)."""
    return address.startswith("/") and not address.startswith("//")


def publish(address: str, base_path: str) -> str:
    """A site path under the base path (`/en/x/` -> `/plan/en/x/`); any other address as it is."""
    if base_path == "/" or not is_site_path(address):
        return address
    return base_path.rstrip("/") + address


def unpublish(address: str | None, base_path: str) -> str | None:
    """The site path of a published address (`/plan/en/x/` -> `/en/x/`); any other address (or None) as it is."""
    if address and base_path != "/" and address.startswith(base_path):
        return address[len(base_path) - 1:]
    return address


@dataclass(frozen=True)
class SiteUrls:
    """The addresses of one site, published at `base_url` (`https://org.github.io/plan/`); its parts are worked
    out once (templates ask for them on every link)."""

    base_url: str

    @functools.cached_property
    def base_path(self) -> str:
        return base_path_of(self.base_url)

    @functools.cached_property
    def origin(self) -> str:
        """`https://org.github.io`: the scheme and host, no path."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @functools.cached_property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc.lower()

    def url(self, address: str) -> str:
        """The address a browser follows from any page of the site: `/en/x/` -> `/plan/en/x/` (templates: `url`)."""
        return publish(str(address), self.base_path)

    def absolute_url(self, address: str) -> str:
        """The full address, host included: canonical, hreflang, the sitemap (templates: `absolute_url`)."""
        return self.origin + self.url(address)

    def site_path(self, path: str) -> str | None:
        """The site path of a published path (`/plan/en/x/` -> `/en/x/`); None for a path outside the site
        (another site on the same host)."""
        base = self.base_path
        if base == "/":
            return path or "/"
        if path == base.rstrip("/"):
            return "/"
        return "/" + path[len(base):] if path.startswith(base) else None


@functools.lru_cache(maxsize=8)
def site_urls(base_url: str) -> SiteUrls:
    """The one SiteUrls of a base address, so what it works out is kept between uses (Config.urls)."""
    return SiteUrls(base_url)
