"""Tests of the environment adapters."""
