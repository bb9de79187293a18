"""output figures: what the municipality delivered per area and year, and the output measures of an outcome

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

Output measures (youth care, Wmo clients, trajectories, hours, spending) with a value per area and year, loaded from
CBS Kerncijfers wijken en buurten or a municipality's own file; an outcome names the output measures meant to serve
it, so the council sees output beside outcome.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'output_measure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column(
            'unit',
            sa.Enum('count', 'percent', 'per_1000', 'hours', 'euro', name='output_unit', native_enum=False,
                    create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.CheckConstraint("code <> ''", name=op.f('ck_output_measure_code_not_empty')),
        sa.CheckConstraint("name <> ''", name=op.f('ck_output_measure_name_not_empty')),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_output_measure_municipality_id_municipality'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_output_measure')),
        sa.UniqueConstraint('municipality_id', 'code', name='uq_output_measure_municipality_code'),
    )
    with op.batch_alter_table('output_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_output_measure_municipality_id'), ['municipality_id'], unique=False)
    op.create_table(
        'output_figure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=10), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_output_figure_year_plausible')),
        sa.CheckConstraint('value >= 0', name=op.f('ck_output_figure_value_not_negative')),
        sa.ForeignKeyConstraint(['measure_id'], ['output_measure.id'],
                                name=op.f('fk_output_figure_measure_id_output_measure'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_output_figure')),
        sa.UniqueConstraint('measure_id', 'area_code', 'year', name='uq_output_figure_measure_area_year'),
    )
    with op.batch_alter_table('output_figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_output_figure_measure_id'), ['measure_id'], unique=False)
    op.create_table(
        'outcome_output',
        sa.Column('outcome_id', sa.Integer(), nullable=False),
        sa.Column('output_measure_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['outcome_id'], ['outcome.id'],
                                name=op.f('fk_outcome_output_outcome_id_outcome'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['output_measure_id'], ['output_measure.id'],
                                name=op.f('fk_outcome_output_output_measure_id_output_measure'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('outcome_id', 'output_measure_id', name=op.f('pk_outcome_output')),
    )
    with op.batch_alter_table('outcome_output', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_output_output_measure_id'), ['output_measure_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outcome_output', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_output_output_measure_id'))
    op.drop_table('outcome_output')
    with op.batch_alter_table('output_figure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_output_figure_measure_id'))
    op.drop_table('output_figure')
    with op.batch_alter_table('output_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_output_measure_municipality_id'))
    op.drop_table('output_measure')
