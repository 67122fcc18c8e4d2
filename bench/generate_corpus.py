"""Deterministic generator of realistic Airflow 1.10 DAG trees, for benchmarks and scale tests.

    python bench/generate_corpus.py OUT_DIR --count 1000 --seed 1

Writes COUNT files under OUT_DIR/<team>/<dag_id>.py. Each file is valid Python 3 and valid
Airflow 1.10.15 code of 40-200 lines, with comments, defining one DAG with a distinct dag_id.
The mix follows what a company's Composer 1 dags folder tends to hold: mostly bash, python and
GCS/BigQuery pipelines; some KubernetesPodOperator, Dataproc, TriggerDagRun, sensor and SubDAG
DAGs. Import styles (module paths, legacy package imports, module aliases, class aliases), DAG
styles (`with DAG(...)` vs `dag=dag`), schedule forms and dependency styles vary per file.

Why: the conversion engine and the test stage need thousands of inputs that look like real
ones; the bundled corpora are small. The same (seed, index) always gives the same file, whatever
COUNT is, so `generate(d, 10, 1)` writes the first 10 files of `generate(d, 1000, 1)`.

Standard library only; `generate()` is the entry point for other benchmarks.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MIN_LINES = 40
MAX_LINES = 200

# (kind, weight): the share of DAG files of each kind.
KIND_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("bash", 24),
    ("python", 20),
    ("gcs_bq", 26),
    ("k8s", 7),
    ("dataproc", 7),
    ("trigger", 5),
    ("sensors", 7),
    ("subdag", 4),
)

TEAMS = ("sales", "marketing", "finance", "supply", "web", "ml", "platform", "crm")
NOUNS = (
    "orders", "customers", "invoices", "sessions", "clicks", "stock", "returns", "payments",
    "leads", "shipments", "reviews", "prices", "campaigns", "tickets", "refunds", "carts",
)
VERBS = ("load", "refresh", "export", "sync", "aggregate", "rebuild", "score", "clean")

# class -> (1.10 module, package offering the legacy `from <package> import Class` form or None)
CLASSES: dict[str, tuple[str, str | None]] = {
    "BashOperator": ("airflow.operators.bash_operator", "airflow.operators"),
    "PythonOperator": ("airflow.operators.python_operator", "airflow.operators"),
    "BranchPythonOperator": ("airflow.operators.python_operator", "airflow.operators"),
    "DummyOperator": ("airflow.operators.dummy_operator", "airflow.operators"),
    "TriggerDagRunOperator": ("airflow.operators.dagrun_operator", "airflow.operators"),
    "SubDagOperator": ("airflow.operators.subdag_operator", "airflow.operators"),
    "PostgresOperator": ("airflow.operators.postgres_operator", "airflow.operators"),
    "SimpleHttpOperator": ("airflow.operators.http_operator", "airflow.operators"),
    "ExternalTaskSensor": ("airflow.sensors.external_task_sensor", "airflow.sensors"),
    "HttpSensor": ("airflow.sensors.http_sensor", "airflow.sensors"),
    "SqlSensor": ("airflow.sensors.sql_sensor", "airflow.sensors"),
    "BigQueryOperator": ("airflow.contrib.operators.bigquery_operator", None),
    "BigQueryCheckOperator": ("airflow.contrib.operators.bigquery_check_operator", None),
    "BigQueryToCloudStorageOperator": ("airflow.contrib.operators.bigquery_to_gcs", None),
    "GoogleCloudStorageToBigQueryOperator": ("airflow.contrib.operators.gcs_to_bq", None),
    "GoogleCloudStorageObjectSensor": ("airflow.contrib.sensors.gcs_sensor", None),
    "KubernetesPodOperator": ("airflow.contrib.operators.kubernetes_pod_operator", None),
    "DataprocClusterCreateOperator": ("airflow.contrib.operators.dataproc_operator", None),
    "DataProcPySparkOperator": ("airflow.contrib.operators.dataproc_operator", None),
    "DataprocClusterDeleteOperator": ("airflow.contrib.operators.dataproc_operator", None),
    "Secret": ("airflow.contrib.kubernetes.secret", None),
    "TriggerRule": ("airflow.utils.trigger_rule", None),
}
CLASS_ALIASES = {
    "BashOperator": "Bash",
    "PythonOperator": "PyOp",
    "DummyOperator": "Noop",
    "BigQueryOperator": "BQOperator",
    "GoogleCloudStorageToBigQueryOperator": "GcsToBq",
    "KubernetesPodOperator": "PodOp",
    "Secret": "K8sSecret",
    "TriggerRule": "TR",
}
IMPORT_STYLES = (("direct", 60), ("legacy", 15), ("module", 15), ("alias", 10))


def _q(text: str) -> str:
    """A double-quoted Python string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted], k=1)[0]


