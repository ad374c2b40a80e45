"""How wissen is found from outside: Atom feeds, OpenSearch, sitemap.xml, robots.txt."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, url_for
from werkzeug.wrappers import Response

from wissen.services import feeds, taxonomy

from .helpers import session

bp = Blueprint("discovery", __name__)
ATOM = "application/atom+xml; charset=utf-8"
# XML 1.0 forbids these characters, even as references: one title holding an ESC or a BEL
# (the Big List of Naughty Strings has such titles, a paste from a terminal too) would
# make a feed reader refuse the whole feed. They carry no text, so they are left out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_response(xml: str, mimetype: str) -> Response:
    return Response(_NOT_XML.sub("", xml), mimetype=mimetype)


def _feed(title: str, self_url: str, page_url: str, items: list[feeds.FeedItem]) -> Response:
    xml = render_template(
        "feeds/content.xml", title=title, self_url=self_url, page_url=page_url, items=items
    )
    return xml_response(xml, ATOM)


@bp.get("/feeds/neu.atom")
def content_feed() -> Response:
    return _feed(
        "Neue und geänderte Inhalte",
        url_for("discovery.content_feed", _external=True),
        url_for("browse.start", _external=True),
        feeds.changed_content(session()),
    )


@bp.get("/feeds/thema/<slug>.atom")
def theme_feed(slug: str) -> Response:
    theme = taxonomy.get_theme(session(), slug)
    return _feed(
        f"Thema {theme.name}",
        url_for("discovery.theme_feed", slug=slug, _external=True),
        url_for("browse.theme", slug=slug, _external=True),
        feeds.changed_content(session(), theme=theme),
    )


@bp.get("/feeds/region/<slug>.atom")
def region_feed(slug: str) -> Response:
    region = taxonomy.get_region(session(), slug)
    return _feed(
        f"Region {region.name}",
        url_for("discovery.region_feed", slug=slug, _external=True),
        url_for("browse.region", slug=slug, _external=True),
        feeds.changed_content(session(), region=region),
    )


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    xml = render_template("feeds/opensearch.xml")
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    xml = render_template("feeds/sitemap.xml", entries=feeds.sitemap_entries(session()))
    return xml_response(xml, "application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    lines = [
        "User-agent: *",
        "Disallow: /-/",
        "Disallow: /api/",
        "Disallow: /suche",
        f"Sitemap: {url_for('discovery.sitemap', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
