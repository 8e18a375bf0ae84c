"""Load and render stages: action-plan matrices, bilingual YAML data shown on pages as accessible tables and CSV files.

A matrix lives in `data/matrices/NAME.yaml`, where `data/` sits beside the site configuration file.
A page places it with a block `::: matrix NAME` followed by a line `:::`. Every matrix file is read
once per build (so errors are found even in matrices no page uses), by the safe YAML reader of
clair/yamlfile.py with the limits of a data file, which keeps the line of every value: a schema error
names the data file and the line to change.

The schema (see docs/authoring.md, "Action-plan matrices"):

    id: NAME                                   # the file name without .yaml
    caption: {en: ..., fr: ...}
    periods:                                   # the year columns, in order
      - {id: 2007-2008, en: 2007–2008, fr: 2007-2008}
      - {id: long-term, en: Long term, fr: À long terme,
         planned: {en: Planned for the long term, fr: Prévu à long terme}}   # optional
    glossary:                                  # every acronym used as a lead, partner or community
      ORO: {en: Organizational Readiness Office, fr: Bureau de gestion du changement, fr_abbr: BGC}
    targets:
      - id: demographics
        name: {en: ..., fr: ...}
        goals:
          - id: demographics-1
            community: [IM, IT]                # glossary acronyms
            text: {en: ..., fr: ...}
            activities:
              - id: demographics-1-a
                lead: [ORO]                    # glossary acronyms or the word Communities
                text: {en: ..., fr: ...}
                partners: [CPSA]               # glossary acronyms, or a name in both languages:
                                               #   {en: Bargaining agents, fr: Agents négociateurs}
                periods: [2007-2008]           # period ids
                uncertain: [2007-2008]         # optional: marks of `periods` that are a best reading
                note: {en: ..., fr: ...}       # shown to readers; a plain string is an editor's note

A `note` written as plain text (not as `{en, fr}`) is a note for the people who maintain the data
(how the source was read, what is in doubt): it stays in the data file and is never published.
`uncertain` lists the year marks that are a best reading of an unclear source, so readers are told so:
in the table (a visible asterisk explained by a legend, and words for screen readers) and in the CSV.
A partner that has no acronym (a group, not an organization) is written as a name in both languages.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from .config import did_you_mean
from .i18n import DEFAULT_FRENCH_SPACING, french_typography
from .model import LANGUAGES, ContentError, ContentErrors
from .yamlfile import DATA, NULL_TAG, compose, read_text_file

MATRICES_DIR = PurePosixPath("matrices")  # under the data folder
COMMUNITIES = "Communities"  # the lead that is not an acronym: the IM and IT communities in departments
ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
ACRONYM = re.compile(r"[A-Z][A-Za-z0-9]{0,11}")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet programs run cells starting with these
LANGUAGE_WORDS = {"en": "English", "fr": "French"}

Translate = Callable[..., str]


# --- the model -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """One field in both languages, with the file line of each language's text."""

    en: str
    fr: str
    line: int  # the field's own line (its key)
    lines: tuple[int, int]  # lines of the en and fr texts

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr

    def line_of(self, lang: str) -> int:
        return self.lines[LANGUAGES.index(lang)]


@dataclass(frozen=True)
class Period:
    id: str
    label: Text
    planned: Text | None  # "Planned for the long term": overrides the catalogue's "Planned for {period}"
    line: int


@dataclass(frozen=True)
class Term:
    """A glossary entry: the English acronym (its key), its French one and both expansions."""

    abbr: str
    expansion: Text
    fr_abbr: str | None
    line: int

    def abbr_in(self, lang: str) -> str:
        return self.fr_abbr if lang == "fr" and self.fr_abbr else self.abbr


@dataclass(frozen=True)
class Activity:
    id: str
    lead: tuple[str, ...]
    text: Text
    partners: tuple[str | Text, ...]  # glossary acronyms, or names without one written in both languages
    periods: tuple[str, ...]
    note: Text | None  # shown to readers
    editor_note: str | None  # kept in the data file only
    line: int
    uncertain: tuple[str, ...] = ()  # the marks of `periods` that are a best reading of the source


@dataclass(frozen=True)
class Goal:
    id: str
    community: tuple[str, ...]
    text: Text
    activities: tuple[Activity, ...]
    line: int


