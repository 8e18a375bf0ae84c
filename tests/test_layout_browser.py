"""In a real headless Chromium: on every page of the sample site, in both languages, at 320, 375 and 768 px
wide, no text overflows its box, is cut off, or overlaps its neighbour, and nothing makes the page scroll
sideways (a table may scroll in its own labelled, keyboard-reachable region). Faults put in on purpose
(a fixed narrow width, a clipped title, a region without tabindex) are caught.

One Chromium and one page for the whole module: each HTML file is opened once and measured at the three
widths by resizing the window. Needs Chromium only (not axe-core or Java); in CI a missing browser fails.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clair.browser import serve
from clair.pipeline import build_site, publish
from clair.project import Project

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (320, 375, 768)  # a small phone, a common phone, a tablet held upright
HEIGHT = 800
SHOWN_PER_PAGE = 5  # problems listed per page and width in a failure; the count says how many more

# Returns the layout problems of the page as it is laid out now. Only boxes are measured (an inline
# element's overflow shows in the box holding it); what is hidden for the eye (display: none, the
# visually-hidden 1 px boxes, the phone layout's hidden table header) is skipped with everything inside it.
# - "overflow": an element whose content is wider than its box (scrollWidth > clientWidth) and spills out;
#   only the innermost such element is named, since every box around it grows too.
# - "clipped": content cut off by overflow: hidden or clip.
# - "overlap": two sibling boxes whose rectangles, with what spills out of them, intersect.
# - "unreachable scroll": a box that scrolls sideways but is not a labelled region (role="region" with
#   aria-label or aria-labelledby) that Tab reaches (tabindex).
# - "page": the whole page scrolls sideways.
LAYOUT_PROBLEMS = r"""() => {
  const SLACK = 1;  // px: sub-pixel rounding is not an overflow
  const UNMEASURED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "INPUT", "TEXTAREA", "SELECT", "IMG",
                              "svg", "VIDEO", "CANVAS", "IFRAME", "BR", "HR"]);
  const problems = [];
  const spilling = [];
  const name = (el) => {
    let text = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + [...el.classList].map((c) => "." + c).join("");
    const words = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 50);
    const label = el.getAttribute("data-label");
    const holder = el.parentElement && el.parentElement.closest("[id]");
    return text + (words ? ` “${words}”` : "") + (label ? ` (label “${label}”)` : "") +
      (holder && holder !== document.body && !el.id ? ` in #${holder.id}` : "");
  };
  const hiddenForTheEye = (style, rect) => (rect.width <= 1 && rect.height <= 1) ||
    style.clipPath.startsWith("inset(50%") || (style.clip && style.clip !== "auto");
  const scrolls = (value) => value === "auto" || value === "scroll";
  const cuts = (value) => value === "hidden" || value === "clip";
  const isRegion = (el) => el.tabIndex >= 0 && el.getAttribute("role") === "region" &&
    (el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby"));
  const measured = (el, style) => style.display !== "none" && !UNMEASURED.has(el.tagName);
  // the element's rectangle, stretched by what spills out of it (to the right, as text runs, and down)
  const ink = (el, style, rect) => ({
    left: rect.left, top: rect.top,
    right: rect.right + (style.overflowX === "visible" ? Math.max(0, el.scrollWidth - el.clientWidth) : 0),
    bottom: rect.bottom + (style.overflowY === "visible" ? Math.max(0, el.scrollHeight - el.clientHeight) : 0),
  });

  function measureBox(el, style) {
    const wide = el.scrollWidth > el.clientWidth + SLACK;
    const tall = el.scrollHeight > el.clientHeight + SLACK;
    const size = `${el.scrollWidth}×${el.scrollHeight} px of content in a ${el.clientWidth}×${el.clientHeight} px box`;
    if (wide && scrolls(style.overflowX)) {
      if (!isRegion(el)) problems.push({kind: "unreachable scroll", element: name(el),
        detail: `scrolls sideways (${size}) but is not a labelled region that Tab reaches (role="region", aria-labelledby, tabindex="0")`});
    } else if ((wide && cuts(style.overflowX)) || (tall && cuts(style.overflowY))) {
      problems.push({kind: "clipped", element: name(el), detail: `cuts its text off: ${size}`});
    } else if (wide && style.overflowX === "visible") {
      spilling.push(el);
    }
  }

  function overlaps(boxes) {
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, ra] = boxes[i], [b, rb] = boxes[j];
        const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (x > SLACK && y > SLACK) problems.push({kind: "overlap", element: name(a),
          detail: `overlaps ${name(b)} by ${Math.round(x)}×${Math.round(y)} px`});
      }
    }
  }

  function visit(el) {
    const style = getComputedStyle(el);
    if (!measured(el, style)) return;
    const rect = el.getBoundingClientRect();
    const boxless = style.display === "contents";
    if (!boxless && hiddenForTheEye(style, rect)) return;
    if (!boxless && style.display !== "inline" && style.visibility !== "hidden" && el.clientWidth > 0) measureBox(el, style);
    const boxes = [];
    for (const child of el.children) {
      visit(child);
      const childStyle = getComputedStyle(child);
      if (!measured(child, childStyle) || ["inline", "contents"].includes(childStyle.display) ||
          ["absolute", "fixed"].includes(childStyle.position) || childStyle.visibility === "hidden") continue;
      const childRect = child.getBoundingClientRect();
      if (childRect.width >= 1 && childRect.height >= 1 && !hiddenForTheEye(childStyle, childRect))
        boxes.push([child, ink(child, childStyle, childRect)]);
    }
    overlaps(boxes);
  }

  visit(document.body);
  for (const el of spilling) {
    if (spilling.some((other) => other !== el && el.contains(other))) continue;  // the innermost says why
    const right = el.getBoundingClientRect().right;
    const widest = [...el.children].reduce((best, child) =>
      child.getBoundingClientRect().right > (best ? best.getBoundingClientRect().right : right) ? child : best, null);
    problems.push({kind: "overflow", element: name(el),
      detail: `its content is ${el.scrollWidth} px wide in a ${el.clientWidth} px box` +
              (widest ? `; ${name(widest)} reaches ${Math.round(widest.getBoundingClientRect().right - right)} px past its edge` : "")});
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + SLACK) problems.push({kind: "page", element: "the page",
    detail: `scrolls sideways: ${page.scrollWidth} px wide in a ${page.clientWidth} px window`});
  return problems;
}"""


# The sample's site.yaml sets no footer links or signature: they are added here, long ones, so their layout
# is measured too.
FOOTER = """
signature:
  en: {text: Government of Ontario}
  fr: {text: Gouvernement de l'Ontario}
footer_links:
  - en: {text: Contact us, url: "https://www.example.ca/en/contact"}
    fr: {text: Nous joindre, url: "https://www.example.ca/fr/nous-joindre"}
  - en: {text: Terms of use, url: "https://www.example.ca/en/terms"}
    fr: {text: Conditions d'utilisation, url: "https://www.example.ca/fr/conditions"}
  - en: {text: "Privacy: how we protect your personal information", url: "https://www.example.ca/en/privacy"}
    fr: {text: "Confidentialité : comment nous protégeons vos renseignements personnels", url: "https://www.example.ca/fr/confidentialite"}
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The sample publication with footer links and a signature, and with its checks (so the reviewer's report
    is there too), written without the search index, which no layout needs. Its data/ goes with site.yaml."""
    project = tmp_path_factory.mktemp("layout")
    shutil.copytree(ROOT / "data", project / "data")
    (project / "site.yaml").write_text((ROOT / "site.yaml").read_text(encoding="utf-8") + FOOTER, encoding="utf-8")
    result = build_site(Project(ROOT / "content", project / "site.yaml"), run_checks=True)
    publish(result, project / "site", search_index=False)
    return project / "site"


@pytest.fixture(scope="module")
def browser_tab(chromium, sample):
    """(session, base URL, page): one tab on the served sample, for every test of this module."""
    with serve(sample) as base_url:
        context = chromium.run(chromium.browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT},
                                                            reduced_motion="reduce"))
        page = chromium.run(context.new_page())
        yield chromium, base_url, page
        chromium.run(context.close())


def html_paths(site: Path) -> list[str]:
    """The URL path of every HTML file of a built site: /en/a/ for en/a/index.html, /en/404.html."""
    paths = []
    for file in sorted(site.rglob("*.html")):
        rel = file.relative_to(site).as_posix()
        paths.append("/" + (rel.removesuffix("index.html") if file.name == "index.html" else rel))
    return paths


ADD_STYLE = """css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
                         document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }"""


async def problems_at_widths(page, url: str, widths=WIDTHS, style: str | None = None) -> dict[int, list[dict]]:
    """Open `url` once (adding `style` if given) and measure it at each width."""
    await page.goto(url, wait_until="load")
    if style:  # through the CSS object model: the pages' Content-Security-Policy refuses a <style> element
        await page.evaluate(ADD_STYLE, style)
    found = {}
    for width in widths:
        await page.set_viewport_size({"width": width, "height": HEIGHT})
        found[width] = await page.evaluate(LAYOUT_PROBLEMS)
    return found


def described(path: str, width: int, problems: list[dict]) -> list[str]:
    lines = [f"{path} at {width} px: {p['kind']}: {p['element']} {p['detail']}" for p in problems[:SHOWN_PER_PAGE]]
    if len(problems) > SHOWN_PER_PAGE:
        lines.append(f"{path} at {width} px: … and {len(problems) - SHOWN_PER_PAGE} more")
    return lines


# ----------------------------------------------------------------------------- the sample site

def test_no_text_overflows_or_overlaps_on_any_page_at_phone_and_tablet_widths(browser_tab, sample):
    session, base_url, page = browser_tab
    paths = html_paths(sample)
    assert {"/", "/report/", "/en/404.html", "/fr/404.html"} <= set(paths)
    assert len([p for p in paths if p.startswith("/fr/")]) == len([p for p in paths if p.startswith("/en/")]) >= 20
    assert "Confidentialité" in (sample / "fr/index.html").read_text(encoding="utf-8")
    report = []
    for path in paths:
        for width, problems in session.run(problems_at_widths(page, base_url + path)).items():
            report += described(path, width, problems)
    assert not report, "\n" + "\n".join(report)


# ----------------------------------------------------------------------------- faults put in on purpose

ANNEX_EN, ANNEX_FR = "/en/im-it-hr-plan/annex-1/", "/fr/plan-rh-gi-ti/annexe-1/"
FAULTS = [
    # the bug this test was written for: the wide screens' year-column width applied to the phone's year labels
    pytest.param(ANNEX_EN, 375, ".matrix-table .matrix-period { width: 4.5rem !important; }",
                 "overlap", "td.matrix-period", id="year-labels-of-a-card-at-375"),
    pytest.param(ANNEX_FR, 320, ".matrix-table .matrix-period { width: 4.5rem !important; }",
                 "overflow", "td.matrix-period", id="french-year-labels-at-320"),
    # a fixed narrow width on a column of the table that wide screens see
    pytest.param(ANNEX_EN, 768, ".matrix-table { table-layout: fixed; } .matrix-table .matrix-col-period { width: 1rem; }",
                 "overflow", "td.matrix-period", id="narrow-table-column-at-768"),
    pytest.param("/report/", 375, ".stacked td { width: 3rem; overflow-wrap: normal; }", "overflow", "td",
                 id="narrow-report-cell-at-375"),
    pytest.param("/fr/", 320, ".site-title { height: 1.2em; overflow: hidden; }", "clipped", "a.site-title",
                 id="clipped-site-title-at-320"),
    pytest.param("/fr/", 375, ".language-toggle { margin-left: -12rem; }", "overlap", "site-title",
                 id="language-toggle-over-the-title-at-375"),
    pytest.param("/en/ops-future-2018/pillars/serve/", 375, ".breadcrumbs li { white-space: nowrap; width: 4rem; }",
                 "overflow", "li", id="breadcrumb-wider-than-its-box-at-375"),
]


@pytest.mark.parametrize("path, width, style, kind, element", FAULTS)
def test_a_fault_put_in_on_purpose_is_reported(browser_tab, path, width, style, kind, element):
    session, base_url, page = browser_tab
    before = session.run(problems_at_widths(page, base_url + path, widths=(width,)))[width]
    assert before == [], "\n".join(described(path, width, before))
    after = session.run(problems_at_widths(page, base_url + path, widths=(width,), style=style))[width]
    assert any(p["kind"] == kind and element in p["element"] for p in after), \
        "\n".join(described(path, width, after)) or "nothing was reported"


def test_a_table_that_scrolls_must_be_a_labelled_region_the_keyboard_reaches(browser_tab):
    """The report's tables scroll at 768 px inside their regions; without tabindex one could not be scrolled
    from the keyboard, and that is reported."""
    session, base_url, page = browser_tab
    found = session.run(problems_at_widths(page, base_url + "/report/", widths=(768,)))[768]
    assert found == [], "\n".join(described("/report/", 768, found))
    assert session.run(page.evaluate("[...document.querySelectorAll('.table-scroll')]"
                                     ".some(region => region.scrollWidth > region.clientWidth)")), \
        "no table of the report scrolls at 768 px, so this test proves nothing"
    session.run(page.evaluate("document.querySelectorAll('.table-scroll').forEach(r => r.removeAttribute('tabindex'))"))
    after = session.run(page.evaluate(LAYOUT_PROBLEMS))
    assert any(p["kind"] == "unreachable scroll" and "table-scroll" in p["element"] for p in after), after


# ----------------------------------------------------------------------------- column headers stay in view

def test_column_headers_stay_visible_while_reading_a_long_matrix(browser_tab):
    """Scrolled to the middle of the matrix, the column headers are still at the top of the window on a
    tablet, and the target being read on a phone; the table's headers/ids are the same markup."""
    session, base_url, page = browser_tab
    session.run(page.goto(base_url + ANNEX_FR))
    middle = "(() => { const t = document.querySelector('.matrix-table'); " \
             "window.scrollTo(0, t.getBoundingClientRect().top + scrollY + t.offsetHeight / 2); })()"
    top_of = "(selector => [...document.querySelectorAll(selector)].map(e => Math.round(e.getBoundingClientRect().top)))"
    session.run(page.set_viewport_size({"width": 768, "height": HEIGHT}))
    session.run(page.evaluate(middle))
    assert set(session.run(page.evaluate(top_of, ".matrix-table thead th"))) == {0}
    session.run(page.set_viewport_size({"width": 375, "height": HEIGHT}))
    session.run(page.evaluate(middle))
    tops = session.run(page.evaluate(top_of, ".matrix-target"))
    assert tops.count(0) == 1, tops  # the target of the cards in view, and only it
    headers = session.run(page.evaluate("[...document.querySelectorAll('.matrix-table td')].every("
                                        "td => td.headers.split(' ').every(id => document.getElementById(id)))"))
    assert headers


# ----------------------------------------------------------------------------- the header's search box

@pytest.mark.parametrize("path, words", [("/en/", "Search this site"), ("/fr/", "Rechercher dans le site")])
def test_the_header_search_box_has_a_visible_label(browser_tab, path, words):
    session, base_url, page = browser_tab
    session.run(page.goto(base_url + path))
    for width in WIDTHS:
        session.run(page.set_viewport_size({"width": width, "height": HEIGHT}))
        label = session.run(page.evaluate("""() => { const label = document.querySelector('label[for="site-search-query"]');
            const box = label.getBoundingClientRect(), field = document.getElementById('site-search-query').getBoundingClientRect();
            return {text: label.innerText, width: box.width, height: box.height, above: box.bottom <= field.top + 1,
                    before: box.right <= field.left + 1}; }"""))
        assert label["text"] == words and label["width"] > 50 and label["height"] > 10, (width, label)
        assert label["above"] or label["before"], (width, label)  # read before the box it names
