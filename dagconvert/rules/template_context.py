"""AM501: template context variables Airflow 2 deprecated or removed, rewritten inside Jinja templates in
string literals to what gives the same value (rules.md sections 7 and 8).

Equivalences, read from W1.10.15 ``TaskInstance.get_template_context`` and W2.10.5 ``_get_template_context``
(the 2.10.5 values of the deprecated keys are the 1.10 ones):

- ``execution_date`` is ``logical_date`` (the same object); ``end_date``, ``END_DATE`` and ``latest_date``
  were ``ds``; ``yesterday_ds``/``tomorrow_ds`` are ``macros.ds_add(ds, -1)``/``(ds, 1)``, their ``_nodash``
  forms the same without dashes.
- ``prev_execution_date_success`` is ``ti.get_previous_execution_date(state='success')``: the very call
  2.10.5 makes for it. The replacement Airflow names, ``prev_data_interval_start_success``, is the data
  interval start of that run, which differs when it was triggered manually.
- ``next_execution_date`` (``next_ds``, ``next_ds_nodash``) is the logical date for a manually triggered run,
  else the schedule's next tick after the logical date. For a cron or timedelta schedule the next tick is
  ``data_interval_end`` of a scheduled run (with the default ``[scheduler] create_cron_data_intervals``);
  a manual run's data interval ends at its logical date for a timedelta or no schedule, but not for cron.
  So: ``data_interval_end`` when every DAG of the file has a timedelta or no schedule (and none may be a
  SubDAG, whose runs are external triggers carrying the parent's interval), else
  ``(logical_date if dag_run.external_trigger else data_interval_end)`` for cron schedules too;
  ``@once`` (next is None in 1.10) and schedules the converter cannot read are left with a TODO.
- ``prev_execution_date`` (``prev_ds``, ``prev_ds_nodash``) is the logical date for a manual run, else the
  schedule's previous tick (None for no schedule or ``@once``). For a timedelta schedule that is
  ``logical_date - delta``; Airflow 2 has no non-deprecated way to get the previous cron tick: TODO.
- ``tables`` (1.10: the task's ``params['tables']``), ``conf`` (deprecated in 2.10) and ``macros.hive``
  (moved to a provider) are left with a TODO.

Only Jinja variables are rewritten: not attributes (``params.execution_date``), keyword arguments
(``f(execution_date=1)``), filter/test names, Jinja string contents, ``{% raw %}`` and comments, nor names
the template binds itself (``{% set end_date = ... %}``). A replacement that is not a single term is put in
parentheses unless it is the whole expression. f-strings and bytes are left alone.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from itertools import pairwise

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import Example, Rule

NEXT_NAMES = ("next_execution_date", "next_ds", "next_ds_nodash")
PREV_NAMES = ("prev_execution_date", "prev_ds", "prev_ds_nodash")
DEPRECATED = (
    "execution_date", *NEXT_NAMES, *PREV_NAMES, "prev_execution_date_success",
    "yesterday_ds", "yesterday_ds_nodash", "tomorrow_ds", "tomorrow_ds_nodash", "conf",
)
REMOVED = ("end_date", "END_DATE", "latest_date", "tables")
CONTEXT_NAMES = frozenset(DEPRECATED + REMOVED)
_NAMES_RE = "|".join(sorted(CONTEXT_NAMES, key=len, reverse=True))

DAG = "airflow.models.dag.DAG"
SUBDAG = "airflow.operators.subdag.SubDagOperator"


# -- replacement expressions, rendered as Jinja (here) or as Python on a context dict (AM502) ------------------

class Expr:
    """A context value built from Airflow 2 context keys. ``jinja(q)`` -> (text, is_single_term), ``q`` being
    the quote character for strings; ``python(key, q, timedelta)`` -> the same in Python, where ``key(name)``
    is the Python that reads a context key and ``timedelta()`` the local name of datetime.timedelta."""

    def jinja(self, q: str) -> tuple[str, bool]:
        raise NotImplementedError

    def python(self, key, q: str, timedelta) -> tuple[str, bool]:
        raise NotImplementedError


def _term(rendered: tuple[str, bool]) -> str:
    text, single = rendered
    return text if single else f"({text})"


@dataclass(frozen=True)
class Key(Expr):
    name: str

    def jinja(self, q):
        return self.name, True

    def python(self, key, q, timedelta):
        return key(self.name), True


@dataclass(frozen=True)
class NoneValue(Expr):
    def jinja(self, q):
        return "none", True

    def python(self, key, q, timedelta):
        return "None", True


@dataclass(frozen=True)
class IfManual(Expr):
    """``then`` for a manually triggered run (``dag_run.external_trigger``), else ``other``."""

    then: Expr
    other: Expr

    def jinja(self, q):
        return f"({self.then.jinja(q)[0]} if dag_run.external_trigger else {self.other.jinja(q)[0]})", True

    def python(self, key, q, timedelta):
        return (f"({self.then.python(key, q, timedelta)[0]} if {key('dag_run')}.external_trigger "
                f"else {self.other.python(key, q, timedelta)[0]})"), True


@dataclass(frozen=True)
class DateString(Expr):
    """A datetime as 'YYYY-MM-DD' (or 'YYYYMMDD'): the ``ds``/``ds_nodash`` filters, ``strftime`` in Python."""

    value: Expr
    nodash: bool = False

    def jinja(self, q):
        return f"{_term(self.value.jinja(q))} | {'ds_nodash' if self.nodash else 'ds'}", False

    def python(self, key, q, timedelta):
        fmt = "%Y%m%d" if self.nodash else "%Y-%m-%d"
        return f"{_term(self.value.python(key, q, timedelta))}.strftime({q}{fmt}{q})", True


@dataclass(frozen=True)
class MinusDelta(Expr):
    value: Expr
    delta: str  # the timedelta arguments as the DAG's schedule spells them: "hours=12"

    def jinja(self, q):
        return f"{_term(self.value.jinja(q))} - macros.timedelta({self.delta})", False

    def python(self, key, q, timedelta):
        return f"{_term(self.value.python(key, q, timedelta))} - {timedelta()}({self.delta})", False


@dataclass(frozen=True)
class DsAdd(Expr):
    days: int

    def jinja(self, q):
        return f"macros.ds_add(ds, {self.days})", True

    def python(self, key, q, timedelta):
        return f"{key('macros')}.ds_add({key('ds')}, {self.days})", True


@dataclass(frozen=True)
class NoDash(Expr):
    value: Expr

    def jinja(self, q):
        return f"{_term(self.value.jinja(q))}.replace({q}-{q}, {q}{q})", True

    def python(self, key, q, timedelta):
        return f"{_term(self.value.python(key, q, timedelta))}.replace({q}-{q}, {q}{q})", True


@dataclass(frozen=True)
class PrevSuccess(Expr):
    """What 2.10.5 computes for ``prev_execution_date_success``."""

    def jinja(self, q):
        return f"ti.get_previous_execution_date(state={q}success{q})", True

    def python(self, key, q, timedelta):
        return f"{key('ti')}.get_previous_execution_date(state={q}success{q})", True


LOGICAL_DATE = Key("logical_date")


def date_string(value: Expr, nodash: bool) -> Expr:
    """``value`` as a date string, simplified: ``logical_date`` -> ``ds``, ``logical_date - N days`` ->
    ``macros.ds_add(ds, -N)``, and through ``IfManual`` branches (so None stays None)."""
    if isinstance(value, IfManual):
        return IfManual(date_string(value.then, nodash), date_string(value.other, nodash))
    if isinstance(value, NoneValue):
        return value
    if value == LOGICAL_DATE:
        return Key("ds_nodash" if nodash else "ds")
    if isinstance(value, MinusDelta) and value.value == LOGICAL_DATE and _whole_days(value.delta) is not None:
        shifted = DsAdd(-_whole_days(value.delta))
        return NoDash(shifted) if nodash else shifted
    return DateString(value, nodash)


def _whole_days(delta: str) -> int | None:
    m = re.fullmatch(r"(?:days=)?(\d+)", delta.replace(" ", ""))
    return int(m.group(1)) if m else None


# -- the DAG schedules of a file ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    kind: str        # "delta" | "none" | "once" | "cron" | "unknown"
    delta: str = ""  # for "delta": the timedelta(...) arguments as written
    why: str = ""    # for "unknown": what the converter could not read


@dataclass(frozen=True)
class FileSchedules:
    schedules: tuple[Schedule, ...]
    maybe_subdag: bool  # a DAG built inside a function, or SubDagOperator used: runs may carry another interval


def file_schedules(ctx) -> FileSchedules:
    return cstutil.file_state(ctx, "template_context.schedules", _read_schedules)


@dataclass(frozen=True)
class FileNodes:
    """The nodes of a file's ``ast`` that AM501/AM502 look at, from one walk shared by both."""

    calls: list[ast.Call]
    dicts: list[ast.Dict]
    scopes: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda]


