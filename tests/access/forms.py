"""Read the forms of a rendered page the way a browser would submit them.

The write matrix fills each form from the page that shows it (hidden fields,
versions, selected options, checked boxes), then changes the few fields a
test cares about: what a person clicking "save" would send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit


@dataclass
class HtmlForm:
    action: str
    method: str
    #: Field name → values, in document order (a multiple select or checkboxes give several).
    fields: dict[str, list[str]] = field(default_factory=dict)
    #: Fields of type file: filled by the test.
    files: list[str] = field(default_factory=list)
    #: Select name → the values of its options that are not blank.
    options: dict[str, list[str]] = field(default_factory=dict)

    def data(self) -> dict[str, list[str] | str]:
        return {
            name: values[0] if len(values) == 1 else values for name, values in self.fields.items()
        }


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str, value: str) -> None:
        assert self._form is not None
        self._form.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "option" and self._select and (self._option is not None or self._option_selected):
            self._end_option()  # an option closed by the next one
        if tag == "form":
            self._form = HtmlForm(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                self._form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            else:
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select:
            self._option = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        if self._option is None and self._select and self.lasttag == "option":
            self._option_text += data

    def _end_option(self) -> None:
        value = self._option if self._option is not None else self._option_text.strip()
        if value:
            self._form.options.setdefault(self._select, []).append(value)
        if self._select_first is None:
            self._select_first = value
        if self._option_selected:
            self._add(self._select, value)
            self._select_chosen = True
        self._option = None
        self._option_selected = False

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select:
            self._end_option()
        elif tag == "select" and self._select:
            if self._option_selected:
                self._end_option()
            if not self._select_chosen and not self._select_multiple and self._select_first:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, self._text.lstrip("\n"))
            self._textarea = None


def forms_of(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_posting_to(html: str, page_path: str, target_path: str) -> HtmlForm:
    """The POST form of the page whose action is ``target_path`` (an empty action: the page)."""
    found = []
    for form in forms_of(html):
        action = urlsplit(form.action).path or page_path
        if form.method == "post" and action == target_path:
            found.append(form)
    assert found, f"{page_path} has no POST form to {target_path}"
    return found[0]
