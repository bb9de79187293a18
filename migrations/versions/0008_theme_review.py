"""theme review: named themes, reviews per question and counts per area

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Themes reach the council only once an analyst has named them: a named theme per run and question groups the
discovered themes (per language) it was merged from; a review per run and question says whether they are ready;
theme counts hold per area the answers to a question and those with each theme as their main theme. Themes of
earlier runs get no named theme: they stay with analysts until a new run is reviewed.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('named_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('translations', sa.JSON(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_named_theme_run_id_analysis_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_named_theme'))
    )
    with op.batch_alter_table('named_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_named_theme_run_id'), ['run_id'], unique=False)

    op.create_table('theme_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=64), nullable=False),
    sa.Column('ready', sa.Boolean(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carried_from_id'], ['analysis_run.id'], name=op.f('fk_theme_review_carried_from_id_analysis_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['staff_user.id'], name=op.f('fk_theme_review_reviewed_by_id_staff_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_theme_review_run_id_analysis_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_review')),
    sa.UniqueConstraint('run_id', 'question', name='uq_theme_review_run_question')
    )
    with op.batch_alter_table('theme_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_review_run_id'), ['run_id'], unique=False)

    op.create_table('theme_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=64), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('area_code', sa.String(length=10), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.CheckConstraint('answers >= 0', name=op.f('ck_theme_count_answers_not_negative')),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_theme_count_run_id_analysis_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_theme_count_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_count'))
    )
    with op.batch_alter_table('theme_count', schema=None) as batch_op:
        batch_op.create_index('ix_theme_count_run_question', ['run_id', 'question'], unique=False)

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggestion', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signature', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('named_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_theme_named_id'), ['named_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_theme_named_id_named_theme'), 'named_theme', ['named_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_theme_named_id_named_theme'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_theme_named_id'))
        batch_op.drop_column('named_id')
        batch_op.drop_column('signature')
        batch_op.drop_column('suggestion')

    with op.batch_alter_table('theme_count', schema=None) as batch_op:
        batch_op.drop_index('ix_theme_count_run_question')

    op.drop_table('theme_count')
    with op.batch_alter_table('theme_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_review_run_id'))

    op.drop_table('theme_review')
    with op.batch_alter_table('named_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_named_theme_run_id'))

    op.drop_table('named_theme')