def file_nodes(ctx) -> FileNodes:
    return cstutil.file_state(ctx, "template_context.nodes", _walk_nodes)


def _walk_nodes(ctx) -> FileNodes:
    nodes = FileNodes([], [], [])
    for node in ctx.analysis.nodes:
        if isinstance(node, ast.Call):
            nodes.calls.append(node)
        elif isinstance(node, ast.Dict):
            nodes.dicts.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            nodes.scopes.append(node)
    return nodes


def _read_schedules(ctx) -> FileSchedules:
    analysis = ctx.analysis
    nodes = file_nodes(ctx)
    calls = []
    for call in nodes.calls:
        qname = analysis.resolve(call.func)
        if qname is not None and ctx.decider.identity(qname) == DAG:
            calls.append(call)
    calls.sort(key=lambda c: (c.lineno, c.col_offset))
    constants = _module_constants(analysis.tree) if calls else {}
    schedules = tuple(_schedule_of(call, analysis, constants) for call in calls)
    in_function = any(scope.lineno <= call.lineno <= (scope.end_lineno or scope.lineno)
                      for call in calls for scope in nodes.scopes)
    subdag = any(ctx.decider.identity(b.qname) == SUBDAG for b in analysis.bindings.values())
    return FileSchedules(schedules, in_function or subdag)


