"""KubernetesPodOperator and the 1.10 pod objects (dagconvert/rules/kubernetes_pod.py, AM701-AM710)."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from dagconvert import tables
from dagconvert.decisions import Action
from dagconvert.engine import _decider, convert_source
from dagconvert.rules.kubernetes_pod import K8S, VolumeToV1Volume
from tests.dagconvert.helpers import convert, converted, todos
from tests.runtime import require_runtime_python

HEADER = "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"


# -- decisions --------------------------------------------------------------------------------------------


def test_every_replaced_pod_class_path_is_restructured():
    """Each 1.10 path the table marks as replaced by a kubernetes.client.models class gets REPLACE (the rule is
    looked up by the old path, the identity being the replacement path)."""
    decider = _decider("airflow-2.10.5")
    paths = [old for old, e in tables.import_moves().items() if (e.get("replacement") or "").startswith(K8S)]
    assert len(paths) == 12
    for old in paths:
        decision = decider.decide(old)
        assert decision.action is Action.REPLACE, (old, decision)
        assert decision.new_qname == tables.import_moves()[old]["replacement"]
        assert decision.rule.startswith("AM70")
    assert decider.decide("airflow.contrib.kubernetes.volume.Volume").rule == VolumeToV1Volume.code


def test_a_kubernetes_model_already_used_is_left_alone():
    src = "from airflow import DAG\nfrom kubernetes.client.models import V1Volume\nv = V1Volume(name='v')\n"
    assert convert_source(src).code == src


# -- Volume -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("configs,expected", [
    ("{'hostPath': {'path': '/data', 'type': 'Directory'}}",
     "host_path=k8s.V1HostPathVolumeSource(path='/data', type='Directory')"),
    ("{'emptyDir': {}}", "empty_dir=k8s.V1EmptyDirVolumeSource()"),
    ("{'secret': {'secretName': 's', 'items': [{'key': 'k', 'path': 'p', 'mode': 256}]}}",
     "secret=k8s.V1SecretVolumeSource(secret_name='s', items=[k8s.V1KeyToPath(key='k', path='p', mode=256)])"),
    ("{'nfs': {'server': 'nfs.local', 'path': '/x', 'readOnly': True}}",
     "nfs=k8s.V1NFSVolumeSource(server='nfs.local', path='/x', read_only=True)"),
    # 1.10 converted the outer key to snake_case itself
    ("{'persistent_volume_claim': {'claimName': 'c'}}",
     "persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name='c')"),
    # a source without a typed form keeps the dict 1.10 handed to Kubernetes as it was
    ("{'csi': {'driver': 'gcsfuse.csi.storage.gke.io', 'volumeAttributes': {'bucketName': 'b'}}}",
     "csi={'driver': 'gcsfuse.csi.storage.gke.io', 'volumeAttributes': {'bucketName': 'b'}}"),
    # a computed inner value is what 1.10 set on the k8s.V1Volume attribute: kept
    ("{'persistentVolumeClaim': CLAIM}", "persistent_volume_claim=CLAIM"),
    ("{'persistentVolumeClaim': {'claimName': claim_name()}}",
     "persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name=claim_name())"),
])
def test_volume_sources(configs, expected):
    code = converted(f"from airflow.kubernetes.volume import Volume\nv = Volume(name='v', configs={configs})\n")
    assert f"v = k8s.V1Volume(name='v', {expected})\n" in code
    assert "airflow.kubernetes.volume" not in code


@pytest.mark.parametrize("configs,why", [
    ("{'downwardAPI': {}}", "V1Volume has no field 'downwardAPI'"),
    ("{'persistentVolumeClaim': {'claim_name': 'c'}}", "has no field 'claim_name'"),
    ("{KEY: {}}", "not a string literal"),
    ("CONFIGS", "configs is not a dict literal"),
])
def test_volume_left_with_todo(configs, why):
    messages = todos(f"from airflow.contrib.kubernetes.volume import Volume\nv = Volume('v', {configs})\n")
    assert any(why in m for m in messages), messages
    assert any("could not be converted" in m for m in messages)  # the import stays, with its own TODO


def test_configs_through_a_module_level_dict_as_the_1_10_docs_wrote_it():
    code = converted(textwrap.dedent("""\
        from airflow.contrib.kubernetes.volume import Volume
        volume_config = {
            'persistentVolumeClaim': {
                'claimName': 'test-volume'
            }
        }
        volume = Volume(name='test-volume', configs=volume_config)
        """))
    assert ("volume = k8s.V1Volume(name='test-volume', persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource("
            "claim_name='test-volume'))\n") in code


def test_a_parameter_named_like_a_module_dict_is_not_read_as_it():
    messages = todos("from airflow.contrib.kubernetes.volume import Volume\n"
                     "configs = {'emptyDir': {}}\n"
                     "def volume(configs):\n    return Volume('v', configs)\n")
    assert any("configs is not a dict literal" in m for m in messages)


def test_volume_with_unknown_arguments_is_a_todo():
    messages = todos("from airflow.contrib.kubernetes.volume import Volume\nv = Volume('v', {}, 'extra')\n")
    assert any("do not match 1.10's Volume(name, configs)" in m for m in messages)


def test_volume_used_through_a_module_import():
    code = converted(
        "import airflow.contrib.kubernetes.volume as kv\n"
        "v = kv.Volume(name='v', configs={'emptyDir': {'medium': 'Memory'}})\n")
    assert code == ("from kubernetes.client import models as k8s\n"
                    "v = k8s.V1Volume(name='v', empty_dir=k8s.V1EmptyDirVolumeSource(medium='Memory'))\n")


@pytest.mark.parametrize("imports,local", [
    ("from kubernetes.client import models as k8s_models\n", "k8s_models"),
    ("import kubernetes.client.models as km\n", "km"),
    ("k8s = 'taken'\n", "k8s_2"),
])
def test_models_module_name(imports, local):
    code = converted(imports + "from airflow.kubernetes.volume_mount import VolumeMount\n"
                               "m = VolumeMount('v', '/m', None, True)\n")
    assert f"m = {local}.V1VolumeMount(name='v', mount_path='/m', read_only=True)\n" in code
    assert code.count("kubernetes.client") == 1


# -- VolumeMount, Port, Resources, PodRuntimeInfoEnv ---------------------------------------------------------


def test_volume_mount_keywords_and_none():
    code = converted("from airflow.kubernetes.volume_mount import VolumeMount\n"
                     "m = VolumeMount('v', '/m', 'sub', False)\n")
    assert "m = k8s.V1VolumeMount(name='v', mount_path='/m', sub_path='sub', read_only=False)\n" in code


def test_volume_mount_without_mount_path_is_a_todo():
    assert any("mount_path is required" in m for m in todos(
        "from airflow.kubernetes.volume_mount import VolumeMount\nm = VolumeMount('v', None, None, True)\n"))


def test_port_needs_container_port():
    assert any("container_port is required" in m for m in todos(
        "from airflow.kubernetes.pod import Port\np = Port(name='http')\n"))


def test_resources_values():
    code = converted("from airflow.contrib.kubernetes.pod import Resources\n"
                     "CPU = '500m'\n"
                     "r = Resources(request_cpu=CPU, limit_memory='', limit_gpu=1)\n")
    assert "r = k8s.V1ResourceRequirements(requests={'cpu': CPU}, limits={'nvidia.com/gpu': 1})\n" in code


def test_resources_computed_value_is_a_todo():
    messages = todos("from airflow.contrib.kubernetes.pod import Resources\n"
                     "def res(mem):\n    return Resources(request_memory=mem)\n")
    assert any("value of request_memory is computed" in m for m in messages)


def test_resources_empty():
    assert "r = k8s.V1ResourceRequirements()\n" in converted(
        "from airflow.kubernetes.pod import Resources\nr = Resources()\n")


def test_pod_runtime_info_env_by_keyword():
    code = converted("from airflow.kubernetes.pod_runtime_info_env import PodRuntimeInfoEnv\n"
                     "e = PodRuntimeInfoEnv(field_path='metadata.namespace', name='NS')\n")
    assert ("e = k8s.V1EnvVar(value_from=k8s.V1EnvVarSource(field_ref=k8s.V1ObjectFieldSelector(field_path='metadata.namespace'"
            ")), name='NS')\n") in code


def test_unconverted_and_converted_uses_keep_the_import():
    result = convert("from airflow.contrib.kubernetes.volume_mount import VolumeMount\n"
                     "a = VolumeMount('a', '/a', None, True)\n"
                     "b = VolumeMount(**MOUNT)\n")
    assert "from airflow.contrib.kubernetes.volume_mount import VolumeMount\n" in result.code
    assert "a = k8s.V1VolumeMount(name='a', mount_path='/a', read_only=True)\n" in result.code
    assert any("1 use(s) of VolumeMount" in t.message for t in result.todos)


# -- operator arguments ---------------------------------------------------------------------------------------


def test_multiline_operator_layout():
    code = converted(HEADER + textwrap.dedent("""\
        task = KubernetesPodOperator(
            task_id='job',
            image='gcr.io/p/job',
            resources={
                'request_cpu': '1',
                'limit_memory': '2Gi',
            },
            node_selectors={'pool': 'batch'},
        )
        """))
    assert code.endswith(textwrap.dedent("""\
        task = KubernetesPodOperator(
            task_id='job',
            image='gcr.io/p/job',
            container_resources=k8s.V1ResourceRequirements(requests={'cpu': '1'}, limits={'memory': '2Gi'}),
            node_selector={'pool': 'batch'},
            on_finish_action='keep_pod',
            image_pull_policy='IfNotPresent',
        )
        """))


def test_resources_object_becomes_container_resources():
    code = converted("from airflow.contrib.kubernetes.pod import Resources\n" + HEADER +
                     "RES = Resources(limit_cpu='1')\n"
                     "t = KubernetesPodOperator(task_id='t', image='i:1', resources=RES, on_finish_action='keep_pod')\n"
                     "u = KubernetesPodOperator(task_id='u', image='i:1', resources=Resources(request_cpu='1'),\n"
                     "    on_finish_action='keep_pod')\n")
    assert "RES = k8s.V1ResourceRequirements(limits={'cpu': '1'})\n" in code
    assert "t = KubernetesPodOperator(task_id='t', image='i:1', container_resources=RES, on_finish_action='keep_pod')" \
        in code
    assert "container_resources=k8s.V1ResourceRequirements(requests={'cpu': '1'})," in code


def test_a_removed_argument_keeps_the_comments_after_it():
    code = converted(HEADER + textwrap.dedent("""\
        t = KubernetesPodOperator(
            task_id='t',
            image='i:1',
            xcom_push=False,  # no result file
            # keep finished pods for debugging
            is_delete_operator_pod=False,
        )
        """))
    assert code.endswith(textwrap.dedent("""\
        t = KubernetesPodOperator(
            task_id='t',
            image='i:1',
            # no result file
            # keep finished pods for debugging
            on_finish_action='keep_pod',
        )
        """))


@pytest.mark.parametrize("resources,why", [
    ("RESOURCES", "not a dict literal"),
    ("{'request_gpu': 1}", "unknown resource setting 'request_gpu'"),
    ("{'limit_cpu': cpu}", "value of limit_cpu is computed"),
])
def test_resources_argument_todo(resources, why):
    messages = todos(HEADER + f"t = KubernetesPodOperator(task_id='t', image='i:1', resources={resources}, "
                              f"on_finish_action='keep_pod')\n")
    assert any(why in m for m in messages), messages


def test_resources_through_a_module_level_dict():
    code = converted(HEADER + "RESOURCES = {'limit_memory': '250M', 'limit_cpu': '100m'}\n"
                              "t = KubernetesPodOperator(task_id='t', image='i:1', resources=RESOURCES, "
                              "on_finish_action='keep_pod')\n")
    assert "container_resources=k8s.V1ResourceRequirements(limits={'memory': '250M', 'cpu': '100m'})" in code


def test_empty_resources_argument_is_dropped():
    code = converted(HEADER + "t = KubernetesPodOperator(task_id='t', image='i:1', resources=None, "
                              "is_delete_operator_pod=True)\n")
    assert "t = KubernetesPodOperator(task_id='t', image='i:1', on_finish_action='delete_pod')\n" in code


def test_both_resources_spellings_is_a_todo():
    assert any("container_resources is given too" in m for m in todos(
        HEADER + "t = KubernetesPodOperator(task_id='t', image='i:1', resources={'limit_cpu': 1}, "
                 "container_resources=R, on_finish_action='keep_pod')\n"))


@pytest.mark.parametrize("value,expected", [
    ("True", "on_finish_action='delete_pod'"),
    ("False", "on_finish_action='keep_pod'"),
    ("DELETE", "on_finish_action='delete_pod' if DELETE else 'keep_pod'"),
])
def test_is_delete_operator_pod(value, expected):
    code = converted(HEADER + f"t = KubernetesPodOperator(task_id='t', image='i:2', is_delete_operator_pod={value})\n")
    assert f"t = KubernetesPodOperator(task_id='t', image='i:2', {expected})\n" in code


def test_is_delete_operator_pod_with_on_finish_action_is_dropped():
    result = convert(HEADER + "t = KubernetesPodOperator(task_id='t', image='i:2', is_delete_operator_pod=True, "
                              "on_finish_action='delete_succeeded_pod')\n")
    assert "t = KubernetesPodOperator(task_id='t', image='i:2', on_finish_action='delete_succeeded_pod')\n" in result.code
    # 1.10 ignored on_finish_action and deleted every pod: AM211 says so
    assert [t.rule for t in result.todos] == ["AM211"]
    assert "pass on_finish_action='delete_pod' instead" in result.todos[0].message


def test_default_args_supply_the_pod_settings():
    code = converted(HEADER + "args = {'is_delete_operator_pod': False, 'image_pull_policy': 'Always'}\n"
                              "t = KubernetesPodOperator(task_id='t', image='i', default_args=args)\n")
    assert "args = {'on_finish_action': 'keep_pod', 'image_pull_policy': 'Always'}\n" in code
    assert "t = KubernetesPodOperator(task_id='t', image='i', default_args=args)\n" in code


def test_star_kwargs_hide_the_defaults():
    messages = todos(HEADER + "def pod(**kw):\n    return KubernetesPodOperator(image='i', **kw)\n")
    assert any("set on_finish_action explicitly" in m for m in messages)
    assert any("set image_pull_policy explicitly" in m for m in messages)


@pytest.mark.parametrize("image,added", [
    ("'gcr.io/p/job:1.2'", False),
    ("'gcr.io/p/job@sha256:abc'", False),
    ("'localhost:5000/job'", True),
    ("'gcr.io/p/job:latest'", True),
    ("IMAGE", True),
])
def test_image_pull_policy_default(image, added):
    code = converted(HEADER + f"t = KubernetesPodOperator(task_id='t', image={image}, on_finish_action='keep_pod')\n")
    assert ("image_pull_policy='IfNotPresent'" in code) is added


def test_operator_from_a_2x_path_keeps_its_defaults():
    src = ("from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
           "t = KubernetesPodOperator(task_id='t', image='ubuntu')\n")
    assert convert_source(src).code == src


def test_image_pull_secrets_string():
    code = converted(HEADER + "t = KubernetesPodOperator(task_id='t', image='i:1', image_pull_secrets='a,b', "
                              "on_finish_action='keep_pod')\n")
    assert ("image_pull_secrets=[k8s.V1LocalObjectReference(name='a'), k8s.V1LocalObjectReference(name='b')]" in code)


def test_xcom_push_true_is_a_todo():
    assert any("xcom_push was ignored by 1.10.15" in m for m in todos(
        HEADER + "t = KubernetesPodOperator(task_id='t', image='i:1', xcom_push=True, on_finish_action='keep_pod')\n"))


def test_gke_pod_operator_gets_the_same_treatment():
    code = converted("from airflow.contrib.operators.gcp_container_operator import GKEPodOperator\n"
                     "t = GKEPodOperator(task_id='t', project_id='p', location='europe-west1', cluster_name='c',\n"
                     "    image='ubuntu', node_selectors={'a': 'b'}, resources={'limit_memory': '1Gi'})\n")
    assert code.endswith(
        "t = GKEStartPodOperator(task_id='t', project_id='p', location='europe-west1', cluster_name='c',\n"
        "    image='ubuntu', node_selector={'a': 'b'}, container_resources=k8s.V1ResourceRequirements("
        "limits={'memory': '1Gi'}), on_finish_action='keep_pod', image_pull_policy='IfNotPresent')\n")


# -- the real runtime --------------------------------------------------------------------------------------

_PROBE = r"""
import json, sys, warnings
from unittest import mock
warnings.simplefilter("always")
from airflow.models import DagBag
from kubernetes.client import ApiClient

