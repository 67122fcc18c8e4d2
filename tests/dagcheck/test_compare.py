"""Structure comparison: each kind of difference is found, named, and classified."""

from __future__ import annotations

from dataclasses import replace

from dagcheck.compare import Difference, compare, compare_files, failures, inline_subdag
from dagcheck.structure import RELATIVE, UNKNOWN, DagStructure

BASE = DagStructure(
    dag_id="etl",
    task_ids=("extract", "load", "transform"),
    edges=(("extract", "transform"), ("transform", "load")),
    schedule="@daily",
    catchup=False,
    start_date="2021-01-01T00:00:00",
    retries={"extract": 1, "load": 1, "transform": 1},
    trigger_rules={"extract": "all_success", "load": "all_success", "transform": "all_success"},
    default_args={"owner": "data", "retries": 1},
)


def messages(diffs: tuple[Difference, ...]) -> list[str]:
    return [d.message for d in diffs]


def test_identical_structures_have_no_difference():
    assert compare(BASE, BASE) == ()


def test_dropped_edge():
    converted = replace(BASE, edges=(("extract", "transform"),))
    (diff,) = compare(BASE, converted)
    assert diff == Difference("etl", "edges", ["transform", "load"], None, False,
                              "task 'load' lost upstream 'transform'", "mismatch")


def test_added_edge():
    converted = replace(BASE, edges=(*BASE.edges, ("extract", "load")))
    assert messages(failures(compare(BASE, converted))) == ["task 'load' gained upstream 'extract'"]


def test_extra_task():
    converted = replace(BASE, task_ids=(*BASE.task_ids, "notify"),
                        retries={**BASE.retries, "notify": 0},
                        trigger_rules={**BASE.trigger_rules, "notify": "all_success"})
    (diff,) = compare(BASE, converted)
    assert (diff.field, diff.actual, diff.allowed) == ("task_ids", "notify", False)
    assert diff.message == "task 'notify' is new after conversion"


def test_missing_task_is_reported_once_not_with_its_edges():
    converted = replace(BASE, task_ids=("extract", "load"), edges=())
    assert messages(compare(BASE, converted)) == ["task 'transform' is missing after conversion"]


def test_renamed_task():
    def rename(t: str) -> str:
        return "transform_v2" if t == "transform" else t

    converted = replace(
        BASE,
        task_ids=tuple(sorted(rename(t) for t in BASE.task_ids)),
        edges=tuple(sorted((rename(u), rename(d)) for u, d in BASE.edges)),
        retries={rename(k): v for k, v in BASE.retries.items()},
        trigger_rules={rename(k): v for k, v in BASE.trigger_rules.items()},
    )
    (diff,) = compare(BASE, converted)
    assert (diff.field, diff.expected, diff.actual, diff.allowed) == ("task_ids", "transform", "transform_v2", False)
    assert diff.message == "task 'transform' appears renamed to 'transform_v2'"


def test_schedule_change_and_preset_equivalent_to_cron():
    assert compare(BASE, replace(BASE, schedule="0 0 * * *")) == ()
    assert compare(replace(BASE, schedule="@hourly"), replace(BASE, schedule="0  *  * * *")) == ()
    (diff,) = compare(BASE, replace(BASE, schedule="0 1 * * *"))
    assert diff.message == "schedule '@daily' -> '0 1 * * *'"
    assert not diff.allowed


def test_timedelta_schedule_is_not_a_cron_schedule():
    source = replace(BASE, schedule="timedelta:86400")
    (diff,) = compare(source, replace(BASE, schedule="@daily"))
    assert diff.message == "schedule 'timedelta:86400' -> '@daily'"


def test_catchup_change():
    (diff,) = compare(BASE, replace(BASE, catchup=True))
    assert (diff.field, diff.expected, diff.actual, diff.allowed) == ("catchup", False, True, False)
    assert diff.message == "catchup False -> True"


def test_start_date_change():
    (diff,) = compare(BASE, replace(BASE, start_date="2021-01-02T00:00:00"))
    assert diff.message == "start_date '2021-01-01T00:00:00' -> '2021-01-02T00:00:00'"


def test_retries_change():
    (diff,) = compare(BASE, replace(BASE, retries={**BASE.retries, "load": 3}))
    assert (diff.field, diff.expected, diff.actual, diff.allowed) == ("retries", 1, 3, False)
    assert diff.message == "task 'load' retries 1 -> 3"


def test_trigger_rule_change():
    (diff,) = compare(BASE, replace(BASE, trigger_rules={**BASE.trigger_rules, "load": "all_done"}))
    assert diff.message == "task 'load' trigger rule 'all_success' -> 'all_done'"
    assert not diff.allowed


