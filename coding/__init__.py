"""Coding open answers: municipal codebooks, analysts' labels, and a classifier that codes every answer of a wave."""
