"""Document list, page, download of the original and its earlier files, preview image."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, abort, current_app, render_template, send_file
from werkzeug.wrappers import Response

from wissen.models import Document
from wissen.services import documents
from wissen.services.permissions import Action
from wissen.storage import BlobStore

from .helpers import session, similar_items, viewer

bp = Blueprint("documents", __name__)


@bp.get("/dokumente")
def list() -> str:
    return render_template("documents/list.html", documents=documents.listed_documents(session()))


@bp.get("/dokumente/<slug>")
def view(slug: str) -> str:
    document = documents.get_document(session(), slug, viewer())
    return render_template(
        "documents/view.html",
        document=document,
        has_preview=_preview_file(document.sha256) is not None,
        may_edit=viewer().can(Action.EDIT, document),
        similar=similar_items(document, _text_of(document)),
    )


def _text_of(document: Document) -> str:
    pages = " ".join(page.text for page in document.pages[:20])
    return f"{document.title} {document.summary} {pages}"


@bp.get("/dokumente/<slug>/datei")
def download(slug: str) -> Response:
    document = documents.get_document(session(), slug, viewer())
    return _send(document.sha256, document.media_type, document.original_filename)


@bp.get("/dokumente/<slug>/fruehere/<int:number>")
def download_version(slug: str, number: int) -> Response:
    document = documents.get_document(session(), slug, viewer())
    for version in document.versions:
        if version.number == number:
            return _send(version.sha256, version.media_type, version.original_filename)
    abort(404)


@bp.get("/dokumente/<slug>/vorschau.png")
def preview_image(slug: str) -> Response:
    document = documents.get_document(session(), slug, viewer())
    path = _preview_file(document.sha256)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png", conditional=True, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _preview_file(sha256: str) -> Path | None:
    path = Path(current_app.config["UPLOAD_DIR"]) / "vorschau" / f"{sha256}.png"
    return path if path.is_file() else None


def _send(sha256: str, media_type: str, file_name: str) -> Response:
    path = BlobStore(current_app.config["UPLOAD_DIR"]).path_for(sha256)
    # Only known document types are served inline; nothing is ever sent as HTML.
    response = send_file(path, mimetype=media_type, conditional=True, max_age=0)
    disposition = "inline" if media_type == "application/pdf" else "attachment"
    response.headers["Content-Disposition"] = content_disposition(file_name, disposition)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def content_disposition(file_name: str, disposition: str = "inline") -> str:
    """RFC 6266 header: an ASCII fallback plus the UTF-8 name (RFC 5987) for umlauts."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in file_name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