bag = DagBag(sys.argv[1], include_examples=False)
out = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()},
       "warnings": {k: [str(w) for w in v] for k, v in bag.captured_warnings.items()},
       "tasks": {d: sorted(bag.dags[d].task_ids) for d in bag.dags}, "pods": {}, "conf": {}}
for dag in bag.dags.values():
    for task in dag.tasks:
        if hasattr(task, "build_pod_request_obj"):
            task.__dict__["hook"] = mock.Mock(is_in_cluster=False, **{"get_namespace.return_value": "default"})
            pod = ApiClient().sanitize_for_serialization(task.build_pod_request_obj())
            out["pods"][task.task_id] = {"spec": pod["spec"], "on_finish_action": str(task.on_finish_action.value)}
        if type(task).__name__ == "TriggerDagRunOperator":
            context = {"ds": "2024-05-01", "ds_nodash": "20240501", "params": task.params, "run_id": "r1"}
            out["conf"][task.task_id] = task.render_template(task.conf, context)
print("@@" + json.dumps(out))
"""


def load_in_runtime(files: dict[str, str], tmp_path: Path) -> dict:
    """Load DAG files in the real Airflow 2 runtime: import errors, the DAG files' warnings, task ids, the pod
    each KubernetesPodOperator builds, each TriggerDagRunOperator's rendered conf."""
    runtime_python = require_runtime_python()
    dags = tmp_path / "dags"
    dags.mkdir()
    for name, code in files.items():
        (dags / name).write_text(code)
    home = tmp_path / "home"
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__UNIT_TEST_MODE": "False"}
    proc = subprocess.run([str(runtime_python), "-c", _PROBE, str(dags)], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("@@")]
    assert lines, f"runtime probe failed:\n{proc.stderr[-3000:]}"
    return json.loads(lines[-1][2:])


