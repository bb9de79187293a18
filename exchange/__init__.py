"""Analysts' data in and out: waves, importing and exporting responses, codebooks, retention and erasure."""
