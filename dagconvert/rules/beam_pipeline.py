"""AM806: ``DataFlowPythonOperator`` / ``DataFlowJavaOperator`` (2.0 names ``DataflowCreate{Python,Java}Job
Operator``, removed in google 11.0.0) -> the apache-beam provider's ``BeamRun{Python,Java}PipelineOperator`` on
the Dataflow runner (rules.md section 3).

Arguments map as the 1.10.15 operators used them: ``dataflow_default_options`` -> ``default_pipeline_options``
and ``options`` -> ``pipeline_options`` (merged the same way: defaults first, options over them, camelCase keys
snake_cased for Python), ``job_name``/``poll_sleep``/``gcp_conn_id`` -> ``DataflowConfiguration``. The project
and region 1.10 read from the merged options (``region`` defaulting to us-central1 in both) are repeated in
``DataflowConfiguration(project_id=..., location=...)``: the new operator writes its configuration's values
over the default options and waits for the job there. ``runner='DataflowRunner'`` is explicit (the default
is DirectRunner). For Java, ``check_if_running=CheckJobRunning.IgnoreJob`` keeps 1.10's behaviour of always
starting the job (the new default waits for a running job of the same name first). Python pipelines now run
with python3 (1.10 ran ``python2``).
"""

from __future__ import annotations

import re
from typing import ClassVar

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, RestructuringRule
from dagconvert.rules.cstutil import Unconvertible

DATAFLOW = "airflow.providers.google.cloud.operators.dataflow"
PYTHON_JOB = f"{DATAFLOW}.DataflowCreatePythonJobOperator"
JAVA_JOB = f"{DATAFLOW}.DataflowCreateJavaJobOperator"
BEAM = "airflow.providers.apache.beam.operators.beam"
RUN_PYTHON = f"{BEAM}.BeamRunPythonPipelineOperator"
RUN_JAVA = f"{BEAM}.BeamRunJavaPipelineOperator"
DATAFLOW_CONFIGURATION = f"{DATAFLOW}.DataflowConfiguration"
CHECK_JOB_RUNNING = f"{DATAFLOW}.CheckJobRunning"

COMMON_ARGS = ("job_name", "dataflow_default_options", "options", "gcp_conn_id", "delegate_to", "poll_sleep")
PYTHON_ARGS = frozenset({"py_file", "py_options", *COMMON_ARGS})
JAVA_ARGS = frozenset({"jar", "job_class", *COMMON_ARGS})
RENAMES = {"dataflow_default_options": "default_pipeline_options", "options": "pipeline_options"}
CONSUMED = frozenset({"job_name", "poll_sleep", "delegate_to"})  # into DataflowConfiguration (or dropped)


def _snake_1_10(key: str) -> str:
    """1.10.15 DataFlowPythonOperator's camelCase -> snake_case of option names."""
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), key)


def _snake_2(key: str) -> str:
    """Airflow 2's ``convert_camel_to_snake`` (what the Beam operator applies)."""
    return re.sub(r"(?!^)([A-Z]+)", r"_\1", key).lower()


class _Options:
    """An options dict as the call gives it (a literal, a module-level dict, ``default_args['options']``):
    key -> source of its value at the call site; ``keys`` is None when the file does not show them."""

    def __init__(self, ctx, node: cst.BaseExpression | None, arg_name: str):
        self.arg_name = arg_name
        self.keys: dict[str, str] | None = {}
        self.literal_values: dict[str, object] = {}
        if node is None or cstutil.is_none(node):
            return
        items = cstutil.dict_items(ctx, node)
        if items is None:
            self.keys = None
            return
        for key, (source, value) in items.items():
            self.keys[key] = source
            if value is not cstutil.NotLiteral:
                self.literal_values[key] = value

    def check(self, python: bool, templated: bool) -> None:
        for key, value in self.literal_values.items():
            if value is None or value == "":
                raise Unconvertible(f"{self.arg_name}[{key!r}] is {value!r}: Airflow 1.10 passed it as a bare "
                                    f"--{key} flag, the Beam operator skips None and passes ''; write True")
            why = cstutil.template_hazard(value, jinja=not templated)
            if why:
                raise Unconvertible(f"{self.arg_name}[{key!r}]: {why}; Airflow 1.10 did not template "
                                    f"{self.arg_name}, the Beam operator does")
        for key in self.keys or ():
            if python and _snake_1_10(key) != _snake_2(key):
                raise Unconvertible(f"{self.arg_name} key {key!r}: Airflow 1.10 passed it as --{_snake_1_10(key)}, "
                                    f"the Beam operator as --{_snake_2(key)}; write the snake_case name")


