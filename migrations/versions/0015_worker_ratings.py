"""worker ratings: the wijkteam worker's own rating of an area of life beside the client's, where they differ

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_ratings', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('worker_ratings')
