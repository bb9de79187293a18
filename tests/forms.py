"""Drive the resident flow through real HTML forms, as a browser without JavaScript would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ParsedForm:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[ParsedForm] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(ParsedForm(action=a.get("action", "")))
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "radio":
                form.radios.setdefault(name, []).append(a.get("value", ""))
                if "checked" in a:
                    form.fields[name] = [a.get("value", "")]
            elif kind == "checkbox":
                form.checkboxes.setdefault(name, []).append(a.get("value", ""))
                if "checked" in a:
                    form.fields.setdefault(name, []).append(a.get("value", ""))
            else:
                form.fields[name] = [a.get("value", "")]
        elif tag == "button" and name:
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            form.selects[name] = []
            form.fields[name] = [""]
        elif tag == "option" and self._select:
            form.selects[self._select].append(a.get("value", ""))
            if "selected" in a:
                form.fields[self._select] = [a.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = [""]

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] = [self.forms[-1].fields[self._textarea][0] + data]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea" and self._textarea:
            # as in HTML, a single line break right after <textarea> is not part of the value
            value = self.forms[-1].fields[self._textarea][0]
            self.forms[-1].fields[self._textarea] = [value.removeprefix("\r\n").removeprefix("\n")]
            self._textarea = None


def parse_forms(html: str) -> list[ParsedForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def main_form(html: str) -> ParsedForm:
    """The page's own form: of the forms with a CSRF token, the one with the most fields (not the logout button)."""
    forms = [form for form in parse_forms(html) if form.fields.get("csrf_token")]
    return max(forms, key=lambda form: len(form.fields) + len(form.radios) + len(form.checkboxes))


class ResidentClient:
    """A resident with a browser session: open pages, fill in the form shown, press a button."""

    def __init__(self, client, wave):
        self.client = client
        self.wave = wave
        self.last = None

    @property
    def html(self) -> str:
        return self.last.get_data(as_text=True)

    def get(self, url: str, **kwargs):
        self.last = self.client.get(url, **kwargs)
        return self.last

    def follow(self):
        while self.last.status_code in (301, 302, 303):
            self.last = self.client.get(self.last.headers["Location"])
        return self.last

    def submit(
        self,
        values: dict | None = None,
        action: str | None = "next",
        drop: tuple[str, ...] = (),
        follow: bool = True,
        **overrides,
    ):
        form = main_form(self.html)
        data = {key: list(value) for key, value in form.fields.items()}
        for key, value in (values or {}).items():
            data[key] = value if isinstance(value, list) else [str(value)]
        data.update({key: [value] for key, value in overrides.items()})
        for key in drop:
            data.pop(key, None)
        if action and any(name == "action" for name, _ in form.buttons):
            data["action"] = [action]
        self.last = self.client.post(form.action, data=data)
        return self.follow() if follow else self.last

    def start(self, slug: str = "adult", lang: str | None = None):
        query = f"?lang={lang}" if lang else ""
        self.get(f"/w/{self.wave.id}/{slug}/start{query}")
        self.submit(action=None)
        return self.last

    def choose_buurt(self, code: str = "BU90010000"):
        return self.submit({"buurt": code})

    def current_page_title(self) -> str:
        match = re.search(r"<h1>(.*?)</h1>", self.html, re.S)
        return match.group(1).strip() if match else ""