@dataclass(frozen=True)
class Plan:
    """What file `index` of a corpus is: decided from (seed, index) alone."""

    index: int
    kind: str
    team: str
    noun: str
    verb: str
    dag_id: str

    @property
    def relpath(self) -> Path:
        return Path(self.team) / f"{self.dag_id}.py"


def plan(seed: int, index: int) -> Plan:
    rng = random.Random(f"composer-migrate-corpus:{seed}:{index}:plan")
    kind = _pick(rng, KIND_WEIGHTS)
    team = rng.choice(TEAMS)
    noun = rng.choice(NOUNS)
    verb = rng.choice(VERBS)
    return Plan(index, kind, team, noun, verb, f"gen_{team}_{verb}_{noun}_{index:05d}")


@dataclass
class _File:
    """Mutable state while one DAG file is being written."""

    rng: random.Random
    plan: Plan
    import_style: str
    with_style: bool
    from_imports: dict[str, dict[str, str | None]] = field(default_factory=dict)
    module_imports: dict[str, str | None] = field(default_factory=dict)
    preamble: list[list[str]] = field(default_factory=list)  # top-level blocks before the DAG
    tasks: list[tuple[str, list[str], bool]] = field(default_factory=list)  # (var, lines, filler)
    used_vars: set[str] = field(default_factory=set)

    @property
    def indent(self) -> str:
        return "    " if self.with_style else ""

    # -- imports ---------------------------------------------------------------------------
    def add_from(self, module: str, name: str, alias: str | None = None) -> None:
        self.from_imports.setdefault(module, {})[name] = alias

    def add_import(self, module: str, alias: str | None = None) -> None:
        self.module_imports[module] = alias

    def ref(self, cls: str) -> str:
        """The expression naming `cls` in this file, adding the import it needs."""
        module, legacy = CLASSES[cls]
        style = self.import_style
        if style == "legacy" and legacy is not None:
            self.add_from(legacy, cls)
            return cls
        if style == "module":
            parent, leaf = module.rsplit(".", 1)
            self.add_from(parent, leaf)
            return f"{leaf}.{cls}"
        if style == "alias":
            alias = CLASS_ALIASES.get(cls, cls.replace("Operator", "Op"))
            if alias == cls:
                alias = cls + "Cls"
            self.add_from(module, cls, alias)
            return alias
        self.add_from(module, cls)
        return cls

    # -- tasks -----------------------------------------------------------------------------
    def var(self, base: str) -> str:
        name, n = base, 2
        while name in self.used_vars:
            name, n = f"{base}_{n}", n + 1
        self.used_vars.add(name)
        return name

    def op(self, cls: str, var: str, kwargs: list[tuple[str, str]], comment: str | None = None,
           filler: bool = False) -> str:
        ind = self.indent
        lines = [f"{ind}# {comment}"] if comment else []
        lines.append(f"{ind}{var} = {self.ref(cls)}(")
        lines.extend(f"{ind}    {key}={value}," for key, value in kwargs)
        if not self.with_style:
            lines.append(f"{ind}    dag=dag,")
        lines.append(f"{ind})")
        self.tasks.append((var, lines, filler))
        return var


