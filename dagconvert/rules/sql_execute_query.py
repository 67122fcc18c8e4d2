"""AM805: the database operators their providers removed in favour of common-sql's
``SQLExecuteQueryOperator`` (rules.md section 3): Postgres, MySql, MsSql, Oracle, Sqlite, Jdbc, Vertica,
Snowflake.

``<db>_conn_id`` becomes ``conn_id``; when the call gives none, 1.10's default connection id is written out
(``SQLExecuteQueryOperator`` has no default). ``sql``, ``parameters``, ``autocommit`` and (Postgres, MySQL,
MsSql) ``database`` keep their names and meaning. Two 1.10 behaviours are made explicit:
``SnowflakeOperator``'s ``autocommit=True`` default, and ``do_xcom_push=False``: the 1.10 operators returned
nothing, while ``SQLExecuteQueryOperator`` fetches every row of the last statement and pushes it to XCom.
"""

from __future__ import annotations

import ast
from typing import ClassVar

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule
from dagconvert.rules.cstutil import Unconvertible

SQL_EXECUTE_QUERY = "airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator"
SQL_EXECUTE_QUERY_TEMPLATE_EXT = (".sql", ".json")


class Database:
    """One 1.10 operator: its connection argument and default, its other own arguments, its provider."""

    def __init__(self, prefix: str, provider: str, args: tuple[str, ...], autocommit_default: bool = False):
        self.conn_arg = f"{prefix}_conn_id"
        self.default_conn = f"{prefix}_default"
        self.provider = provider
        self.args = frozenset(args)
        self.autocommit_default = autocommit_default


DATABASES = {
    "airflow.providers.postgres.operators.postgres.PostgresOperator":
        Database("postgres", "postgres", ("autocommit", "parameters", "database")),
    "airflow.providers.mysql.operators.mysql.MySqlOperator":
        Database("mysql", "mysql", ("autocommit", "parameters", "database")),
    "airflow.providers.microsoft.mssql.operators.mssql.MsSqlOperator":
        Database("mssql", "microsoft-mssql", ("autocommit", "parameters", "database")),
    "airflow.providers.oracle.operators.oracle.OracleOperator":
        Database("oracle", "oracle", ("autocommit", "parameters")),
    "airflow.providers.sqlite.operators.sqlite.SqliteOperator":
        Database("sqlite", "sqlite", ("parameters",)),
    "airflow.providers.jdbc.operators.jdbc.JdbcOperator":
        Database("jdbc", "jdbc", ("autocommit", "parameters")),
    "airflow.providers.vertica.operators.vertica.VerticaOperator":
        Database("vertica", "vertica", ()),
    "airflow.providers.snowflake.operators.snowflake.SnowflakeOperator":
        Database("snowflake", "snowflake", ("autocommit", "parameters"), autocommit_default=True),
}
# SnowflakeOperator (1.10.15) arguments that configured its hook: no SQLExecuteQueryOperator argument
SNOWFLAKE_HOOK_ARGS = ("warehouse", "database", "role", "schema", "authenticator")