def _lookup(option_sets: list[_Options], key: str) -> tuple[str, object] | None:
    """The merged options' value for ``key`` (later sets win) as (source, literal value or NotLiteral), None
    when absent."""
    for options in option_sets:
        if options.keys is None:
            raise Unconvertible(f"{options.arg_name} is not a dict literal or a module-level dict: the "
                                f"'{key}' Dataflow runs in cannot be read; convert the call by hand")
        if key in options.keys:
            return options.keys[key], options.literal_values.get(key, cstutil.NotLiteral)
    return None


class BeamPipeline(RestructuringRule):
    """``DataFlowPythonOperator``/``DataFlowJavaOperator`` -> ``BeamRun{Python,Java}PipelineOperator(runner=
    'DataflowRunner', dataflow_config=DataflowConfiguration(...))``.

    Declines (TODO) options that are neither a dict literal nor a module-level dict (the project cannot be
    read), no ``project`` option (1.10 failed), a templated project (``DataflowConfiguration.project_id`` is
    not a template field), a ``job_name``/``jobName`` option (the precedence changed), None or '' option values
    and camelCase keys whose snake_case changed (the command line would differ), and ``delegate_to``.
    ``dataflow_default_options`` (or others) set in default_args move into the call.
    """

    code = "AM806"
    name = "beam-pipeline"
    summary = ("DataFlowPythonOperator / DataFlowJavaOperator -> BeamRunPythonPipelineOperator / "
               "BeamRunJavaPipelineOperator(runner='DataflowRunner', dataflow_config=DataflowConfiguration(...)).")
    interest = Interest(call_identities=frozenset({PYTHON_JOB, JAVA_JOB}))
    replaces: ClassVar[dict[str, str]] = {PYTHON_JOB: RUN_PYTHON, JAVA_JOB: RUN_JAVA}
    emits = (RUN_PYTHON, RUN_JAVA, DATAFLOW_CONFIGURATION, CHECK_JOB_RUNNING)
    order = 80
    examples = (
        Example(
            title="Python pipeline",
            before=(
                "from airflow.contrib.operators.dataflow_operator import DataFlowPythonOperator\n"
                "DEFAULT_OPTIONS = {'project': 'analytics', 'region': 'europe-west1', "
                "'tempLocation': 'gs://tmp/dataflow'}\n"
                "wordcount = DataFlowPythonOperator(\n"
                "    task_id='wordcount',\n"
                "    py_file='gs://pipelines/wordcount.py',\n"
                "    job_name='wordcount-{{ ds_nodash }}',\n"
                "    dataflow_default_options=DEFAULT_OPTIONS,\n"
                "    options={'output': 'gs://out/{{ ds }}/'},\n"
                "    gcp_conn_id='dataflow',\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.apache.beam.operators.beam import BeamRunPythonPipelineOperator\n"
                "from airflow.providers.google.cloud.operators.dataflow import DataflowConfiguration\n"
                "DEFAULT_OPTIONS = {'project': 'analytics', 'region': 'europe-west1', 'tempLocation':"
                " 'gs://tmp/dataflow'}\n"
                "wordcount = BeamRunPythonPipelineOperator(\n"
                "    task_id='wordcount',\n"
                "    py_file='gs://pipelines/wordcount.py',\n"
                "    runner='DataflowRunner',\n"
                "    dataflow_config=DataflowConfiguration(\n"
                "        job_name='wordcount-{{ ds_nodash }}',\n"
                "        project_id=DEFAULT_OPTIONS['project'],\n"
                "        location=DEFAULT_OPTIONS['region'],\n"
                "        gcp_conn_id='dataflow',\n"
                "    ),\n"
                "    default_pipeline_options=DEFAULT_OPTIONS,\n"
                "    pipeline_options={'output': 'gs://out/{{ ds }}/'},\n"
                "    gcp_conn_id='dataflow',\n"
                ")\n"
            ),
        ),
        Example(
            title="Java pipeline",
            before=(
                "from airflow.contrib.operators.dataflow_operator import DataFlowJavaOperator\n"
                "etl = DataFlowJavaOperator(task_id='etl', jar='gs://jars/etl.jar', "
                "options={'project': 'analytics', 'stagingLocation': 'gs://tmp/staging'})\n"
            ),
            after=(
                "from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator\n"
                "from airflow.providers.google.cloud.operators.dataflow import CheckJobRunning,"
                " DataflowConfiguration\n"
                "etl = BeamRunJavaPipelineOperator(\n"
                "    task_id='etl',\n"
                "    jar='gs://jars/etl.jar',\n"
                "    pipeline_options={'project': 'analytics', 'stagingLocation': 'gs://tmp/staging'},\n"
                "    runner='DataflowRunner',\n"
                "    dataflow_config=DataflowConfiguration(\n"
                "        project_id='analytics',\n"
                "        check_if_running=CheckJobRunning.IgnoreJob,\n"
                "    ),\n"
                ")\n"
            ),
        ),
        Example(
            title="options without a project are a TODO",
            before=(
                "from airflow.contrib.operators.dataflow_operator import DataFlowPythonOperator\n"
                "t = DataFlowPythonOperator(task_id='t', py_file='gs://p/x.py', options=pipeline_options())\n"
            ),
            after=(
                "# TODO(airflow2): AM806 1 use(s) of DataFlowPythonOperator"
                " (airflow.contrib.operators.dataflow_operator.DataFlowPythonOperator) could not be converted to"
                " airflow.providers.apache.beam.operators.beam.BeamRunPythonPipelineOperator:"
                " airflow.providers.google.cloud.operators.dataflow.DataflowCreatePythonJobOperator (the Airflow 2"
                " home of airflow.contrib.operators.dataflow_operator.DataFlowPythonOperator) does not exist in"
                " profile airflow-2.10.5\n"
                "from airflow.contrib.operators.dataflow_operator import DataFlowPythonOperator\n"
                "# TODO(airflow2): AM806 options is not a dict literal or a module-level dict: the 'project'"
                " Dataflow runs in cannot be read; convert the call by hand\n"
                "t = DataFlowPythonOperator(task_id='t', py_file='gs://p/x.py', options=pipeline_options())\n"
            ),
            todos=("cannot be read",),
        ),
    )

    def _convert(self, ctx, call: cst.Call, target: CallTarget):
        old = target.qname.rpartition(".")[2]
        python = target.identity == PYTHON_JOB
        new_path = self.replaces[target.identity]
        new = new_path.rpartition(".")[2]
        args = cstutil.keyword_args(call, PYTHON_ARGS if python else JAVA_ARGS, old)
        moved = cstutil.check_default_args(ctx, args, (PYTHON_ARGS if python else JAVA_ARGS) - {"delegate_to"}, old,
                                           new)
        if cstutil.given(args, "delegate_to") is not None:
            raise Unconvertible(f"delegate_to (domain-wide delegation) has no {new} equivalent; use "
                                f"impersonation_chain in DataflowConfiguration or remove it")
        defaults = _Options(ctx, cstutil.given(args, "dataflow_default_options"), "dataflow_default_options")
        options = _Options(ctx, cstutil.given(args, "options"), "options")
        defaults.check(python, templated=python)
        options.check(python, templated=True)
        if python and options.keys and ({"job_name", "jobName"} & set(options.keys)):
            raise Unconvertible("options sets the job name: Airflow 1.10 used job_name over it, the Beam operator "
                                "uses the option; pass job_name instead")
        found = _lookup([options, defaults], "project")
        if found is None:
            raise Unconvertible("no 'project' in options or dataflow_default_options (Airflow 1.10 failed "
                                "without one)")
        project, project_value = found
        if isinstance(project_value, str) and any(m in project_value for m in cstutil.JINJA_MARKERS):
            raise Unconvertible("the project option is a template: DataflowConfiguration.project_id is not "
                                "templated; use a plain value")
        region = _lookup([options, defaults], "region")

        cstutil.check_available(ctx, DATAFLOW_CONFIGURATION, *(() if python else (CHECK_JOB_RUNNING,)))
        config: list[tuple[str, str]] = []
        if "job_name" in args:
            config.append(("job_name", cstutil.code_of(args["job_name"].value)))
        config.append(("project_id", project))
        if region is not None:
            config.append(("location", region[0]))
        for name in ("gcp_conn_id", "poll_sleep"):
            if name in args:
                config.append((name, cstutil.code_of(args[name].value)))
        if not python:
            config.append(("check_if_running", f"{ctx.require_import(CHECK_JOB_RUNNING)}.IgnoreJob"))

        configuration = cstutil.render_call(ctx, call, ctx.require_import(DATAFLOW_CONFIGURATION), config)
        quote = cstutil.call_quote(call)
        insert = [cstutil.kwarg_node("runner", cstutil.render_value("DataflowRunner", quote=quote)),
                  cstutil.arg("dataflow_config", configuration),
                  # moved out of default_args: arguments the new class keeps (under its names)
                  *(cstutil.arg(RENAMES.get(name, name), args[name].value) for name in moved
                    if name not in CONSUMED and name != "gcp_conn_id")]
        new_args = cstutil.rebuild_args(call, drop=CONSUMED, insert=insert, rename=RENAMES)
        func = cst.Name(ctx.require_import(new_path))
        note = " (the pipeline now runs with python3; 1.10 used python2)" if python else ""
        return call.with_changes(func=func, args=new_args), f"{old} -> {new}(runner='DataflowRunner'){note}"


RULES = (BeamPipeline,)
