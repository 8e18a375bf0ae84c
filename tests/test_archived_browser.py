"""In a real headless Chromium, on a built site with an archived publication: the historical-document notice is in
the accessibility tree as a region named by its heading, in both languages; the keyboard reaches it (Tab from the
top lands on the skip link, which leads into the main content, where the notice comes first after the title) and
it is on screen there, on a phone too; axe finds nothing wrong with it (contrast included)."""
import pytest

from clair import audit
from clair.browser import serve
from clair.pipeline import build_site, publish
from clair.project import Project
from conftest import page, write_tree

pytestmark = pytest.mark.browser

NOTE_EN = "This is a 2013 document. The consultation it describes is closed."
NOTE_FR = "Ce document date de 2013. La consultation qu'il décrit est terminée."
PAGES = {
    "en/_index.md": page("Home", "Welcome."),
    "fr/_index.md": page("Accueil", "Bienvenue."),
    "en/blueprint/_index.md": page("Blueprint 2020", "The plan of 2013.", status="archived", note=f'"{NOTE_EN}"'),
    "fr/blueprint/_index.md": page("Objectif 2020", "Le plan de 2013.", status="archived", note=f'"{NOTE_FR}"'),
    "en/blueprint/talks.md": page("The talks", "We invite every public servant to join the talks.\n"),
    "fr/blueprint/talks.md": page("Les discussions", "Nous invitons chaque fonctionnaire aux discussions.\n"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("archived")
    content, config = write_tree(root, PAGES)
    result = build_site(Project(content, config), run_checks=False)
    publish(result, root / "site", search_index=False)
    return root / "site", result.site


async def visit(browser, base_url: str, path: str, width: int) -> dict:
    """What a screen reader and a keyboard user meet on one page."""
    context = await browser.new_context(viewport={"width": width, "height": 700})
    page_ = await context.new_page()
    try:
        await page_.goto(base_url + path)
        region = page_.get_by_role("region", name=HEADINGS[path[1:3]], exact=True)
        tree = await region.aria_snapshot() if await region.count() == 1 else ""
        await page_.keyboard.press("Tab")
        first = await page_.evaluate("document.activeElement.className")
        await page_.keyboard.press("Enter")
        landing = await page_.evaluate("""() => {
            const focused = document.activeElement, notice = document.querySelector('.archived-notice');
            const box = notice.getBoundingClientRect();
            return {focused: focused.id, inside: focused.contains(notice),
                    first: focused.querySelector('h1').nextElementSibling === notice,
                    onScreen: box.top >= 0 && box.top < window.innerHeight};
        }""")
        return {"tree": tree, "first_tab": first, **landing}
    finally:
        await context.close()


HEADINGS = {"en": "Historical document", "fr": "Document historique"}


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path, note", [("/en/blueprint/talks/", NOTE_EN), ("/fr/blueprint/talks/", NOTE_FR),
                                        ("/fr/blueprint/", NOTE_FR)])
def test_the_notice_is_announced_and_reached_by_keyboard(chromium, site, path, note, width):
    out, _ = site
    with serve(out) as base_url:
        seen = chromium.run(visit(chromium.browser, base_url, path, width))
    heading = HEADINGS[path[1:3]]
    assert seen["tree"].splitlines()[:2] == [f'- region "{heading}":', f'  - heading "{heading}" [level=2]'], seen
    assert note.replace("'", "’") in seen["tree"].replace("'", "’")
    assert seen["first_tab"] == "skip-link"  # Tab from the top, then Enter: into the main content...
    assert (seen["focused"], seen["inside"], seen["first"]) == ("main-content", True, True)  # ...notice first
    assert seen["onScreen"], f"the notice must be on screen once the skip link is followed ({width} px wide)"


def test_axe_finds_nothing_wrong_on_the_archived_pages(axe, site):
    out, model = site
    report = axe.run(audit.run_audit(axe.browser, out, model, java=None))
    assert [f for f in report.findings if f.check != "html.vnu"] == []
