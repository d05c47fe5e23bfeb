"""The money-testimonial scam, recognised by its structure.

Under posts about money, and in blog comments too, one kind of scam outnumbers every
other: a "testimonial" of money made ("i invested $800 and within 7 days got $12 000")
credited to a contact the reader should write to ("thanks to @earn_with_x", "dm her",
"contact #name", WhatsApp, Telegram). Its relatives share the structure: praise of an
account named for trading ("@maria_richardfxt you saved my life out of debt"), money
given away to "the first 10 people to dm me", a token shilled ("buy and hold", "100x", a
contract address), lost funds "recovered" by a contact, a "doctor" whose herbs or spell
cured the writer, begging for crypto. Of the training corpora only Instagram's has the
genre, so a model trained without it does not learn it; these patterns, written from
what the scam is, do.

:func:`find` reads a comment's cleaned text and returns what it found (the kind, and the
words that show it) or ``None``. A finding holds a comment for a person
(``rules.money_scam``); it never makes spam by itself: a reader telling how an
investment went, with an amount and a friend's handle, can read the same way.

Each pattern is compiled once; :func:`find` reads at most :data:`READ_CHARS` characters,
and most comments stop at its first test (a currency sign, a handle, or a word of
contact, trading or crypto).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

READ_CHARS = 3000
"""Only this much of a text is read: the scam is short, and a long text is held anyway."""
GAIN_DISTANCE = 80
"""How near (in characters) a word of gain must be to an amount of money to count."""
SMALLEST_AMOUNT = 100.0
"""Smaller amounts of money ("$20 on Amazon", and "$1" in code) are not this scam's, unless
in a crypto currency ("0.9 btc")."""
MULTIPLIED = 3.0
"""Two amounts near each other, the second at least this many times the first, tell of
money multiplied ("$1000 … $10 500")."""

# Small capitals ("ɪɴᴠᴇꜱᴛᴇᴅ") are a favourite of this scam: NFKC does not fold them.
_SMALL_CAPITALS = str.maketrans("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnoprstuvwyz")
_ANY_SMALL_CAPITAL = re.compile("[ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ]")

_NUMBER = r"\d{1,3}(?:[ ,.]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_AMOUNT = re.compile(
    rf"(?:[$€£₦]\s?(?P<a>{_NUMBER})(?P<ak>\s?k\b)?"
    rf"|(?P<b>{_NUMBER})(?P<bk>\s?k)?\s?(?:[$€£]|usdt?\b|dollars?\b|d0llars\b|euros?\b"
    r"|pounds\b|btc\b|eth\b|bitcoins?\b|grands?\b))"
)
"""An amount of money: a currency sign or name with a number ("$ 1 500", "€48 550",
"4350 usd", "0.9 btc", "5 grands")."""
_MADE = re.compile(
    r"\b(?:i|l|i've|ive|i have|we)\s+(?:have\s+|just\s+|now\s+|already\s+)?"
    r"(?:made|make|earned|earn|received|gained|withdrew|withdrawn)\s+"
    rf"(?:over\s+|more than\s+|about\s+|up to\s+)?(?:[$€£]\s?)?(?:{_NUMBER})\s?k\b"
)
"""Money made, written without a currency sign ("i made 89k")."""
_GAIN = re.compile(
    r"\b(?:invest(?:ed|ing|ment|ments)?|deposit(?:ed)?|profit(?:s|able)?|returns?|payouts?|payments?"
    r"|withdraw(?:al|als|n|ing)?|cash(?:ed|ing)?\s?out|earn(?:ed|ing|s)?|made|received|receiving"
    r"|start[- ]?up|capital|roi|got paid|credited|turned|secured"
    r"|in (?:just |only )?(?:a|one|\d+) ?(?:weeks?|days?|hours?))\b"
)
"""Words of gain and investment, counted near an amount."""
_RECEIVED = re.compile(r"\b(?:got|get|received?|receiving|made|turned|earned|withdr\w*|into)\b")
"""Words of money received, between an amount and the larger one it became."""

_HANDLE = (
    r"(?:@(?<![\w./&=?+-]@)|#(?<![/&=?.]#))"
    r"(?!(?:include|define|ifn?def|endif|pragma|import|if|else|elif|undef|region)\b)"
    r"[^\W\d][\w.\u0300-\u036f]{2,40}"
)
"""An @-handle or a hashtag (combining accents included: "#hāźeł_mcẹ̀wǝṅ__"); not the
domain of an e-mail address, a web address's fragment, a number or a C directive."""
_HANDLES = re.compile(_HANDLE)
_CREDITED_BEFORE = re.compile(
    r"(?:with|via|through|thanks to|thank you|thanks|to|contact|message|dm|inbox|reach"
    r"|follow|by|recommend\w*|introduced to|meet|met|check out"
    r"|mit hilfe von|dank|gracias a|grâce à|graças a|grazie a)\s+(?:(?:her|him|them|mrs?\.?"
    r"|ms\.?|sir)\s*)?$"
)
"""What comes just before a handle credited with the money, or offered as the contact (the
scam is translated, so a few other languages' words too)."""
_ADDRESSED = re.compile(r"(?:(?:hi|hello|hey|dear|thanks|thank you)\W+)?@")
"""A reply's opening, addressed to someone ("hello @anna"): that handle is no contact. A
hashtag is nobody's address: "#hailey_miller1 you saved my life" credits it."""
_WORD_CHAR = re.compile(r"\w")
_CONTACT = re.compile(
    r"(?:dm|inbox|msg|pm|message|text|contact|write to|hit)\s+(?:me|her|him|us|now)\b"
    r"|\bdms?\b|direct message|private chat|hit me up"
    r"|get in touch|reach out to (?:me|her|him|us)|whats\s?app|telegram|t\.me/|wa\.me/"
    r"|link (?:in )?(?:my |the )?bio"
)
"""A directive to write to someone."""
_CONTACT_WORDS = tuple(
    "dm|inbox|msg|pm |message|text|contact|write to|hit |direct|private|touch|reach out"
    "|whats|telegram|t.me/|wa.me/|bio".split("|")
)
"""Fragments one of which every directive holds (a cheap test before :data:`_CONTACT`)."""

