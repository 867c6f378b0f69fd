"""What a browser would submit from the intake page, read from its HTML (for page tests)."""

from html.parser import HTMLParser


class _IntakeFormValues(HTMLParser):
    """Collects what a browser would submit from the page's intake form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self._inside, self._select, self._options, self._textarea = {}, False, None, [], None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "intake" in (a.get("class") or ""):
            self._inside = True
        if not self._inside:
            return
        kind = a.get("type", "text")
        if tag == "input" and a.get("name") and kind not in ("submit", "button", "reset", "image", "file"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._add(a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self._select, self._options = (a.get("name"), "multiple" in a), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            for value in chosen:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._add(name, text[1:] if text.startswith("\n") else text)
            self._textarea = None


def page_values(response):
    assert response.status_code == 200
    parser = _IntakeFormValues()
    parser.feed(response.content.decode())
    return parser.values