# --- task templates -------------------------------------------------------------------------

BASH_COMMANDS = (
    ("export", "gsutil -m cp gs://acme-{team}-landing/{noun}/{{{{ ds_nodash }}}}/*.csv /tmp/{noun}/"),
    ("report", "echo {noun} report for {{{{ ds }}}} (next run {{{{ next_ds }}}})"),
    ("compact", "python /home/airflow/gcs/dags/scripts/compact.py --table {noun} --day {{{{ yesterday_ds }}}}"),
    ("diff", ("diff <(gsutil cat gs://acme-{team}/{noun}/{{{{ prev_ds }}}}.csv) "
              "<(gsutil cat gs://acme-{team}/{noun}/{{{{ ds }}}}.csv) | wc -l")),
    ("stamp", "echo '{{{{ execution_date }}}}' > /tmp/{noun}_{{{{ ts_nodash }}}}.stamp"),
    ("notify", "curl -sf -X POST \"$HOOK_URL\" -d 'text={team} {noun} ready for {{{{ ds }}}}'"),
    ("bq_load", ("bq load --replace acme_{team}.{noun}_{{{{ ds_nodash }}}} "
                 "gs://acme-{team}-landing/{noun}/{{{{ ds }}}}/*.json")),
)


def _topic(f: _File, filler: bool) -> str:
    """The DAG's own subject, or for a filler task sometimes a neighbouring one."""
    return f.rng.choice(NOUNS) if filler and f.rng.random() < 0.5 else f.plan.noun


def bash_task(f: _File, filler: bool = False) -> str:
    name, template = f.rng.choice(BASH_COMMANDS)
    noun = _topic(f, filler)
    var = f.var(f"{name}_{noun}")
    kwargs = [("task_id", _q(var)), ("bash_command", _q(template.format(team=f.plan.team, noun=noun)))]
    if name in ("diff", "stamp") and f.rng.random() < 0.6:
        kwargs.append(("xcom_push", "True"))
    if name == "notify":
        kwargs.append(("env", "{" + _q("HOOK_URL") + ": " + _q(f"https://hooks.acme.example/{f.plan.team}") + "}"))
    if f.rng.random() < 0.2:
        kwargs.append(("retries", str(f.rng.randint(0, 4))))
    return f.op("BashOperator", var, kwargs, comment=f"{name} step for {noun}", filler=filler)


def python_task(f: _File, filler: bool = False) -> str:
    noun = _topic(f, filler)
    var = f.var(f"{f.rng.choice(('check', 'count', 'publish', 'reconcile'))}_{noun}")
    fn = f"_{var}"
    style = f.rng.randrange(3)
    if style == 0:  # **kwargs reading the 1.10 context
        body = [
            f"def {fn}(**kwargs):",
            f'    """Work on the {noun} of one run window."""',
            '    start = kwargs["execution_date"]',
            '    print("window", start, "->", kwargs["next_execution_date"], "next_ds", kwargs["next_ds"])',
            f'    kwargs["ti"].xcom_push(key="{noun}_window", value=start.isoformat())',
            "    return start.isoformat()",
        ]
        kwargs = [("task_id", _q(var)), ("python_callable", fn), ("provide_context", "True")]
        comment = "reads its run window from the 1.10 context"
    elif style == 1:  # execution_date as a named parameter
        body = [
            f"def {fn}(table, execution_date, **kwargs):",
            f'    """Check one partition of {noun}."""',
            '    partition = execution_date.strftime("%Y%m%d")',
            '    print("checking", table, partition, "prev_ds", kwargs["prev_ds"])',
            "    return partition",
        ]
        kwargs = [("task_id", _q(var)), ("python_callable", fn),
                  ("op_kwargs", "{" + _q("table") + ": " + _q(f"acme_{f.plan.team}.{noun}") + "}"),
                  ("provide_context", "True")]
        comment = "execution_date arrives as a named parameter"
    else:  # no context at all
        body = [
            f"def {fn}(limit):",
            '    """Plain callable: no context needed."""',
            f'    print("keeping at most", limit, "{noun} rows")',
        ]
        kwargs = [("task_id", _q(var)), ("python_callable", fn), ("op_args", f"[{f.rng.randint(10, 5000)}]")]
        comment = "plain callable with a positional argument"
    f.preamble.append(body)
    return f.op("PythonOperator", var, kwargs, comment=comment, filler=filler)


