"""Status, review, rename, recycle bin: the editor's buttons on an article."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from wissen.errors import WissenError
from wissen.models import Article, ArticleStatus
from wissen.services import articles, document_admin, lifecycle
from wissen.services.permissions import Action

from .articles import bp
from .helpers import session, viewer

STATUS_MESSAGES = {
    ArticleStatus.PUBLISHED: "veröffentlicht",
    ArticleStatus.ARCHIVED: "archiviert",
    ArticleStatus.DRAFT: "wieder zum Entwurf gemacht",
}


def _editable(slug: str) -> Article:
    article = articles.get_article(session(), slug, viewer())
    if not viewer().can(Action.EDIT, article):
        abort(403)
    return article


@bp.post("/artikel/<slug>/status")
@login_required
def status(slug: str) -> Response:
    article = _editable(slug)
    try:
        wanted = ArticleStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    lifecycle.set_status(session(), article, wanted, current_user)
    flash(f"„{article.title}“ wurde {STATUS_MESSAGES[wanted]}.", "erfolg")
    return redirect(url_for("articles.view", slug=article.slug))


@bp.post("/artikel/<slug>/geprueft")
@login_required
def confirm(slug: str) -> Response:
    article = _editable(slug)
    lifecycle.confirm_current(session(), article, current_user)
    flash("Der Inhalt ist als aktuell bestätigt.", "erfolg")
    return redirect(url_for("articles.view", slug=article.slug))


@bp.route("/artikel/<slug>/umbenennen", methods=["GET", "POST"])
@login_required
def rename(slug: str) -> str | Response | tuple[str, int]:
    article = _editable(slug)
    wanted = request.form.get("slug", article.slug)
    if request.method == "GET":
        return render_template("articles/rename.html", article=article, wanted=wanted, error="")
    try:
        rewritten = lifecycle.rename(session(), article, wanted, current_user)
    except WissenError as error:
        session().rollback()
        return render_template(
            "articles/rename.html", article=article, wanted=wanted, error=error.message
        ), error.status
    flash(
        f"Neuer Kurzname „{article.slug}“; die alte Adresse leitet weiter. "
        f"Verweise in {rewritten} anderen Artikeln wurden angepasst.",
        "erfolg",
    )
    return redirect(url_for("articles.view", slug=article.slug))


@bp.post("/artikel/<slug>/loeschen")
@login_required
def delete(slug: str) -> Response:
    article = _editable(slug)
    lifecycle.move_to_trash(session(), article, current_user)
    flash(
        f"„{article.title}“ liegt jetzt im Papierkorb und kann wiederhergestellt werden.", "erfolg"
    )
    return redirect(url_for("articles.trash"))


@bp.post("/artikel/<slug>/wiederherstellen")
@login_required
def undelete(slug: str) -> Response:
    article = _editable(slug)
    lifecycle.restore_from_trash(session(), article, current_user)
    flash(f"„{article.title}“ ist wiederhergestellt.", "erfolg")
    return redirect(url_for("articles.view", slug=article.slug))


@bp.post("/artikel/<slug>/endgueltig-loeschen")
@login_required
def purge(slug: str) -> Response:
    article = _editable(slug)
    title = article.title
    lifecycle.purge(session(), article, current_user)
    flash(f"„{title}“ wurde endgültig gelöscht.", "erfolg")
    return redirect(url_for("articles.trash"))


@bp.get("/-/papierkorb")
@login_required
def trash() -> str:
    if not viewer().can(Action.CREATE):
        abort(403)
    return render_template(
        "articles/trash.html",
        articles=lifecycle.trashed(session(), current_user),
        documents=document_admin.trashed(session(), current_user),
    )


@bp.get("/-/pruefen")
@login_required
def review_list() -> str:
    if not viewer().can(Action.CREATE):
        abort(403)
    stale = lifecycle.needing_review(session(), current_user)
    return render_template("articles/review.html", articles=stale)