_FINANCE_NAME = re.compile(
    r"fx|forex|trad|invest|earn|wealth|profit|crypto|financ|income|money|coach|capital"
    r"|fund|btc|bitcoin|binary|option|cash|million|recover|hack|mining|rich|business"
)
"""A word of money in an account's name."""
_PROMOTER_NAME = re.compile(
    r"(?:earn|trade|trades|trading|invest|wealth|profits?|finance|crypto|money|income|cash"
    r"|fx|forex|business|build\w*)[._]*with|fx[t]?[\d._]*$|^[@#]fx[a-z]"
    r"|[._](?:fx|fxt|trader|trades?|trading|crypto\w*|forex|profits?|fundz|funds|wealth)(?![a-z])"
    r"|tradingskills|tradingacademy|funds?[\d._]*$"
)
"""An account named as this scam names its heroes: "earn_with_x", "maria_richardfxt",
"fxdorothy.sheryl", "grayson_gianna_profits", "kathy_fundz", "victoriafunds.1"."""
_BARE_PROMOTER = re.compile(
    r"(?<![\w@#./:=?&+-])(?:(?:earn|trad(?:e|es|ing)|invest\w*|wealth|profits?|finance|crypto"
    r"|money|income|cash|forex|business)_?with_?[a-z]\w{2,30}"
    r"|[a-z]{3,}_[a-z_]*(?:fx|fxt|trader|trades|trading|profits|fundz)_*|[a-z][a-z.]{3,}_{2,})"
    r"(?![\w@/])"
)
"""Such an account written without its "@" ("businesswithcandace", "adriana_emerson_trades",
"sarahgrosvenor___"): ordinary words are not so joined."""
_NAME_SHAPED = re.compile(r"^[@#](?:_|.*__|.*_$)")
"""A handle padded with underscores ("#__saanvigael__", "@_katrina_avila_"): ordinary
hashtags are words, and readers are not named so."""
_MONEY_TESTIMONY = re.compile(
    r"out of (?:all )?(?:my |the )?debts?|debt[- ]free|financial(?:ly)? (?:free|stable)"
    r"|financial freedom|best trader|account manager|payouts?|withdrawals?|my profits?"
    r"|profits? of|returns? of|(?:invest|invested|investing|trad\w*|profits?|earn\w*) with"
    r"|(?:make|making|made) (?:money|profits?)|trading platform"
    r"|(?:bought|got|purchased) (?:myself )?a (?:new )?(?:house|home|car)\b"
    r"|\b(?:good|honest|wonderful|genuine) (?:woman|lady)\b|nothing but appreciation"
    r"|\b(?:i|we) (?:have not|haven[’'`]?t|havent|never) lost\b"
    r"|(?:earn|earning|make|making) (?:money )?from (?:the comfort of )?(?:my )?(?:home|comfort)"
    r"|\bgewinne\b|geld (?:zu )?verdienen|ganancias|ganhar dinheiro|gagner de l[’']argent"
)
"""What a testimonial says of its hero's trading, besides an amount: beside any handle
offered as a contact, it holds."""
_STRONG_TESTIMONY = re.compile(
    r"saved my life|changed my life|life (?:has )?changed|god bless|\blegit\b"
    r"|undying smile|can[’'`\s]?t be (?:compromised|overlooked|equated)|credibility"
    r"|reliability|trustworth|diligence|transparency|thought it was (?:a )?(?:scam|fake|lies)"
    r"|testimony|\bplatform\b|mentorship"
)
"""The testimonial's other set phrases: beside an account named for money, they hold."""
_SET_PHRASES = re.compile(
    r"undying smile|can[’'`\s]?t be (?:compromised|overlooked|equated)|credibility"
    r"|reliability|trustworth|diligence|god bless|saved my life|changed my life"
)
"""The phrases this scam's testimonials repeat: beside money made, they hold even with no
contact (the handle is often cut off)."""
_OFFER = re.compile(r"(?:turn|grow|double|multiply) your (?:investment|money|capital|funds)")
"""An offer to multiply the reader's money."""
_WARM_TESTIMONY = re.compile(
    r"grateful|thank|bless|appreciat|recommend|\bbest\b|success|happy|smil|joy|miracle"
    r"|\btrust|honest|good work|great work|work well done|\blife\b|\bdreams?\b|\bearn"
    r"|profit|money|financ|wealth|invest|trad(?:e|er|ing)\b|expert|fortunate|adore|kind"
    r"|wonderful|amazing|genuine|opportunit|help|wallet|btc|bitcoin|testif|surpris|indebted"
    r"|new (?:home|house|car)"
)
"""Praise and gratitude: enough beside an account whose very name is the scam's."""
_GIVEAWAY = re.compile(
    r"first\s+\(?\d+\)?\s+(?:people|persons|followers|person)\b.{0,60}?"
    r"\b(?:dm|message|msg|inbox|text|hit)\b"
    r"|\b(?:paying|giving|give|sending)\s+(?:out\s+)?(?:\S+\s+)?grands?\b"
)
"""Money for "the first 10 people to dm me"."""
_SOLICIT_WORDS = re.compile(
    r"\b(?:invest\w*|trad(?:e|er|ers|ing)|forex|crypto\w*|bitcoin|btc|usdt|profits?"
    r"|earn(?:ing|ings)?|income|mining|signals|passive)\b"
)
_SHILL = re.compile(
    r"buy and hold|\bhodl\b|to the moon|\b\d{3,5}x\b|\bgem\b|airdrop|presale|pre-sale"
    r"|whitelist|(?:pancake|uni)\s?swap|contract address|\b0x[0-9a-f]{40}\b|bull\s?run"
    r"|don[’'`\s]?t miss|never miss|hurry up|\bdogecoin\b|\bshiba\b|[@#]\w*(?:coin|token)\b"
)
"""Words of a token being shilled."""
_RECOVERY = re.compile(
    r"\brecover(?:ed|ing|y)?\s+(?:of\s+)?(?:your|my|the)?\s*(?:lost\s+|stolen\s+)?(?:funds?"
    r"|money|crypto\w*|coins?|bitcoins?|btc|assets|accounts?|wallets?)\b"
    r"|\b(?:funds?|crypto|scam|bitcoin|asset|wallet)\s+recovery|recovery (?:expert|specialist"
    r"|agent|hacker)|ripped off|\bscammed\b|unblock (?:your|my) account|in the recovery"
    r"|lost (?:my |your |all my )?(?:funds|money|crypto|coins|bitcoin|savings)"
)
"""Words of money lost to a scam, and of its "recovery"."""
_CURE = re.compile(
    r"\bcured (?:me|my|of|from)\b|\bcure (?:for|to) (?:herpes|hiv|hpv|diabetes|cancer|als)"
    r"|\bherbal (?:medicine|cure|remedy|doctor)|\bherbs\b|spell caster|love spell"
    r"|cast (?:a )?spell|(?:ex|lover|husband|wife|partner) back\b"
    r"|\brestor(?:e|ed|ing) (?:my|our) (?:marriage|relationship)"
)
"""A cure or a spell, as the healer-testimonial scam tells it."""
_HEALER = re.compile(r"\b(?:dr|doctor|priest|prophet|herbalist|spell caster)\b|@dr")
_BEGGING = re.compile(
    r"\bdonat(?:e|ion)\b.{0,40}?\b(?:usdt|btc|bitcoin|eth|trc20|erc20|wallet|crypto)\b"
    r"|\b(?:usdt|btc|bitcoin|eth|trc20)\b.{0,40}?\bdonat(?:e|ion)\b"
)
_MONEY = re.compile(
    r"[$€£₦\d](?:(?<=[$€£₦])|\s?(?:k\b|usd|dollar|d0llar|euro|pound|btc|eth|bitcoin|grand))"
)
"""A hint of an amount of money (a cheap test before :data:`_AMOUNT`)."""


