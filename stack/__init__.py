"""The local embedded stack: which services run, on which ports, with state under one folder.

``config`` is the single source of addresses and paths (defaults, overridable by environment
variables); ``supervisor`` starts, stops and checks the processes (``cli.py env start|stop|status``).
"""