def bq_query_task(f: _File, filler: bool = False) -> str:
    noun = _topic(f, filler)
    var = f.var(f"aggregate_{noun}")
    sql = (f"SELECT DATE(created_at) AS day, COUNT(*) AS n FROM `acme-data-prod.{f.plan.team}.{noun}` "
           f"WHERE DATE(created_at) = '{{{{ ds }}}}' GROUP BY day")
    legacy = f.rng.random() < 0.25
    kwargs = [("task_id", _q(var)), ("bql" if legacy else "sql", _q(sql)),
              ("destination_dataset_table", _q(f"acme-data-prod.{f.plan.team}.{noun}_daily${{{{ ds_nodash }}}}")),
              ("write_disposition", _q("WRITE_TRUNCATE"))]
    if not legacy:
        kwargs.append(("use_legacy_sql", "False"))
    kwargs.append(("bigquery_conn_id", _q("bigquery_default")))
    return f.op("BigQueryOperator", var, kwargs, comment="daily aggregate in BigQuery", filler=filler)


def gcs_sensor_task(f: _File) -> str:
    var = f.var(f"wait_{f.plan.noun}_file")
    return f.op("GoogleCloudStorageObjectSensor", var, [
        ("task_id", _q(var)), ("bucket", _q(f"acme-{f.plan.team}-landing")),
        ("object", _q(f"{f.plan.noun}/{{{{ ds_nodash }}}}/_SUCCESS")),
        ("poke_interval", str(f.rng.choice((60, 300, 600)))), ("timeout", str(f.rng.choice((3600, 7200, 21600)))),
    ], comment="wait for the upstream export")


def gcs_to_bq_task(f: _File) -> str:
    var = f.var(f"load_{f.plan.noun}")
    return f.op("GoogleCloudStorageToBigQueryOperator", var, [
        ("task_id", _q(var)), ("bucket", _q(f"acme-{f.plan.team}-landing")),
        ("source_objects", "[" + _q(f"{f.plan.noun}/{{{{ ds_nodash }}}}/*.csv") + "]"),
        ("destination_project_dataset_table", _q(f"acme-data-prod.staging.{f.plan.noun}_{{{{ ds_nodash }}}}")),
        ("skip_leading_rows", "1"), ("autodetect", "True"), ("write_disposition", _q("WRITE_TRUNCATE")),
        ("bigquery_conn_id", _q("bigquery_default")), ("google_cloud_storage_conn_id", _q("google_cloud_default")),
    ], comment="load the day's files into a staging table")


def bq_check_task(f: _File) -> str:
    var = f.var(f"check_{f.plan.noun}")
    return f.op("BigQueryCheckOperator", var, [
        ("task_id", _q(var)),
        ("sql", _q(f"SELECT COUNT(*) FROM `acme-data-prod.staging.{f.plan.noun}_{{{{ ds_nodash }}}}`")),
        ("use_legacy_sql", "False"),
    ], comment="fail on an empty day")