@dataclass(frozen=True)
class Target:
    id: str
    name: Text
    goals: tuple[Goal, ...]
    line: int


@dataclass(frozen=True)
class Matrix:
    id: str
    file: str  # as shown in messages, e.g. data/matrices/im-it-hr-annex-1.yaml
    caption: Text
    periods: tuple[Period, ...]
    glossary: dict[str, Term]
    targets: tuple[Target, ...]

    def activities(self) -> Iterator[tuple[Target, Goal, Activity]]:
        for target in self.targets:
            for goal in target.goals:
                for activity in goal.activities:
                    yield target, goal, activity

    def text_fields(self) -> Iterator[tuple[str, Text]]:
        """Every field written in both languages, named the way a writer finds it, in file order."""
        yield "caption", self.caption
        for period in self.periods:
            yield f"period `{period.id}`", period.label
            if period.planned:
                yield f"period `{period.id}` planned", period.planned
        for term in self.glossary.values():
            yield f"glossary `{term.abbr}`", term.expansion
        for target in self.targets:
            yield f"target `{target.id}` name", target.name
            for goal in target.goals:
                yield f"goal `{goal.id}` text", goal.text
                for activity in goal.activities:
                    yield f"activity `{activity.id}` text", activity.text
                    for partner in activity.partners:
                        if isinstance(partner, Text):
                            yield f"a partner of activity `{activity.id}`", partner
                    if activity.note:
                        yield f"activity `{activity.id}` note", activity.note

    def prose_fields(self) -> Iterator[tuple[str, Text]]:
        """The sentences readers read: goal and activity texts and notes (not names, labels or captions)."""
        for name, text in self.text_fields():
            if name.startswith(("goal ", "activity ")):
                yield name, text


# --- reading the YAML with lines --------------------------------------------------------------------

