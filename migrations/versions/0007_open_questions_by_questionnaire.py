"""open questions by questionnaire: a codebook's question becomes "<questionnaire>.<item id>"

Questionnaires reuse item ids (adults, parents and young people are all asked open_better, each in their own
words), so a codebook names the questionnaire too. A codebook made for a bare item id is given to the first
questionnaire, in alphabetical order, that asks that item as an open question, as the pages showed its text.
Themes of older runs keep their bare item id: they pooled the questionnaires' answers, were never named by an
analyst and so never reach the council.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _asks(definition, item_id):
    """Whether an instrument definition (nested dicts and lists) has `item_id` as an open question."""
    if isinstance(definition, dict):
        if definition.get("id") == item_id and definition.get("open_question"):
            return True
        return any(_asks(value, item_id) for value in definition.values())
    if isinstance(definition, list):
        return any(_asks(value, item_id) for value in definition)
    return False


def upgrade():
    connection = op.get_bind()
    versions = [(slug, json.loads(definition) if isinstance(definition, str) else definition)
                for slug, definition in connection.execute(
                    sa.text("SELECT slug, definition FROM instrument_version ORDER BY slug, version"))]
    for codebook_id, question in connection.execute(sa.text("SELECT id, question FROM codebook")).all():
        if "." in question:
            continue
        slug = next((slug for slug, definition in versions if _asks(definition, question)), "adult")
        connection.execute(sa.text("UPDATE codebook SET question = :question WHERE id = :id"),
                           {"question": f"{slug}.{question}", "id": codebook_id})


def downgrade():
    connection = op.get_bind()
    for codebook_id, question in connection.execute(sa.text("SELECT id, question FROM codebook")).all():
        if "." in question:
            connection.execute(sa.text("UPDATE codebook SET question = :question WHERE id = :id"),
                               {"question": question.split(".", 1)[1], "id": codebook_id})
