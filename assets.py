"""The one stylesheet: NL Design System tokens and base styles (from npm, see package.json) plus our own layout."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app

STATIC = Path(__file__).parent / "static"
# Copied from node_modules by `make assets`; kept out of git.
VENDOR_FILES = ("vendor/utrecht-design-tokens.css", "vendor/utrecht-html.css")
OWN_FILES = ("css/leefwereld.css",)

bp = Blueprint("assets", __name__)


def build_stylesheet(app: Flask) -> bytes:
    missing = [name for name in VENDOR_FILES if not (STATIC / name).exists()]
    if missing:
        raise RuntimeError(
            f"NL Design System styles missing ({', '.join(missing)}): run `make assets` (needs npm) first"
        )
    # Municipal branding as design tokens: colours and contrast colour come from configuration.
    theme = (
        ".lw-theme {\n"
        f"  --lw-primary: {app.config['THEME_PRIMARY']};\n"
        f"  --lw-primary-text: {app.config['THEME_PRIMARY_TEXT']};\n"
        "}\n"
    )
    parts = [(STATIC / name).read_text(encoding="utf-8") for name in VENDOR_FILES + OWN_FILES]
    return "\n".join([*parts[:-1], theme, parts[-1]]).encode("utf-8")


def init_assets(app: Flask) -> None:
    css = build_stylesheet(app)
    app.extensions["stylesheet"] = css
    digest = hashlib.sha256(css).hexdigest()[:12]
    app.register_blueprint(bp)

    @app.context_processor
    def _asset_digest():
        return {"asset_digest": digest}


@bp.get("/assets/site-<digest>.css")
def stylesheet(digest: str):
    css = current_app.extensions["stylesheet"]
    if digest != hashlib.sha256(css).hexdigest()[:12]:
        abort(404)
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