def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _named(kind: str, node: yaml.Node) -> str:
    """"activity `demographics-1-a`" when the group has a readable id, else "this activity"."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "id" and isinstance(value, yaml.ScalarNode) \
                    and value.value.strip():
                return f"{kind} `{value.value.strip()}`"
    return f"this {kind}"


KEYS = {  # what each kind of mapping holds: (required, optional)
    "matrix": (("id", "caption", "periods", "glossary", "targets"), ()),
    "period": (("id", "en", "fr"), ("planned",)),
    "glossary entry": (("en", "fr"), ("fr_abbr",)),
    "target": (("id", "name", "goals"), ()),
    "goal": (("id", "community", "text", "activities"), ()),
    "activity": (("id", "lead", "text", "partners", "periods"), ("uncertain", "note")),
    "text": (("en", "fr"), ()),
}


class _Schema:
    """Reads one matrix's node tree into the model, collecting every error with its line."""

    def __init__(self, file: str, name: str):
        self.file, self.name = file, name
        self.errors: list[ContentError] = []
        self.ids: dict[str, int] = {}
        self.period_ids: dict[str, int] = {}
        self.glossary: dict[str, Term] = {}
        self.broken_terms: set[str] = set()  # glossary entries with errors: their uses are not reported again
        self.places: list[tuple[str, str, yaml.Node]] = []  # (kind, acronym or period id, node): checked last
        self.key_lines: dict[int, int] = {}  # id(value node) -> line of its key: where a group's errors point

    def line(self, node: yaml.Node) -> int:
        """A value's line; for a group (`text:` then `en:` and `fr:` below it), the line of its key."""
        if isinstance(node, yaml.CollectionNode) and id(node) in self.key_lines:
            return self.key_lines[id(node)]
        return _line(node)

    def error(self, node: yaml.Node | int | None, message: str) -> None:
        line = node if isinstance(node, int) or node is None else self.line(node)
        self.errors.append(ContentError(self.file, line, message))

    def mapping(self, node: yaml.Node, kind: str, where: str) -> dict[str, yaml.Node] | None:
        """A mapping's values by key, after checking its keys: none unknown, none twice, none missing."""
        required, optional = KEYS[kind]
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{where} must be a group of `key: value` lines ({', '.join(required)}), "
                             "not a single value or a list")
            return None
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.error(key_node, f"{where} has a key that is not a single word; write `key: value`")
            elif key in values:
                first = self.key_lines[id(values[key])]
                self.error(key_node, f"`{key}` is set twice in {where} (also on line {first}); keep only one of them")
            elif key not in required + optional:
                self.error(key_node, f"{where} has an unknown key `{key}`.{did_you_mean(key, required + optional)}"
                                     f" A {kind} has: {', '.join(required + optional)}.")
            else:
                values[key] = value_node
                self.key_lines[id(value_node)] = _line(key_node)
        missing = [key for key in required if key not in values]
        if missing:
            keys = " and ".join(f"`{key}`" for key in missing)
            self.error(node, f"{where} has no {keys}; add {'it' if len(missing) == 1 else 'them'} "
                             f"(a {kind} has: {', '.join(required + optional)})")
            return None
        return values

    def scalar(self, node: yaml.Node, where: str) -> str | None:
        """A single value, kept as written (`2008` stays the text "2008")."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"{where} must be a single value, not a list or a group")
            return None
        if not node.value.strip() or (node.tag == NULL_TAG and node.style is None):
            self.error(node, f"{where} is empty; write its value")
            return None
        return node.value.strip()

    def identifier(self, node: yaml.Node, where: str, seen: dict[str, int]) -> str | None:
        value = self.scalar(node, where)
        if value is None:
            return None
        if not ID.fullmatch(value):
            self.error(node, f"{where} `{value}` may hold only lower-case letters a-z, digits and hyphens "
                             "(such as `demographics-1-a`)")
            return None
        if value in seen:
            self.error(node, f"the id `{value}` is used twice (also on line {seen[value]}); give each one its "
                             "own id")
            return None
        seen[value] = _line(node)
        return value

    def text(self, node: yaml.Node, where: str, embedded: bool = False) -> Text | None:
        """A field written in both languages: `{en: ..., fr: ...}`. `embedded`: the `en` and `fr` keys sit in
        a mapping that holds other keys too (a period, a glossary entry), already checked by `mapping`."""
        if isinstance(node, yaml.ScalarNode) and not (node.tag == NULL_TAG and node.style is None):
            self.error(node, f"{where} must be written in both languages, as `{{en: \"...\", fr: \"...\"}}` "
                             "or as two lines `en: ...` and `fr: ...` under it")
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{where} has no text; write it in both languages as `{{en: \"...\", fr: \"...\"}}`")
            return None
        values = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        missing = [lang for lang in LANGUAGES if lang not in values]
        if missing:
            self.error(node, f"{where} has no {' or '.join(LANGUAGE_WORDS[m] for m in missing)} text; add "
                             + " and ".join(f"`{m}: ...`" for m in missing))
            return None
        if not embedded and self.mapping(node, "text", where) is None:
            return None
        texts = {}
        for lang in LANGUAGES:
            value_node = values[lang]
            if not isinstance(value_node, yaml.ScalarNode):
                self.error(value_node, f"the {LANGUAGE_WORDS[lang]} text (`{lang}`) of {where} must be one piece "
                                       "of text, not a list or a group; put it in quotation marks")
                return None
            value = value_node.value.strip()
            if not value or (value_node.tag == NULL_TAG and value_node.style is None):
                self.error(value_node, f"the {LANGUAGE_WORDS[lang]} text (`{lang}`) of {where} is empty; write it")
                return None
            texts[lang] = " ".join(value.split())
        return Text(texts["en"], texts["fr"], self.line(node), (_line(values["en"]), _line(values["fr"])))

    def sequence(self, node: yaml.Node, where: str, allow_empty: bool = True) -> list[yaml.Node] | None:
        """A list; a single value counts as a list of one."""
        if isinstance(node, yaml.ScalarNode) and node.tag != NULL_TAG and node.value.strip():
            return [node]
        if isinstance(node, yaml.ScalarNode):  # empty
            items: list[yaml.Node] = []
        elif isinstance(node, yaml.SequenceNode):
            items = list(node.value)
        else:
            self.error(node, f"{where} must be a list, such as `[a, b]` or lines starting with `- `")
            return None
        if not items and not allow_empty:
            self.error(node, f"{where} is empty; add at least one")
            return None
        return items

    def refer(self, kind: str, node: yaml.Node, where: str) -> str | None:
        """A lead, partner, community or period: checked against the glossary and periods at the end."""
        value = self.scalar(node, where)
        if value is not None:
            self.places.append((kind, value, node))
        return value

    # the parts of a matrix, top down

    def matrix(self, root: yaml.Node | None) -> Matrix | None:
        if root is None:
            self.error(1, "the data file is empty; write the matrix (see docs/authoring.md, 'Action-plan matrices')")
            return None
        values = self.mapping(root, "matrix", "the matrix")
        if values is None:
            return None
        matrix_id = self.scalar(values["id"], "`id`")
        if matrix_id is not None and matrix_id != self.name:
            self.error(values["id"], f"the matrix's `id` is `{matrix_id}` but its file is named `{self.name}.yaml`; "
                                     "make them the same (pages place a matrix by this name)")
        caption = self.text(values["caption"], "`caption`")
        periods = self.periods(values["periods"])
        self.read_glossary(values["glossary"])
        targets = [t for t in (self.target(node) for node in self.sequence(values["targets"], "`targets`", False) or ())
                   if t is not None]
        self.check_places()
        if self.errors:
            return None
        return Matrix(matrix_id, self.file, caption, tuple(periods), dict(self.glossary), tuple(targets))

    def periods(self, node: yaml.Node) -> list[Period]:
        found = []
        for item in self.sequence(node, "`periods`", False) or ():
            values = self.mapping(item, "period", _named("period", item))
            if values is None:
                continue
            period_id = self.identifier(values["id"], "the period id", self.period_ids)
            label = self.text(item, f"period `{period_id}`", embedded=True) if period_id else None
            planned = (self.text(values["planned"], f"`planned` of period `{period_id}`")
                       if "planned" in values else None)
            if period_id and label:
                found.append(Period(period_id, label, planned, _line(item)))
        return found

    def read_glossary(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "`glossary` must be a group of lines `ACRONYM: {en: ..., fr: ...}`")
            return
        for key_node, value_node in node.value:
            abbr = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            if not ACRONYM.fullmatch(abbr):
                self.error(key_node, f"the glossary key `{abbr}` must be an acronym (letters and digits, starting "
                                     "with a capital, such as `CPSA`)")
                continue
            if abbr in self.glossary:
                self.error(key_node, f"`{abbr}` is in the glossary twice (also on line {self.glossary[abbr].line}); "
                                     "keep only one")
                continue
            values = self.mapping(value_node, "glossary entry", f"the glossary entry `{abbr}`")
            if values is None:
                self.broken_terms.add(abbr)
                continue
            fr_abbr = self.scalar(values["fr_abbr"], f"`fr_abbr` of `{abbr}`") if "fr_abbr" in values else None
            if fr_abbr is not None and not ACRONYM.fullmatch(fr_abbr):
                self.error(values["fr_abbr"], f"`fr_abbr` of `{abbr}` must be an acronym, such as `AFPC`")
            expansion = self.text(value_node, f"the glossary entry `{abbr}`", embedded=True)
            if expansion:
                self.glossary[abbr] = Term(abbr, expansion, fr_abbr, _line(key_node))
            else:
                self.broken_terms.add(abbr)

    def target(self, node: yaml.Node) -> Target | None:
        values = self.mapping(node, "target", _named("target", node))
        if values is None:
            return None
        target_id = self.identifier(values["id"], "the target id", self.ids)
        where = f"target `{target_id}`"
        name = self.text(values["name"], f"the `name` of {where}")
        goals = [g for g in (self.goal(n) for n in self.sequence(values["goals"], f"the `goals` of {where}", False)
                             or ()) if g is not None]
        if target_id and name:
            return Target(target_id, name, tuple(goals), _line(node))
        return None

    def goal(self, node: yaml.Node) -> Goal | None:
        values = self.mapping(node, "goal", _named("goal", node))
        if values is None:
            return None
        goal_id = self.identifier(values["id"], "the goal id", self.ids)
        where = f"goal `{goal_id}`"
        community = [self.refer("community", n, f"a community of {where}")
                     for n in self.sequence(values["community"], f"the `community` of {where}", False) or ()]
        text = self.text(values["text"], f"the `text` of {where}")
        activities = [a for a in (self.activity(n) for n in self.sequence(
            values["activities"], f"the `activities` of {where}", False) or ()) if a is not None]
        if goal_id and text and None not in community:
            return Goal(goal_id, tuple(community), text, tuple(activities), _line(node))
        return None

    def activity(self, node: yaml.Node) -> Activity | None:
        values = self.mapping(node, "activity", _named("activity", node))
        if values is None:
            return None
        activity_id = self.identifier(values["id"], "the activity id", self.ids)
        where = f"activity `{activity_id}`"
        lead = [self.refer("lead", n, f"a lead of {where}")
                for n in self.sequence(values["lead"], f"the `lead` of {where}", False) or ()]
        text = self.text(values["text"], f"the `text` of {where}")
        partners = [self.partner(n, where) for n in self.sequence(values["partners"], f"the `partners` of {where}")
                    or ()]
        periods = [self.refer("period", n, f"a period of {where}")
                   for n in self.sequence(values["periods"], f"the `periods` of {where}") or ()]
        uncertain = self.uncertain(values.get("uncertain"), periods, where)
        note, editor_note = None, None
        if "note" in values:
            if isinstance(values["note"], yaml.MappingNode):
                note = self.text(values["note"], f"the `note` of {where}")
            else:
                editor_note = self.scalar(values["note"], f"the `note` of {where}")
        for kind, key, items in (("lead", "lead", lead), ("partner", "partners", partners),
                                 ("period", "periods", periods)):
            seen = [i for i in items if isinstance(i, str)]  # a partner's name (Text) is not compared
            for duplicate in sorted({i for i in seen if seen.count(i) > 1}):
                self.error(values[key],
                           f"the {kind} `{duplicate}` is listed twice in {where}; list it once")
        if activity_id and text and None not in lead + partners + periods and uncertain is not None:
            declared = [p for p in self.period_ids if p in periods]  # the table's order, not the list's
            return Activity(activity_id, tuple(lead), text, tuple(partners), tuple(declared), note, editor_note,
                            _line(node), tuple(p for p in declared if p in uncertain))
        return None

    def partner(self, node: yaml.Node, where: str) -> str | Text | None:
        """A glossary acronym, or a name with no acronym written in both languages (`{en: ..., fr: ...}`)."""
        if isinstance(node, yaml.MappingNode):
            return self.text(node, f"a partner of {where}")
        return self.refer("partner", node, f"a partner of {where}")

    def uncertain(self, node: yaml.Node | None, periods: list[str | None], where: str) -> list[str] | None:
        """The year marks that are a best reading: each one must be a mark of the activity's own `periods`."""
        if node is None:
            return []
        found = []
        for item in self.sequence(node, f"the `uncertain` of {where}") or ():
            value = self.scalar(item, f"an uncertain period of {where}")
            if value is not None and value not in periods:
                self.error(item, f"the period `{value}` is listed under `uncertain` but not under `periods` of "
                                 f"{where}; `uncertain` names year marks the activity has: add `{value}` to "
                                 "`periods` or remove it from `uncertain`")
                value = None
            found.append(value)
        return None if None in found else found

    def check_places(self) -> None:
        """Leads, partners and communities are glossary acronyms (a lead may be Communities); periods are declared."""
        for kind, value, node in self.places:
            if kind == "period":
                if value not in self.period_ids:
                    self.error(node, f"the period `{value}` is not declared under `periods:`; use one of: "
                                     f"{', '.join(self.period_ids)}.{did_you_mean(value, self.period_ids)}")
                continue
            if value in self.glossary or value in self.broken_terms or (kind == "lead" and value == COMMUNITIES):
                continue
            choices = [*self.glossary, *([COMMUNITIES] if kind == "lead" else [])]
            also = f" (or the word `{COMMUNITIES}`)" if kind == "lead" else ""
            self.error(node, f"the {kind} `{value}` is not in the glossary; add it under `glossary:` as "
                             f"`{value}: {{en: ..., fr: ..., fr_abbr: ...}}`{also}, or correct the spelling."
                             f"{did_you_mean(value, choices)}")