def _module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names assigned exactly once (``SCHEDULE = '@daily'``)."""
    values: dict[str, ast.expr | None] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            values[name] = None if name in values else stmt.value
    return {k: v for k, v in values.items() if v is not None}


def _schedule_of(call: ast.Call, analysis, constants: dict[str, ast.expr]) -> Schedule:
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    given = [k for k in ("schedule_interval", "schedule", "timetable") if k in keywords]
    if "timetable" in given:
        return Schedule("unknown", why="a timetable")
    if len(given) > 1:
        return Schedule("unknown", why="both schedule_interval and schedule")
    if given:
        value = keywords[given[0]]
    elif any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return Schedule("unknown", why="DAG(...) arguments passed with * or **")
    elif len(call.args) >= 3:
        value = call.args[2]  # DAG(dag_id, description, schedule_interval)
    else:
        return Schedule("delta", "days=1")  # the 1.10 default, made explicit by AM302
    if isinstance(value, ast.Name) and value.id in constants:
        value = constants[value.id]
    if isinstance(value, ast.Constant):
        if value.value is None:
            return Schedule("none")
        if value.value == "@once":
            return Schedule("once")
        if isinstance(value.value, str):
            return Schedule("cron")
    if isinstance(value, ast.Call) and analysis.resolve(value.func) == "datetime.timedelta":
        args = [*value.args, *(k.value for k in value.keywords)]
        if args and all(_is_number(a) for a in args) and all(k.arg for k in value.keywords):
            parts = [ast.unparse(a) for a in value.args]
            parts += [f"{k.arg}={ast.unparse(k.value)}" for k in value.keywords]
            return Schedule("delta", ", ".join(parts))
    return Schedule("unknown", why=f"the schedule {ast.unparse(value)}")


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _next_tick(files: FileSchedules) -> Expr | str:
    kinds = {s.kind for s in files.schedules}
    if not kinds:
        return "a file without a DAG(...) call"
    if kinds <= {"delta", "none"} and not files.maybe_subdag:
        return Key("data_interval_end")
    if kinds <= {"delta", "none", "cron"}:
        return IfManual(LOGICAL_DATE, Key("data_interval_end"))
    if "once" in kinds:
        return "an @once DAG (1.10 gave None for its scheduled run)"
    return next(s.why for s in files.schedules if s.kind == "unknown")


def _previous_tick(files: FileSchedules) -> Expr | str:
    values: set[Expr] = set()
    for s in files.schedules:
        if s.kind == "delta":
            values.add(IfManual(LOGICAL_DATE, MinusDelta(LOGICAL_DATE, s.delta)))
        elif s.kind in ("none", "once"):
            values.add(IfManual(LOGICAL_DATE, NoneValue()))
        elif s.kind == "cron":
            return "a cron schedule (Airflow 2 has no non-deprecated previous cron tick)"
        else:
            return s.why
    if not values:
        return "a file without a DAG(...) call"
    if len(values) > 1:
        return "DAGs with different schedules in one file"
    return values.pop()


def equivalent(name: str, ctx) -> Expr | str | None:
    """The Airflow 2 expression with the value the 1.10 context key ``name`` had, why there is none, or None
    when the key needs no change on the profile."""
    if name == "execution_date":
        return LOGICAL_DATE
    if name in ("end_date", "END_DATE", "latest_date"):
        return Key("ds")
    if name in ("yesterday_ds", "tomorrow_ds", "yesterday_ds_nodash", "tomorrow_ds_nodash"):
        shifted = DsAdd(-1 if name.startswith("yesterday") else 1)
        return NoDash(shifted) if name.endswith("_nodash") else shifted
    if name == "prev_execution_date_success":
        return PrevSuccess()
    if name in NEXT_NAMES or name in PREV_NAMES:
        files = file_schedules(ctx)
        tick = _next_tick(files) if name in NEXT_NAMES else _previous_tick(files)
        if isinstance(tick, str):
            which = "next" if name in NEXT_NAMES else "previous"
            return (f"{name} is deprecated: it is the logical date of a manually triggered run, else the "
                    f"schedule's {which} tick (not the {which} run's); no exact replacement for {tick}: "
                    f"rewrite it by hand")
        if name.endswith("_date"):
            return tick
        return date_string(tick, nodash=name.endswith("_nodash"))
    if name == "tables":
        return ("tables was removed from the context in Airflow 2 (in 1.10 it was the task's "
                "params['tables'], None when unset): use params.tables")
    if name == "conf":
        if not ctx.profile.airflow_at_least("2.10"):
            return None  # deprecated in 2.10
        return ("conf is deprecated in the context in Airflow 2.10 and has no replacement there: read the "
                "setting in Python (airflow.configuration.conf) or use a Variable")
    raise KeyError(name)


# -- a small Jinja scanner: which names in a template are context variables --------------------------------

_BLOCK_START = re.compile(r"\{\{|\{%|\{#")
_RAW = re.compile(r"\{%[-+]?\s*raw\s*[-+]?%\}")
_ENDRAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")
_END = {"{{": re.compile(r"-?\}\}"), "{%": re.compile(r"[-+]?%\}")}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<num>\d[\d_]*(?:\.[\d_]+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>//|\*\*|==|!=|>=|<=|[-+/*%~\[\](){}=<>.:|,;!])
""", re.VERBOSE)
_EXPRESSION_TAGS = {"if": None, "elif": None, "for": "in", "set": "=", "with": None}
_NO_BINDING_TAGS = {"if", "elif", "else", "endif", "endfor", "endset", "endwith"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Use:
    """A context variable read in a template: ``text[start:end]`` is its name."""

    name: str
    start: int
    end: int
    alone: bool  # the whole expression (maybe followed by filters): a replacement needs no parentheses


@dataclass
class TemplateScan:
    uses: list[Use]
    unsure: set[str]      # watched names in tags the scanner does not model ({% macro %}, {% call %}, ...)
    unclosed: str | None  # the start of a block that is not closed in this string
    hive: bool            # macros.hive is used


def scan_template(text: str, watched: frozenset[str] = CONTEXT_NAMES) -> TemplateScan:
    blocks: list[tuple[str, list[Token]]] = []
    unclosed = None
    pos = 0
    while (m := _BLOCK_START.search(text, pos)) is not None:
        if m.group() == "{#":
            end = text.find("#}", m.end())
            if end < 0:
                break
            pos = end + 2
            continue
        raw = _RAW.match(text, m.start())
        if raw is not None:
            endraw = _ENDRAW.search(text, raw.end())
            if endraw is None:
                break
            pos = endraw.end()
            continue
        start = m.end() + (text[m.end():m.end() + 1] in ("-", "+"))
        block = _lex_block(text, start, _END[m.group()])
        if block is None:
            unclosed = text[m.start():]
            break
        tokens, pos = block
        blocks.append((m.group(), tokens))

    bound: set[str] = set()
    unsure: set[str] = set()
    for kind, tokens in blocks:
        if kind == "{%":
            _bindings(tokens, bound, unsure)
    uses: list[Use] = []
    hive = False
    for kind, tokens in blocks:
        first = 0
        if kind == "{%":
            tag = tokens[0].text if tokens and tokens[0].kind == "name" else ""
            if tag not in _EXPRESSION_TAGS:
                continue
            first = 1 + _index_after(tokens, _EXPRESSION_TAGS[tag])
        for i in range(first, len(tokens)):
            token = tokens[i]
            if token.kind != "name":
                continue
            before = tokens[i - 1].text if i > 0 else ""
            after = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if token.text == "macros" and after == "." and i + 2 < len(tokens) and tokens[i + 2].text == "hive":
                hive = True
            if token.text not in watched or token.text in bound or token.text in unsure:
                continue
            is_not = before == "not" and i > 1 and tokens[i - 2].text == "is"
            if before in (".", "|", "is") or is_not or after == "=":
                continue  # an attribute, a filter or test name, a keyword argument
            alone = i == first and after in ("", "|")
            uses.append(Use(token.text, token.start, token.end, alone))
    return TemplateScan(uses, unsure & watched, unclosed, hive)


def _lex_block(text: str, pos: int, end: re.Pattern) -> tuple[list[Token], int] | None:
    """The tokens of one ``{{ }}``/``{% %}`` block from ``pos``, and where it ends; None if it does not end
    (or cannot be lexed). Like Jinja's lexer, an end marker inside brackets does not end the block."""
    tokens: list[Token] = []
    depth = 0
    while pos < len(text):
        if depth == 0 and (m := end.match(text, pos)) is not None:
            return tokens, m.end()
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        if m.lastgroup != "ws":
            token = Token(m.lastgroup, m.group(), m.start(), m.end())
            if token.kind == "op" and token.text in "([{":
                depth += 1
            elif token.kind == "op" and token.text in ")]}":
                if depth == 0:
                    return None
                depth -= 1
            tokens.append(token)
        pos = m.end()
    return None


def _index_after(tokens: list[Token], marker: str | None) -> int:
    """Index of the first token of a tag's expression part: after ``in`` (for), ``=`` (set), else 0."""
    if marker is None:
        return 0
    for i, token in enumerate(tokens):
        if token.text == marker and i > 0:
            return i
    return len(tokens)


def _bindings(tokens: list[Token], bound: set[str], unsure: set[str]) -> None:
    """Names a ``{% ... %}`` block binds (``set``, ``for``, ``with``); every name of a tag the scanner does not
    model (``macro``, ``call``, ``import``, ...) is 'unsure'."""
    if not tokens or tokens[0].kind != "name":
        return
    tag = tokens[0].text
    names = [t for t in tokens[1:] if t.kind == "name"]
    if tag in ("set", "for"):
        stop = _index_after(tokens, "=" if tag == "set" else "in")
        bound.update(t.text for t in tokens[1:stop] if t.kind == "name")
    elif tag == "with":
        bound.update(t.text for t, following in pairwise(tokens) if t.kind == "name" and following.text == "=")
    elif tag not in _NO_BINDING_TAGS:
        unsure.update(t.text for t in names)


def _bare_string_lines(ctx) -> frozenset[int]:
    """Lines of statements that are just a string (docstrings): documentation, not templates."""
    lines: set[int] = set()
    stack: list[ast.stmt] = list(ctx.analysis.tree.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                lines.add(stmt.lineno)
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(stmt, name, ()):
                stack.extend(child.body if isinstance(child, (ast.ExceptHandler, ast.match_case)) else [child])
    return frozenset(lines)


# -- the rule ----------------------------------------------------------------------------------------------

# Cheap pre-filter (on every string constant of every file): a Jinja block opener, later a watched name
# that does not follow a dot. No inline flags: the engine joins every rule's pattern into one regex.
_INTEREST = re.compile(r"\{[{%][\s\S]*?(?:(?<![\w.])(?:" + _NAMES_RE + r")\b|\bmacros\.hive\b)")


class TemplateContextVariables(Rule):
    code = "AM501"
    name = "template-context-variables"
    summary = ("Jinja templates in strings: deprecated/removed context variables (execution_date, next_ds, "
               "yesterday_ds, end_date, ...) -> the Airflow 2 expression with the same value.")
    interest = Interest(strings=_INTEREST)
    order = 50
    examples = (
        Example(
            title="execution_date, yesterday_ds and next_ds on a timedelta schedule",
            before=(
                "from datetime import datetime, timedelta\n"
                "from airflow import DAG\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "dag = DAG('d', start_date=datetime(2024, 1, 1), schedule_interval=timedelta(days=1))\n"
                "t = BashOperator(\n"
                "    task_id='export',\n"
                "    bash_command='export.sh {{ execution_date.strftime(\"%H\") }} {{ yesterday_ds }} '\n"
                "                 '{{ macros.ds_add(next_ds, 1) }}',\n"
                "    dag=dag,\n"
                ")\n"
            ),
            after=(
                "from datetime import datetime, timedelta\n"
                "from airflow import DAG\n"
                "from airflow.operators.bash import BashOperator\n"
                "dag = DAG('d', start_date=datetime(2024, 1, 1), schedule=timedelta(days=1))\n"
                "t = BashOperator(\n"
                "    task_id='export',\n"
                "    bash_command='export.sh {{ logical_date.strftime(\"%H\") }} {{ macros.ds_add(ds, -1) }} '\n"
                "                 '{{ macros.ds_add((data_interval_end | ds), 1) }}',\n"
                "    dag=dag,\n"
                ")\n"
            ),
        ),
        Example(
            title="next_ds on a cron schedule keeps the 1.10 value of manually triggered runs",
            before=(
                "from airflow import DAG\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "dag = DAG('d', schedule_interval='0 3 * * *')\n"
                "t = BashOperator(task_id='t', bash_command='load.sh {{ ds }} {{ next_ds }}', dag=dag)\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.operators.bash import BashOperator\n"
                "dag = DAG('d', schedule='0 3 * * *')\n"
                "t = BashOperator(task_id='t', bash_command='load.sh {{ ds }} "
                "{{ (ds if dag_run.external_trigger else data_interval_end | ds) }}', dag=dag)\n"
            ),
        ),
        Example(
            title="removed variables; prev_ds on a cron schedule is a TODO",
            before=(
                "from airflow import DAG\n"
                "from airflow.operators.bash_operator import BashOperator\n"
                "dag = DAG('d', schedule_interval='@daily')\n"
                "t = BashOperator(task_id='t', bash_command='sync.sh {{ prev_ds }} {{ end_date }}', dag=dag)\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.operators.bash import BashOperator\n"
                "dag = DAG('d', schedule='@daily')\n"
                "# TODO(airflow2): AM501 prev_ds is deprecated: it is the logical date of a manually triggered "
                "run, else the schedule's previous tick (not the previous run's); no exact replacement for a cron "
                "schedule (Airflow 2 has no non-deprecated previous cron tick): rewrite it by hand\n"
                "t = BashOperator(task_id='t', bash_command='sync.sh {{ prev_ds }} {{ ds }}', dag=dag)\n"
            ),
            todos=("prev_ds is deprecated",),
        ),
    )

    def leave_string(self, ctx, node: cst.SimpleString) -> cst.SimpleString:
        value = node.value
        if ("{{" not in value and "{%" not in value) or "b" in node.prefix.lower() or not _INTEREST.search(value):
            return node
        if not ctx.profile.airflow_at_least("2.2"):
            return node  # logical_date and data intervals came with 2.2
        if ctx.line in cstutil.file_state(ctx, "template_context.docstrings", _bare_string_lines):
            return node  # a docstring (or another unused string) is never rendered
        edits, done, todos = self._edits(ctx, node)
        for message in todos.values():
            ctx.todo(self.code, message)
        if not edits:
            return node
        body = node.raw_value
        for start, end, replacement in sorted(edits, reverse=True):
            body = body[:start] + replacement + body[end:]
        new = node.with_changes(value=f"{node.prefix}{node.quote}{body}{node.quote}")
        try:
            ast.literal_eval(new.value)
        except (SyntaxError, ValueError):
            ctx.todo(self.code, "context variables in this template could not be rewritten safely: "
                                "do it by hand")
            return node
        ctx.change(self.code, "template: " + ", ".join(f"{k} -> {v}" for k, v in done.items()))
        return new

    @staticmethod
    def _edits(ctx, node: cst.SimpleString) -> tuple[list[tuple[int, int, str]], dict[str, str], dict[str, str]]:
        """Source edits (start, end, text) of the string's body, what they rename, and TODOs (name -> text)."""
        text, offsets = cstutil.decode_string_body(node)
        scan = scan_template(text)
        quote = "'" if node.quote[0] == '"' else '"'  # for Jinja strings inside a replacement
        edits: list[tuple[int, int, str]] = []
        done: dict[str, str] = {}
        todos: dict[str, str] = {}
        for use in scan.uses:
            value = equivalent(use.name, ctx)
            source = offsets[use.start:use.end]
            if value is None:
                continue
            if isinstance(value, str):
                todos[use.name] = value
            elif -1 in source:
                todos[use.name] = f"{use.name} is written with escape sequences here: rewrite it by hand"
            else:
                replacement, single = value.jinja(quote)
                edits.append((source[0], source[-1] + 1,
                              replacement if single or use.alone else f"({replacement})"))
                done[use.name] = replacement
        for name in sorted(scan.unsure):
            todos.setdefault(name, f"{name} appears in a Jinja tag the converter does not rewrite: check it")
        if scan.unclosed is not None and _INTEREST.search(scan.unclosed):
            todos.setdefault("", "a Jinja block in this string is closed in another string: check its "
                                 "context variables by hand")
        if scan.hive and ctx.profile.provider_version("apache-hive") is None:
            todos["macros.hive"] = ("macros.hive moved to apache-airflow-providers-apache-hive, which profile "
                                    f"{ctx.profile.name} does not have")
        return edits, done, todos


RULES = (TemplateContextVariables,)
