"""AM803/AM804: Dataproc operators whose Airflow 2.10-era replacement takes the Dataproc API's dicts
(rules.md section 3).

AM803 ``DataProc{PySpark,Spark,Hadoop,Hive,Pig,SparkSql}Operator`` (2.0 names ``DataprocSubmit*JobOperator``,
removed in google 11.0.0) become ``DataprocSubmitJobOperator(job={...}, region=...)``. The job dict is the one
1.10.15's job builder (``_DataProcJobBuilder``) made, in the snake_case field names the 2.x client takes, minus
the ``reference`` (1.10 named the job ``<job_name>_<random>``; without a reference Dataproc picks a unique id).
The project stays the connection's: ``DataprocSubmitJobOperator`` falls back to the hook's project, as 1.10 did.

AM804 ``DataprocClusterCreateOperator`` moves to ``DataprocCreateClusterOperator``, which no longer takes the
1.10 flat cluster arguments (``num_workers``, ``zone``, ...): they go through ``ClusterGenerator(...).make()``
(RN2.0.0 "Generating Cluster Config"), with 1.10's disk sizes (500 GB; now 1024) written out.

Both write 1.10's ``region='global'`` when the call has no region (and no dict in the file may supply one
through default_args).
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from dagconvert.analysis import Interest
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, RestructuringRule, Rule
from dagconvert.rules.cstutil import Code, Unconvertible

DP = "airflow.providers.google.cloud.operators.dataproc"
SUBMIT_JOB = f"{DP}.DataprocSubmitJobOperator"
CREATE_CLUSTER = f"{DP}.DataprocCreateClusterOperator"
CLUSTER_GENERATOR = f"{DP}.ClusterGenerator"


class JobKind:
    """One 1.10 job operator: its 2.x job-dict key, own arguments, templated ones, template extensions."""

    def __init__(self, job_key: str, args: tuple[str, ...], templated: tuple[str, ...], exts=(), legacy=""):
        self.job_key = job_key
        self.args = frozenset(args)
        self.templated = frozenset(templated)
        self.exts = tuple(exts)
        self.legacy = legacy  # 1.10 spelling of dataproc_properties/dataproc_jars: dataproc_<legacy>_...


_QUERY = ("query", "query_uri", "variables")
_MAIN = ("main_jar", "main_class", "arguments", "archives", "files")
KINDS = {
    f"{DP}.DataprocSubmitPigJobOperator": JobKind("pig_job", _QUERY, ("query", "variables"), (".pg", ".pig"), "pig"),
    f"{DP}.DataprocSubmitHiveJobOperator": JobKind("hive_job", _QUERY, ("query", "variables"), (".q", ".hql"), "hive"),
    f"{DP}.DataprocSubmitSparkSqlJobOperator": JobKind("spark_sql_job", _QUERY, ("query", "variables"), (".q",),
                                                       "spark"),
    f"{DP}.DataprocSubmitSparkJobOperator": JobKind("spark_job", _MAIN, ("arguments",), (), "spark"),
    f"{DP}.DataprocSubmitHadoopJobOperator": JobKind("hadoop_job", _MAIN, ("arguments",), (), "hadoop"),
    f"{DP}.DataprocSubmitPySparkJobOperator": JobKind("pyspark_job", ("main", "arguments", "archives", "pyfiles",
                                                                      "files"), ("main", "arguments"), (), "pyspark"),
}
# DataProcJobBaseOperator (1.10.15): every job operator's arguments besides its own.
BASE_JOB_ARGS = frozenset({"job_name", "cluster_name", "dataproc_properties", "dataproc_jars", "labels",
                           "job_error_states", "delegate_to"})
BASE_JOB_TEMPLATED = frozenset({"job_name", "cluster_name", "region", "dataproc_jars", "dataproc_properties"})
# 1.10 argument -> key inside job[<kind>] (added when not None), in output order
JOB_KEYS = (
    ("arguments", "args"),
    ("pyfiles", "python_file_uris"),
    ("dataproc_jars", "jar_file_uris"),
    ("files", "file_uris"),
    ("archives", "archive_uris"),
    ("dataproc_properties", "properties"),
    ("variables", "script_variables"),
)


def _value(node: cst.BaseExpression, arg_name: str, templated, exts=()):
    """A job/cluster value: the literal's Python value (checked for what templating the whole dict would now
    do to it) or the expression's source."""
    value = cstutil.literal(node)
    if value is cstutil.NotLiteral:
        return Code(cstutil.code_of(node))
    why = cstutil.template_hazard(value, jinja=arg_name not in templated, exts=exts)
    if why:
        raise Unconvertible(f"{arg_name}: {why}; in Airflow 1.10 it was{'' if arg_name in templated else ' not'} "
                            f"templated, now the whole dict is")
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) or cstutil.comments_in(node):
        return cstutil.Source(cstutil.code_of(node), value)  # keeps its quotes, lines and comments
    return value