def test_trigger_rules_renamed_by_airflow_2_are_allowed():
    source = replace(BASE, trigger_rules={**BASE.trigger_rules, "load": "dummy", "transform": "none_failed_or_skipped"})
    converted = replace(BASE, trigger_rules={**BASE.trigger_rules, "load": "always",
                                             "transform": "none_failed_min_one_success"})
    diffs = compare(source, converted)
    assert failures(diffs) == ()
    assert {d.kind for d in diffs} == {"allowed"}
    assert "task 'load' trigger rule 'dummy' is 'always' in Airflow 2" in messages(diffs)


def test_provide_context_removed_from_default_args_is_allowed():
    source = replace(BASE, default_args={**BASE.default_args, "provide_context": True})
    (diff,) = compare(source, BASE)
    assert diff.allowed and diff.field == "default_args.provide_context"
    assert "removed" in diff.message and not failures((diff,))


def test_default_args_keys_renamed_for_airflow_2_are_allowed_with_the_same_value():
    source = replace(BASE, default_args={**BASE.default_args, "project": "acme", "postgres_conn_id": "pg"})
    converted = replace(BASE, default_args={**BASE.default_args, "project_id": "acme", "postgres_conn_id": "pg",
                                            "conn_id": "pg"})
    diffs = compare(source, converted)
    assert {d.field for d in diffs} == {"default_args.project", "default_args.project_id", "default_args.conn_id"}
    assert all(d.allowed for d in diffs), messages(diffs)
    other_value = replace(converted, default_args={**converted.default_args, "project_id": "other"})
    assert {d.field for d in failures(compare(source, other_value))} == {"default_args.project",
                                                                         "default_args.project_id"}


def test_default_args_changes():
    converted = replace(BASE, default_args={"owner": "ops", "email": ["a@example.com"]})
    assert messages(compare(BASE, converted)) == [
        "default_args 'email' = ['a@example.com'] was added",
        "default_args 'owner' 'data' -> 'ops'",
        "default_args 'retries' was dropped",
    ]


def test_unknown_and_relative_source_values_are_not_compared():
    source = replace(BASE, schedule=UNKNOWN, catchup=UNKNOWN, start_date=RELATIVE,
                     retries={**BASE.retries, "load": UNKNOWN}, default_args={"owner": UNKNOWN, "retries": 1})
    converted = replace(BASE, schedule="@hourly", catchup=True, start_date="2024-05-01T00:00:00",
                        retries={**BASE.retries, "load": 7}, default_args={"owner": "x", "retries": 1})
    diffs = compare(source, converted)
    assert failures(diffs) == ()
    assert {d.field for d in diffs} == {"schedule", "catchup", "start_date", "retries", "default_args.owner"}
    assert all(d.kind == "not_compared" and d.message.startswith("not compared: ") for d in diffs)


def test_incomplete_source_collections_do_not_fail_on_extras_but_do_on_losses():
    source = replace(BASE, incomplete=("task_ids", "edges"))
    converted = replace(
        BASE,
        task_ids=(*BASE.task_ids, "load_orders"),
        edges=(("extract", "transform"), ("transform", "load_orders")),
        retries={**BASE.retries, "load_orders": 1},
        trigger_rules={**BASE.trigger_rules, "load_orders": "all_success"},
    )
    diffs = compare(source, converted)
    assert messages(failures(diffs)) == ["task 'load' lost upstream 'transform'"]
    assert "not compared: task 'load_orders' is not among the statically known tasks of the source" in messages(diffs)


# ---- SubDAG -> TaskGroup ---------------------------------------------------------------------------------

CHILD = DagStructure(
    dag_id="parent.section",
    task_ids=("a", "b", "c"),
    edges=(("a", "b"), ("a", "c")),
    schedule="@daily",
    retries={"a": 2, "b": 2, "c": 2},
    trigger_rules={"a": "all_success", "b": "all_success", "c": "all_done"},
)
PARENT = DagStructure(
    dag_id="parent",
    task_ids=("end", "section", "start"),
    edges=(("section", "end"), ("start", "section")),
    schedule="@daily",
    retries={"end": 0, "section": 0, "start": 0},
    trigger_rules={"end": "all_success", "section": "all_success", "start": "all_success"},
    subdags=(CHILD,),
)
AS_GROUP = DagStructure(
    dag_id="parent",
    task_ids=("end", "section.a", "section.b", "section.c", "start"),
    edges=(("section.a", "section.b"), ("section.a", "section.c"), ("section.b", "end"), ("section.c", "end"),
           ("start", "section.a")),
    schedule="@daily",
    retries={"end": 0, "section.a": 2, "section.b": 2, "section.c": 2, "start": 0},
    trigger_rules={"end": "all_success", "section.a": "all_success", "section.b": "all_success",
                   "section.c": "all_done", "start": "all_success"},
    task_groups=("section",),
)


