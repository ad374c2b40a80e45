"""Start page, themes and regions."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from wissen.search import IndexUnavailable
from wissen.services import articles, matrix, overview, search, seminars, taxonomy

from .helpers import session, viewer

bp = Blueprint("browse", __name__)


@bp.get("/")
def start() -> str:
    return render_template(
        "browse/start.html",
        newest=articles.newest_reports(session(), limit=6),
        themes=taxonomy.themes_with_counts(session()),
        seminars=seminars.seminars(session(), viewer(), limit=3),
    )


@bp.get("/themen")
def themes() -> str:
    return render_template("browse/themes.html", themes=taxonomy.themes_with_counts(session()))


@bp.get("/themen/<slug>")
def theme(slug: str) -> str:
    theme = taxonomy.get_theme(session(), slug)
    view = overview.theme_overview(
        session(),
        theme,
        viewer(),
        region=request.args.get("region", "")[:120],
        kind=request.args.get("art", "")[:40],
    )
    return render_template("browse/theme.html", theme=theme, view=view)


@bp.get("/regionen")
def regions() -> str:
    return render_template("browse/regions.html", regions=taxonomy.regions_with_counts(session()))


@bp.get("/regionen/<slug>")
def region(slug: str) -> str:
    region = taxonomy.get_region(session(), slug)
    profile = overview.region_profile(session(), region, viewer())
    return render_template("browse/region.html", region=region, profile=profile)


@bp.get("/transfermatrix")
def transfer_matrix() -> str:
    index = search.index_at(current_app.config["INDEX_DIR"])
    try:
        table = matrix.transfer_matrix(session(), index, viewer())
    except IndexUnavailable:
        from wissen import jobs

        jobs.rebuild_index()  # at once in tests; otherwise queued for the worker
        try:
            table = matrix.transfer_matrix(session(), index, viewer())
        except IndexUnavailable:
            return render_template("browse/matrix.html", table=None)
    return render_template("browse/matrix.html", table=table, levels=matrix.LEVELS)


@bp.get("/seminare")
def seminar_list() -> str:
    return render_template("browse/seminars.html", seminars=seminars.seminars(session(), viewer()))