def bq_export_task(f: _File) -> str:
    var = f.var(f"export_{f.plan.noun}")
    return f.op("BigQueryToCloudStorageOperator", var, [
        ("task_id", _q(var)),
        ("source_project_dataset_table", _q(f"acme-data-prod.{f.plan.team}.{f.plan.noun}_daily")),
        ("destination_cloud_storage_uris", "[" + _q(f"gs://acme-{f.plan.team}-exports/{f.plan.noun}/{{{{ ds }}}}/*.csv") + "]"),
        ("export_format", _q("CSV")),
    ], comment="export for downstream consumers")


def k8s_task(f: _File) -> str:
    secret_var = f"{f.plan.noun}_secret"
    if secret_var not in f.used_vars:
        f.used_vars.add(secret_var)
        f.preamble.append([
            "# Credentials come from a Kubernetes secret, exposed as an environment variable.",
            (f"{secret_var} = {f.ref('Secret')}({_q('env')}, {_q('DB_PASSWORD')}, "
             f"{_q(f'{f.plan.team}-db')}, {_q('password')})"),
        ])
    var = f.var(f"run_{f.plan.noun}_pod")
    mem = f.rng.choice(("512Mi", "1Gi", "2Gi", "4Gi"))
    return f.op("KubernetesPodOperator", var, [
        ("task_id", _q(var)), ("name", _q(var.replace("_", "-"))), ("namespace", _q("default")),
        ("image", _q(f"eu.gcr.io/acme-{f.plan.team}/{f.plan.noun}-job:{f.rng.randint(1, 9)}.{f.rng.randint(0, 20)}")),
        ("cmds", "[" + _q("python") + ", " + _q("-m") + ", " + _q("job") + "]"),
        ("arguments", "[" + _q("--date") + ", " + _q("{{ ds }}") + "]"),
        ("secrets", f"[{secret_var}]"),
        ("resources", "{" + _q("request_memory") + ": " + _q(mem) + ", " + _q("limit_memory") + ": " + _q(mem) + "}"),
        ("is_delete_operator_pod", "True"), ("get_logs", "True"),
    ], comment="containerised job on the Composer GKE cluster")


def dataproc_tasks(f: _File) -> None:
    cluster = f"{f.plan.team}-{f.plan.noun}-{{{{ ds_nodash }}}}"
    region = f.rng.choice(("europe-west1", "us-central1"))
    create = f.var("create_cluster")
    f.op("DataprocClusterCreateOperator", create, [
        ("task_id", _q(create)), ("cluster_name", _q(cluster)), ("project_id", _q("acme-data-prod")),
        ("num_workers", str(f.rng.choice((2, 3, 4)))), ("region", _q(region)), ("zone", _q(region + "-b")),
        ("master_machine_type", _q("n1-standard-4")), ("worker_machine_type", _q("n1-standard-4")),
    ], comment="ephemeral cluster named after the run date")
    job = f.var(f"spark_{f.plan.noun}")
    f.op("DataProcPySparkOperator", job, [
        ("task_id", _q(job)), ("main", _q(f"gs://acme-jobs/pyspark/{f.plan.noun}.py")),
        ("arguments", "[" + _q("--date") + ", " + _q("{{ ds }}") + "]"), ("cluster_name", _q(cluster)),
        ("region", _q(region)),
        ("dataproc_pyspark_properties", "{" + _q("spark.executor.memory") + ": " + _q("4g") + "}"),
    ], comment="the PySpark job")
    delete = f.var("delete_cluster")
    f.op("DataprocClusterDeleteOperator", delete, [
        ("task_id", _q(delete)), ("cluster_name", _q(cluster)), ("project_id", _q("acme-data-prod")),
        ("region", _q(region)), ("trigger_rule", f.ref("TriggerRule") + ".ALL_DONE"),
    ], comment="always delete the cluster, even after a failed job")