def _region(ctx, args, insert: list, call) -> None:
    """1.10's region default 'global' made explicit, unless the file's default_args sets a region: the new
    class takes it from there as 1.10 did."""
    if "region" not in args and not cstutil.default_args_sets(ctx, "region"):
        insert.append(cstutil.render_argument(ctx, call, "region", "global"))


class DataprocSubmitJob(RestructuringRule):
    """``DataProc<Kind>Operator`` -> ``DataprocSubmitJobOperator(job=..., region=...)``.

    Declines (TODO) an explicit ``job_name`` (the job id it named has no equivalent), a query given as a
    template file (``.hql``/``.q``/``.pig``: 1.10 read the file, the new class sends the text), a PySpark main
    that may be a local file (1.10 uploaded it), ``job_error_states`` other than the default, both query and
    query_uri or main_jar and main_class, and ``delegate_to``. Job arguments the file's default_args set
    (``cluster_name``, ``dataproc_*_jars``...) move into the job (``cstutil.check_default_args``).
    A job that ends CANCELLED now fails the task (1.10 only failed on ERROR by default).
    """

    code = "AM803"
    name = "dataproc-submit-job"
    summary = ("DataProc{PySpark,Spark,Hadoop,Hive,Pig,SparkSql}Operator -> DataprocSubmitJobOperator(job={...}, "
               "region=...) with the job dict 1.10's job builder made; region 'global' made explicit.")
    interest = Interest(call_identities=frozenset(KINDS))
    replaces: ClassVar[dict[str, str]] = {identity: SUBMIT_JOB for identity in KINDS}
    emits = (SUBMIT_JOB,)
    order = 80
    examples = (
        Example(
            title="PySpark job",
            before=(
                "from airflow.contrib.operators.dataproc_operator import DataProcPySparkOperator\n"
                "job = DataProcPySparkOperator(\n"
                "    task_id='sessionize',\n"
                "    main='gs://jobs/sessionize.py',\n"
                "    arguments=['--date', '{{ ds }}'],\n"
                "    cluster_name='etl-{{ ds_nodash }}',\n"
                "    dataproc_pyspark_properties={'spark.executor.memory': '4g'},\n"
                "    region='europe-west1',\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.dataproc import DataprocSubmitJobOperator\n"
                "job = DataprocSubmitJobOperator(\n"
                "    task_id='sessionize',\n"
                "    job={\n"
                "        'placement': {'cluster_name': 'etl-{{ ds_nodash }}'},\n"
                "        'pyspark_job': {\n"
                "            'main_python_file_uri': 'gs://jobs/sessionize.py',\n"
                "            'args': ['--date', '{{ ds }}'],\n"
                "            'properties': {'spark.executor.memory': '4g'},\n"
                "        },\n"
                "    },\n"
                "    region='europe-west1',\n"
                ")\n"
            ),
        ),
        Example(
            title="Hive query with 1.10's defaults",
            before=(
                "from airflow.contrib.operators.dataproc_operator import DataProcHiveOperator\n"
                "hive = DataProcHiveOperator(task_id='hive', query='SHOW TABLES', cluster_name='c1')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.dataproc import DataprocSubmitJobOperator\n"
                "hive = DataprocSubmitJobOperator(task_id='hive', job={\n"
                "    'placement': {'cluster_name': 'c1'},\n"
                "    'hive_job': {'query_list': {'queries': ['SHOW TABLES']}},\n"
                "}, region='global')\n"
            ),
        ),
        Example(
            title="a query file is a TODO",
            before=(
                "from airflow.contrib.operators.dataproc_operator import DataProcHiveOperator\n"
                "hive = DataProcHiveOperator(task_id='hive', query='daily.hql', cluster_name='c1')\n"
            ),
            after=(
                "# TODO(airflow2): AM803 1 use(s) of DataProcHiveOperator"
                " (airflow.contrib.operators.dataproc_operator.DataProcHiveOperator) could not be converted to"
                " airflow.providers.google.cloud.operators.dataproc.DataprocSubmitJobOperator:"
                " airflow.providers.google.cloud.operators.dataproc.DataprocSubmitHiveJobOperator (the Airflow 2"
                " home of airflow.contrib.operators.dataproc_operator.DataProcHiveOperator) does not exist in"
                " profile airflow-2.10.5\n"
                "from airflow.contrib.operators.dataproc_operator import DataProcHiveOperator\n"
                "# TODO(airflow2): AM803 query: 'daily.hql' ends with .hql, so it would be read as a template file:"
                " Airflow 1.10 sent the file's content, DataprocSubmitJobOperator would send the name; inline the"
                " query or upload the file and use query_uri\n"
                "hive = DataProcHiveOperator(task_id='hive', query='daily.hql', cluster_name='c1')\n"
            ),
            todos=("read as a template file",),
        ),
    )

    def _convert(self, ctx, call: cst.Call, target: CallTarget):
        old = target.qname.rpartition(".")[2]
        kind = KINDS[target.identity]
        legacy = {f"dataproc_{kind.legacy}_properties": "dataproc_properties",
                  f"dataproc_{kind.legacy}_jars": "dataproc_jars"}
        own = kind.args | BASE_JOB_ARGS | set(legacy)
        args = cstutil.keyword_args(call, own | {"region", "gcp_conn_id", "google_cloud_conn_id"}, old)
        params = own - {"delegate_to"} - {spelling for spelling, name in legacy.items() if name in args} - {
            name for spelling, name in legacy.items() if spelling in args}
        cstutil.check_default_args(ctx, args, params, old, "DataprocSubmitJobOperator")
        for spelling, name in legacy.items():
            if spelling in args:
                if name in args:
                    raise Unconvertible(f"{old} gets both {spelling} and {name}: keep {spelling}")
                args[name] = args.pop(spelling)
        if cstutil.given(args, "delegate_to") is not None:
            raise Unconvertible("delegate_to (domain-wide delegation) has no DataprocSubmitJobOperator "
                                "equivalent; use impersonation_chain or remove it")
        if "job_name" in args:
            raise Unconvertible("job_name: Airflow 1.10 named the Dataproc job <job_name>_<random suffix>; "
                                "DataprocSubmitJobOperator takes a fixed job['reference']['job_id'] (which must be "
                                "unique per run) or lets Dataproc pick one: remove job_name, or set the reference")
        self._check_error_states(args)
        templated = kind.templated | BASE_JOB_TEMPLATED
        body: dict = {}
        self._main(ctx, kind, args, body, templated)
        for name, key in JOB_KEYS:
            if name in args and not cstutil.is_none(args[name].value):
                body[key] = _value(args[name].value, name, templated)
        cluster = args["cluster_name"].value if "cluster_name" in args else None
        job: dict = {"placement": {"cluster_name": "cluster-1" if cluster is None else
                                   _value(cluster, "cluster_name", templated)},
                     kind.job_key: body}
        labels = cstutil.given(args, "labels")
        if labels is not None and cstutil.literal(labels) != {}:
            job["labels"] = _value(labels, "labels", templated)

        insert = [cstutil.render_argument(ctx, call, "job", job)]
        _region(ctx, args, insert, call)
        consumed = own | set(legacy) | {"dataproc_properties", "dataproc_jars"}
        new_args = cstutil.rebuild_args(call, drop=consumed, insert=insert,
                                        rename={"google_cloud_conn_id": "gcp_conn_id"})
        func = cst.Name(ctx.require_import(SUBMIT_JOB))
        return (call.with_changes(func=func, args=new_args),
                f"{old} -> DataprocSubmitJobOperator(job=...) (a CANCELLED job now fails the task)")

    @staticmethod
    def _main(ctx, kind: JobKind, args, body: dict, templated) -> None:
        """The job's main file/class or query, as the 1.10 builder set it."""
        if kind.job_key == "pyspark_job":
            main = cstutil.given(args, "main")
            if main is None:
                raise Unconvertible("DataProcPySparkOperator has no main")
            parts = cstutil.string_parts(ctx, main)
            prefix = cstutil.known_prefix(parts) if parts is not None else cstutil.static_prefix(main)
            if prefix is None or "://" not in prefix:
                raise Unconvertible("main may be a local file, which Airflow 1.10 uploaded to the cluster's "
                                    "bucket; DataprocSubmitJobOperator needs a gs:// (or other HCFS) URI")
            body["main_python_file_uri"] = _value(main, "main", templated)
        elif "main_jar" in kind.args:
            main_jar, main_class = cstutil.given(args, "main_jar"), cstutil.given(args, "main_class")
            if main_jar is not None and main_class is not None:
                raise Unconvertible("main_jar and main_class are both set (Airflow 1.10 raised an error)")
            if main_jar is None and main_class is None:
                raise Unconvertible("neither main_jar nor main_class is set (Airflow 1.10 sent an empty main)")
            if main_jar is not None:
                body["main_jar_file_uri"] = _value(main_jar, "main_jar", templated)
            else:
                body["main_class"] = _value(main_class, "main_class", templated)
        else:
            query, query_uri = cstutil.given(args, "query"), cstutil.given(args, "query_uri")
            if query is not None and query_uri is not None:
                raise Unconvertible("query and query_uri are both set: keep one")
            if query is not None:
                value = _value(query, "query", templated)
                text = cstutil.plain(value)
                if isinstance(text, str) and text.endswith(kind.exts):
                    raise Unconvertible(
                        f"query: {text!r} ends with {text[text.rfind('.'):]}, so it would be read as a "
                        f"template file: Airflow 1.10 sent the file's content, DataprocSubmitJobOperator would "
                        f"send the name; inline the query or upload the file and use query_uri")
                body["query_list"] = {"queries": [value]}
            elif query_uri is not None:
                body["query_file_uri"] = _value(query_uri, "query_uri", templated)
            else:
                raise Unconvertible("neither query nor query_uri is set")

    @staticmethod
    def _check_error_states(args) -> None:
        node = args["job_error_states"].value if "job_error_states" in args else None
        if node is None or cstutil.is_none(node):
            return
        states = cstutil.literal(node)
        if not isinstance(states, (set, list, tuple, frozenset)) or not set(states) <= {"ERROR", "CANCELLED"}:
            raise Unconvertible("job_error_states: DataprocSubmitJobOperator fails on ERROR and CANCELLED "
                                "only; check the states and remove the argument")


