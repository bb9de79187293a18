"""run notes: the parts of an analysis run that were skipped, with their reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

A part of a run that cannot be done (resident types, the themes of a question, a scale without items or answers)
no longer stops the run: it is listed here and the rest is stored. Earlier runs have no notes.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_column('notes')
