"""run release: whether the council sees an analysis run, or why it was held back

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A new run of a wave replaces what the council sees only when no figure changed by fewer residents than the
suppression threshold since an earlier release (analysis.releases). Runs that succeeded before are released: the
council saw them.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('release_conflicts', sa.JSON(), nullable=False, server_default='[]'))
    op.execute("UPDATE analysis_run SET released_at = finished_at WHERE status = 'succeeded'")


def downgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_column('release_conflicts')
        batch_op.drop_column('released_at')
