"""results for residents: what the municipality will do per outcome, and a run's publication to residents

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

An outcome gets a short text for residents on what the municipality will do about it; an analyst publishes a
released run, which then shows on the public results pages per wijk and in the open data.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.Text(), nullable=True))
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_column('published_at')
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.drop_column('action')
