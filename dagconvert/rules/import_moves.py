"""AM101/AM102: imports of Airflow 1.10 paths move to their Airflow 2 homes (a table row each, see
dagconvert/tables/import_moves.json); removed names stay with a TODO. The converter and
``dagconvert.imports`` apply the table: these rules carry the documentation and the examples.

In the ``try:`` body of an ``except ImportError`` guard, a drop-in name moves like any import (a missing new
path still raises ImportError), and so does a 1.10 *module* imported for its attributes when every
``module.Name`` use moves to one Airflow 2 module: that module is imported under the same local name (the
optional-import idiom ``try: from airflow.contrib.operators import gcs_to_bq / except ImportError: pass`` of
Airflow 1.10's own example DAGs keeps its meaning, without the contrib shim's deprecation warning)."""

from __future__ import annotations

from dagconvert.rules.base import Example, Rule


class ImportMoved(Rule):
    code = "AM101"
    name = "import-moved"
    summary = ("An import of a 1.10 path (airflow.contrib, *_operator modules, legacy package imports) is "
               "rewritten to the Airflow 2 path the target profile has; renamed classes are renamed at every use.")
    order = 10
    examples = (
        Example(
            title="contrib operator to provider, comments kept",
            before=(
                "# storage\n"
                "from airflow.contrib.operators.gcs_to_bq import GoogleCloudStorageToBigQueryOperator  # load\n"
                "t = GoogleCloudStorageToBigQueryOperator(task_id='t', bucket='b', source_objects=['a'],\n"
                "    destination_project_dataset_table='p.d.t')\n"
            ),
            after=(
                "# storage\n"
                "from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator  # load\n"
                "t = GCSToBigQueryOperator(task_id='t', bucket='b', source_objects=['a'],\n"
                "    destination_project_dataset_table='p.d.t')\n"
            ),
        ),
        Example(
            title="DummyOperator is EmptyOperator; an alias is kept",
            before=(
                "from airflow.operators.dummy_operator import DummyOperator\n"
                "from airflow.operators.bash_operator import BashOperator as Bash\n"
                "start = DummyOperator(task_id='start')\n"
                "run = Bash(task_id='run', bash_command='echo 1')\n"
            ),
            after=(
                "from airflow.operators.empty import EmptyOperator\n"
                "from airflow.operators.bash import BashOperator as Bash\n"
                "start = EmptyOperator(task_id='start')\n"
                "run = Bash(task_id='run', bash_command='echo 1')\n"
            ),
        ),
        Example(
            title="legacy package-level import split by destination",
            before="from airflow.operators import BashOperator, PythonOperator\n",
            after=(
                "from airflow.operators.bash import BashOperator\n"
                "from airflow.operators.python import PythonOperator\n"
            ),
        ),
        Example(
            title="module import used through attributes",
            before=(
                "import airflow.contrib.operators.gcs_delete_operator as gcs\n"
                "t = gcs.GoogleCloudStorageDeleteOperator(task_id='t', bucket_name='b', objects=['x'])\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.gcs import GCSDeleteObjectsOperator\n"
                "t = GCSDeleteObjectsOperator(task_id='t', bucket_name='b', objects=['x'])\n"
            ),
        ),
        Example(
            title="an optional module import in a guard's try body: the module its uses moved to, same name",
            before=(
                "gcs_to_bq = None\n"
                "try:\n"
                "    from airflow.contrib.operators import gcs_to_bq\n"
                "except ImportError:\n"
                "    pass\n"
                "if gcs_to_bq is not None:\n"
                "    t = gcs_to_bq.GoogleCloudStorageToBigQueryOperator(task_id='t', bucket='b', source_objects=['a'],\n"
                "        destination_project_dataset_table='d.t')\n"
            ),
            after=(
                "from airflow.providers.google.cloud.transfers.gcs_to_bigquery import GCSToBigQueryOperator\n"
                "gcs_to_bq = None\n"
                "try:\n"
                "    from airflow.providers.google.cloud.transfers import gcs_to_bigquery as gcs_to_bq\n"
                "except ImportError:\n"
                "    pass\n"
                "if gcs_to_bq is not None:\n"
                "    t = GCSToBigQueryOperator(task_id='t', bucket='b', source_objects=['a'],\n"
                "        destination_project_dataset_table='d.t')\n"
            ),
        ),
        Example(
            title="a guard that does more than import is left alone (AM104 collapses the pure ones)",
            before=(
                "try:\n"
                "    from airflow.operators.bash import BashOperator\n"
                "except ImportError:\n"
                "    from airflow.operators.bash_operator import BashOperator\n"
                "    AIRFLOW_2 = False\n"
            ),
            after=(
                "try:\n"
                "    from airflow.operators.bash import BashOperator\n"
                "except ImportError:\n"
                "    from airflow.operators.bash_operator import BashOperator\n"
                "    AIRFLOW_2 = False\n"
            ),
        ),
    )


class ImportRemoved(Rule):
    code = "AM102"
    name = "import-removed"
    summary = ("A 1.10 name with no Airflow 2 equivalent on the target (removed, or not drop-in without a "
               "rule) is left as it is with a TODO naming why.")
    order = 11
    examples = (
        Example(
            title="removed plugin class",
            before="from airflow import AirflowMacroPlugin\n",
            after=("# TODO(airflow2): AM102 airflow.AirflowMacroPlugin was removed in Airflow 2: class removed, "
                   "no replacement\nfrom airflow import AirflowMacroPlugin\n"),
            todos=("was removed in Airflow 2",),
        ),
    )



class GuardedImport(Rule):
    code = "AM103"
    name = "guarded-import"
    summary = ("Imports inside `try: ... except ImportError:` are left alone (the author chose the fallback), "
               "but a fallback that does not import on the target profile gets a TODO.")
    order = 12
    examples = (
        Example(
            title="a fallback to a name Airflow 2 removed",
            before=(
                "try:\n"
                "    from airflow.providers.ftp.hooks.ftp import FTPHook\n"
                "except ImportError:\n"
                "    from airflow.contrib.hooks.ftp_hook import mlsd\n"
            ),
            after=(
                "try:\n"
                "    from airflow.providers.ftp.hooks.ftp import FTPHook\n"
                "except ImportError:\n"
                "    # TODO(airflow2): AM103 guarded import of airflow.contrib.hooks.ftp_hook.mlsd left alone, but it "
                "does not import on profile airflow-2.10.5: airflow.contrib.hooks.ftp_hook.mlsd was removed in "
                "Airflow 2\n"
                "    from airflow.contrib.hooks.ftp_hook import mlsd\n"
            ),
            todos=("guarded import",),
        ),
    )


RULES = (ImportMoved, ImportRemoved, GuardedImport)
