"""Check stage: every rule's options declared once, with their types, and validated where they are written.

A check module declares its rules:

    RULES = (rule("readability.grade", "error", max=number(8), min_words=whole(30)),)

`Settings` merges, for each rule, the declared defaults, the configuration's `checks:` block, the targets
of the page's publication (`targets:` in its `_index.md`, in either language or both: see `Target`) and a
page's relaxation (its own `checks:` block, which needs a `reason:`). Every value is checked against
its declaration when the site is loaded, so a mistake such as `max: eight` is reported with its file
and line before anything is rendered, never as a failure halfway through a check.

A page's block can relax a rule but never name a file for a check to read: a page comes from a
writer's pull request, and a file it named (`../secret.yaml`) would be read and its values printed in
findings. Options that name files (`file_names`) are refused in pages, and in the configuration every
file they name must be a regular file inside the project folder (the folder of the configuration
file), links followed.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from clair.config import did_you_mean
from clair.files import special_kind
from clair.load import UNKNOWN_KEY, describe
from clair.model import ContentError, ContentErrors, Finding, Page, Site

SEVERITIES = ("error", "warning", "off")


@dataclass(frozen=True)
class Option:
    """One option of a rule: its default, and a test that says in plain words what else it accepts."""

    default: Any
    accepts: Callable[[Any], bool]
    expected: str  # what the value must be, as a writer reads it: "a number", "a list of texts"
    names_files: bool = False  # the value names files for the check to read: site configuration only


def choice(default: str, choices: tuple[str, ...] = SEVERITIES) -> Option:
    return Option(default, lambda value: value in choices, f"one of {', '.join(choices)}")


def number(default: float) -> Option:
    return Option(default, lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)
                  and value >= 0, "a number, such as 8 or 0.5")


def whole(default: int) -> Option:
    return Option(default, lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= 0,
                  "a whole number, such as 30")


def texts(default: list[str]) -> Option:
    return Option(default, lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
                  "a list of texts, such as [one, two]")


def file_names(default: list[str]) -> Option:
    """Files for the check to read, relative to the project folder; only the configuration may name them."""
    return Option(default, lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
                  "a list of file names, such as [words.yaml]", names_files=True)


def text_pairs(default: list[list[str]]) -> Option:
    return Option(default, lambda value: isinstance(value, list) and all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(item, str) for item in pair) for pair in value),
        "a list of [English address, French address] pairs")


@dataclass(frozen=True)
class Target:
    """A publication target: a plain name (`grade`) that a publication's `_index.md` sets under `targets:` for
    one option of a rule (`max`), for every page of the publication. `derived` is another option it sets too,
    with the formula that gives its value, unless the block sets that option itself."""

    name: str
    option: str
    derived: tuple[str, Callable[[Any], Any]] | None = None


@dataclass(frozen=True)
class Rule:
    """A rule id (`family.rule`), its options (`severity` first) and the publication targets that set them."""

    id: str
    options: dict[str, Option]
    targets: tuple[Target, ...] = ()

    def defaults(self) -> dict[str, Any]:
        return {name: option.default for name, option in self.options.items()}


def rule(rule_id: str, severity: str, targets: Iterable[Target] = (), **options: Option) -> Rule:
    return Rule(rule_id, {"severity": choice(severity), **options}, tuple(targets))


class Settings:
    """Options for every rule: defaults, then the site configuration, then a page's relaxation.

    Building it validates every `checks:` block of the configuration and of the pages, and raises
    ContentErrors naming each mistake's file and line (a load error: exit code 2)."""

    def __init__(self, site: Site, rules: Iterable[Rule]):
        self.rules = {declared.id: declared for declared in rules}
        self.targets = {target.name: (declared, target) for declared in self.rules.values()
                        for target in declared.targets}
        self.config_file = site.config.file
        self.site_options = {rule_id: declared.defaults() for rule_id, declared in self.rules.items()}
        self.relaxations: list[dict] = []
        self.findings: list[Finding] = []  # relaxations without a reason
        errors: list[ContentError] = []
        config = site.config
        for rule_id, options in (config.checks or {}).items():
            found = self.validate(rule_id, options, config.file, config.lines, ("checks", rule_id))
            errors.extend(found or self.named_files(site, rule_id, options))
            if rule_id in self.rules and isinstance(options, dict):
                self.site_options[rule_id].update(options)
        for page in site.pages:
            errors.extend(self.collect_relaxations(page))
            errors.extend(self.validate_targets(page))
        if errors:
            raise ContentErrors(errors)
        self.say_once(site)

    def say_once(self, site: Site) -> None:
        """A target written outside `targets:` is explained here: loading's "unknown setting" warning about the
        same line would say the same thing less well (loading does not know the checks' targets)."""
        explained = {(finding.file, finding.line) for finding in self.findings if finding.check == "checks.targets"}
        site.findings[:] = [finding for finding in site.findings
                            if not (finding.check == UNKNOWN_KEY and (finding.file, finding.line) in explained)]

    def validate(self, rule_id: str, options: Any, file: str, lines: dict, path: tuple,
                 config_file: str | None = None) -> list[ContentError]:
        """Every mistake in one rule's settings, each at its own line; with `config_file`, the settings are a
        page's, where an option that names files is a mistake too (it belongs in `config_file`)."""
        def line(*keys) -> int | None:
            return next((lines[key] for key in [(*path, *keys), path, path[0]] if key in lines), None)

        if rule_id not in self.rules:
            return [ContentError(file, line(), f"unknown check `{rule_id}`.{did_you_mean(rule_id, self.rules)}")]
        if not isinstance(options, dict):
            return [ContentError(file, line(), f"the settings of check `{rule_id}` must be `key: value` lines")]
        declared = self.rules[rule_id].options
        errors = []
        for key, value in options.items():
            if key == "reason":
                continue
            if key not in declared:
                errors.append(ContentError(file, line(key), f"check `{rule_id}` has no option `{key}`; it has: "
                                                            f"{', '.join(declared)}"))
            elif declared[key].names_files and config_file:
                errors.append(ContentError(file, line(key), f"`{key}` can only be set in {config_file}, not in a "
                                                            "page: a page may relax a check, but not name files "
                                                            f"for it to read; delete the line `{key}:` here"))
            elif not declared[key].accepts(value):
                name = "`severity`" if key == "severity" else f"`{rule_id}` option `{key}`"
                errors.append(ContentError(file, line(key), f"{name} must be {declared[key].expected}"
                                                            f", not {describe(value)}"))
        return errors

    def named_files(self, site: Site, rule_id: str, options: dict) -> list[ContentError]:
        """Every file the configuration names for a rule must be a regular file inside the project folder."""
        config, root = site.config, site.project.root
        errors = []
        for key, names in options.items():
            if key == "reason" or not self.rules[rule_id].options[key].names_files:
                continue
            for name in names:
                problem = file_problem(root, name, key)
                if problem:
                    errors.append(ContentError(config.file, config.lines.get(("checks", rule_id, key)), problem))
        return errors

    def collect_relaxations(self, page: Page) -> list[ContentError]:
        """A page may relax a rule only with a written reason; without one, that is a finding."""
        line = page.meta_lines.get("checks", 1)
        errors = []
        for rule_id, options in (page.meta.get("checks") or {}).items():
            found = self.validate(rule_id, options, str(page.source), page.meta_lines, ("checks", rule_id),
                                  config_file=self.config_file)
            if found:
                errors.extend(found)
                continue
            reason = str(options.get("reason") or "").strip()
            if not reason:
                self.findings.append(Finding(str(page.source), line, "checks.relaxation", "error",
                                             f"the relaxation of `{rule_id}` needs a `reason:` that says why "
                                             "this page may not follow the rule"))
            self.relaxations.append({"file": str(page.source), "line": line, "rule": rule_id,
                                     "options": {k: v for k, v in options.items() if k != "reason"},
                                     "reason": reason})
        return errors

    def validate_targets(self, page: Page) -> list[ContentError]:
        """A publication's `targets:` (load.py keeps them on publication pages only): known names, values of their
        option's kind, and the same value in both languages (reported once, on the French page). A target written
        outside `targets:` is not applied: an error finding, since the writer expects it to be."""
        written, file = page.meta.get("targets") or {}, str(page.source)
        other = (page.counterpart.meta.get("targets") or {}) if page.counterpart is not None else {}
        self.findings.extend(Finding(file, page.meta_lines.get(name, 1), "checks.targets", "error",
                                     f"`{name}` is a target of the whole publication: write it under `targets:`, as "
                                     f"`targets: {{{name}: {page.meta[name]}}}`; until then it is not applied")
                             for name in self.targets if name in page.meta and page.is_publication)
        errors = []
        for name, value in written.items():
            line = page.meta_lines.get(("targets", name), page.meta_lines.get("targets"))
            if name not in self.targets:
                errors.append(ContentError(file, line, f"unknown target `{name}`; the targets are "
                                                       f"{', '.join(self.targets)}.{did_you_mean(name, self.targets)}"))
                continue
            declared, target = self.targets[name]
            option = declared.options[target.option]
            if not option.accepts(value):
                errors.append(ContentError(file, line, f"target `{name}` must be {option.expected}, "
                                                       f"not {describe(value)}"))
            elif page.lang == "fr" and name in other and other[name] != value:
                errors.append(ContentError(file, line, f"target `{name}` is {describe(value)} here but "
                                                       f"{describe(other[name])} in {page.counterpart.source}; a "
                                                       "publication has one set of targets: write the same value "
                                                       "in both languages, or write it in one of them only"))
        return errors

    def publication_options(self, publication: Page | None, rule_id: str) -> dict[str, Any]:
        """The options of a rule that a publication's targets set (both languages' `targets:` together)."""
        if publication is None:
            return {}
        counterpart = publication.counterpart
        written = {**((counterpart.meta.get("targets") or {}) if counterpart is not None else {}),
                   **(publication.meta.get("targets") or {})}
        aimed = [(self.targets[name][1], value) for name, value in written.items()
                 if name in self.targets and self.targets[name][0].id == rule_id]
        found = {target.option: value for target, value in aimed}
        for target, value in aimed:
            if target.derived and target.derived[0] not in found:
                option, formula = target.derived
                found[option] = formula(value)
        return found

    def targets_in_force(self, publication: Page) -> dict[str, Any]:
        """Every target's value for the pages of a publication, set by it or by the site: for the reviewer's report."""
        found = {}
        for name, (declared, target) in self.targets.items():
            found[name] = {**self.site_options[declared.id],
                           **self.publication_options(publication, declared.id)}[target.option]
        return found

    def options(self, page: Page | None, rule_id: str) -> dict[str, Any]:
        """The options in force for the rule on `page` (site-wide when page is None): the site's, then its
        publication's targets, then the page's own relaxation."""
        merged = dict(self.site_options[rule_id])
        if page is not None:
            merged.update(self.publication_options(page.publication(), rule_id))
            relaxed = (page.meta.get("checks") or {}).get(rule_id)
            if relaxed:
                merged.update({k: v for k, v in relaxed.items() if k != "reason"})
        return merged

    def severity(self, page: Page | None, rule_id: str) -> str:
        return self.options(page, rule_id)["severity"]

    def finding(self, where: Page | str, rule_id: str, line: int, message: str, severity: str | None = None,
                **extra) -> Finding:
        """A finding about a page (at that page's severity) or about another file (a data file, a built
        file: at the site's severity). `severity` overrides the rule's (an option may say how serious
        one case is), unless the rule is off there. A finding whose severity is `off` is dropped by the runner
        (checks/__init__.py)."""
        page = where if isinstance(where, Page) else None
        file = str(page.source) if page is not None else str(where)
        own = self.severity(page, rule_id)  # a rule turned off stays off, whatever severity the case asks for
        return Finding(file, line, rule_id, "off" if own == "off" else severity or own, message, **extra)

    def all_off(self, rules: Iterable[Rule], pages: Iterable[Page]) -> bool:
        """Every one of these rules is off, site-wide and on each of these pages: the runner skips its check."""
        pages = list(pages)
        return all(self.severity(None, declared.id) == "off"
                   and all(self.severity(page, declared.id) == "off" for page in pages) for declared in rules)


def file_problem(root: Path, name: str, key: str) -> str | None:
    """What is wrong with a file an option names, relative to the project folder `root`; None if nothing."""
    if "\0" in name:
        return f"`{key}` names a file with an invisible control character in its name; type the name again"
    folder = root.resolve()
    path = (root / name).resolve()
    if path != folder and folder not in path.parents:
        return (f"`{key}` names `{name}`, which is outside the project folder (the folder holding the configuration "
                "file); clair reads only files inside it: copy the file there and name it from there")
    if not path.exists():
        return (f"`{key}` names `{name}`, but `{name}` does not exist; check the name, which is read from the "
                "folder holding the configuration file")
    kind = special_kind(path.stat().st_mode)
    return f"`{key}` names `{name}`, which is {kind}, not a regular file; name a file" if kind else None
