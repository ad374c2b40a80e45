"""Uploading, replacing and changing documents (routes of the ``documents`` blueprint)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.wrappers import Response

from wissen import jobs
from wissen.errors import WissenError
from wissen.models import Article, Contact, Document, DocumentKind, Region, Theme
from wissen.services import document_admin, documents, ingest
from wissen.services.permissions import Action
from wissen.storage import BlobStore

from .documents import bp
from .helpers import session, viewer


def store() -> BlobStore:
    return BlobStore(current_app.config["UPLOAD_DIR"])


def document_input(form: MultiDict[str, str]) -> ingest.DocumentInput:
    return ingest.DocumentInput(
        title=form.get("title", ""),
        kind=form.get("kind", ""),
        region=form.get("region", ""),
        themes=form.getlist("themes"),
        contacts=form.getlist("contacts"),
        articles=form.getlist("articles"),
        date=form.get("date", ""),
        summary=form.get("summary", ""),
    )


def choices() -> dict[str, Any]:
    s = session()
    regions = s.scalars(select(Region).order_by(Region.name))
    return {
        "kinds": list(DocumentKind),
        "regions": [r for r in regions if viewer().can(Action.CREATE, r)],
        "may_leave_region_empty": viewer().can(Action.CREATE),
        "themes": list(s.scalars(select(Theme).order_by(Theme.position, Theme.name))),
        "contacts": list(s.scalars(select(Contact).order_by(Contact.name))),
        "articles": list(
            s.scalars(select(Article).where(Article.deleted_at.is_(None)).order_by(Article.title))
        ),
        "max_mb": current_app.config["MAX_UPLOAD_MB"],
    }


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/dokumente/neu")
@login_required
def new() -> str:
    if not viewer().can(Action.CREATE):
        abort(403)
    region = viewer().user.regions[0].slug if viewer().user and viewer().user.regions else ""
    data = ingest.DocumentInput(region=region)
    return render_template("documents/upload.html", data=data, results=[], **choices())


@bp.post("/dokumente/neu")
@login_required
def upload() -> str | Response | tuple[Any, int]:
    data = document_input(request.form)
    files = [f for f in request.files.getlist("dateien") if f and f.filename]
    if not files:
        return _upload_error(data, "Bitte mindestens eine Datei auswählen.")
    results = [_accept(f, data) for f in files]
    # Refused as a whole only when no file was taken; otherwise the page lists each file.
    status = 200 if any(r["ok"] for r in results) else 400
    if _wants_json():
        return jsonify({"results": results}), status
    if len(results) == 1 and results[0]["ok"]:
        flash(results[0]["message"], "erfolg" if not results[0]["duplicate"] else "info")
        return redirect(results[0]["url"])
    page = render_template("documents/upload.html", data=data, results=results, **choices())
    return page, status


def _upload_error(data: ingest.DocumentInput, message: str) -> tuple[Any, int]:
    if _wants_json():
        return jsonify({"results": [{"ok": False, "message": message}]}), 400
    flash(message, "fehler")
    return render_template("documents/upload.html", data=data, results=[], **choices()), 400


def _accept(upload: FileStorage, data: ingest.DocumentInput) -> dict[str, Any]:
    """Ingest one file of a (multi-)upload; a bad file never stops the others."""
    name = ingest.safe_file_name(upload.filename or "")
    try:
        accepted = ingest.ingest(
            session(),
            store(),
            upload.stream,
            name,
            data,
            current_user,
            max_size=current_app.config["MAX_CONTENT_LENGTH"],
        )
    except WissenError as error:
        session().rollback()
        return {"ok": False, "file": name, "message": error.message, "duplicate": False}
    document = accepted.document
    if accepted.duplicate:
        message = f"„{name}“ ist schon vorhanden als „{document.title}“."
    else:
        jobs.enqueue_processing(document.id)
        message = f"„{name}“ wurde hochgeladen und wird jetzt ausgelesen."
    url = url_for("documents.view", slug=document.slug)
    return {
        "ok": True,
        "file": name,
        "message": message,
        "duplicate": accepted.duplicate,
        "url": url,
        "slug": document.slug,
        "title": document.title,
    }


def _editable(slug: str) -> Document:
    document = documents.get_document(session(), slug, viewer())
    if not viewer().can(Action.EDIT, document):
        abort(403)
    return document


@bp.route("/dokumente/<slug>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(slug: str) -> str | Response | tuple[str, int]:
    document = _editable(slug)
    if request.method == "GET":
        data = document_admin.input_of(document)
        return render_template(
            "documents/edit.html", document=document, data=data, error="", **choices()
        )
    data = document_input(request.form)
    base = request.form.get("base_version", type=int) or 0
    try:
        changed = document_admin.update_metadata(session(), document, data, base, current_user)
    except WissenError as error:
        session().rollback()
        return render_template(
            "documents/edit.html", document=document, data=data, error=error.message, **choices()
        ), error.status
    flash("Gespeichert." if changed else "Keine Änderungen.", "erfolg" if changed else "info")
    return redirect(url_for("documents.view", slug=document.slug))


@bp.post("/dokumente/<slug>/ersetzen")
@login_required
def replace(slug: str) -> Response:
    document = _editable(slug)
    upload = request.files.get("datei")
    if upload is None or not upload.filename:
        flash("Bitte eine Datei auswählen.", "fehler")
        return redirect(url_for("documents.view", slug=slug))
    try:
        ingest.replace_file(
            session(),
            store(),
            document,
            upload.stream,
            upload.filename,
            current_user,
            max_size=current_app.config["MAX_CONTENT_LENGTH"],
        )
    except WissenError as error:
        session().rollback()
        flash(error.message, "fehler")
        return redirect(url_for("documents.view", slug=slug))
    jobs.enqueue_processing(document.id)
    flash("Die neue Datei wird ausgelesen; die alte bleibt unter „Frühere Dateien“.", "erfolg")
    return redirect(url_for("documents.view", slug=slug))


@bp.post("/dokumente/<slug>/erneut")
@login_required
def retry(slug: str) -> Response:
    document = _editable(slug)
    document_admin.retry(session(), document, current_user)
    jobs.enqueue_processing(document.id)
    flash("Das Dokument wird erneut ausgelesen.", "info")
    return redirect(url_for("documents.view", slug=slug))


@bp.post("/dokumente/<slug>/loeschen")
@login_required
def delete(slug: str) -> Response:
    document = _editable(slug)
    document_admin.move_to_trash(session(), document, current_user)
    flash(f"„{document.title}“ liegt jetzt im Papierkorb.", "erfolg")
    return redirect(url_for("articles.trash"))


@bp.post("/dokumente/<slug>/wiederherstellen")
@login_required
def undelete(slug: str) -> Response:
    document = _editable(slug)
    document_admin.restore_from_trash(session(), document, current_user)
    flash(f"„{document.title}“ ist wiederhergestellt.", "erfolg")
    return redirect(url_for("documents.view", slug=slug))


@bp.post("/dokumente/<slug>/endgueltig-loeschen")
@login_required
def purge(slug: str) -> Response:
    document = _editable(slug)
    title = document.title
    document_admin.purge(session(), store(), document, current_user)
    flash(f"„{title}“ wurde endgültig gelöscht.", "erfolg")
    return redirect(url_for("articles.trash"))
