"""Typed search-attribute keys (names shared with the dev server's registration in stack/temporal.py)."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from stack.temporal import MIGRATION_DAG, MIGRATION_STAGE, MIGRATION_STATUS, MIGRATION_WAVE

WAVE = SearchAttributeKey.for_keyword(MIGRATION_WAVE)
STAGE = SearchAttributeKey.for_keyword(MIGRATION_STAGE)
DAG = SearchAttributeKey.for_keyword(MIGRATION_DAG)
STATUS = SearchAttributeKey.for_keyword(MIGRATION_STATUS)


def initial(wave: str, stage: str, status: str, dag: str = "") -> TypedSearchAttributes:
    pairs = [SearchAttributePair(WAVE, wave), SearchAttributePair(STAGE, stage),
             SearchAttributePair(STATUS, status)]
    if dag:
        pairs.append(SearchAttributePair(DAG, dag))
    return TypedSearchAttributes(pairs)


def wave_workflow_id(wave: str) -> str:
    return f"wave-{wave}"


def cutover_workflow_id(wave: str, dag_id: str, suffix: str = "") -> str:
    return f"wave-{wave}--dag-{dag_id}{suffix}"