class SqlExecuteQuery(Rule):
    """``<Db>Operator(sql=..., <db>_conn_id=...)`` -> ``SQLExecuteQueryOperator(sql=..., conn_id=...)``.

    Declines (TODO) Snowflake's hook arguments (warehouse, role, schema, authenticator, database: they go
    into ``hook_params`` in the shape the Snowflake hook expects), ``runtime_parameters``, literal parameters
    or a sql name that the new template handling would read differently (``parameters`` is templated now,
    ``.json`` is a template extension). A ``<db>_conn_id`` set in default_args becomes ``conn_id=`` (the
    new class would not read it there). When the profile lacks the database's provider the call is still
    converted, with a TODO to install it (the hook comes from it).
    """

    code = "AM805"
    name = "sql-execute-query"
    summary = ("Postgres/MySql/MsSql/Oracle/Sqlite/Jdbc/Vertica/SnowflakeOperator -> SQLExecuteQueryOperator("
               "conn_id=...) with 1.10's default connection id and do_xcom_push=False made explicit.")
    interest = Interest(call_identities=frozenset(DATABASES))
    replaces: ClassVar[dict[str, str]] = {identity: SQL_EXECUTE_QUERY for identity in DATABASES}
    emits = (SQL_EXECUTE_QUERY,)
    order = 80
    examples = (
        Example(
            title="PostgresOperator",
            before=(
                "from airflow.operators.postgres_operator import PostgresOperator\n"
                "load = PostgresOperator(\n"
                "    task_id='load_orders',\n"
                "    postgres_conn_id='warehouse',\n"
                "    sql='sql/load_orders.sql',\n"
                "    parameters={'min_id': 1000},\n"
                "    autocommit=True,\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n"
                "load = SQLExecuteQueryOperator(\n"
                "    task_id='load_orders',\n"
                "    conn_id='warehouse',\n"
                "    sql='sql/load_orders.sql',\n"
                "    parameters={'min_id': 1000},\n"
                "    autocommit=True,\n"
                "    do_xcom_push=False,\n"
                ")\n"
            ),
        ),
        Example(
            title="MySqlOperator with its default connection",
            before=(
                "from airflow.operators.mysql_operator import MySqlOperator\n"
                "purge = MySqlOperator(task_id='purge', sql='DELETE FROM tmp_events', database='events')\n"
            ),
            after=(
                "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n"
                "purge = SQLExecuteQueryOperator(\n"
                "    task_id='purge',\n"
                "    sql='DELETE FROM tmp_events',\n"
                "    database='events',\n"
                "    conn_id='mysql_default',\n"
                "    do_xcom_push=False,\n"
                ")\n"
            ),
        ),
        Example(
            title="Jinja in parameters was sent as written in 1.10: {% raw %} keeps it so",
            before=(
                "from airflow.operators.postgres_operator import PostgresOperator\n"
                "stage = PostgresOperator(task_id='stage', postgres_conn_id='shop', sql='SELECT %(day)s',\n"
                "    parameters={'day': '{{ ds }}', 'tags': ['{# x #}', 'plain']})\n"
            ),
            after=(
                "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n"
                "stage = SQLExecuteQueryOperator(\n"
                "    task_id='stage',\n"
                "    conn_id='shop',\n"
                "    sql='SELECT %(day)s',\n"
                "    parameters={'day': '{% raw %}{{ ds }}{% endraw %}', 'tags': ['{% raw %}{# x #}{% endraw %}', "
                "'plain']},\n"
                "    do_xcom_push=False,\n"
                ")\n"
            ),
        ),
        Example(
            title="Snowflake hook arguments are a TODO",
            before=(
                "from airflow.contrib.operators.snowflake_operator import SnowflakeOperator\n"
                "q = SnowflakeOperator(task_id='q', sql='CALL refresh()', warehouse='ETL_WH')\n"
            ),
            after=(
                "# TODO(airflow2): AM805 1 use(s) of SnowflakeOperator"
                " (airflow.contrib.operators.snowflake_operator.SnowflakeOperator) could not be converted to"
                " airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator:"
                " airflow.providers.snowflake.operators.snowflake.SnowflakeOperator (the Airflow 2 home of"
                " airflow.contrib.operators.snowflake_operator.SnowflakeOperator) does not exist in profile"
                " airflow-2.10.5\n"
                "from airflow.contrib.operators.snowflake_operator import SnowflakeOperator\n"
                "# TODO(airflow2): AM805 warehouse configured SnowflakeOperator's hook: SQLExecuteQueryOperator"
                " takes it in hook_params (see the snowflake hook's arguments); convert the call by hand\n"
                "q = SnowflakeOperator(task_id='q', sql='CALL refresh()', warehouse='ETL_WH')\n"
            ),
            todos=("hook_params",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if not cstutil.is_replaced(self, target):
            return call
        result = cstutil.restructure(self, ctx, call, lambda c, n: self._convert(c, n, target))
        db = DATABASES[target.identity]
        if result is not call and ctx.profile.provider_version(db.provider) is None:
            ctx.todo(self.code, f"the {db.conn_arg.removesuffix('_conn_id')} connection's hook comes from "
                                f"apache-airflow-providers-{db.provider}, which profile {ctx.profile.name} does not "
                                f"install: add it to the environment")
        return result

    def _convert(self, ctx, call: cst.Call, target: CallTarget):
        old = target.qname.rpartition(".")[2]
        db = DATABASES[target.identity]
        snowflake_extra = SNOWFLAKE_HOOK_ARGS if db.provider == "snowflake" else ()
        known = db.args | {"sql", db.conn_arg, "conn_id", *snowflake_extra, "runtime_parameters"}
        args = cstutil.keyword_args(call, known, old)
        moved = cstutil.check_default_args(ctx, args, [*snowflake_extra, *(() if "conn_id" in args else (db.conn_arg,))],
                                           old, "SQLExecuteQueryOperator")
        hook_args = [name for name in (*snowflake_extra, "runtime_parameters") if name in args]
        if hook_args:
            raise Unconvertible(f"{', '.join(hook_args)} configured {old}'s hook: SQLExecuteQueryOperator takes it "
                                f"in hook_params (see the {db.provider} hook's arguments); convert the call by hand")
        if db.conn_arg in args and "conn_id" in args:
            raise Unconvertible(f"{old} gets both {db.conn_arg} and conn_id: keep {db.conn_arg}")
        if "sql" not in args:
            raise Unconvertible(f"{old} has no sql")
        sql = cstutil.string_value(args["sql"].value)
        if sql is not None and sql.endswith(".json"):
            raise Unconvertible(f"sql {sql!r} ends with .json: SQLExecuteQueryOperator would read it as a template "
                                f"file")
        parameters = args["parameters"].value if "parameters" in args else None
        raw_parameters = None
        if parameters is not None:
            value = cstutil.literal(parameters)
            why = cstutil.template_hazard(value, jinja=False, exts=SQL_EXECUTE_QUERY_TEMPLATE_EXT)
            if why:
                raise Unconvertible(f"parameters: {why}; SQLExecuteQueryOperator templates parameters (Airflow "
                                    f"1.10 did not)")
            if _renders_differently(value):
                raw_parameters = _jinja_as_is(ctx, parameters)

        insert = []
        if db.conn_arg in moved:
            insert.append(cstutil.arg("conn_id", args[db.conn_arg].value))
        elif db.conn_arg not in args and "conn_id" not in args:
            insert.append(cstutil.render_argument(ctx, call, "conn_id", db.default_conn))
        if db.autocommit_default and "autocommit" not in args and not cstutil.default_args_sets(
                ctx, "autocommit"):
            insert.append(cstutil.render_argument(ctx, call, "autocommit", True))
        if "do_xcom_push" not in args and not cstutil.default_args_sets(ctx, "do_xcom_push"):
            insert.append(cstutil.render_argument(ctx, call, "do_xcom_push", False))
        new_args = cstutil.rebuild_args(call, insert=insert, rename={db.conn_arg: "conn_id"})
        message = f"{old} -> SQLExecuteQueryOperator"
        if raw_parameters is not None:
            new_args = [a.with_changes(value=raw_parameters) if a.keyword is not None and
                        a.keyword.value == "parameters" else a for a in new_args]
            message += ("; parameters that Jinja would change (markers, a trailing newline) wrapped in {% raw %}: "
                        "1.10 sent them as written (it did not template parameters), and so does Airflow 2 now")
        func = cst.Name(ctx.require_import(SQL_EXECUTE_QUERY))
        return call.with_changes(func=func, args=new_args), message


RAW_OPEN, RAW_CLOSE = "{% raw %}", "{% endraw %}"


def _renders_differently(value) -> bool:
    """Whether Airflow 2's rendering of a templated field changes this literal: a string with Jinja markers, or
    ending with a newline (Jinja drops one: Airflow's environment does not keep trailing newlines), in the
    values of dicts and the items of lists, tuples and sets (what Airflow renders; never dict keys)."""
    if isinstance(value, str):
        return bool(cstutil.template_hazard(value)) or value.endswith("\n")
    if isinstance(value, dict):
        return any(_renders_differently(v) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_renders_differently(v) for v in value)
    return False


def _jinja_as_is(ctx, node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` (a literal) with each string that Airflow 2 would render wrapped in ``{% raw %}...{% endraw %}``,
    which renders to exactly the string (a trailing newline included): Airflow renders the values of dicts and the items of lists, tuples and
    sets in a templated field, never dict keys. Raises ``Unconvertible`` where that is not provably the same:
    a DAG in the file that configures its Jinja environment (native rendering would ``literal_eval`` the
    result; other delimiters or block options read ``{% raw %}`` differently), implicitly concatenated or
    f-strings, a string that contains ``endraw``."""
    if any(isinstance(n, ast.keyword) and n.arg in ("render_template_as_native_obj", "jinja_environment_kwargs")
           for n in ctx.analysis.nodes):
        raise Unconvertible("parameters have Jinja markers, which Airflow 1.10 sent as written and "
                            "SQLExecuteQueryOperator would render; a DAG here configures its Jinja environment, so "
                            "{% raw %} cannot be proven to keep them: convert the call by hand")
    if isinstance(node, cst.Dict):
        return node.with_changes(elements=[e.with_changes(value=_jinja_as_is(ctx, e.value))
                                           if isinstance(e, cst.DictElement) else e for e in node.elements])
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return node.with_changes(elements=[e.with_changes(value=_jinja_as_is(ctx, e.value))
                                           for e in node.elements])
    if isinstance(node, cst.SimpleString):
        value = cstutil.literal(node)
        if not isinstance(value, str) or not _renders_differently(value):
            return node
        if "endraw" in value:
            raise Unconvertible(f"parameters: {value!r} contains endraw: it cannot be kept from Jinja with "
                                "{% raw %}; SQLExecuteQueryOperator templates parameters (Airflow 1.10 did not)")
        prefix = node.prefix
        quote = node.quote
        body = node.value[len(prefix) + len(quote):-len(quote)]
        return node.with_changes(value=f"{prefix}{quote}{RAW_OPEN}{body}{RAW_CLOSE}{quote}")
    if _renders_differently(cstutil.literal(node)):
        raise Unconvertible(f"parameters: {cstutil.code_of(node)} has Jinja markers or a trailing newline in a form "
                            "that cannot be wrapped in {% raw %}; SQLExecuteQueryOperator templates parameters "
                            "(Airflow 1.10 did not)")
    return node


RULES = (SqlExecuteQuery,)