def read_matrix(path: Path, shown: str | None = None) -> Matrix:
    """Read and validate one matrix file; raises ContentError (or ContentErrors) naming file and line."""
    file = shown or str(path)
    text = read_text_file(path, "data file")
    schema = _Schema(file, path.stem)
    matrix = schema.matrix(compose(text, file, DATA))
    if schema.errors:
        raise schema.errors[0] if len(schema.errors) == 1 else ContentErrors(schema.errors)
    assert matrix is not None
    return matrix


@dataclass
class MatrixLibrary:
    """Every matrix of the site's data folder, read once per build, and the errors found reading them."""

    folder: Path  # data/matrices
    matrices: dict[str, Matrix] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # names of files with errors: pages placing them say nothing more

    @classmethod
    def load(cls, data_dir: Path) -> MatrixLibrary:
        library = cls(data_dir / MATRICES_DIR)
        if not library.folder.is_dir():
            return library
        for path in sorted(library.folder.iterdir()):
            if path.name.startswith(".") or path.is_dir():  # a named pipe is refused when read
                continue
            if path.suffix.lower() not in (".yaml", ".yml"):
                library.errors.append(ContentError(path, None, "only matrices (`.yaml` files) belong in "
                                                               f"{library.folder}; move this file elsewhere"))
                continue
            try:
                library.matrices[path.stem] = read_matrix(path)
            except ContentErrors as errs:
                library.errors.extend(errs.errors)
                library.unreadable.add(path.stem)
            except ContentError as err:
                library.errors.append(err)
                library.unreadable.add(path.stem)
        return library

    def placed(self, info: str, page, line: int) -> Matrix | None:
        """The matrix a `::: matrix NAME` line names; None when its file has errors (already reported)."""
        words = info.split()
        if len(words) != 2:
            raise ContentError(page.source, line, "a matrix block names one matrix: write `::: matrix NAME`, where "
                                                  f"NAME is a file of {self.folder} without `.yaml`")
        name = words[1]
        if name in self.unreadable:
            return None
        if name not in self.matrices:
            known = f"the matrices are: {', '.join(sorted(self.matrices))}" if self.matrices else "there are none"
            raise ContentError(page.source, line, f"there is no matrix named `{name}` ({self.folder / name}.yaml "
                                                  f"does not exist; {known}).{did_you_mean(name, self.matrices)}")
        return self.matrices[name]


