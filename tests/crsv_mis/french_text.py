"""What a French-speaking person reads on a page, and the English in it that should not be there.

The text people read is every text node outside scripts and styles, plus the attributes a browser shows
or reads aloud (title, placeholder, aria-label, alt, the value of a button). English is found two ways:
a piece of text that is, whole, an English message of the catalogue whose French differs (a string
that was not marked, or was marked with another context or wording than the catalogue holds), and a few
common interface words that are English only. Synthetic record text (made in English by the fixtures)
is left alone: it is data, not interface.
"""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
HIDDEN_ELEMENTS = {"script", "style", "template", "noscript"}
# Interface words that are English and not also French. Words spelt the same in both languages
# (Date, Total, Type, Action, Description, Version, Message, Note, Options...) cannot tell.
ENGLISH_WORDS = ("Save", "Cancel", "Submit", "Search", "Next", "Previous", "Back", "Status", "Edit",
                 "Delete", "Download", "Upload", "Filter", "Close", "Yes", "Required", "Optional", "Sign in",
                 "Sign out", "Help", "Home", "Show", "Hide", "Reset", "Apply", "Loading", "Settings",
                 "Name", "of", "and", "the", "or", "by", "None", "Unknown", "Other", "Select")
WORD = re.compile(r"(?<![\w'’-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w'’-])")
# The language menu names each language in itself ("English" for English), on purpose.
OWN_NAMES = {"English", "Français"}


def squeeze(text):
    return " ".join(text.split())


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        attrs = dict(attrs)
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.pieces.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.pieces.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_ELEMENTS:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.pieces.append(data)


def visible_text(html):
    """The pieces of text a person reads on the page, whitespace squeezed."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return [piece for piece in (squeeze(p) for p in parser.pieces) if piece]


@cache
def catalogue_english():
    """(English messages whose French differs, every French translation): a piece of text that is
    also a French translation somewhere is not taken for English."""
    english, french = set(), set()
    for entry in polib.pofile(str(CATALOGUE)):
        pairs = ([(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
                 if entry.msgid_plural else [(entry.msgid, entry.msgstr)])
        for source, target in pairs:
            source, target = squeeze(source), squeeze(target)
            french.add(target)
            # Messages with placeholders or markup never show as written; data-like codes cannot tell.
            if source != target and "%" not in source and "{" not in source and "<" not in source \
                    and re.search(r"[a-z]", source):
                english.add(source)
    return frozenset(english - french), frozenset(french)


def english_on_page(html, data=()):
    """Sorted English found in the page's visible text: catalogue messages left in English, and
    common English interface words. `data` are texts of the records shown, never reported."""
    english, french = catalogue_english()
    found = set()
    for piece in visible_text(html):
        if piece in OWN_NAMES or piece in french or any(piece in d or (len(d) > 3 and d in piece) for d in data):
            continue
        # A label often carries its punctuation outside the message ("Status:" or "Search…").
        bare = piece.strip(" :·*…()")
        if piece in english or bare in english:
            found.add(piece)
            continue
        found.update(f"{word!r} in {piece!r}" for word in WORD.findall(piece))
    return sorted(found)
