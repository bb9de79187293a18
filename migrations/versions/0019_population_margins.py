"""population margins: inhabitants by sex and households by composition per buurt, for raking; a run's weighting

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

CBS "Kerncijfers wijken en buurten" columns a_man, a_vrouw, a_hh, a_1p_hh, a_hh_z_k and a_hh_m_k, loaded by
`flask geography load`; the analysis rakes respondents to them on top of the age bands, and stores with each run
which margins it used and per buurt the design effect and effective sample size (analysis_run.weighting).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

COLUMNS = (
    'men',
    'women',
    'households',
    'households_single',
    'households_without_children',
    'households_with_children',
)


def upgrade():
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_neighbourhood_margins_not_negative'), ' AND '.join(f'{name} >= 0' for name in COLUMNS)
        )
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weighting', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_column('weighting')
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_neighbourhood_margins_not_negative'), type_='check')
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
