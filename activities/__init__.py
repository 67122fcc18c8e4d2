"""Temporal activities: thin, idempotent calls into the engine (convert, test) and the adapters
(environments, routing). ``io`` holds their small inputs and outputs; ``adapters`` turns environment
names into adapter objects with the worker's settings.
"""
