"""Action-plan matrices: loading with file:line errors, the accessible table, the CSV files, the data checks."""
from __future__ import annotations

import csv
import io
from pathlib import Path, PurePosixPath

import pytest

from clair.checks import RULES, Settings, kept
from clair.checks import matrices as matrix_checks
from clair.checks.html import parse, squash
from clair.matrices import MatrixLibrary, csv_bytes, read_matrix
from clair.model import ContentError, ContentErrors
from conftest import ROOT, page

DATA = PurePosixPath("data/matrices/plan.yaml")
MATRIX = """\
id: plan
caption:
  en: "Plan: who does what, and when"
  fr: "Plan : qui fait quoi, et quand"
periods:
  - {id: "2007-2008", en: "2007–2008", fr: "2007-2008"}
  - {id: long-term, en: "Long term", fr: "À long terme", planned: {en: "Planned for the long term", fr: "Prévu à long terme"}}
glossary:
  ORO: {en: "Organizational Readiness Office", fr: "Bureau de gestion du changement", fr_abbr: "BGC"}
  CPSA: {en: "Canada Public Service Agency", fr: "Agence de la fonction publique du Canada", fr_abbr: "AFPC"}
  CSPS: {en: "Canada School of Public Service", fr: "École de la fonction publique du Canada", fr_abbr: "EFPC"}
  IM: {en: "information management", fr: "gestion de l'information", fr_abbr: "GI"}
  IT: {en: "information technology", fr: "technologie de l'information", fr_abbr: "TI"}
targets:
  - id: staffing
    name: {en: "Staffing", fr: "Dotation"}
    goals:
      - id: staffing-1
        community: [IM, IT]
        text:
          en: "Hire people in a fair way."
          fr: "Embaucher des gens de façon équitable."
        activities:
          - id: staffing-1-a
            lead: [ORO]
            text:
              en: "Write a plan with the CPSA."
              fr: "Rédiger un plan avec l'AFPC."
            partners: [CPSA, CSPS]
            periods: ["2007-2008", long-term]
            note: {en: "The plan may change.", fr: "Le plan peut changer."}
          - id: staffing-1-b
            lead: [ORO, Communities]
            text:
              en: "Name people to the team."
              fr: "Nommer des gens à l'équipe."
            partners: []
            periods: []
            note: "Editor's note: read from the run ~X~ of the seed."
  - id: learning
    name: {en: "Learning", fr: "Apprentissage"}
    goals:
      - id: learning-1
        community: [IM]
        text:
          en: "Help people learn."
          fr: "Aider les gens à apprendre."
        activities:
          - id: learning-1-a
            lead: [Communities]
            text:
              en: "Send people to courses."
              fr: "Envoyer des gens en formation."
            partners: []
            periods: ["2007-2008"]
"""
PAGES = {"en/plan.md": page("Plan", "Our plan.\n\n::: matrix plan\n:::\n"),
         "fr/plan.md": page("Plan", "Notre plan.\n\n::: matrix plan\n:::\n")}