# --- rendering --------------------------------------------------------------------------------------

def _typeset(text: str, lang: str, spacing: str) -> str:
    """French texts with the site's French spacing (`french_spacing` in site.yaml)."""
    return french_typography(text, spacing) if lang == "fr" else text


def _names(items: list[str], lang: str, t: Translate) -> str:
    """`IM`, `IM and IT`, `IM, IT and CS` in the page's language."""
    if len(items) <= 1:
        return "".join(items)
    return t("matrix_and", first=", ".join(items[:-1]), second=items[-1])


def community_label(matrix: Matrix, goal: Goal, lang: str, t: Translate) -> str:
    names = [matrix.glossary[c].abbr_in(lang) for c in goal.community]
    if len(names) == 1:
        return t("matrix_community_one", name=names[0])
    return t("matrix_community_many", first=", ".join(names[:-1]), second=names[-1])


def _acronyms(matrix: Matrix, keys: tuple[str | Text, ...], lang: str, t: Translate,
              spacing: str = DEFAULT_FRENCH_SPACING) -> list[dict]:
    """Leads or partners: an acronym with its expansion in the page's language, the word Communities, or a
    partner's name."""
    found = []
    for key in keys:
        if isinstance(key, Text):
            found.append({"text": _typeset(key.get(lang), lang, spacing), "title": None})
        elif key == COMMUNITIES and key not in matrix.glossary:
            found.append({"text": t("matrix_lead_communities"), "title": None})
        else:
            term = matrix.glossary[key]
            found.append({"text": term.abbr_in(lang), "title": _typeset(term.expansion.get(lang), lang, spacing)})
    return found