def trigger_task(f: _File, target: str) -> str:
    fn = f"_payload_{len(f.preamble)}"
    f.preamble.append([
        f"def {fn}(context, dag_run_obj):",
        '    """Pass the run date to the triggered DAG."""',
        '    dag_run_obj.payload = {"day": context["ds"], "source": context["dag"].dag_id}',
        "    return dag_run_obj",
    ])
    var = f.var("trigger_downstream")
    return f.op("TriggerDagRunOperator", var, [
        ("task_id", _q(var)), ("trigger_dag_id", _q(target)), ("python_callable", fn),
    ], comment=f"hand over to {target}")


def sensor_tasks(f: _File, upstream: str) -> None:
    ext = f.var("wait_upstream")
    f.op("ExternalTaskSensor", ext, [
        ("task_id", _q(ext)), ("external_dag_id", _q(upstream)), ("external_task_id", "None"),
        ("mode", _q("reschedule")), ("timeout", str(f.rng.choice((3600, 14400)))),
    ], comment=f"wait for the whole run of {upstream}")
    if f.rng.random() < 0.6:
        api = f.var("api_up")
        f.op("HttpSensor", api, [
            ("task_id", _q(api)), ("http_conn_id", _q(f"{f.plan.team}_api")), ("endpoint", _q("health")),
            ("poke_interval", "60"),
        ], comment="partner API must answer first")
    if f.rng.random() < 0.6:
        rows = f.var(f"{f.plan.noun}_rows_ready")
        f.op("SqlSensor", rows, [
            ("task_id", _q(rows)), ("conn_id", _q(f"{f.plan.team}_db")),
            ("sql", _q(f"SELECT COUNT(*) FROM {f.plan.noun} WHERE day = '{{{{ ds }}}}'")),
        ], comment="rows for the day have arrived")
    if f.rng.random() < 0.5:
        pg = f.var(f"mark_{f.plan.noun}")
        f.op("PostgresOperator", pg, [
            ("task_id", _q(pg)), ("postgres_conn_id", _q(f"{f.plan.team}_db")),
            ("sql", _q(f"UPDATE loads SET done = true WHERE name = '{f.plan.noun}' AND day = '{{{{ ds }}}}'")),
        ], comment="record the load")


def subdag_tasks(f: _File) -> None:
    f.preamble.append([
        "def build_subdag(parent_dag_id, child_task_id, args, parts):",
        '    """SubDAG factory: its dag_id must be "<parent>.<task_id>"."""',
        "    subdag = DAG(",
        '        dag_id="{}.{}".format(parent_dag_id, child_task_id),',
        "        default_args=args,",
        "        schedule_interval=SCHEDULE,",
        "    )",
        "    for part in parts:",
        f"        {f.ref('BashOperator')}(",
        '            task_id="process_{}".format(part),',
        '            bash_command="echo processing {} for {{ ds }}".format(part),',
        "            dag=subdag,",
        "        )",
        "    return subdag",
    ])
    for n in range(f.rng.randint(1, 2)):
        var = f.var(f"section_{n + 1}")
        parts = ", ".join(_q(p) for p in f.rng.sample(("eu", "us", "apac", "latam", "mea"), k=f.rng.randint(2, 4)))
        f.op("SubDagOperator", var, [
            ("task_id", _q(var)),
            ("subdag", f"build_subdag(DAG_ID, {_q(var)}, default_args, [{parts}])"),
        ], comment="one SubDAG per section")


# --- file assembly --------------------------------------------------------------------------

SCHEDULES = (
    ("cron", 45), ("@daily", 20), ("@hourly", 8), ("@weekly", 5), ("timedelta", 12), ("None", 10),
)


def _schedule(rng: random.Random) -> str:
    form = _pick(rng, SCHEDULES)
    if form == "cron":
        return _q(f"{rng.randrange(60)} {rng.randrange(24)} * * {rng.choice(('*', '*', '1-5', '0'))}")
    if form == "timedelta":
        return f"timedelta(hours={rng.choice((1, 2, 4, 6, 12))})"
    if form == "None":
        return "None"
    return _q(form)


