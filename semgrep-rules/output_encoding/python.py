# Test target for semgrep-rules/output_encoding/python.yml (parsed only, never run).
import html

import bleach
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from fastapi.responses import HTMLResponse
from flask import Flask, render_template_string, request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

app = Flask(__name__)

# ruleid: vibeward.python.output_encoding.jinja-autoescape
env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html", "xml"]))
# ok: vibeward.python.output_encoding.jinja-autoescape
# ruleid: vibeward.python.output_encoding.autoescape-disabled
raw_env = Environment(loader=FileSystemLoader("emails"), autoescape=False)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: vibeward.python.output_encoding.request-data-marked-safe
    greeting = Markup("<b>" + name + "</b>")
    # ok: vibeward.python.output_encoding.request-data-marked-safe
    # ruleid: vibeward.python.output_encoding.html-escape
    safe = Markup("<b>%s</b>") % escape(name)
    # ruleid: vibeward.python.output_encoding.request-data-marked-safe
    page = render_template_string("<h1>Hello " + request.args["name"] + "</h1>")
    # ok: vibeward.python.output_encoding.request-data-marked-safe
    static = render_template_string("<h1>{{ name }}</h1>", name=name)
    return greeting, safe, page, static


def comment(request):
    body = request.POST["body"]
    # ruleid: vibeward.python.output_encoding.html-escape
    cleaned = bleach.clean(body, tags=["b", "i"])
    # ok: vibeward.python.output_encoding.request-data-marked-safe
    ok_html = mark_safe(cleaned)
    # ruleid: vibeward.python.output_encoding.request-data-marked-safe
    bad_html = mark_safe(body)
    # ruleid: vibeward.python.output_encoding.html-escape
    link = format_html('<a href="{}">{}</a>', body, body)
    # ruleid: vibeward.python.output_encoding.html-escape
    text = html.escape(body)
    return ok_html, bad_html, link, text


async def search(request):
    q = request.query_params.get("q")
    # ruleid: vibeward.python.output_encoding.request-data-marked-safe
    return HTMLResponse(f"<p>Results for {q}</p>")


TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # ruleid: vibeward.python.output_encoding.autoescape-disabled
        "OPTIONS": {"autoescape": False},
    }
]