def planned_words(period: Period, lang: str, t: Translate, uncertain: bool = False,
                  spacing: str = DEFAULT_FRENCH_SPACING) -> str:
    """What a screen reader reads in a year cell: "Planned for 2007–2008", and that it is a best reading when
    it is (the visible asterisk is hidden from screen readers, so the words must say it)."""
    words = (_typeset(period.planned.get(lang), lang, spacing) if period.planned
             else t("matrix_planned_for", period=_typeset(period.label.get(lang), lang, spacing)))
    return t("matrix_uncertain_words", planned=words) if uncertain else words


def view(matrix: Matrix, lang: str, t: Translate, csv_url: str, spacing: str = DEFAULT_FRENCH_SPACING) -> dict:
    """Everything templates/blocks/matrix.html needs, with every id and `headers` list worked out (WCAG H43)."""
    prefix = f"matrix-{matrix.id}"
    columns = [{"id": f"{prefix}-col-activity", "label": t("matrix_col_activity"), "kind": "activity"},
               {"id": f"{prefix}-col-lead", "label": t("matrix_col_lead"), "kind": "lead"},
               {"id": f"{prefix}-col-partners", "label": t("matrix_col_partners"), "kind": "partners"}]
    columns += [{"id": f"{prefix}-col-{p.id}", "label": _typeset(p.label.get(lang), lang, spacing), "kind": "period"}
                for p in matrix.periods]
    targets = []
    for target in matrix.targets:
        target_id = f"{prefix}-t-{target.id}"
        goals = []
        for number, goal in enumerate(target.goals, 1):
            goal_id = f"{prefix}-g-{goal.id}"
            rows = []
            for activity in goal.activities:
                row_id = f"{prefix}-a-{activity.id}"
                around = f"{target_id} {goal_id} {row_id}"
                cells = [
                    {"headers": f"{columns[1]['id']} {around}", "label": columns[1]["label"], "kind": "lead",
                     "names": _acronyms(matrix, activity.lead, lang, t, spacing)},
                    {"headers": f"{columns[2]['id']} {around}", "label": columns[2]["label"], "kind": "partners",
                     "names": _acronyms(matrix, activity.partners, lang, t, spacing)},
                ]
                for period, column in zip(matrix.periods, columns[3:]):
                    planned, uncertain = period.id in activity.periods, period.id in activity.uncertain
                    cells.append({"headers": f"{column['id']} {around}", "label": column["label"], "kind": "period",
                                  "planned": planned, "uncertain": uncertain,
                                  "words": planned_words(period, lang, t, uncertain, spacing) if planned else ""})
                rows.append({"id": row_id, "headers": f"{columns[0]['id']} {target_id} {goal_id}",
                             "text": _typeset(activity.text.get(lang), lang, spacing),
                             "note": _typeset(activity.note.get(lang), lang, spacing) if activity.note else None,
                             "cells": cells})
            goals.append({"id": goal_id, "headers": target_id, "number": number,
                          "label": t("matrix_goal", number=number),
                          "text": _typeset(goal.text.get(lang), lang, spacing),
                          "community": community_label(matrix, goal, lang, t), "activities": rows})
        targets.append({"id": target_id, "name": _typeset(target.name.get(lang), lang, spacing), "goals": goals})
    uncertain = any(activity.uncertain for _, _, activity in matrix.activities())
    return {"id": prefix, "name": matrix.id, "caption": _typeset(matrix.caption.get(lang), lang, spacing),
            "columns": columns, "span": len(columns), "targets": targets, "csv_url": csv_url,
            "legend": t("matrix_uncertain_legend") if uncertain else None}