# DataprocClusterCreateOperator (1.10.15) arguments that build the cluster config (ClusterGenerator's names)
GENERATOR_ARGS = (
    "num_workers", "zone", "network_uri", "subnetwork_uri", "internal_ip_only", "tags", "storage_bucket",
    "init_actions_uris", "init_action_timeout", "metadata", "custom_image", "custom_image_project_id",
    "image_version", "autoscaling_policy", "properties", "optional_components", "num_masters",
    "master_machine_type", "master_disk_type", "master_disk_size", "worker_machine_type", "worker_disk_type",
    "worker_disk_size", "num_preemptible_workers", "service_account", "service_account_scopes",
    "idle_delete_ttl", "auto_delete_time", "auto_delete_ttl", "customer_managed_key",
)
# 1.10.15 defaults that ClusterGenerator changed
GENERATOR_DEFAULTS = {"master_disk_size": 500, "worker_disk_size": 500}
CLUSTER_TEMPLATED = frozenset({"cluster_name", "project_id", "zone", "region"})
CLUSTER_KNOWN = frozenset(GENERATOR_ARGS) | {"project_id", "cluster_name", "labels", "region", "gcp_conn_id",
                                             "delegate_to"}


class DataprocClusterGenerator(Rule):
    """``DataprocClusterCreateOperator(num_workers=..., zone=..., ...)`` ->
    ``DataprocCreateClusterOperator(cluster_config=ClusterGenerator(...).make(), region=..., use_if_exists=False)``.

    ``project_id`` stays on the operator and is repeated in ClusterGenerator (it builds the zone and image
    URIs; from default_args when the call has none). ``use_if_exists=False`` keeps 1.10's failure when the
    cluster already exists. Cluster arguments the file's default_args set move into ClusterGenerator
    (``cstutil.check_default_args``). Declines literal values that would render differently inside the
    templated ``cluster_config``.
    """

    code = "AM804"
    name = "dataproc-cluster-generator"
    summary = ("DataprocCreateClusterOperator with 1.10's flat cluster arguments -> cluster_config="
               "ClusterGenerator(...).make(); 1.10's disk sizes, region 'global' and failing on an existing "
               "cluster made explicit.")
    interest = Interest(call_identities=frozenset({CREATE_CLUSTER}))
    emits = (CLUSTER_GENERATOR,)
    order = 80
    examples = (
        Example(
            title="flat arguments into ClusterGenerator",
            before=(
                "from airflow.contrib.operators.dataproc_operator import DataprocClusterCreateOperator\n"
                "create = DataprocClusterCreateOperator(\n"
                "    task_id='create_cluster',\n"
                "    cluster_name='etl-{{ ds_nodash }}',\n"
                "    project_id='analytics',\n"
                "    num_workers=2,\n"
                "    zone='europe-west1-b',\n"
                "    master_machine_type='n1-standard-8',\n"
                "    region='europe-west1',\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.dataproc import DataprocCreateClusterOperator,"
                " ClusterGenerator\n"
                "create = DataprocCreateClusterOperator(\n"
                "    task_id='create_cluster',\n"
                "    cluster_name='etl-{{ ds_nodash }}',\n"
                "    project_id='analytics',\n"
                "    cluster_config=ClusterGenerator(\n"
                "        project_id='analytics',\n"
                "        num_workers=2,\n"
                "        zone='europe-west1-b',\n"
                "        master_machine_type='n1-standard-8',\n"
                "        master_disk_size=500,\n"
                "        worker_disk_size=500,\n"
                "    ).make(),\n"
                "    use_if_exists=False,\n"
                "    region='europe-west1',\n"
                ")\n"
            ),
        ),
        Example(
            title="settings from default_args move into ClusterGenerator",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.dataproc_operator import DataprocClusterCreateOperator\n"
                "default_args = {'project_id': 'analytics', 'zone': 'europe-west1-b', 'region': 'europe-west1'}\n"
                "with DAG('etl', default_args=default_args, schedule_interval=None) as dag:\n"
                "    create = DataprocClusterCreateOperator(task_id='create', cluster_name='etl', num_workers=2)\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.dataproc import DataprocCreateClusterOperator,"
                " ClusterGenerator\n"
                "default_args = {'project_id': 'analytics', 'zone': 'europe-west1-b', 'region': 'europe-west1'}\n"
                "with DAG('etl', default_args=default_args, schedule=None) as dag:\n"
                "    create = DataprocCreateClusterOperator(\n"
                "        task_id='create',\n"
                "        cluster_name='etl',\n"
                "        cluster_config=ClusterGenerator(\n"
                "            project_id=default_args['project_id'],\n"
                "            num_workers=2,\n"
                "            zone=default_args['zone'],\n"
                "            master_disk_size=500,\n"
                "            worker_disk_size=500,\n"
                "        ).make(),\n"
                "        use_if_exists=False,\n"
                "    )\n"
            ),
        ),
        Example(
            title="default_args that cannot be read are a TODO",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.dataproc_operator import DataprocClusterCreateOperator\n"
                "from common.settings import DEFAULT_ARGS\n"
                "with DAG('etl', default_args=DEFAULT_ARGS, schedule_interval=None) as dag:\n"
                "    create = DataprocClusterCreateOperator(task_id='c', cluster_name='c', project_id='p', "
                "num_workers=2)\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.dataproc import DataprocCreateClusterOperator\n"
                "from common.settings import DEFAULT_ARGS\n"
                "with DAG('etl', default_args=DEFAULT_ARGS, schedule=None) as dag:\n"
                "    # TODO(airflow2): AM804 this file's default_args cannot be read statically (imported or"
                " computed): Airflow 1.10 gave DataprocClusterCreateOperator the arguments they set that"
                " DataprocCreateClusterOperator does not take (auto_delete_time, auto_delete_ttl,"
                " autoscaling_policy, ...); pass those in the call, or convert it by hand\n"
                "    # TODO(airflow2): AM203 parameter num_workers is not accepted by DataprocCreateClusterOperator"
                " in airflow-2.10.5: Airflow 2 rejects unknown arguments at parse time; remove it, or pass what it"
                " meant the way DataprocCreateClusterOperator takes it\n"
                "    create = DataprocCreateClusterOperator(task_id='c', cluster_name='c', project_id='p',"
                " num_workers=2)\n"
            ),
            todos=("default_args cannot be read statically",),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.identity != CREATE_CLUSTER or not any(
                cstutil.kwarg(call, name) is not None for name in GENERATOR_ARGS):
            return call
        return cstutil.restructure(self, ctx, call, self._convert, replaced=False)

    def _convert(self, ctx, call: cst.Call):
        old = "DataprocClusterCreateOperator"  # the 1.10 name, also once the import was moved (stable TODOs)
        args = cstutil.keyword_args(call, CLUSTER_KNOWN, old)
        moved = cstutil.check_default_args(ctx, args, GENERATOR_ARGS, old, "DataprocCreateClusterOperator")
        if cstutil.given(args, "delegate_to") is not None:
            raise Unconvertible("delegate_to (domain-wide delegation) has no DataprocCreateClusterOperator "
                                "equivalent; use impersonation_chain or remove it")
        project = cstutil.code_of(args["project_id"].value) if "project_id" in args else None
        if project is None and cstutil.default_args_sets(ctx, "project_id"):
            project = cstutil.default_args_source(ctx, "project_id")  # the operator still reads default_args
        if project is None:
            raise Unconvertible(f"{old} has no project_id argument (and default_args gives none that can be "
                                f"moved): ClusterGenerator needs it in the call")
        cstutil.check_available(ctx, CLUSTER_GENERATOR)
        region: list[cst.Arg] = []
        _region(ctx, args, region, call)
        generator = [("project_id", project)]
        for name in [*(a.keyword.value for a in call.args if a.keyword.value in GENERATOR_ARGS), *moved]:
            _value(args[name].value, name, CLUSTER_TEMPLATED)  # checks only: the source is kept
            generator.append((name, cstutil.code_of(args[name].value)))
        generator += [(name, repr(value)) for name, value in GENERATOR_DEFAULTS.items() if name not in args]
        generator_call = cstutil.render_call(ctx, call, ctx.require_import(CLUSTER_GENERATOR), generator)
        make = cst.Call(func=cst.Attribute(value=generator_call, attr=cst.Name("make")))
        insert = [cstutil.arg("cluster_config", make),
                  cstutil.render_argument(ctx, call, "use_if_exists", False), *region]
        new_args = cstutil.rebuild_args(call, drop=GENERATOR_ARGS, insert=insert)
        return (call.with_changes(args=new_args),
                f"{old}: cluster arguments -> cluster_config=ClusterGenerator(...).make()")