_PICTURE_AFTER_AT = re.compile(
    "@[\u2190-\u21ff\u2700-\u27bf\u2b05-\u2b07\ufe0f\U0001f300-\U0001faff]+"
)
"""Arrows and pictures between an "@" and its name ("@➡️dave_world_fx_trading")."""


def _with_at(match: re.Match[str]) -> str:
    return "@" + match.group(0)


def _joined_with(text: str) -> bool:
    """Whether "with" is joined to the word before it ("businesswithcandace"): a cheap test
    before :data:`_BARE_PROMOTER`, since "with" is common and joined so only in names."""
    at = text.find("with")
    while at >= 0:
        if at and (text[at - 1].isalpha() or text[at - 1] == "_"):
            return True
        at = text.find("with", at + 4)
    return False


@dataclass(frozen=True, slots=True)
class Finding:
    """What :func:`find` found: the kind of scam and the words that show it."""

    kind: str
    """One of :data:`KINDS`."""
    evidence: tuple[str, ...]
    """Short quotations of the text, in the order they make the case."""

    def describe(self) -> str:
        """The finding in words a moderator reads."""
        quoted = " … ".join(f"“{e}”" for e in self.evidence)
        return f"{KINDS[self.kind]} ({quoted})"


KINDS = {
    "testimonial": "reads like a money-testimonial scam: money made, credited to a contact",
    "promoter": "reads like a money-testimonial scam: praise of an account named as that scam names its heroes",
    "giveaway": "reads like a money-giveaway scam: money for the first people to write",
    "solicitation": "reads like an investment scam: trading or crypto earnings, write to me",
    "token": "reads like a crypto token being shilled",
    "recovery": "reads like a fund-recovery scam: lost money recovered by a contact",
    "cure": "reads like a healer-testimonial scam: a cure or a spell, credited to a contact",
    "begging": "asks for crypto donations",
    "contact": "reads like a scam's lure: little said but to write to a contact privately",
    "promotion": "reads like a paid-promotion scam: “send your pictures to @page”",
}
"""Each kind of finding, as the moderator reads it."""