def line_of(text: str, needle: str, after: str = "") -> int:
    """1-based line of the first line holding `needle` (after the first line holding `after`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


@pytest.fixture
def with_matrix(build, tmp_path):
    """build(pages, matrix text) with the matrix written to tmp/data/matrices/plan.yaml."""
    def _build(matrix: str = MATRIX, pages: dict | None = None, run_checks: bool = False, name: str = "plan"):
        folder = tmp_path / "data" / "matrices"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.yaml").write_text(matrix, encoding="utf-8")
        return build(PAGES if pages is None else pages, run_checks=run_checks)
    return _build


def load_errors(with_matrix, matrix: str) -> list[ContentError]:
    with pytest.raises(ContentErrors) as caught:
        with_matrix(matrix)
    return caught.value.errors


def only_error(with_matrix, matrix: str) -> ContentError:
    [error] = load_errors(with_matrix, matrix)
    assert error.file.endswith(str(DATA)), error.file
    return error


# --- schema errors name the data file and the line -----------------------------------------------------

def test_unknown_key_names_its_line_and_suggests_the_right_one(with_matrix):
    broken = MATRIX.replace("            lead: [ORO]\n", "            lede: [ORO]\n", 1)
    # the unknown key itself, and the missing `lead` at the activity's first line
    errors = load_errors(with_matrix, broken)
    assert all(e.file.endswith(str(DATA)) for e in errors)
    assert {e.line for e in errors} == {line_of(broken, "lede:"), line_of(broken, "- id: staffing-1-a")}
    unknown = next(e for e in errors if e.line == line_of(broken, "lede:"))
    assert "unknown key `lede`" in unknown.message and "Did you mean `lead`?" in unknown.message


def test_text_without_french_is_an_error_at_the_text(with_matrix):
    broken = MATRIX.replace('              fr: "Nommer des gens à l\'équipe."\n', "")
    error = only_error(with_matrix, broken)
    assert error.line == line_of(broken, "text:", after="staffing-1-b")
    assert "has no French text" in error.message and "`fr: ...`" in error.message


@pytest.mark.parametrize("old, new, parts", [
    pytest.param("partners: [CPSA, CSPS]", "partners: [CPSA, CPSS]",
                 ["the partner `CPSS` is not in the glossary", "Did you mean `CSPS`?"],
                 id="partner-not-in-the-glossary"),
    pytest.param("lead: [ORO, Communities]", "lead: [ORO, Community]",
                 ["the lead `Community` is not in the glossary", "`Communities`"],
                 id="lead-may-be-communities-but-nothing-else-outside-the-glossary"),
    pytest.param('periods: ["2007-2008"]', 'periods: ["2010-2011"]',
                 ["the period `2010-2011` is not declared", "2007-2008, long-term"],
                 id="period-not-declared"),
    pytest.param('note: {en: "The plan may change.", fr: "Le plan peut changer."}', 'uncertain: ["2008-2009"]',
                 ["`2008-2009` is listed under `uncertain` but not under `periods`"],
                 id="uncertain-mark-not-one-of-the-activitys-periods"),
])
def test_an_unknown_name_is_an_error_at_its_line(with_matrix, old, new, parts):
    broken = MATRIX.replace(old, new)
    error = only_error(with_matrix, broken)
    assert error.line == line_of(broken, new)
    for part in parts:
        assert part in error.message


def test_duplicate_id_names_both_lines(with_matrix):
    broken = MATRIX.replace("- id: learning-1-a", "- id: staffing-1-a")
    error = only_error(with_matrix, broken)
    first = line_of(broken, "- id: staffing-1-a")
    second = line_of(broken, "- id: staffing-1-a", after="id: learning-1")
    assert error.line == second and f"also on line {first}" in error.message


def test_missing_key_is_an_error_at_the_start_of_its_group(with_matrix):
    broken = MATRIX.replace('            periods: ["2007-2008"]\n', "")
    error = only_error(with_matrix, broken)
    assert error.line == line_of(broken, "- id: learning-1-a")
    assert "has no `periods`" in error.message


def test_yaml_alias_is_refused_at_its_line(with_matrix):
    broken = MATRIX.replace('name: {en: "Learning", fr: "Apprentissage"}', "name: *staffing")
    error = only_error(with_matrix, broken)
    assert error.line == line_of(broken, "*staffing") and "alias" in error.message


def test_id_must_match_the_file_name(with_matrix):
    broken = MATRIX.replace("id: plan\n", "id: other-plan\n", 1)
    error = only_error(with_matrix, broken)
    assert error.line == 1 and "`plan.yaml`" in error.message


def test_all_errors_of_a_file_are_reported_at_once(with_matrix):
    broken = MATRIX.replace("partners: [CPSA, CSPS]", "partners: [CPSS]").replace(
        'periods: ["2007-2008"]', "periods: [2010]")
    assert [e.line for e in load_errors(with_matrix, broken)] == [line_of(broken, "[CPSS]"), line_of(broken, "[2010]")]


def test_placing_a_matrix_that_does_not_exist_is_an_error_at_the_page_line(with_matrix):
    pages = {"en/plan.md": page("Plan", "Our plan.\n\n::: matrix plam\n:::\n")}
    with pytest.raises(ContentErrors) as caught:
        with_matrix(pages=pages)
    [error] = caught.value.errors
    assert error.file.endswith("en/plan.md") and error.line == 7
    assert "no matrix named `plam`" in error.message and "Did you mean `plan`?" in error.message


def test_a_matrix_block_holds_nothing(with_matrix):
    pages = {"en/plan.md": page("Plan", "::: matrix plan\nSome text.\n:::\n")}
    with pytest.raises(ContentErrors) as caught:
        with_matrix(pages=pages)
    assert caught.value.errors[0].line == 5 and "holds nothing" in caught.value.errors[0].message


def test_broken_matrix_is_reported_once_not_again_by_the_pages_placing_it(with_matrix):
    errors = load_errors(with_matrix, MATRIX.replace("partners: [CPSA, CSPS]", "partners: [CPSS]"))
    assert len(errors) == 1 and errors[0].file.endswith(str(DATA))


# --- the table -------------------------------------------------------------------------------------

def matrix_table(result, lang):
    html = next(p for p in result.site.pages if p.lang == lang and str(p.rel) == "plan.md").output
    document = parse(html)
    [table] = document.all("table")
    inside = [e for e in document.elements if table in e.ancestors()]
    return document, table, inside


def test_table_has_caption_column_headers_and_a_row_group_per_target(with_matrix):
    document, table, inside = matrix_table(with_matrix(), "en")
    assert [squash(e.text) for e in inside if e.tag == "caption"] == ["Plan: who does what, and when"]
    columns = [e for e in inside if e.tag == "th" and e.attrs.get("scope") == "col"]
    assert [squash(c.text) for c in columns] == ["Activity", "Lead", "Possible partners", "2007–2008", "Long term"]
    assert all(any(a.tag == "thead" for a in c.ancestors()) and c.attrs["id"] for c in columns)
    bodies = [e for e in inside if e.tag == "tbody"]
    assert len(bodies) == 2
    for body, name in zip(bodies, ["Staffing", "Learning"]):
        first = next(e for e in inside if e.tag == "th" and body in e.ancestors())
        assert first.attrs["scope"] == "rowgroup" and first.attrs["colspan"] == "5" and squash(first.text) == name
    rows = [e for e in inside if e.tag == "th" and e.attrs.get("scope") == "row"]
    assert [squash(r.text) for r in rows][1:] == ["Name people to the team.", "Send people to courses."]


def test_every_cell_names_its_column_target_goal_and_activity_headers(with_matrix):
    document, table, inside = matrix_table(with_matrix(), "en")
    header_ids = {e.attrs["id"] for e in inside if e.tag == "th" and "id" in e.attrs}
    cells = [e for e in inside if e.tag == "td"]
    assert len(cells) == 3 * 4  # three activities, four cells each
    for cell in cells:
        ids = cell.attrs["headers"].split()
        assert len(ids) == 4 and set(ids) <= header_ids
        kinds = [i.split("-")[2] for i in ids]  # matrix-plan-<kind>-...
        assert kinds == ["col", "t", "g", "a"]
    row_headers = [e for e in inside if e.tag == "th" and e.attrs.get("scope") == "row"]
    assert all(set(r.attrs["headers"].split()) <= header_ids for r in row_headers)
    assert len(header_ids) == len([e for e in document.elements if "id" in e.attrs and e in inside])  # unique


def test_goal_row_names_the_communities(with_matrix):
    document, table, inside = matrix_table(with_matrix(), "en")
    goals = [squash(e.text) for e in inside if e.tag == "tr" and "matrix-goal" in e.attrs.get("class", "")]
    assert goals == ["Goal 1 Hire people in a fair way. For the IM and IT communities",
                     "Goal 1 Help people learn. For the IM community"]


def test_acronyms_are_abbr_with_their_expansion_and_years_read_as_words(with_matrix):
    document, table, inside = matrix_table(with_matrix(), "en")
    abbrs = {(squash(e.text), e.attrs.get("title")) for e in inside if e.tag == "abbr"}
    assert ("ORO", "Organizational Readiness Office") in abbrs
    assert ("CSPS", "Canada School of Public Service") in abbrs
    hidden = [squash(e.text) for e in inside if "visually-hidden" in e.attrs.get("class", "")]
    assert hidden == ["Planned for 2007–2008", "Planned for the long term", "Planned for 2007–2008"]
    marks = [e for e in inside if "matrix-mark" in e.attrs.get("class", "")]
    assert len(marks) == 3 and all(m.attrs.get("aria-hidden") == "true" for m in marks)
    empty = [e for e in inside if e.tag == "td" and "matrix-period" in e.attrs["class"] and not e.text]
    assert len(empty) == 3
    assert [squash(e.text) for e in inside if e.tag == "td"][4] == "ORO, Communities"  # lead of staffing-1-b


def test_reader_notes_are_shown_and_editor_notes_are_not(with_matrix):
    result = with_matrix()
    document, table, inside = matrix_table(result, "en")
    notes = [squash(e.text) for e in inside if "matrix-note" in e.attrs.get("class", "").split()]
    assert notes == ["Note: The plan may change."]
    assert "Editor" not in table_html(result, "en")


def table_html(result, lang):
    return next(p for p in result.site.pages if p.lang == lang and str(p.rel) == "plan.md").output


def test_french_table_uses_french_words_acronyms_and_typography(with_matrix):
    result = with_matrix()
    document, table, inside = matrix_table(result, "fr")
    assert [e.text for e in inside if e.tag == "caption"] == ["Plan\u00a0: qui fait quoi, et quand"]
    hidden = [squash(e.text) for e in inside if "visually-hidden" in e.attrs.get("class", "")]
    assert hidden == ["Prévu en 2007-2008", "Prévu à long terme", "Prévu en 2007-2008"]
    abbrs = {(squash(e.text), e.attrs.get("title")) for e in inside if e.tag == "abbr"}
    assert ("BGC", "Bureau de gestion du changement") in abbrs
    assert ("AFPC", "Agence de la fonction publique du Canada") in abbrs
    assert not {a for a, _ in abbrs} & {"ORO", "CPSA", "CSPS"}
    columns = [squash(e.text) for e in inside if e.tag == "th" and e.attrs.get("scope") == "col"]
    assert columns == ["Activité", "Responsable", "Partenaires possibles", "2007-2008", "À long terme"]
    texts = [squash(e.text) for e in inside]
    assert "Pour les collectivités de la GI et de la TI" in texts and "Collectivités" in texts
    assert any(e.text.startswith("Remarque\u00a0:") for e in inside if "matrix-note" in e.attrs.get("class", ""))


def test_download_link_leads_to_the_csv_written_next_to_the_page(with_matrix):
    result = with_matrix()
    for lang, words in (("en", "Download this table (CSV, opens in a spreadsheet)"),
                        ("fr", "Télécharger ce tableau (CSV, s'ouvre dans un tableur)")):
        plan = next(p for p in result.site.pages if p.lang == lang and str(p.rel) == "plan.md")
        [link] = [e for e in parse(plan.output).all("a") if e.attrs.get("type") == "text/csv"]
        assert squash(link.text) == words
        assert link.attrs["href"] == f"{plan.url}plan.csv"
        assert PurePosixPath(link.attrs["href"].lstrip("/")) in result.files


def test_matrix_pages_pass_the_accessibility_and_link_checks(with_matrix):
    result = with_matrix(run_checks=True)
    assert [f for f in result.findings if f.check.startswith(("a11y.", "links.", "matrices."))] == []


# --- year marks that are a best reading, and partners without an acronym ----------------------------

UNCERTAIN = MATRIX.replace('            periods: ["2007-2008", long-term]\n',
                           '            periods: ["2007-2008", long-term]\n            uncertain: [long-term]\n', 1)
NAMED_PARTNER = MATRIX.replace("partners: [CPSA, CSPS]",
                               'partners: [CPSA, {en: "Bargaining agents", fr: "Agents négociateurs"}]')


def test_an_uncertain_year_mark_is_marked_explained_and_said_to_screen_readers(with_matrix):
    result = with_matrix(UNCERTAIN)
    for lang, words, legend in (
            ("en", "Planned for the long term (our best reading of an unclear copy)", "* An asterisk after"),
            ("fr", "Prévu à long terme (notre meilleure lecture d'une copie peu claire)", "* Un astérisque après")):
        document, table, inside = matrix_table(result, lang)
        hidden = [squash(e.text) for e in inside if "visually-hidden" in e.attrs.get("class", "")]
        assert hidden[1] == words and hidden[0] == hidden[2] and "(" not in hidden[0]  # only the one mark
        [star] = [e for e in inside if "matrix-uncertain" in e.attrs.get("class", "")]
        assert squash(star.text) == "*" and star.attrs.get("aria-hidden") == "true"
        [note] = [e for e in document.elements if "matrix-legend" in e.attrs.get("class", "")]
        assert squash(note.text).startswith(legend) and table.attrs["aria-describedby"] == note.attrs["id"]
    english = csv_rows(result.files[PurePosixPath("en/plan/plan.csv")])
    french = csv_rows(result.files[PurePosixPath("fr/plan/plan.csv")])
    assert english[1][6:8] == ["Planned", "Planned (best reading)"]
    assert french[1][6:8] == ["Prévu", "Prévu (meilleure lecture)"]


def test_a_table_without_uncertain_marks_has_no_legend(with_matrix):
    document, table, inside = matrix_table(with_matrix(), "en")
    assert "aria-describedby" not in table.attrs
    assert not [e for e in document.elements if "matrix-legend" in e.attrs.get("class", "")]
    assert not [e for e in inside if "matrix-uncertain" in e.attrs.get("class", "")]


def test_a_partner_without_an_acronym_is_a_name_in_both_languages(with_matrix):
    result = with_matrix(NAMED_PARTNER)
    for lang, shown in (("en", "CPSA, Bargaining agents"), ("fr", "AFPC, Agents négociateurs")):
        document, table, inside = matrix_table(result, lang)
        partners = [e for e in inside if e.tag == "td" and "matrix-partners" in e.attrs.get("class", "")]
        assert squash(partners[0].text) == shown
        abbrs = [squash(e.text) for e in inside if e.tag == "abbr" and partners[0] in e.ancestors()]
        assert abbrs == [shown.split(",")[0]]  # the acronym is an abbr, the name is not
    assert csv_rows(result.files[PurePosixPath("fr/plan/plan.csv")])[1][5] == "AFPC, Agents négociateurs"
    assert run_checks(result) == []
    broken = NAMED_PARTNER.replace(', fr: "Agents négociateurs"', "")
    error = only_error(with_matrix, broken)
    assert error.line == line_of(broken, "Bargaining agents") and "has no French text" in error.message


# --- the CSV files ---------------------------------------------------------------------------------

def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_the_bom_and_has_the_header_row_of_its_language(with_matrix):
    result = with_matrix()
    english = result.files[PurePosixPath("en/plan/plan.csv")]
    french = result.files[PurePosixPath("fr/plan/plan.csv")]
    assert english.startswith(b"\xef\xbb\xbf") and french.startswith(b"\xef\xbb\xbf")
    assert csv_rows(english)[0] == ["Target", "Goal", "Communities", "Activity", "Lead", "Possible partners",
                                    "2007–2008", "Long term", "Note"]
    assert csv_rows(french)[0] == ["Cible", "Objectif", "Collectivités", "Activité", "Responsable",
                                   "Partenaires possibles", "2007-2008", "À long terme", "Remarque"]
    assert b"\r\n" in english and english.count(b"\r\n") == 4  # header and three activities


def test_csv_rows_hold_the_same_data_in_the_pages_language(with_matrix):
    result = with_matrix()
    english = csv_rows(result.files[PurePosixPath("en/plan/plan.csv")])
    french = csv_rows(result.files[PurePosixPath("fr/plan/plan.csv")])
    assert english[1] == ["Staffing", "Hire people in a fair way.", "IM and IT", "Write a plan with the CPSA.", "ORO",
                          "CPSA, CSPS", "Planned", "Planned", "The plan may change."]
    assert english[2][4:9] == ["ORO and Communities", "", "", "", ""]  # the editor's note is not published
    assert french[1] == ["Dotation", "Embaucher des gens de façon équitable.", "GI et TI",
                         "Rédiger un plan avec l'AFPC.", "BGC", "AFPC, EFPC", "Prévu", "Prévu",
                         "Le plan peut changer."]


def test_csv_is_deterministic_and_never_a_formula(tmp_path):
    folder = tmp_path / "data" / "matrices"
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text(MATRIX.replace('en: "Send people to courses."', 'en: "=HYPERLINK(1)"'),
                                      encoding="utf-8")
    matrix = MatrixLibrary.load(tmp_path / "data").matrices["plan"]
    t = lambda key, **values: key  # noqa: E731
    first, second = csv_bytes(matrix, "en", t), csv_bytes(matrix, "en", t)
    assert first == second and "'=HYPERLINK(1)" in first.decode("utf-8-sig")


def test_the_sample_matrix_loads(tmp_path):
    matrix = read_matrix(ROOT / "data/matrices/im-it-hr-annex-1.yaml")
    assert len(matrix.targets) == 8 and [p.id for p in matrix.periods] == ["2007-2008", "2008-2009", "2009-2010",
                                                                           "long-term"]
    assert all(a.text.en and a.text.fr for _, _, a in matrix.activities())


# --- the data checks -------------------------------------------------------------------------------

def run_checks(result):
    """Both parts of the matrix checks: the data files' rules and the pages' placements."""
    settings = Settings(result.site, RULES)
    found = [*matrix_checks.run_site(result.site, result.files, settings),
             *matrix_checks.run(result.site, result.files, settings)]
    return kept(found)


def test_data_checks_pass_on_a_good_matrix(with_matrix):
    assert run_checks(with_matrix()) == []


def test_parity_finds_a_number_only_one_language_has(with_matrix):
    broken = MATRIX.replace('en: "Help people learn."', 'en: "Help 2 people learn in 2008."').replace(
        'fr: "Aider les gens à apprendre."', 'fr: "Aider les gens à apprendre en 2008."')
    [finding] = run_checks(with_matrix(broken))
    assert (finding.check, finding.severity, finding.line) == ("matrices.parity", "error",
                                                               line_of(broken, "Help 2 people"))
    assert finding.file.endswith(str(DATA)) and "“2”" in finding.message
    assert finding.related_line == line_of(broken, 'fr: "Aider les gens')
    # the year is in both languages: only the 2 is reported
    fixed = broken.replace('fr: "Aider les gens à apprendre en 2008."',
                           'fr: "Aider 2 personnes à apprendre en 2008."')
    assert run_checks(with_matrix(fixed)) == []


def test_parity_finds_a_french_page_placing_other_matrices(with_matrix):
    pages = {**PAGES, "fr/plan.md": page("Plan", "Notre plan.\n")}
    [finding] = run_checks(with_matrix(pages=pages))
    assert finding.check == "matrices.parity" and finding.file.endswith("fr/plan.md")
    assert finding.related_file.endswith("en/plan.md") and finding.related_line == 7


def test_readability_flags_a_long_sentence_at_its_field_line(with_matrix):
    long = "Send people to courses on the work they do now and the work they will do next year so that they can " \
           "learn new skills for their jobs."
    broken = MATRIX.replace('en: "Send people to courses."', f'en: "{long}"')
    [finding] = run_checks(with_matrix(broken))
    assert (finding.check, finding.severity) == ("matrices.readability", "error")
    assert finding.file.endswith(str(DATA)) and finding.line == line_of(broken, long[:30])
    assert "English sentence has 28 words (at most 25)" in finding.message


def test_readability_warns_from_twenty_words_as_on_pages(with_matrix):
    short = "Send people to courses on the work they do now and the work they will do next year."
    twenty_one = "Send people to courses on the work they do now and the work they will do next year to learn skills."
    assert run_checks(with_matrix(MATRIX.replace('en: "Send people to courses."', f'en: "{short}"'))) == []
    broken = MATRIX.replace('en: "Send people to courses."', f'en: "{twenty_one}"')
    [finding] = run_checks(with_matrix(broken))
    assert (finding.check, finding.severity, finding.line) == ("matrices.readability", "warning",
                                                               line_of(broken, twenty_one[:30]))
    assert "English sentence has 21 words; the Canada.ca style guide asks for fewer than 20" in finding.message


def test_readability_scores_each_language_against_the_site_targets(with_matrix):
    hard = ("Institutionalize comprehensive organizational accountability mechanisms. Operationalize "
            "interdepartmental collaborative governance methodologies. Systematically rationalize "
            "administrative classification infrastructure. Facilitate transformational professional "
            "development opportunities. Prioritize multigenerational succession considerations.")
    broken = MATRIX.replace('en: "Help people learn."', f'en: "{hard}"')
    findings = [f for f in run_checks(with_matrix(broken)) if f.check == "matrices.readability"]
    [grade] = [f for f in findings if "grade" in f.message]
    assert grade.severity == "error" and grade.line == line_of(broken, "Institutionalize")
    assert "above the target of 8" in grade.message


def test_glossary_warns_about_unknown_acronyms_and_english_ones_in_french(with_matrix):
    broken = MATRIX.replace('en: "Name people to the team."', 'en: "Name people to the HRMS team."').replace(
        'fr: "Rédiger un plan avec l\'AFPC."', 'fr: "Rédiger un plan avec la CPSA."')
    findings = sorted(run_checks(with_matrix(broken)), key=lambda f: f.line)
    assert [(f.check, f.severity) for f in findings] == [("matrices.glossary", "warning")] * 2
    assert findings[0].line == line_of(broken, "avec la CPSA")
    assert "write the French one, “AFPC”" in findings[0].message
    assert findings[1].line == line_of(broken, "HRMS") and "“HRMS”" in findings[1].message
    assert all(f.file.endswith(str(DATA)) for f in findings)


def test_checks_can_be_turned_off_in_the_site_configuration(with_matrix, build, tmp_path):
    broken = MATRIX.replace('en: "Name people to the team."', 'en: "Name people to the HRMS team."')
    result = with_matrix(broken)
    result.site.config.checks = {"matrices.glossary": {"severity": "off"}}
    assert run_checks(result) == []


def test_sample_data_passes_every_matrix_check():
    from clair.project import Project
    from clair.pipeline import build_site

    result = build_site(Project(ROOT / "content", ROOT / "site.yaml"), run_checks=False)
    assert "im-it-hr-annex-1" in result.site.matrices
    assert run_checks(result) == []
    assert Path(result.site.matrices["im-it-hr-annex-1"].file) == ROOT / "data/matrices/im-it-hr-annex-1.yaml"


def test_the_writers_guide_example_is_a_valid_matrix(tmp_path):
    guide = (ROOT / "docs/authoring.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Action-plan matrices"):]
    example = section[section.index("```yaml\n") + 8:section.index("```\n", section.index("```yaml\n") + 8)]
    path = tmp_path / "im-it-hr-annex-1.yaml"
    path.write_text(example, encoding="utf-8")
    matrix = read_matrix(path)
    assert matrix.targets[0].goals[0].activities[0].note.fr == "L'année est notre meilleure lecture."


def test_a_matrix_placed_twice_on_a_page_is_an_error_at_the_second(with_matrix):
    pages = {"en/plan.md": page("Plan", "::: matrix plan\n:::\n\n::: matrix plan\n:::\n")}
    with pytest.raises(ContentErrors) as caught:
        with_matrix(pages=pages)
    [error] = caught.value.errors
    assert error.line == 8 and "placed twice on this page (also on line 5)" in error.message


def test_rendering_a_page_again_gives_the_same_table_and_csv(with_matrix):
    from clair.render import Renderer

    result = with_matrix()
    plan = next(p for p in result.site.pages if p.lang == "fr" and str(p.rel) == "plan.md")
    renderer = Renderer(result.site)
    before = (renderer.render_tokens(plan.tokens, plan), dict(renderer.extra_files))
    assert renderer.render_tokens(plan.tokens, plan) == before[0] and renderer.extra_files == before[1]