def test_subdag_turned_into_a_task_group_is_an_allowed_reported_difference():
    diffs = compare(PARENT, AS_GROUP)
    assert failures(diffs) == ()
    (diff,) = diffs
    assert (diff.field, diff.kind, diff.allowed) == ("subdags", "allowed", True)
    assert diff.message == "SubDAG 'parent.section' became TaskGroup 'section' (3 tasks)"


def test_subdag_turned_into_a_group_with_a_lost_inner_edge_still_fails():
    converted = replace(AS_GROUP, edges=tuple(e for e in AS_GROUP.edges if e != ("section.a", "section.c")))
    assert messages(failures(compare(PARENT, converted))) == ["task 'section.c' lost upstream 'section.a'"]


def test_subdag_kept_as_a_subdag_is_compared_recursively():
    converted = replace(PARENT, subdags=(replace(CHILD, schedule="@hourly"),))
    (diff,) = compare(PARENT, converted)
    assert (diff.dag_id, diff.message) == ("parent.section", "schedule '@daily' -> '@hourly'")


def test_subdag_dropped_entirely_fails():
    converted = replace(PARENT, subdags=())
    assert messages(failures(compare(PARENT, converted))) == ["SubDAG 'parent.section' is missing after conversion"]


def test_nested_subdags_inline_into_nested_groups():
    grandchild = DagStructure(dag_id="parent.section.inner", task_ids=("x",), retries={"x": 0},
                              trigger_rules={"x": "all_success"})
    child = replace(CHILD, task_ids=(*CHILD.task_ids, "inner"), edges=(*CHILD.edges, ("c", "inner")),
                    retries={**CHILD.retries, "inner": 0}, trigger_rules={**CHILD.trigger_rules, "inner": "all_success"},
                    subdags=(grandchild,))
    source = replace(PARENT, subdags=(child,))
    converted = replace(
        AS_GROUP,
        task_ids=(*AS_GROUP.task_ids, "section.inner.x"),
        edges=tuple(sorted({*AS_GROUP.edges, ("section.c", "section.inner.x"), ("section.inner.x", "end")}
                           - {("section.c", "end")})),
        retries={**AS_GROUP.retries, "section.inner.x": 0},
        trigger_rules={**AS_GROUP.trigger_rules, "section.inner.x": "all_success"},
        task_groups=("section", "section.inner"),
    )
    diffs = compare(source, converted)
    assert failures(diffs) == ()
    assert sorted(messages(diffs)) == [
        "SubDAG 'parent.section' became TaskGroup 'section' (4 tasks)",
        "SubDAG 'parent.section.inner' became TaskGroup 'section.inner' (1 tasks)",
    ]


def test_inline_subdag_wires_roots_and_leaves():
    inlined = inline_subdag(PARENT, "section", CHILD)
    assert inlined.task_ids == AS_GROUP.task_ids
    assert inlined.edges == AS_GROUP.edges
    assert inlined.retries == AS_GROUP.retries
    assert inlined.subdags == ()


# ---- files -------------------------------------------------------------------------------------------------


def test_compare_files_names_missing_and_extra_dags():
    other = replace(BASE, dag_id="other")
    diffs = compare_files([BASE, other], [BASE, replace(BASE, dag_id="new")])
    assert messages(diffs) == ["DAG 'other' is missing after conversion", "DAG 'new' is new after conversion"]
    assert all(not d.allowed for d in diffs)


def test_compare_files_with_an_unknown_source_dag_does_not_fail_on_extras():
    placeholder = DagStructure(dag_id=UNKNOWN, schedule=UNKNOWN, catchup=UNKNOWN, start_date=UNKNOWN,
                               source_line=12, incomplete=("task_ids", "edges", "default_args", "subdags"))
    diffs = compare_files([BASE, placeholder], [BASE, replace(BASE, dag_id="generated_1")])
    assert failures(diffs) == ()
    assert messages(diffs) == [
        "not compared: a DAG whose id or existence is not known statically (line 12) was not compared",
        "not compared: DAG 'generated_1' is not among the statically known DAGs of the source",
    ]


def test_compare_files_compares_matched_dags():
    diffs = compare_files([BASE], [replace(BASE, catchup=True)])
    assert messages(diffs) == ["catchup False -> True"]