def _quote(text: str, start: int, end: int, limit: int = 40) -> str:
    words = " ".join(text[start:end].split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _value(match: re.Match[str]) -> float:
    """The amount a match of :data:`_AMOUNT` names (thousands separators and "k" read)."""
    digits = match.group("a") or match.group("b") or "0"
    whole = _THOUSANDS.sub("", digits).replace(",", ".")
    try:
        value = float(whole)
    except ValueError:
        return 0.0
    k = match.group("ak") or match.group("bk") or match.group(0).endswith(("grand", "grands"))
    return value * 1000 if k else value


_WORDS = re.compile(r"[^\W\d_]{2,}")
SOLE_WORDS = 4
"""At most this many words beside an account named as the scam names its heroes, and the
comment is an advertisement for it ("🦋🦋@createwealthwithluna1 🗝🗝")."""
SHORT_CHARS = 400
"""Longer texts are not tried for :data:`SHORT_WORDS` (a cheap test first)."""
SHORT_WORDS = 12
"""A comment of at most this many words (handles aside) that directs its reader to write
privately ("kindly inbox me for help", "telegram link in bio") says nothing else."""
_LURE = re.compile(
    r"(?<!check )\b(?:dm|inbox|pm)\s+(?:me|us|her|him|@)|\bhit me up\b|\bhit me (?:in|on) (?:my )?(?:dm|inbox)"
    r"|\b(?:kindly|pls|please) (?:dm|inbox|message|contact|text|reach out|write)\b"
    r"|\bfor (?:\w+ )?\w+ dm\b|^\W*(?:dm|inbox)\W*$|\bwon dm\b|\b(?:message|text) us\b"
    r"|link (?:in )?(?:my |the )?bio|\b(?:on|via) (?:telegram|whats\s?app)\b|\bt\.me/|\bwa\.me/"
)
"""A lure to write privately: "inbox me", "kindly reach out", "for investment proposal dm",
"link in bio". Not a reply about messages already sent ("check your dm", "i dm'ed you"),
nor a friend's "text me when you're here"."""
_PROMOTION = re.compile(
    r"\b(?:promote|send|post|share|submit)\s+(?:(?:me|us)\s+)?(?:it|this|pics?|your (?:art|work|pics?|photos?|"
    r"page|content))\s+(?:on|to)\W*@"
)
"""The paid-promotion lure: "send pic on @art_official_community", "promote it on @page"."""
_PROMOTION_WORDS = ("promote", "send", "post", "share", "submit")
"""Fragments one of which every match of :data:`_PROMOTION` holds."""
_THOUSANDS = re.compile(r"[ ,.](?=\d{3}\b)")
_CRYPTO_UNITS = ("btc", "eth", "bitcoin", "bitcoins", "usdt")


def _large(match: re.Match[str]) -> bool:
    """Whether an amount is large enough to be this scam's."""
    return match.group(0).endswith(_CRYPTO_UNITS) or _value(match) >= SMALLEST_AMOUNT


def _money_gain(text: str) -> tuple[str, ...] | None:
    """Money made: "i made 89k", an amount near a word of gain, or an amount multiplied."""
    made = _MADE.search(text)
    if made:
        return (_quote(text, made.start(), made.end()),)
    amounts = [m for m in _AMOUNT.finditer(text) if _large(m)]
    if not amounts:
        return None
    for gain in _GAIN.finditer(text):
        for amount in amounts:
            start, end = amount.span()
            if start - GAIN_DISTANCE <= gain.start() <= end + GAIN_DISTANCE:
                first, last = min(start, gain.start()), max(end, gain.end())
                if last - first > 60:
                    return (_quote(text, gain.start(), gain.end()), _quote(text, start, end))
                return (_quote(text, first, last, 60),)
    for before, after in zip(amounts, amounts[1:], strict=False):
        if (
            after.start() - before.end() <= GAIN_DISTANCE
            and _value(after) >= MULTIPLIED * max(_value(before), 1.0)
            and _RECEIVED.search(text, before.end(), after.start())
        ):
            return (_quote(text, before.start(), after.end(), 60),)
    return None


def _directive(text: str) -> str | None:
    """A directive to write to someone ("dm me", "whatsapp")."""
    if not any(word in text for word in _CONTACT_WORDS):
        return None
    found = _CONTACT.search(text)
    return found.group(0) if found else None


def _contact(text: str, handles: list[re.Match[str]]) -> str | None:
    """The contact a text directs its reader to: a handle credited with something, or the
    one it ends on; a directive to write; else any handle but a reply's addressee."""
    for handle in handles:
        if _CREDITED_BEFORE.search(text, max(0, handle.start() - 30), handle.start()):
            return handle.group(0)
    if handles and handles[-1].start() > 0 and not _WORD_CHAR.search(text, handles[-1].end()):
        return handles[-1].group(0)
    directive = _directive(text)
    if directive:
        return directive
    addressed = _ADDRESSED.match(text)
    for handle in handles:
        if (handle.start() > 0 or handle.group(0)[0] == "#") and not (
            addressed and handle.start() < addressed.end()
        ):
            return handle.group(0)
    return None


def _promoter(
    text: str, handles: list[re.Match[str]], gain: tuple[str, ...] | None
) -> tuple[str, ...] | None:
    """Praise of an account named as the scam names its heroes, or of one named for
    money with the scam's words of trading."""
    strong = weak = named = None
    for match in handles:
        handle = match.group(0)
        if _PROMOTER_NAME.search(handle):
            strong = named = strong or handle
        elif _NAME_SHAPED.search(handle):
            strong = strong or handle
        elif handle[0] == "@" and _FINANCE_NAME.search(handle):
            weak = weak or handle
    if not (strong or weak):
        return None
    text = _HANDLES.sub(" ", text)
    said = _MONEY_TESTIMONY.search(text) or _STRONG_TESTIMONY.search(text)
    if gain or said:
        return (*(gain or (said.group(0),)), strong or weak)  # type: ignore[union-attr]
    if not strong:
        return None
    warm = _WARM_TESTIMONY.search(text)
    if warm:
        return (warm.group(0), strong)
    # An account named for money alone, with a word or two or pictures: an advertisement
    # for it. (A name padded with underscores alone is a friend tagged.)
    return (named,) if named and len(_WORDS.findall(text)) <= SOLE_WORDS else None


def find(text: str) -> Finding | None:
    """The money scam a comment's cleaned text shows, or ``None``.

    The kinds are tried from the commonest; each only when the cheap tests it needs pass
    (``in`` tests for fragments, one search for a hint of money)."""
    text = text[:READ_CHARS].lower()
    if not text.isascii():
        if _ANY_SMALL_CAPITAL.search(text):
            text = text.translate(_SMALL_CAPITALS)
        if "@" in text:
            text = _PICTURE_AFTER_AT.sub("@", text)
    if "_" in text or _joined_with(text):
        text = _BARE_PROMOTER.sub(_with_at, text)
    if "first" in text or "grand" in text:
        giveaway = _GIVEAWAY.search(text)
        if giveaway:
            return Finding("giveaway", (_quote(text, giveaway.start(), giveaway.end(), 60),))
    handles = list(_HANDLES.finditer(text)) if "@" in text or "#" in text else []
    money = _MONEY.search(text) is not None
    if not (handles or money or "donat" in text) and not any(w in text for w in _CONTACT_WORDS):
        return _token(text)
    contact = _contact(text, handles)
    gain = _money_gain(text) if money else None
    if gain and contact:
        return Finding("testimonial", (*gain, contact))
    if gain:
        phrase = _SET_PHRASES.search(text) or _OFFER.search(text)
        if phrase:
            return Finding("testimonial", (*gain, phrase.group(0)))
    if contact and contact[0] in "@#":
        testimony = _MONEY_TESTIMONY.search(text)
        if testimony:
            return Finding("testimonial", (testimony.group(0), contact))
    if handles:
        promoter = _promoter(text, handles, gain)
        if promoter:
            return Finding("promoter", promoter)
    if "donat" in text:
        begging = _BEGGING.search(text)
        if begging:
            return Finding("begging", (_quote(text, begging.start(), begging.end(), 60),))
    if contact:
        cure = _CURE.search(text)
        if cure and _HEALER.search(text):
            return Finding("cure", (cure.group(0), contact))
        words = list(dict.fromkeys(m.group(0) for m in _SOLICIT_WORDS.finditer(text)))
        if _directive(text) and (
            len(words) >= 2 or _MONEY_TESTIMONY.search(text) or _OFFER.search(text)
        ):
            return Finding("solicitation", (", ".join(words[:3]) or "money", contact))
        recovery = _RECOVERY.search(text)
        if recovery:
            return Finding("recovery", (recovery.group(0), contact))
        if (
            len(text) <= SHORT_CHARS
            and any(word in text for word in _CONTACT_WORDS)
            and (lure := _LURE.search(text))
        ):
            if len(_WORDS.findall(_HANDLES.sub(" ", text))) <= SHORT_WORDS:
                return Finding("contact", (_quote(text, lure.start(), len(text)),))
    if handles and any(word in text for word in _PROMOTION_WORDS):
        promotion = _PROMOTION.search(text)
        if promotion:
            return Finding("promotion", (_quote(text, promotion.start(), promotion.end()),))
    return _token(text)


def _token(text: str) -> Finding | None:
    """Two or more words of a token being shilled, or a token named and hyped."""
    name = None
    if "coin" in text or "token" in text:
        name = _TOKEN_NAME.search(text)
    if not name and any(word in text for word in _PROJECT_WORDS):
        name = _CRYPTO_PROJECT.search(text)
    if name:
        hype = _HYPE.search(text)
        if hype:
            return Finding("token", (name.group(0), hype.group(0)))
    if not any(word in text for word in _SHILL_WORDS):
        return None
    # Hashtags of coins count once: "#bitcoin #dogecoin" is one thing said twice.
    shills = {
        "#" if m.group(0)[0] in "@#" else m.group(0): m.group(0) for m in _SHILL.finditer(text)
    }
    return Finding("token", tuple(list(shills.values())[:3])) if len(shills) >= 2 else None


_TOKEN_NAME = re.compile(
    r"[@#]\w*(?:coin|token)\b"
    r"|(?<![\w$])(?!(?:the|a|an|this|that|your|my|our|any|one|new|each|every|per|no|some|bit|alt"
    r"|stable|meme|same|access|auth|api|csrf|jwt|bearer|refresh|security|session|id)\b)"
    r"[a-z][a-z0-9]{1,15} (?:coin|token)\b"
)
"""A token named: "#hzmcoin", "hzm coin", "lithosphere token" (not "the token", "an access
token", "bitcoin")."""
_HYPE = re.compile(
    r"\bbuy (?:now|it now|and|more|the dip)\b|\bget (?:that|yours|in now)\b|\bpump\b"
    r"|price explosion|\bpotential\b|\blisted on\b|\bhold(?:ing)? (?:it|tight)\b|\bx\d{2,}\b"
    r"|🚀|🤑|💸|💰|💎|📈|🔥"
)
"""Hype beside a token's name: "buy now", "get that", "pump", rockets and money bags."""
_CRYPTO_PROJECT = re.compile(
    r"\bdecentrali[sz]ed (?:\w+ )?(?:platform|exchange|app|ecosystem|network|finance)\b"
    r"|\b(?:web3|defi|gamefi|metaverse) (?:project|platform|ecosystem|game)\b"
)
"""A crypto project named by its kind ("openfabric's decentralized ai platform"): beside
hype, a token shilled."""
_PROJECT_WORDS = ("decentrali", "web3", "defi", "gamefi", "metaverse")
"""Fragments one of which every match of :data:`_CRYPTO_PROJECT` holds."""
_SHILL_WORDS = tuple(
    "hold hodl moon gem drop sale whitelist swap contract 0x bull miss hurry coin token shiba".split()
)
"""Fragments one of which every two words of :data:`_SHILL` hold."""
