"""Finding links in a submission and judging where they point.

Spam exists to place links (or phone numbers) in front of readers, so links are read
from every form they take in a comment: bare URLs, ``www.`` addresses, HTML anchors
and BBCode ``[url=...]`` tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Bounded quantifiers keep every pattern linear on hostile input.
_URL = re.compile(r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>\"'\]\[()]{1,2000}")
_HREF = re.compile(r"(?i)<a\s[^>]{0,500}?href\s*=\s*[\"']?([^\"'\s>]{1,2000})")
_BBCODE_LINK = re.compile(r"(?i)\[url(?:=([^\]]{0,2000}))?\]")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_COMMON_TLDS = "com|net|org|info|biz|ru|cn|xyz|top|club|online|site|io|co|tk|ml|ga|cf|gq|pw"
# A bare domain: under a common top-level domain (or a country's "co.uk"-style second
# level), or under any two-letter (country) one when a path follows ("trojmiasto.pl/…"),
# which file names and abbreviations never have. Under "in", "me" and "ly", words in
# their own right, a path is needed too: "at cherthala.in case" is a missing space. The
# part of an e-mail address after its "@" is not a link (e-mail addresses are a signal
# of their own), nor is a name cut short ("gmx.co" of "gmx.co.uk").
_BARE_DOMAIN = re.compile(
    rf"(?i)(?<![@\w.-])((?:{_LABEL}\.){{1,5}}"
    rf"(?:(?:co|com|net|org|ac|gov|edu)\.[a-z]{{2}}|{_COMMON_TLDS}|[a-z]{{2}}(?=/)))"
    r"(?![\w-]|\.\w)(?:/[^\s<>\"']{0,500})?"
)
# Every bare domain holds a dot followed by a letter of its top-level domain (read as
# _BARE_DOMAIN reads it, ignoring case: the Kelvin sign is a "k").
_DOT_LETTER = re.compile(r"(?i)\.[a-z]")
# An address written so that link filters miss it: a space before the dot
# ("marketglory . com") or the dot spelt out in brackets ("site(dot)com").
_OBFUSCATED_DOMAIN = re.compile(
    rf"(?i)\b((?:{_LABEL}\.){{0,4}}{_LABEL})(?:[ \t]+\.[ \t]*|[ \t]*[(\[{{][ \t]*dot[ \t]*[)\]}}][ \t]*)"
    rf"({_COMMON_TLDS}|uk|de|pl|fr|us|ca|au)\b(/[^\s<>\"']{{0,500}})?"
)

URL_SHORTENERS = frozenset(
    {
        "bit.ly",
        "goo.gl",
        "tinyurl.com",
        "t.co",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "adf.ly",
        "bitly.com",
        "cutt.ly",
        "shorturl.at",
        "rb.gy",
        "tiny.cc",
        "lnkd.in",
        "db.tt",
        "qr.ae",
        "bl.ink",
        "t.ly",
        "v.gd",
        "x.co",
        "shorte.st",
        "sh.st",
        "ouo.io",
        "linktr.ee",
        "rebrand.ly",
        "soo.gd",
        "s.id",
        "clck.ru",
        "u.to",
        "tr.im",
        "snip.ly",
        "po.st",
        "mcaf.ee",
        "su.pr",
        "j.mp",
        "bc.vc",
        "zpr.io",
        "cli.gs",
    }
)

# Top-level domains that carry far more spam than their share of the web
# (cheap or free registrations), per public abuse reports.
ODD_TLDS = frozenset(
    {
        "xyz",
        "top",
        "club",
        "online",
        "site",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "pw",
        "bid",
        "win",
        "loan",
        "date",
        "faith",
        "racing",
        "review",
        "stream",
        "download",
        "click",
        "link",
        "work",
        "party",
        "trade",
        "webcam",
        "science",
        "accountant",
        "cricket",
        "men",
        "icu",
        "buzz",
        "rest",
        "fit",
        "cam",
        "monster",
        "bar",
        "casa",
        "gdn",
        "kim",
        "country",
        "su",
        "ws",
        "cc",
        "ru",
        "cn",
        "biz",
        "info",
        "life",
        "live",
        "shop",
    }
)


# Sites whose pages readers cite as a matter of course: encyclopaedias, code hosts,
# documentation, standards bodies, science and the large news organisations. A link to one
# of them (or to any of their sub-domains) is no evidence of spam by itself, and does not
# hold a comment. Salon's own list, kept short on purpose: everything else is "an ordinary
# domain", which holds a comment until this site's moderators have approved it once.
WELL_KNOWN_DOMAINS = frozenset(
    """wikipedia.org wikimedia.org wiktionary.org wikidata.org wikisource.org archive.org
    github.com github.io gist.github.com githubusercontent.com gitlab.com bitbucket.org
    codeberg.org sourceforge.net pypi.org npmjs.com crates.io rubygems.org packagist.org
    stackoverflow.com stackexchange.com superuser.com serverfault.com askubuntu.com
    mathoverflow.net python.org djangoproject.com readthedocs.io readthedocs.org rtfd.io
    docs.rs rust-lang.org go.dev golang.org nodejs.org mozilla.org mozilla.net w3.org
    whatwg.org ietf.org rfc-editor.org iana.org unicode.org ecma-international.org
    kernel.org debian.org ubuntu.com fedoraproject.org archlinux.org gnu.org apache.org
    postgresql.org sqlite.org mysql.com mariadb.org redis.io nginx.org php.net
    wordpress.org developer.apple.com learn.microsoft.com docs.microsoft.com
    developer.android.com cloud.google.com developers.google.com web.dev cppreference.com
    isocpp.org java.com openjdk.org oracle.com
    arxiv.org doi.org jstor.org ncbi.nlm.nih.gov pubmed.ncbi.nlm.nih.gov nature.com
    science.org sciencedirect.com springer.com wiley.com plos.org biorxiv.org
    semanticscholar.org scholar.google.com acm.org ieee.org britannica.com
    youtube.com youtu.be vimeo.com flickr.com openstreetmap.org maps.google.com
    reuters.com apnews.com bbc.co.uk bbc.com nytimes.com washingtonpost.com
    theguardian.com ft.com economist.com wsj.com bloomberg.com npr.org pbs.org cnn.com
    aljazeera.com theatlantic.com newyorker.com arstechnica.com lwn.net wired.com
    theverge.com lemonde.fr liberation.fr lefigaro.fr spiegel.de zeit.de faz.net
    sueddeutsche.de elpais.com elmundo.es corriere.it repubblica.it publico.pt
    folha.uol.com.br nhk.or.jp asahi.com gazeta.pl wyborcza.pl""".split()
)

# Top-level domains that only institutions get (governments, universities, treaty
# organisations): what their sites say is cited, not sold.
INSTITUTIONAL_SUFFIXES = ("gov", "edu", "int", "mil", "europa.eu", "gouv.fr")
_INSTITUTIONAL_SECOND_LEVEL = frozenset({"gov", "edu", "ac", "gob", "gouv", "govt", "mil"})


def well_known(domain: str) -> bool:
    """Whether a domain is one readers cite as a matter of course (see
    :data:`WELL_KNOWN_DOMAINS`) or an institution's (``.gov``, ``.edu``, ``.int``,
    ``ac.uk``, …)."""
    labels = domain.lower().strip(".").split(".")
    for start in range(len(labels) - 1):
        if ".".join(labels[start:]) in WELL_KNOWN_DOMAINS:
            return True
    if labels[-1] in INSTITUTIONAL_SUFFIXES or domain.endswith(INSTITUTIONAL_SUFFIXES[4:]):
        return True
    return len(labels) >= 2 and len(labels[-1]) == 2 and labels[-2] in _INSTITUTIONAL_SECOND_LEVEL


# The words a link is written on: HTML anchors, Markdown links (inline and by reference)
# and BBCode. Spam writes the words it wants to rank for ("cheap essay writing"); readers
# write "this article", "the docs", or the address itself.
_ANCHOR_TEXT = re.compile(
    r"(?is)<a\s[^>]{0,500}>([^<]{1,200})</a>"
    r"|\[([^\[\]\n]{1,200})\](?:\(\s{0,3}(?:https?://|www\.)|\[\w{1,20}\])"
    r"|\[url=[^\]]{1,2000}\]([^\[]{1,200})\[/url\]"
)


def anchor_texts(text: str) -> list[str]:
    """The words links are written on (not counting anchors that are addresses)."""
    found = []
    for match in _ANCHOR_TEXT.finditer(text[:20000]):
        words = next(group for group in match.groups() if group is not None).strip()
        if words and not _URL.match(words) and not _BARE_DOMAIN.fullmatch(words):
            found.append(words)
        if len(found) >= 20:
            break
    return found


@dataclass(frozen=True, slots=True)
class LinkSummary:
    """What the links of one text look like."""

    urls: tuple[str, ...]
    domains: tuple[str, ...]
    bbcode_links: int
    html_links: int
    link_chars: int
    page_links: tuple[str, ...] = ()
    """Links to the very page the submission was made on (not counted in ``urls``)."""
    obfuscated: tuple[str, ...] = ()
    """Addresses written to slip past link filters (``"site . com"``), as they were
    written; they are in ``urls`` too, spelt properly."""

    @property
    def count(self) -> int:
        """Number of distinct links."""
        return len(self.urls)

    @property
    def ordinary_domains(self) -> tuple[str, ...]:
        """Linked domains that are not well known (see :func:`well_known`), each once."""
        if not self.domains:  # most texts: read several times a check
            return ()
        return tuple(dict.fromkeys(d for d in self.domains if not well_known(d)))

    @property
    def shorteners(self) -> tuple[str, ...]:
        """Domains that are URL shorteners (they hide where a link goes)."""
        return tuple(d for d in self.domains if d in URL_SHORTENERS)

    @property
    def odd_tlds(self) -> tuple[str, ...]:
        """Domains under a top-level domain favoured by spammers."""
        return tuple(d for d in self.domains if top_level_domain(d) in ODD_TLDS)


_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]{0,20}://|mailto:)")
_HOST_END = re.compile(r"[/?#\s\\]")
_HOST = re.compile(r"[a-z0-9._\-\u00a1-\uffff]{1,253}")


def domain_of(url: str) -> str:
    """The lower-case host name of a URL, or ``""`` when there is none.

    Never raises: malformed URLs (and URLs with user-info, ports or IPv6 hosts) are
    common in spam and must not break the check.
    """
    if not url:
        return ""
    text = url.strip().lower()
    text = _SCHEME.sub("", text, count=1)
    text = text.lstrip("/")
    host = _HOST_END.split(text, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):  # IPv6 literal
        return host.split("]", 1)[0].lstrip("[")
    host = host.split(":", 1)[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    if "." not in host or not _HOST.fullmatch(host):
        return ""
    return host


# Hosts that serve the same pages under another name (short links to a site's own pages).
_SAME_SITE_ALIASES = {"youtu.be": "youtube.com"}
_PAGE_QUERY_KEYS = ("v", "p", "page_id", "id")
_PAGE_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]{0,20}://)", re.I)


def _site_of(url: str) -> str:
    domain = domain_of(url)
    if domain.startswith("m."):
        domain = domain[2:]
    return _SAME_SITE_ALIASES.get(domain, domain)


def _page_keys(url: str, for_page: bool = False) -> set[str]:
    """What names one page within its site: the page ids in its query, and its path
    (for the page itself, only when no id names it: ``/watch?v=…`` is named by ``v``)."""
    text = _PAGE_SCHEME.sub("", url.strip(), count=1)
    text = text.split("#", 1)[0]
    _, _, rest = text.partition("/")
    path, _, query = rest.partition("?")
    keys: set[str] = set()
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name.lower() in _PAGE_QUERY_KEYS and value:
            keys.add(value.lower())
    path = path.strip("/").lower()
    if path and not (keys and for_page):
        keys.add(path)
    return keys


def links_to_page(url: str, permalink: str) -> bool:
    """Whether ``url`` points at the page ``permalink`` names (a comment quoting the
    page's own address, or a moment of its video, promotes nothing)."""
    if not url or not permalink:
        return False
    site = _site_of(permalink)
    if not site or _site_of(url) != site:
        return False
    return bool(_page_keys(url) & _page_keys(permalink, for_page=True))


def top_level_domain(domain: str) -> str:
    """The last label of a domain name (``"xyz"`` for ``"cheap.pills.xyz"``)."""
    return domain.rsplit(".", 1)[-1] if "." in domain else ""


def find_links(text: str, permalink: str = "") -> LinkSummary:
    """All links in ``text``, in any of the forms a comment form lets through.

    Links to ``permalink`` (the page the submission was made on) are set apart in
    ``page_links``: they are not counted as links to somewhere else.
    """
    urls: list[str] = []
    seen: set[str] = set()
    link_chars = 0

    def add(url: str) -> None:
        nonlocal link_chars
        url = url.strip().rstrip(".,;:!?")
        if url and url.lower() not in seen:
            seen.add(url.lower())
            urls.append(url)
            link_chars += len(url)

    obfuscated: list[str] = []
    html_links = 0
    # Most texts hold no link at all. Each pattern below is searched only in a text that
    # holds what every one of its matches holds ("<a", "[url", "://" or "www.", a dot and
    # a letter, " ." or "dot"); in the lower-cased text, as the patterns ignore case
    # (no character but "A" matches "a" ignoring case, or lower-cases to it; likewise
    # for the other letters looked for here).
    # An address written again adds nothing: each is added once, in the order first seen.
    lowered = text.lower()
    if "<a" in lowered:
        targets = _HREF.findall(text)
        html_links = len(targets)
        for target in dict.fromkeys(targets):
            add(target)
    bbcode_links = 0
    if "[url" in lowered:
        targets = _BBCODE_LINK.findall(text)
        bbcode_links = len(targets)
        for target in dict.fromkeys(targets):
            if target:
                add(target.strip("\"' "))
    if "://" in text or "www." in lowered:
        for url in dict.fromkeys(_URL.findall(text)):
            add(url)
    if not urls:
        # Only look for bare domains ("visit cheap-pills.com") when there is no proper
        # link: it is slower and would count the same link twice.
        if _DOT_LETTER.search(text):
            for match in _BARE_DOMAIN.finditer(text):
                add(match.group(0))
        if " ." in text or "\t." in text or "dot" in lowered:
            for match in _OBFUSCATED_DOMAIN.finditer(text):
                obfuscated.append(match.group(0).strip())
                add(f"{match.group(1)}.{match.group(2)}{match.group(3) or ''}")
    page_links: tuple[str, ...] = ()
    if permalink:
        page_links = tuple(u for u in urls if links_to_page(u, permalink))
        if page_links:
            urls = [u for u in urls if u not in page_links]
            link_chars -= sum(len(u) for u in page_links)
    domains = tuple(d for d in (domain_of(u) for u in urls) if d)
    return LinkSummary(
        urls=tuple(urls),
        page_links=page_links,
        domains=domains,
        bbcode_links=bbcode_links,
        html_links=html_links,
        link_chars=link_chars,
        obfuscated=tuple(obfuscated),
    )