def _core_tasks(f: _File, seed: int) -> None:
    kind = f.plan.kind
    earlier = plan(seed, f.rng.randrange(f.plan.index)) if f.plan.index else None
    other = earlier.dag_id if earlier else f"gen_{f.plan.team}_upstream"
    if kind == "bash":
        for _ in range(f.rng.randint(2, 4)):
            bash_task(f)
    elif kind == "python":
        for _ in range(f.rng.randint(2, 3)):
            python_task(f)
    elif kind == "gcs_bq":
        gcs_sensor_task(f)
        gcs_to_bq_task(f)
        bq_check_task(f)
        bq_query_task(f)
        if f.rng.random() < 0.5:
            bq_export_task(f)
    elif kind == "k8s":
        for _ in range(f.rng.randint(1, 3)):
            k8s_task(f)
    elif kind == "dataproc":
        dataproc_tasks(f)
    elif kind == "trigger":
        bash_task(f)
        trigger_task(f, other)
    elif kind == "sensors":
        sensor_tasks(f, other)
    elif kind == "subdag":
        subdag_tasks(f)


def _dependencies(f: _File, order: list[str], rng: random.Random) -> list[str]:
    """Wire tasks forward in stages of 1-3 tasks, in one of a few styles."""
    ind = f.indent
    stages: list[list[str]] = []
    i = 0
    while i < len(order):
        size = 1 if i == 0 else min(rng.choice((1, 1, 1, 2, 3)), len(order) - i)
        stages.append(order[i:i + size])
        i += size
    lines = [f"{ind}# Dependencies."]

    def expr(stage: list[str]) -> str:
        return stage[0] if len(stage) == 1 else "[" + ", ".join(stage) + "]"

    style = rng.choice(("chain", "chain", "pairs", "set_downstream"))
    if style == "chain" and len(stages) > 1:
        text = f"{ind}" + " >> ".join(expr(s) for s in stages)
        if len(text) <= 100 and all(len(s) == 1 for s in stages[1:-1]):
            return lines + [text]
        style = "pairs"
    for a, b in itertools.pairwise(stages):
        if style == "set_downstream" and len(a) == 1:
            lines.append(f"{ind}{a[0]}.set_downstream({expr(b)})")
        elif len(a) > 1 and len(b) > 1:
            lines.extend(f"{ind}{x} >> {expr(b)}" for x in a)
        else:
            lines.append(f"{ind}{expr(a)} >> {expr(b)}")
    return lines


