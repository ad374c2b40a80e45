"""Security headers on every response (see docs/sicherheit.md).

The templates have no inline scripts or styles, so the Content-Security-Policy allows
only files from wissen itself. Uploaded files get a stricter policy of their own: even a
file a browser might try to render can run nothing in wissen's origin.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Downloads other than PDF: nothing may run or load, even if a browser tried to render one.
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# PDFs open in the browser's own viewer, which Chromium embeds as a plugin: a policy with
# object-src 'none' or sandbox would block it. A PDF never runs as a page of wissen.
PDF_POLICY = "frame-ancestors 'none'"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def register(app: Flask) -> None:
    https = bool(app.config.get("HTTPS"))
    app.config.update(SESSION_COOKIE_SECURE=https, REMEMBER_COOKIE_SECURE=https)

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = _policy(response)
        if https:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


def _policy(response: Response) -> str:
    if request.endpoint not in ("documents.download", "documents.download_version"):
        return PAGE_POLICY
    return PDF_POLICY if response.mimetype == "application/pdf" else FILE_POLICY
