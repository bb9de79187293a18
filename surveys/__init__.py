"""Questionnaires: instrument definitions, scoring, forms and the resident flow."""
