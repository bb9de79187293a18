"""The council blueprint under /council: read-only pages over stored snapshots, for the council role and up."""

from __future__ import annotations

from flask import Blueprint

from models import Role

bp = Blueprint("council", __name__, url_prefix="/council", template_folder="templates")
# council members and policy staff; analysts and administrators check what the council will see
COUNCIL_ROLES = (Role.council, Role.analyst, Role.admin)
