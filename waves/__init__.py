"""Waves: the spec a migration lead writes, the values the workflows exchange, planning and the first-run guard."""