KPO_DAG = '''\
"""Nightly export on Kubernetes (Airflow 1.10)."""
from datetime import datetime

from airflow import DAG
from airflow.contrib.kubernetes.pod import Port
from airflow.contrib.kubernetes.pod_runtime_info_env import PodRuntimeInfoEnv
from airflow.contrib.kubernetes.secret import Secret
from airflow.contrib.kubernetes.volume import Volume
from airflow.contrib.kubernetes.volume_mount import VolumeMount
from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator

IMAGE = 'gcr.io/project/exporter'

data = Volume(name='data', configs={'persistentVolumeClaim': {'claimName': 'export-pvc', 'readOnly': False}})
config = Volume('config', {'configMap': {'name': 'exporter', 'items': [{'key': 'app.yaml', 'path': 'app.yaml'}]}})
scratch = Volume(name='scratch', configs={'emptyDir': {'medium': 'Memory'}})
mounts = [
    VolumeMount('data', mount_path='/data', sub_path=None, read_only=False),
    VolumeMount('config', '/etc/exporter', None, True),
]
token = Secret('env', 'API_TOKEN', 'exporter-secrets', 'token')

with DAG('k8s_export', start_date=datetime(2021, 1, 1), schedule_interval='@daily', catchup=False) as dag:
    export = KubernetesPodOperator(
        task_id='export',
        name='export',
        namespace='default',
        image=IMAGE,
        cmds=['python', 'export.py'],
        volumes=[data, config, scratch],
        volume_mounts=mounts,
        secrets=[token],
        ports=[Port('metrics', 9090)],
        pod_runtime_info_envs=[PodRuntimeInfoEnv('POD_IP', 'status.podIP')],
        resources={'request_memory': '512Mi', 'request_cpu': '250m', 'limit_memory': '1Gi', 'limit_gpu': None},
        node_selectors={'cloud.google.com/gke-nodepool': 'batch'},
        image_pull_secrets='regcred,mirror',
        in_cluster=True,
        get_logs=True,
    )
    cleanup = KubernetesPodOperator(
        task_id='cleanup',
        name='cleanup',
        namespace='default',
        image='gcr.io/project/cleanup:2.3',
        resources={'limit_cpu': '1'},
        is_delete_operator_pod=True,
    )
    export >> cleanup
'''


