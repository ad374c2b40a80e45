"""Document list, page and download of the original."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, current_app, render_template, send_file
from werkzeug.wrappers import Response

from wissen.services import documents
from wissen.storage import BlobStore

from .helpers import session, viewer

bp = Blueprint("documents", __name__)


@bp.get("/dokumente")
def list() -> str:
    return render_template("documents/list.html", documents=documents.listed_documents(session()))


@bp.get("/dokumente/<slug>")
def view(slug: str) -> str:
    return render_template(
        "documents/view.html", document=documents.get_document(session(), slug, viewer())
    )


@bp.get("/dokumente/<slug>/datei")
def download(slug: str) -> Response:
    document = documents.get_document(session(), slug, viewer())
    path = BlobStore(current_app.config["UPLOAD_DIR"]).path_for(document.sha256)
    response = send_file(path, mimetype=document.media_type, conditional=True, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(document.original_filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def content_disposition(file_name: str, disposition: str = "inline") -> str:
    """RFC 6266 header: an ASCII fallback plus the UTF-8 name (RFC 5987) for umlauts."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in file_name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
