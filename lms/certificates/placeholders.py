"""The body text of a certificate template: plain text (or a little inline markup) with placeholders
such as {name}. Validated on save, so a template that would print "{nmae}" or break the page never
reaches a certificate; rendered with every value HTML-escaped.

Allowed markup: p, br, strong, b, em, i, u, span, without attributes (the layout belongs to the
certificate's HTML template, not to the body). Literal braces are written {{ and }}."""

import string
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

PLACEHOLDERS = ("name", "course", "start_date", "end_date", "hours", "serial", "issued_on")
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "span"}
VOID_TAGS = {"br"}


def placeholder_list():
    return " ".join("{%s}" % name for name in PLACEHOLDERS)


def _check_placeholders(body):
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError:
        raise ValidationError(
            _("The body has an unmatched brace. Placeholders are written like {name}; "
              "write {{ or }} for a literal brace.")) from None
    unknown = []
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            text = "{" + field + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            unknown.append(text)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. Available placeholders: %(available)s.")
            % {"unknown": "、".join(unknown), "available": placeholder_list()})


class _MarkupChecker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.errors.append(_("The tag <%(tag)s> is not allowed (allowed: %(allowed)s).") % {
                "tag": tag, "allowed": " ".join(f"<{t}>" for t in sorted(ALLOWED_TAGS))})
            return
        if attrs:
            self.errors.append(_("Tags may not have attributes (<%(tag)s %(attr)s=…>).") % {
                "tag": tag, "attr": attrs[0][0]})
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID_TAGS:
            self.errors.append(_("The tag <%(tag)s/> cannot be self-closing.") % {"tag": tag})
        elif attrs:
            self.errors.append(_("Tags may not have attributes (<%(tag)s %(attr)s=…>).") % {
                "tag": tag, "attr": attrs[0][0]})

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(_("The closing tag </%(tag)s> does not match an opening tag.") % {"tag": tag})
            if tag in self.stack:
                del self.stack[self.stack.index(tag):]
            return
        self.stack.pop()

    def handle_comment(self, data):
        self.errors.append(_("Comments are not allowed in the body."))

    def handle_decl(self, decl):
        self.errors.append(_("Declarations are not allowed in the body."))


def _check_markup(body):
    checker = _MarkupChecker()
    checker.feed(body)
    checker.close()
    if checker.stack:
        checker.errors.append(_("Unclosed tag(s): %(tags)s.") % {
            "tags": " ".join(f"<{tag}>" for tag in checker.stack)})
    if checker.errors:
        raise ValidationError(checker.errors[0] if len(checker.errors) == 1 else checker.errors)


def validate_body(body):
    """Raise ValidationError (in Chinese under the zh-hans locale) for unknown placeholders,
    unmatched braces or markup that is not allowed or not well formed."""
    if not body or not body.strip():
        raise ValidationError(_("The body text cannot be empty."))
    _check_placeholders(body)
    _check_markup(body)


def render_body(body, values):
    """The body as safe HTML with every placeholder replaced by its HTML-escaped value. Plain text
    is split into paragraphs at blank lines (line breaks kept); a body with <p> is used as is."""
    escaped = {name: escape(str(values.get(name, ""))) for name in PLACEHOLDERS}
    text = body.format(**escaped)
    if "<p" not in body:
        text = linebreaks(text, autoescape=False)
    return mark_safe(text)
