"""AM208: a parameter Airflow 2 renamed, set through ``default_args`` (``'project'`` -> ``'project_id'`` for the
Pub/Sub operators, ``'bigquery_conn_id'`` -> ``'gcp_conn_id'``, ...), from the rows of
dagconvert/tables/param_changes.json.

How default_args reach a task, in both versions (1.10.15 ``apply_defaults``; 2.10.5
``BaseOperatorMeta._apply_defaults``): for each parameter of the operator's ``__init__`` chain that the call
does not pass, ``default_args[parameter]`` is used when present; other keys are ignored. So in Airflow 2 the
old key is silently ignored, and the new key would reach *every* operator of the DAG that takes the new name,
including ones that did not get the value in 1.10.

Only dict literals the file passes as ``default_args=`` (directly, or bound to a name it passes) are rewritten;
one that merely looks like default_args (an ``owner`` or ``start_date`` key) but is not seen passed gets a TODO,
and one passed to another keyword (``labels={'owner': ..., 'project': ...}``) is left alone.

When no operator of the file that took the old key in 1.10 would miss it (each passes the new name itself, e.g.
because a restructuring rule moved the value into the call, or there is none), nothing needs to change. Else
the rewrite is exact when, among the operators the file instantiates (their 2.x classes, from the profile's
inventory of accepted arguments), every one that would receive the new key (it takes it and the converted
call does not pass it) took the old key in 1.10 (the table renames the old name to the new one for its class):
each then gets the value it got in 1.10, and no other operator gets anything new. Then:
- the key is renamed when nothing can still read the old one (no 2.x operator of the file takes it, the file
  does not mention it elsewhere, e.g. ``default_args['project']``, and no restructuring rule copies
  ``default_args[...]`` into a call);
- else the new key is added after the old one with the same value, when that value is a name or a literal
  (evaluating it twice changes nothing);
- else, and whenever an operator would newly get the value, or its arguments are not known (a project's own
  class), a TODO names the tasks concerned.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from dagconvert import tables
from dagconvert.analysis import Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import Example, Rule
from dagconvert.rules.param_changes import CONNECTION_MERGES, OWNED_ELSEWHERE

# Keys that mark a dict literal as default_args (every DAG's default_args has at least one of them).
DEFAULT_ARGS_KEYS = frozenset({"owner", "start_date", "retries", "retry_delay", "email", "depends_on_past",
                               "email_on_failure", "end_date", "queue", "pool"})
_MEMO_KEY = "AM208:tasks"
_DICTS_KEY = "AM208:dicts"


def _applies(row: dict, replaced: bool) -> bool:
    """A table row applies to a call: rows marked ``for_replacement`` only when the call is restructured."""
    return replaced or not row.get("for_replacement")


def _renamed_keys() -> dict[str, frozenset[str]]:
    """Old parameter name -> the new names the table gives it (over every class)."""
    renamed: dict[str, set[str]] = {}
    for rows in tables.param_changes().values():
        for param, row in rows.items():
            if row["to"] and param not in OWNED_ELSEWHERE:
                renamed.setdefault(param, set()).add(row["to"])
    return {k: frozenset(v) for k, v in renamed.items()}


RENAMED_KEYS = _renamed_keys()


@dataclass(frozen=True)
class _Task:
    """One operator call of the file, as Airflow 2 will see it after conversion."""

    name: str                        # its 2.x class (as the converted file names it) and task_id
    line: int
    accepted: frozenset[str] | None  # what its 2.x class takes (None: not known)
    passed: frozenset[str]           # the keywords the converted call passes (its 2.x names)
    fed_from: dict[str, frozenset[str]]  # 2.x parameter -> the 1.10 names the table renamed to it (its class)
    replaced: bool                   # a restructuring rule rewrites the call (it may copy default_args values)


def _looks_like_operator(name: str) -> bool:
    return name.endswith(("Operator", "Sensor"))


def _named(class_name: str, task_id: str | None) -> str:
    return f"{class_name} {task_id!r}" if task_id else class_name


def _tasks(ctx) -> list[_Task]:
    """Every call of the file that constructs an operator (or may: a class the inventory does not describe)."""
    memo = ctx.analysis.memo
    if _MEMO_KEY not in memo:
        memo[_MEMO_KEY] = _collect_tasks(ctx)
    return memo[_MEMO_KEY]


def _collect_tasks(ctx) -> list[_Task]:
    analysis = ctx.analysis
    local_classes = {n.name for n in analysis.nodes if isinstance(n, ast.ClassDef)}
    tasks = []
    for node in analysis.nodes:
        if not isinstance(node, ast.Call):
            continue
        keywords = [k.arg for k in node.keywords if k.arg is not None]
        task_id = next((k.value.value for k in node.keywords if k.arg == "task_id"
                        and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)), None)
        qname = analysis.resolve(node.func)
        if qname is None:
            shown = node.func.id if isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node.func, ast.Attribute) else None
            if shown is not None and (shown in local_classes or _looks_like_operator(shown)):
                tasks.append(_Task(_named(shown, task_id), node.lineno, None, frozenset(keywords), {}, False))
            continue
        decision = ctx.decider.decide(qname)
        final = decision.new_qname if decision.action in (Action.MOVE, Action.REPLACE) else decision.identity
        accepted = ctx.profile.accepted_kwargs(final) if final else None
        shown = (final or qname).rpartition(".")[2]
        if accepted is None:
            if _looks_like_operator(shown):
                tasks.append(_Task(_named(shown, task_id), node.lineno, None, frozenset(keywords), {}, False))
            continue
        replaced = decision.action is Action.REPLACE
        rows = {p: r for p, r in (tables.param_changes().get(decision.identity) or {}).items()
                if r["to"] and p not in OWNED_ELSEWHERE and _applies(r, replaced)}
        fed_from: dict[str, set[str]] = {}
        for param, row in rows.items():
            fed_from.setdefault(row["to"], set()).add(param)
        merged = CONNECTION_MERGES.get(decision.identity)
        if merged:
            fed_from.setdefault("gcp_conn_id", set()).add(merged[0])
        passed = {rows[k]["to"] if k in rows else k for k in keywords}
        if merged and merged[0] in keywords:
            passed.add("gcp_conn_id")
        tasks.append(_Task(_named(shown, task_id), node.lineno, accepted, frozenset(passed),
                           {k: frozenset(v) for k, v in fed_from.items()}, replaced))
    return sorted(tasks, key=lambda t: t.line)


def _literal_keys(node: ast.Dict) -> tuple:
    return tuple(k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None for k in node.keys)


def _dict_uses(ctx) -> tuple[set[tuple], set[tuple], set[tuple]]:
    """The key tuples (source order; None for a non-literal key or ``**``) of the dict literals the file passes
    as ``default_args=`` (directly, or bound to a name that is passed), of every other dict literal, and of the
    dict literals passed straight to another keyword (``labels={...}``: surely not default_args)."""
    memo = ctx.analysis.memo
    if _DICTS_KEY not in memo:
        passed, names, elsewhere = [], set(), set()
        for node in ctx.analysis.nodes:
            for kw in node.keywords if isinstance(node, ast.Call) else ():
                if kw.arg == "default_args" and isinstance(kw.value, ast.Dict):
                    passed.append(kw.value)
                elif kw.arg == "default_args" and isinstance(kw.value, ast.Name):
                    names.add(kw.value.id)
                elif isinstance(kw.value, ast.Dict):
                    elsewhere.add(_literal_keys(kw.value))
        for node in ctx.analysis.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in names for t in targets):
                    passed.append(node.value)
        chosen = {id(d) for d in passed}
        others = {_literal_keys(d) for d in ctx.analysis.nodes if isinstance(d, ast.Dict) and id(d) not in chosen}
        memo[_DICTS_KEY] = ({_literal_keys(d) for d in passed}, others, elsewhere)
    return memo[_DICTS_KEY]


def _string_count(ctx, value: str) -> int:
    return sum(1 for n in ctx.analysis.nodes if isinstance(n, ast.Constant) and n.value == value)


def _simple(node: cst.BaseExpression) -> bool:
    """A value that evaluating twice cannot change: a name, a dotted name, a literal."""
    if isinstance(node, cst.Attribute):
        return _simple(node.value)
    if isinstance(node, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _simple(node.left) and _simple(node.right)
    return False


def _key_element(element: cst.BaseDictElement) -> str | None:
    if isinstance(element, cst.DictElement) and isinstance(element.key, (cst.SimpleString, cst.ConcatenatedString)):
        key = cstutil.literal(element.key)
        return key if isinstance(key, str) else None
    return None


def _with_key(element: cst.DictElement, key: str) -> cst.DictElement:
    quote = element.key.value[0] if isinstance(element.key, cst.SimpleString) else "'"
    return element.with_changes(key=cst.SimpleString(f"{quote}{key}{quote}"))


def _insert_after(node: cst.Dict, index: int, key: str) -> cst.Dict:
    """The dict with ``key: <a copy of element index's value>`` right after element ``index``, laid out like
    the dict's other elements (a comment at the end of the old element's line stays there; comment lines
    before the next element stay before it)."""
    elements = list(node.elements)
    old = elements[index]
    new = _with_key(old, key).with_changes(value=old.value.deep_clone())
    comma = old.comma
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        after = comma.whitespace_after
        old = old.with_changes(comma=comma.with_changes(whitespace_after=after.with_changes(empty_lines=[])))
        new = new.with_changes(comma=comma.with_changes(
            whitespace_after=after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=after.empty_lines)))
    elif isinstance(comma, cst.Comma) and index < len(elements) - 1:
        new = new.with_changes(comma=comma)
    else:  # the last element: lay the new one out like the gap before the old one
        gap: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
        previous = elements[index - 1].comma if index else None
        if isinstance(previous, cst.Comma):
            gap = previous.whitespace_after
            if isinstance(gap, cst.ParenthesizedWhitespace):
                gap = gap.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        closing = node.rbrace.whitespace_before
        if isinstance(gap, cst.ParenthesizedWhitespace) and isinstance(closing, cst.ParenthesizedWhitespace):
            # a comment at the end of the old element's line is held by the closing brace: keep it on that line
            gap = gap.with_changes(first_line=closing.first_line)
            node = node.with_changes(rbrace=node.rbrace.with_changes(
                whitespace_before=closing.with_changes(first_line=cst.TrailingWhitespace())))
        before = comma.whitespace_before if isinstance(comma, cst.Comma) else cst.SimpleWhitespace("")
        old = old.with_changes(comma=cst.Comma(whitespace_before=before, whitespace_after=gap))
        new = new.with_changes(comma=comma)
    elements[index:index + 1] = [old, new]
    return node.with_changes(elements=elements)


class DefaultArgsRenamed(Rule):
    code = "AM208"
    name = "default-args-renamed"
    summary = ("A renamed parameter set in a dict the file passes as default_args ('project' -> 'project_id', 'bigquery_conn_id' -> "
               "'gcp_conn_id', ...) gets its Airflow 2 name when every operator of the file that would receive "
               "the new key got the old one in 1.10 (the key is renamed, or the new one added beside it); else a "
               "TODO names the tasks that would newly get the value.")
    interest = Interest(strings=re.compile("^(?:" + "|".join(sorted(map(re.escape, RENAMED_KEYS))) + ")$"))
    order = 19  # before AM202 takes provide_context out: it matches the dict to the source's by its keys
    examples = (
        Example(
            title="Pub/Sub operators took 'project' in 1.10: the key is renamed",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.pubsub_operator import PubSubTopicCreateOperator\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "default_args = {'owner': 'data', 'project': 'acme'}\n"
                "with DAG('d', default_args=default_args, schedule_interval=None) as dag:\n"
                "    create = PubSubTopicCreateOperator(task_id='create', topic='t')\n"
                "    done = BashOperator(task_id='done', bash_command='true')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.pubsub import PubSubCreateTopicOperator\n"
                "from airflow.operators.bash import BashOperator\n"
                "default_args = {'owner': 'data', 'project_id': 'acme'}\n"
                "with DAG('d', default_args=default_args, schedule=None) as dag:\n"
                "    create = PubSubCreateTopicOperator(task_id='create', topic='t')\n"
                "    done = BashOperator(task_id='done', bash_command='true')\n"
            ),
        ),
        Example(
            title="the old key is still read elsewhere: the new one is added beside it",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.pubsub_operator import PubSubPublishOperator\n"
                "PROJECT = 'acme'\n"
                "default_args = {\n"
                "    'owner': 'data',\n"
                "    'project': PROJECT,  # billing project\n"
                "    # topics live there too\n"
                "    'retries': 1,\n"
                "}\n"
                "with DAG('d', default_args=default_args, schedule_interval=None) as dag:\n"
                "    publish = PubSubPublishOperator(task_id='publish', topic='t', messages=[{'data': 'eA=='}])\n"
                "    print(default_args['project'])\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.pubsub import PubSubPublishMessageOperator\n"
                "PROJECT = 'acme'\n"
                "default_args = {\n"
                "    'owner': 'data',\n"
                "    'project': PROJECT,  # billing project\n"
                "    'project_id': PROJECT,\n"
                "    # topics live there too\n"
                "    'retries': 1,\n"
                "}\n"
                "with DAG('d', default_args=default_args, schedule=None) as dag:\n"
                "    publish = PubSubPublishMessageOperator(task_id='publish', topic='t', messages=[{'data': 'eA=='}])\n"
                "    print(default_args['project'])\n"
            ),
        ),
        Example(
            title="an operator that did not take the old key would newly get the value: TODO",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.bigquery_check_operator import BigQueryCheckOperator\n"
                "from airflow.contrib.operators.gcs_delete_operator import GoogleCloudStorageDeleteOperator\n"
                "default_args = {'owner': 'bi', 'bigquery_conn_id': 'bq'}\n"
                "with DAG('d', default_args=default_args, schedule_interval=None) as dag:\n"
                "    check = BigQueryCheckOperator(task_id='check', sql='SELECT 1', use_legacy_sql=False)\n"
                "    clean = GoogleCloudStorageDeleteOperator(task_id='clean', bucket_name='b', prefix='tmp/')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.bigquery import BigQueryCheckOperator\n"
                "from airflow.providers.google.cloud.operators.gcs import GCSDeleteObjectsOperator\n"
                "# TODO(airflow2): AM208 default_args sets 'bigquery_conn_id', which Airflow 2 ignores (the "
                "parameter is now 'gcp_conn_id'); not renamed, because default_args['gcp_conn_id'] would also "
                "reach GCSDeleteObjectsOperator 'clean', which did not get 'bigquery_conn_id' in "
                "Airflow 1.10: pass gcp_conn_id='bq' to each task that used 'bigquery_conn_id' (or rename the key "
                "and pass the tasks listed their own gcp_conn_id)\n"
                "default_args = {'owner': 'bi', 'bigquery_conn_id': 'bq'}\n"
                "with DAG('d', default_args=default_args, schedule=None) as dag:\n"
                "    check = BigQueryCheckOperator(task_id='check', sql='SELECT 1', use_legacy_sql=False)\n"
                "    clean = GCSDeleteObjectsOperator(task_id='clean', bucket_name='b', prefix='tmp/')\n"
            ),
            todos=("default_args sets 'bigquery_conn_id'",),
        ),
    )

    def leave_dict(self, ctx, node: cst.Dict) -> cst.Dict:
        keys = {_key_element(e): i for i, e in enumerate(node.elements)}
        keys.pop(None, None)
        renamed = sorted(k for k in keys if k in RENAMED_KEYS)
        if not renamed:
            return node
        shape = tuple(_key_element(e) for e in node.elements)
        default_args, others, elsewhere = _dict_uses(ctx)
        if shape not in default_args or shape in others:
            if keys.keys() & DEFAULT_ARGS_KEYS and shape not in elsewhere:  # looks like default_args: used how?
                for old in renamed:
                    new = " or ".join(sorted(RENAMED_KEYS[old]))
                    ctx.todo(self.code, f"this dict looks like default_args and sets {old!r}, which Airflow 2 "
                                        f"renamed to {new!r}: if it is default_args, the old key is ignored; pass "
                                        f"{new} to the tasks that used it")
            return node
        for old in renamed:
            node = self._convert(ctx, node, old)
        return node

    def _convert(self, ctx, node: cst.Dict, old: str) -> cst.Dict:
        keys = {_key_element(e): i for i, e in enumerate(node.elements)}
        index = keys[old]
        value = node.elements[index].value
        shown = cstutil.code_of(value)
        news = RENAMED_KEYS[old]
        head = f"default_args sets {old!r}, which Airflow 2 ignores"
        if len(news) > 1:
            ctx.todo(self.code, f"{head} (classes renamed it to {' or '.join(sorted(news))}): pass the new name "
                                "to each task that used it")
            return node
        new = next(iter(news))
        if new in keys:
            if cstutil.code_of(node.elements[keys[new]].value) == shown:
                return node  # converted already (the new key beside the old one)
            ctx.todo(self.code, f"{head} (the parameter is now {new!r}) and also sets {new!r}: in Airflow 1.10 "
                                f"tasks that took {old} got {shown}; pass {new}={shown} to them")
            return node
        rivals = sorted(k for k in keys if k != old and RENAMED_KEYS.get(k) == news)
        if rivals or any(isinstance(e, cst.StarredDictElement) for e in node.elements):
            why = f"{', '.join(map(repr, rivals))} also becomes {new!r}" if rivals else f"**unpacking may set {new!r}"
            ctx.todo(self.code, f"{head} (the parameter is now {new!r}) and {why}: pass {new} to each task "
                                "in the call")
            return node
        tasks = _tasks(ctx)
        receivers = [t for t in tasks if t.accepted is not None and new in t.accepted and new not in t.passed]
        newly = [t for t in receivers if old not in t.fed_from.get(new, ())]
        if len(newly) == len(receivers):
            return node  # no 2.x task took the old key and would miss it (or a rule moved its value into the call)
        unknown = [t for t in tasks if t.accepted is None]
        if newly or unknown:
            listed = "; ".join(
                [t.name for t in newly] + [f"{t.name} (its arguments are not known)" for t in unknown])
            ctx.todo(self.code, f"{head} (the parameter is now {new!r}); not renamed, because "
                                f"default_args[{new!r}] would also reach {listed}, which did not get {old!r} in "
                                f"Airflow 1.10: pass {new}={shown} to each task that used {old!r} (or rename the "
                                f"key and pass the tasks listed their own {new})")
            return node
        still_read = (any(t.accepted is not None and old in t.accepted and old not in t.passed for t in tasks)
                      or any(t.replaced for t in tasks) or _string_count(ctx, old) > 1)
        if not still_read:
            ctx.change(self.code, f"default_args: {old!r} -> {new!r} (every task that gets it took {old} in 1.10)")
            return node.with_changes(elements=[_with_key(e, new) if i == index else e
                                               for i, e in enumerate(node.elements)])
        if _simple(value):
            ctx.change(self.code, f"default_args: added {new!r} beside {old!r} (every task that gets it took {old} "
                                  "in 1.10; the old key is still read)")
            return _insert_after(node, index, new)
        ctx.todo(self.code, f"{head} (the parameter is now {new!r}), and the old key may still be read: add "
                            f"{new!r} with the same value ({shown}); every task that would get it took {old} in 1.10")
        return node


RULES = (DefaultArgsRenamed,)