def _render(f: _File, schedule: str, start: str, catchup: str, wiring_seed: str) -> str:
    p = f.plan
    out = [
        "# -*- coding: utf-8 -*-",
        f'"""{p.verb.capitalize()} {p.noun} for the {p.team} team ({p.kind} pipeline).',
        "",
        f"Owner: {p.team}-data@acme.example. Generated by bench/generate_corpus.py (file {p.index}).",
        '"""',
    ]
    std = ["from datetime import datetime, timedelta"]
    if "days_ago" in start:
        f.add_from("airflow.utils.dates", "days_ago")
    f.add_from("airflow.models" if p.index % 3 == 0 else "airflow", "DAG")
    body_imports = []
    for module in sorted(f.module_imports):
        alias = f.module_imports[module]
        body_imports.append(f"import {module}" + (f" as {alias}" if alias else ""))
    for module in sorted(f.from_imports):
        names = f.from_imports[module]
        parts = [n + (f" as {names[n]}" if names[n] else "") for n in sorted(names)]
        line = f"from {module} import {', '.join(parts)}"
        if len(line) > 100:
            line = f"from {module} import (\n" + "".join(f"    {x},\n" for x in parts) + ")"
        body_imports.append(line)
    out += std + [""] + body_imports + [""]
    out += [f"DAG_ID = {_q(p.dag_id)}", f"SCHEDULE = {schedule}", ""]
    out += [
        "default_args = {",
        f"    \"owner\": {_q(p.team)},",
        "    \"depends_on_past\": False,",
        f"    \"start_date\": {start},",
        f"    \"email\": [{_q(p.team + '-data@acme.example')}],",
        "    \"email_on_failure\": True,",
        "    \"email_on_retry\": False,",
        f"    \"retries\": {f.rng.randint(0, 3)},",
        f"    \"retry_delay\": timedelta(minutes={f.rng.choice((1, 5, 10, 15))}),",
        "}",
        "",
    ]
    for block in f.preamble:  # PEP 8 spacing: two blank lines around functions
        while out[-1] == "":
            out.pop()
        out += (["", ""] if block[0].startswith("def ") else [""]) + block
    while out[-1] == "":
        out.pop()
    out += ["", ""] if f.preamble else [""]
    dag_args = ["DAG_ID", "default_args=default_args", "schedule_interval=SCHEDULE", f"catchup={catchup}"]
    if p.index % 7 == 3:
        dag_args.append(f"concurrency={f.rng.choice((4, 8, 16))}")
    if p.index % 11 == 5:
        dag_args.append("default_view=" + _q("tree"))
    if f.with_style:
        out.append("with DAG(")
        out += [f"    {a}," for a in dag_args]
        out.append(") as dag:")
    else:
        out.append("dag = DAG(")
        out += [f"    {a}," for a in dag_args]
        out.append(")")
    out.append("")
    order = []
    for var, lines, _ in f.tasks:
        out += lines + [""]
        order.append(var)
    out += _dependencies(f, order, random.Random(wiring_seed))
    return "\n".join(out) + "\n"


def render(seed: int, index: int) -> tuple[Plan, str]:
    """The (plan, source text) of file `index` of the corpus for `seed`."""
    p = plan(seed, index)
    rng = random.Random(f"composer-migrate-corpus:{seed}:{index}:body")
    target = rng.randint(MIN_LINES + 5, MAX_LINES - 10)
    style = _pick(rng, IMPORT_STYLES)
    with_style = rng.random() < 0.5
    schedule = _schedule(rng)
    start = (f"days_ago({rng.randint(1, 3)})" if rng.random() < 0.4
             else f"datetime({rng.randint(2018, 2021)}, {rng.randint(1, 12)}, {rng.randint(1, 28)})")
    catchup = rng.choice(("False", "False", "True"))
    fillers = (bash_task, python_task, bq_query_task) if p.kind in ("gcs_bq", "python") else (bash_task, python_task)
    filler_picks = [rng.choice(fillers) for _ in range(40)]
    body_seed = f"composer-migrate-corpus:{seed}:{index}:tasks"
    wiring_seed = f"composer-migrate-corpus:{seed}:{index}:wiring"

    def build(n_fillers: int) -> str:
        f = _File(random.Random(body_seed), p, style, with_style)
        _core_tasks(f, seed)
        for pick in filler_picks[:n_fillers]:
            pick(f, filler=True)
        return _render(f, schedule, start, catchup, wiring_seed)

    n = 0
    text = build(0)
    while text.count("\n") < target and n < len(filler_picks):
        candidate = build(n + 1)
        if candidate.count("\n") > MAX_LINES:
            break
        n, text = n + 1, candidate
    return p, text


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generate(out_dir: Path, count: int, seed: int) -> list[Path]:
    """Write `count` DAG files under `out_dir` and return their paths, in index order.

    Existing files with the same names are overwritten; nothing else in `out_dir` is touched.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    out_dir = Path(out_dir)
    paths = []
    for index in range(count):
        p, text = render(seed, index)
        path = out_dir / p.relpath
        _write_atomic(path, text.encode("utf-8"))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="where to write the DAG tree")
    parser.add_argument("--count", type=int, default=1000, help="number of DAG files (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same bytes (default 1)")
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.count, args.seed)
    print(f"wrote {len(paths)} DAG files under {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