# Drop-in Dataproc operators whose 1.10 default region='global' (DataprocOperationBaseOperator) is gone
REGION_REQUIRED = frozenset({
    f"{DP}.DataprocDeleteClusterOperator",
    f"{DP}.DataprocInstantiateWorkflowTemplateOperator",
    f"{DP}.DataprocInstantiateInlineWorkflowTemplateOperator",
})


class DataprocRegionDefault(Rule):
    """The Dataproc operators that moved as they were (cluster delete, workflow templates) no longer default
    ``region`` to 1.10's ``'global'``: a call without one fails to load. The default is written out, unless
    the file's default_args sets a region (both versions read it from there)."""

    code = "AM807"
    name = "dataproc-region-default"
    summary = ("DataprocDeleteClusterOperator / DataprocInstantiate(Inline)WorkflowTemplateOperator without "
               "region -> region='global' (1.10's default; now a required argument).")
    interest = Interest(call_identities=REGION_REQUIRED)
    order = 80
    examples = (
        Example(
            title="cluster deletion",
            before=(
                "from airflow.contrib.operators.dataproc_operator import DataprocClusterDeleteOperator\n"
                "delete = DataprocClusterDeleteOperator(task_id='delete', cluster_name='etl', project_id='p')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.dataproc import DataprocDeleteClusterOperator\n"
                "delete = DataprocDeleteClusterOperator(\n"
                "    task_id='delete',\n"
                "    cluster_name='etl',\n"
                "    project_id='p',\n"
                "    region='global',\n"
                ")\n"
            ),
        ),
        Example(
            title="region from default_args",
            before=(
                "from airflow import DAG\n"
                "from airflow.contrib.operators.dataproc_operator import DataprocClusterDeleteOperator\n"
                "with DAG('etl', default_args={'region': 'europe-west1'}, schedule_interval=None) as dag:\n"
                "    delete = DataprocClusterDeleteOperator(task_id='delete', cluster_name='etl', project_id='p')\n"
            ),
            after=(
                "from airflow import DAG\n"
                "from airflow.providers.google.cloud.operators.dataproc import DataprocDeleteClusterOperator\n"
                "with DAG('etl', default_args={'region': 'europe-west1'}, schedule=None) as dag:\n"
                "    delete = DataprocDeleteClusterOperator(task_id='delete', cluster_name='etl', project_id='p')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.identity not in REGION_REQUIRED or cstutil.kwarg(call, "region") is not None \
                or cstutil.has_star_args(call):
            return call
        return cstutil.restructure(self, ctx, call, self._convert, replaced=False)

    def _convert(self, ctx, call: cst.Call):
        insert: list[cst.Arg] = []
        _region(ctx, {}, insert, call)
        if not insert:  # default_args sets it
            return call, ""
        return call.with_changes(args=cstutil.rebuild_args(call, insert=insert)), "made region='global' explicit"


RULES = (DataprocSubmitJob, DataprocClusterGenerator, DataprocRegionDefault)