def csv_bytes(matrix: Matrix, lang: str, t: Translate, spacing: str = DEFAULT_FRENCH_SPACING) -> bytes:
    """The matrix as CSV in one language: UTF-8 with a byte-order mark (so spreadsheet programs read
    accents right), CRLF line endings, one row per activity."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t("matrix_col_target"), t("matrix_col_goal"), t("matrix_col_communities"),
                     t("matrix_col_activity"), t("matrix_col_lead"), t("matrix_col_partners"),
                     *(_typeset(p.label.get(lang), lang, spacing) for p in matrix.periods), t("matrix_col_note")])
    marks = {False: t("matrix_planned"), True: t("matrix_planned_uncertain")}
    for target, goal, activity in matrix.activities():
        row = [target.name.get(lang), goal.text.get(lang),
               _names([matrix.glossary[c].abbr_in(lang) for c in goal.community], lang, t),
               activity.text.get(lang),
               _names([n["text"] for n in _acronyms(matrix, activity.lead, lang, t, spacing)], lang, t),
               ", ".join(n["text"] for n in _acronyms(matrix, activity.partners, lang, t, spacing)),
               *(marks[p.id in activity.uncertain] if p.id in activity.periods else "" for p in matrix.periods),
               activity.note.get(lang) if activity.note else ""]
        writer.writerow([_cell(_typeset(value, lang, spacing)) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: str) -> str:
    """A cell a spreadsheet program will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_path(page_url: str, matrix: Matrix) -> PurePosixPath:
    """The CSV file next to the page: /en/plan/annex-1/ -> en/plan/annex-1/NAME.csv."""
    return PurePosixPath(page_url.strip("/")) / f"{matrix.id}.csv"