@pytest.mark.slow
def test_converted_kubernetes_dag_builds_the_same_pod_in_airflow_2(tmp_path):
    result = convert_source(KPO_DAG, "k8s_export.py")
    assert not result.todos, [t.message for t in result.todos]
    assert "airflow.contrib" not in result.code
    loaded = load_in_runtime({"k8s_export.py": result.code}, tmp_path)
    assert loaded["import_errors"] == {}
    assert loaded["warnings"] == {}
    assert loaded["tasks"] == {"k8s_export": ["cleanup", "export"]}
    spec = loaded["pods"]["export"]["spec"]
    container = spec["containers"][0]
    # what 1.10.15's to_k8s_client_obj() produced from each helper object: the configs dict as given, etc.
    assert spec["volumes"] == [
        {"name": "data", "persistentVolumeClaim": {"claimName": "export-pvc", "readOnly": False}},
        {"name": "config", "configMap": {"name": "exporter", "items": [{"key": "app.yaml", "path": "app.yaml"}]}},
        {"name": "scratch", "emptyDir": {"medium": "Memory"}},
    ]
    assert container["volumeMounts"] == [
        {"name": "data", "mountPath": "/data", "readOnly": False},
        {"name": "config", "mountPath": "/etc/exporter", "readOnly": True},
    ]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9090}]
    assert {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}} in container["env"]
    assert {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "exporter-secrets", "key": "token"}}} \
        in container["env"]
    assert container["resources"] == {"requests": {"memory": "512Mi", "cpu": "250m"}, "limits": {"memory": "1Gi"}}
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert spec["imagePullSecrets"] == [{"name": "regcred"}, {"name": "mirror"}]
    assert spec["nodeSelector"] == {"cloud.google.com/gke-nodepool": "batch"}
    assert loaded["pods"]["export"]["on_finish_action"] == "keep_pod"
    cleanup = loaded["pods"]["cleanup"]
    assert cleanup["on_finish_action"] == "delete_pod"
    assert cleanup["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    assert "imagePullPolicy" not in cleanup["spec"]["containers"][0]  # pinned tag: Kubernetes' default is 1.10's
