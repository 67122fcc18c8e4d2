"""AM701-AM710: KubernetesPodOperator and the Airflow 1.10 pod objects (rules.md section 10).

The operator moves by the import table (``airflow.contrib.operators.kubernetes_pod_operator`` ->
``airflow.providers.cncf.kubernetes.operators.pod``; ``GKEPodOperator`` -> ``GKEStartPodOperator``), and so does
``Secret`` (same arguments; ``node_selectors`` -> ``node_selector`` is a table row too). These rules do what a
table row cannot:

- the 1.10 helper classes ``Volume``, ``VolumeMount``, ``Port``, ``Resources`` and ``PodRuntimeInfoEnv`` are gone:
  each call becomes the ``kubernetes.client.models`` object 1.10.15 built from it (its ``to_k8s_client_obj``),
  written ``k8s.V1Volume(...)`` with ``from kubernetes.client import models as k8s`` as Airflow 2's docs do (a
  file that already imports the models module keeps its own name for it);
- operator arguments whose meaning or default changed: the ``resources`` dict, ``is_delete_operator_pod`` (ignored
  since cncf-kubernetes 10.0.0; pods are now deleted by default), the ``image_pull_policy`` default, a
  comma-separated ``image_pull_secrets`` string, and ``xcom_push``.

Checked against apache-airflow 1.10.15 (``airflow/kubernetes/*.py``,
``contrib/operators/kubernetes_pod_operator.py``) and apache-airflow-providers-cncf-kubernetes 10.10.0
(``operators/pod.py``, ``backcompat/backwards_compat_converters.py``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import ClassVar

import libcst as cst

from dagconvert import tables
from dagconvert.analysis import Interest
from dagconvert.decisions import Action
from dagconvert.rules import cstutil
from dagconvert.rules.base import CallTarget, Example, Rule
from dagconvert.rules.cstutil import Unconvertible

K8S = "kubernetes.client.models"
KPO = "airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator"
GKE_POD = "airflow.providers.google.cloud.operators.kubernetes_engine.GKEStartPodOperator"
POD_OPERATORS = frozenset({KPO, GKE_POD})
_POD_INTEREST = Interest(call_identities=POD_OPERATORS)

# 1.10.15 Resources(...) parameter / KubernetesPodOperator(resources={...}) key -> (V1ResourceRequirements field,
# resource name); Resources.to_k8s_client_obj leaves out every empty value.
RESOURCES = {
    "request_memory": ("requests", "memory"),
    "request_cpu": ("requests", "cpu"),
    "request_ephemeral_storage": ("requests", "ephemeral-storage"),
    "limit_memory": ("limits", "memory"),
    "limit_cpu": ("limits", "cpu"),
    "limit_gpu": ("limits", "nvidia.com/gpu"),
    "limit_ephemeral_storage": ("limits", "ephemeral-storage"),
}

# V1Volume fields (kubernetes client 34.1.0); 1.10.15 Volume.to_k8s_client_obj set each `configs` key, converted
# to snake_case, as a V1Volume attribute (AttributeError for any other key).
V1VOLUME_FIELDS = frozenset({
    "aws_elastic_block_store", "azure_disk", "azure_file", "cephfs", "cinder", "config_map", "csi",
    "downward_api", "empty_dir", "ephemeral", "fc", "flex_volume", "flocker", "gce_persistent_disk", "git_repo",
    "glusterfs", "host_path", "image", "iscsi", "nfs", "persistent_volume_claim", "photon_persistent_disk",
    "portworx_volume", "projected", "quobyte", "rbd", "scale_io", "secret", "storageos", "vsphere_volume",
})
# The volume sources written as typed objects: V1Volume field -> (model, {Kubernetes (camelCase) key: argument}).
# 1.10 passed the inner dict to Kubernetes as it was, so its keys are the API's camelCase names.
VOLUME_SOURCES = {
    "persistent_volume_claim": ("V1PersistentVolumeClaimVolumeSource", {"claimName": "claim_name",
                                                                        "readOnly": "read_only"}),
    "host_path": ("V1HostPathVolumeSource", {"path": "path", "type": "type"}),
    "config_map": ("V1ConfigMapVolumeSource", {"name": "name", "items": "items", "defaultMode": "default_mode",
                                               "optional": "optional"}),
    "secret": ("V1SecretVolumeSource", {"secretName": "secret_name", "items": "items",
                                        "defaultMode": "default_mode", "optional": "optional"}),
    "empty_dir": ("V1EmptyDirVolumeSource", {"medium": "medium", "sizeLimit": "size_limit"}),
    "nfs": ("V1NFSVolumeSource", {"server": "server", "path": "path", "readOnly": "read_only"}),
    "gce_persistent_disk": ("V1GCEPersistentDiskVolumeSource", {"pdName": "pd_name", "fsType": "fs_type",
                                                                "partition": "partition", "readOnly": "read_only"}),
}
KEY_TO_PATH = ("V1KeyToPath", {"key": "key", "path": "path", "mode": "mode"})

MODELS = sorted({"V1Volume", "V1VolumeMount", "V1ContainerPort", "V1ResourceRequirements", "V1EnvVar",
                 "V1EnvVarSource", "V1ObjectFieldSelector", "V1LocalObjectReference", KEY_TO_PATH[0],
                 *(model for model, _ in VOLUME_SOURCES.values())})


Models = Callable[[str], str]  # model class name -> the expression naming it ("k8s.V1Volume")


def _dry_run(model: str) -> str:
    return f"k8s.{model}"


def _models(ctx) -> Models:
    """Names models through the file's ``kubernetes.client.models`` import, adding ``... as k8s`` if needed."""
    return lambda model: f"{ctx.require_import(K8S, alias='k8s')}.{model}"


def _legacy_paths(model: str) -> dict[str, str]:
    """The 1.10 paths the import table marks as replaced (not drop-in) by ``kubernetes.client.models.<model>``.

    ``replaces`` is keyed by these old paths: the decision for a name with no drop-in looks the rule up by the
    path the file imports when its identity (the replacement path) has no rule."""
    target = f"{K8S}.{model}"
    return {old: target for old, entry in tables.import_moves().items() if entry.get("replacement") == target}


def _snake_case(key: str) -> str:
    """1.10.15 ``Volume._convert_to_snake_case``."""
    return "".join("_" + c.lower() if c.isupper() else c for c in key).lstrip("_")


def _is_none(a: cst.Arg | None) -> bool:
    return a is None or cstutil.is_none(a.value)


def _known_value(ctx, node: cst.BaseExpression):
    """The value of a literal, or of a module-level name bound once to a literal; else NotLiteral."""
    value = cstutil.literal(node)
    if value is cstutil.NotLiteral and isinstance(node, cst.Name):
        value = cstutil.module_literal(ctx, node.value)
    return value


def _literal_dict(ctx, node: cst.BaseExpression) -> cst.BaseExpression:
    """A dict literal given through a module-level name (``configs=volume_config``, as the 1.10 docs wrote it):
    the dict itself, to restructure in place (the name stays for any other use); else the node."""
    if isinstance(node, cst.Name) and isinstance(cstutil.module_literal(ctx, node.value), dict):
        return cst.parse_expression(ast.unparse(cstutil.module_value(ctx, node.value)))
    return node


def resource_requirements(ctx, items: list[tuple[str, cst.BaseExpression]], models: Models,
                          quote: str = "'") -> cst.Call:
    """``V1ResourceRequirements(requests={...}, limits={...})`` from 1.10 resource settings, leaving out the
    empty values 1.10.15 left out (``{k: v for k, v in ... if v}``); keys written with ``quote``."""
    groups: dict[str, list[tuple[str, cst.BaseExpression]]] = {"requests": [], "limits": []}
    for key, value in items:
        if key not in RESOURCES:
            raise Unconvertible(f"unknown resource setting {key!r} (1.10 accepted only {', '.join(RESOURCES)})")
        known = _known_value(ctx, value)
        if known is cstutil.NotLiteral:
            raise Unconvertible(f"the value of {key} is computed, and 1.10 left empty values out; check it is "
                                f"never empty")
        if known:
            field, resource = RESOURCES[key]
            groups[field].append((resource, value))
    args = [(field, cst.Dict([cst.DictElement(cstutil.string_literal(k, quote), v) for k, v in pairs]))
            for field, pairs in groups.items() if pairs]
    return cstutil.call_node(models("V1ResourceRequirements"), args)


def _typed(model: str, fields: dict[str, str], value: cst.Dict, models: Models) -> cst.Call:
    """``Model(field=...)`` from a dict with the Kubernetes (camelCase) keys, laid out like the dict."""
    args: list[cst.Arg] = []
    for element in value.elements:
        key = cstutil.string_value(element.key) if isinstance(element, cst.DictElement) else None
        if key is None or key not in fields:
            shown = repr(key) if key is not None else "a computed key"
            raise Unconvertible(f"{model} has no field {shown} (Kubernetes ignored it in 1.10 too)")
        inner = element.value
        if fields[key] == "items" and isinstance(inner, cst.List):
            inner = inner.with_changes(elements=[
                e.with_changes(value=_typed(*KEY_TO_PATH, e.value, models))
                if isinstance(e, cst.Element) and isinstance(e.value, cst.Dict) else e for e in inner.elements])
        args.append(cstutil.arg(fields[key], inner).with_changes(comma=element.comma))
    if args:  # what precedes "}" (a dict's) precedes ")" (after the last argument's comma, if any)
        last = args[-1]
        closing = value.rbrace.whitespace_before
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=closing)) \
            if isinstance(last.comma, cst.Comma) else last.with_changes(whitespace_after_arg=closing)
    return cst.Call(func=cst.parse_expression(models(model)), args=args,
                    whitespace_before_args=value.lbrace.whitespace_after)


class _PodObject(Rule):
    """A 1.10 pod helper class call restructured into the ``kubernetes.client.models`` object it stood for."""

    model: ClassVar[str]               # the kubernetes.client.models class
    params: ClassVar[tuple[str, ...]]  # the 1.10.15 constructor's parameters, in order
    order = 70

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if target is None or target.decision.action is not Action.REPLACE or target.qname not in self.replaces:
            return call
        old = target.qname.rpartition(".")[2]
        bound = cstutil.bind_arguments(call, self.params)
        try:
            if bound is None:
                raise Unconvertible(f"its arguments do not match 1.10's {old}({', '.join(self.params)})")
            self.convert(ctx, call, bound, _dry_run)  # raises before any import is added
        except Unconvertible as exc:
            ctx.todo(self.code, f"{old}(...) not converted to {self.model}: {exc}")
            return call
        models = _models(ctx)
        new = self.convert(ctx, call, bound, models)
        ctx.mark_converted(call.func)
        ctx.change(self.code, f"{old}(...) -> {self.model}(...)")
        return new.with_changes(func=cst.parse_expression(models(self.model)))

    def convert(self, ctx, call: cst.Call, bound: dict[str, cst.Arg], models: Models) -> cst.Call:
        raise NotImplementedError

    def keywords(self, call: cst.Call, bound: dict[str, cst.Arg], names: dict[str, str],
                 required: tuple[str, ...] = ()) -> cst.Call:
        """Every argument passed by keyword under its new name (``names``: 1.10 parameter -> new argument);
        arguments passing None are left out (None is every model field's default)."""
        for param in required:
            if _is_none(bound.get(param)):
                raise Unconvertible(f"{param} is required")
        return cstutil.replace_args(call, {id(a): [] if _is_none(a) else [cstutil.keyword_arg(a, names[param])]
                                           for param, a in bound.items()})


class VolumeToV1Volume(_PodObject):
    code = "AM702"
    name = "k8s-volume"
    summary = ("Volume(name, configs={...}) -> V1Volume(name=..., <source>=V1...VolumeSource(...)) for "
               "persistentVolumeClaim, hostPath, configMap, secret, emptyDir, nfs and gcePersistentDisk; other "
               "sources keep the dict 1.10 passed to Kubernetes unchanged.")
    model = "V1Volume"
    params = ("name", "configs")
    replaces = _legacy_paths(model)
    interest = Interest(call_identities=frozenset({f"{K8S}.{model}"}))
    emits = (K8S, *(f"{K8S}.{m}" for m in MODELS))
    examples = (
        Example(
            title="persistent volume claim",
            before=(
                "from airflow.contrib.kubernetes.volume import Volume\n"
                "data = Volume(name='data', configs={'persistentVolumeClaim': {'claimName': 'data-pvc'}})\n"
            ),
            after=(
                "from kubernetes.client import models as k8s\n"
                "data = k8s.V1Volume(name='data', persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource("
                "claim_name='data-pvc'))\n"
            ),
        ),
        Example(
            title="config map with items, positional arguments",
            before=(
                "from airflow.kubernetes.volume import Volume\n"
                "cfg = Volume('cfg', {'configMap': {'name': 'app-config',\n"
                "                                   'items': [{'key': 'a', 'path': 'a.yaml'}]}})\n"
            ),
            after=(
                "from kubernetes.client import models as k8s\n"
                "cfg = k8s.V1Volume(name='cfg', config_map=k8s.V1ConfigMapVolumeSource(name='app-config',\n"
                "                                   items=[k8s.V1KeyToPath(key='a', path='a.yaml')]))\n"
            ),
        ),
        Example(
            title="configs built elsewhere: TODO",
            before=(
                "from airflow.contrib.kubernetes.volume import Volume\n"
                "def volume(name, configs):\n"
                "    return Volume(name=name, configs=configs)\n"
            ),
            after=(
                "# TODO(airflow2): AM702 1 use(s) of Volume (airflow.contrib.kubernetes.volume.Volume) could not be "
                "converted to kubernetes.client.models.V1Volume: airflow.contrib.kubernetes.volume.Volume has no "
                "drop-in Airflow 2 equivalent\n"
                "from airflow.contrib.kubernetes.volume import Volume\n"
                "def volume(name, configs):\n"
                "    # TODO(airflow2): AM702 Volume(...) not converted to V1Volume: configs is not a dict literal; "
                "build V1Volume(name=..., <source>=V1...VolumeSource(...)) by hand\n"
                "    return Volume(name=name, configs=configs)\n"
            ),
            todos=("configs is not a dict literal",),
        ),
    )

    def convert(self, ctx, call, bound, models):
        name, configs = bound.get("name"), bound.get("configs")
        if name is None or configs is None:
            raise Unconvertible("name and configs are required")
        value = _literal_dict(ctx, configs.value)
        if not isinstance(value, cst.Dict):
            raise Unconvertible("configs is not a dict literal; build V1Volume(name=..., "
                                "<source>=V1...VolumeSource(...)) by hand")
        sources: list[cst.Arg] = []
        for element in value.elements:
            key = cstutil.string_value(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                raise Unconvertible("configs has a key that is not a string literal")
            field = _snake_case(key)
            if field not in V1VOLUME_FIELDS:
                raise Unconvertible(f"V1Volume has no field {key!r} (1.10 raised AttributeError for it too)")
            value = element.value
            if field in VOLUME_SOURCES and isinstance(value, cst.Dict):
                value = _typed(*VOLUME_SOURCES[field], value, models)
            sources.append(cstutil.arg(field, value))
        return cstutil.replace_args(call, {id(name): [cstutil.keyword_arg(name, "name")], id(configs): sources})


class VolumeMountToV1VolumeMount(_PodObject):
    code = "AM703"
    name = "k8s-volume-mount"
    summary = "VolumeMount(name, mount_path, sub_path, read_only) -> V1VolumeMount(name=..., mount_path=..., ...)."
    model = "V1VolumeMount"
    params = ("name", "mount_path", "sub_path", "read_only")
    replaces = _legacy_paths(model)
    interest = Interest(call_identities=frozenset({f"{K8S}.{model}"}))
    emits = (f"{K8S}.{model}",)
    examples = (
        Example(
            before=(
                "from airflow.contrib.kubernetes.volume_mount import VolumeMount\n"
                "mount = VolumeMount('data', mount_path='/data', sub_path=None, read_only=True)\n"
            ),
            after=(
                "from kubernetes.client import models as k8s\n"
                "mount = k8s.V1VolumeMount(name='data', mount_path='/data', read_only=True)\n"
            ),
        ),
    )

    def convert(self, ctx, call, bound, models):
        return self.keywords(call, bound, {p: p for p in self.params}, required=("name", "mount_path"))


class PortToV1ContainerPort(_PodObject):
    code = "AM704"
    name = "k8s-container-port"
    summary = "Port(name, container_port) -> V1ContainerPort(name=..., container_port=...)."
    model = "V1ContainerPort"
    params = ("name", "container_port")
    replaces = _legacy_paths(model)
    interest = Interest(call_identities=frozenset({f"{K8S}.{model}"}))
    emits = (f"{K8S}.{model}",)
    examples = (
        Example(
            before="from airflow.contrib.kubernetes.pod import Port\nports = [Port('http', 8080)]\n",
            after=("from kubernetes.client import models as k8s\n"
                   "ports = [k8s.V1ContainerPort(name='http', container_port=8080)]\n"),
        ),
    )

    def convert(self, ctx, call, bound, models):
        # V1ContainerPort refuses container_port=None when built, which is at parse time in Airflow 2
        return self.keywords(call, bound, {p: p for p in self.params}, required=("container_port",))


class ResourcesToV1ResourceRequirements(_PodObject):
    code = "AM705"
    name = "k8s-resources"
    summary = ("Resources(request_memory=..., limit_cpu=..., ...) -> V1ResourceRequirements(requests={'memory': "
               "...}, limits={'cpu': ...}); empty values are left out, as 1.10.15 did.")
    model = "V1ResourceRequirements"
    params = tuple(RESOURCES)
    replaces = _legacy_paths(model)
    interest = Interest(call_identities=frozenset({f"{K8S}.{model}"}))
    emits = (f"{K8S}.{model}",)
    examples = (
        Example(
            before=("from airflow.kubernetes.pod import Resources\n"
                    "res = Resources(request_memory='512Mi', request_cpu='250m', limit_memory='1Gi',\n"
                    "                limit_gpu=None)\n"),
            after=("from kubernetes.client import models as k8s\n"
                   "res = k8s.V1ResourceRequirements(requests={'memory': '512Mi', 'cpu': '250m'}, "
                   "limits={'memory': '1Gi'})\n"),
        ),
    )

    def convert(self, ctx, call, bound, models):
        new = resource_requirements(ctx, [(p, a.value) for p, a in bound.items()], models, cstutil.quote_of(call))
        if not new.args or not call.args:
            return new
        # laid out like the call: one argument per line stays so
        separator = cstutil.arg_separator(call)
        args = [*(a.with_changes(comma=separator) for a in new.args[:-1]), new.args[-1].with_changes(
            comma=call.args[-1].comma)]
        return call.with_changes(args=args)


class PodRuntimeInfoEnvToV1EnvVar(_PodObject):
    code = "AM706"
    name = "k8s-pod-runtime-info-env"
    summary = ("PodRuntimeInfoEnv(name, field_path) -> V1EnvVar(name=..., value_from=V1EnvVarSource("
               "field_ref=V1ObjectFieldSelector(field_path=...))).")
    model = "V1EnvVar"
    params = ("name", "field_path")
    replaces = _legacy_paths(model)
    interest = Interest(call_identities=frozenset({f"{K8S}.{model}"}))
    emits = tuple(f"{K8S}.{m}" for m in ("V1EnvVar", "V1EnvVarSource", "V1ObjectFieldSelector"))
    examples = (
        Example(
            before=("from airflow.contrib.kubernetes.pod_runtime_info_env import PodRuntimeInfoEnv\n"
                    "pod_ip = PodRuntimeInfoEnv('POD_IP', 'status.podIP')\n"),
            after=("from kubernetes.client import models as k8s\n"
                   "pod_ip = k8s.V1EnvVar(name='POD_IP', value_from=k8s.V1EnvVarSource("
                   "field_ref=k8s.V1ObjectFieldSelector(field_path='status.podIP')))\n"),
        ),
    )

    def convert(self, ctx, call, bound, models):
        name, path = bound.get("name"), bound.get("field_path")
        if _is_none(name) or _is_none(path):
            raise Unconvertible("name and field_path are required")
        selector = cstutil.call_node(models("V1ObjectFieldSelector"), [("field_path", path.value)])
        source = cstutil.call_node(models("V1EnvVarSource"), [("field_ref", selector)])
        return cstutil.replace_args(call, {id(name): [cstutil.keyword_arg(name, "name")],
                                           id(path): [cstutil.arg("value_from", source)]})


# -- KubernetesPodOperator / GKEStartPodOperator arguments ----------------------------------------------------


def _pod_operator(target: CallTarget | None) -> bool:
    return target is not None and target.identity in POD_OPERATORS


def _from_1_10(target: CallTarget) -> bool:
    """The file imports the operator from a 1.10 path (so 1.10's defaults are the ones to keep)."""
    return target.decision.action is Action.MOVE


def _default_needed(ctx, call: cst.Call, target: CallTarget, params: tuple[str, ...], code: str, what: str) -> bool:
    """Whether to write a 1.10 default explicitly: a call from a 1.10 import that passes none of ``params``,
    and whose file's default_args set none of them. A default_args that cannot be read, or ``**kwargs``,
    hides it: TODO."""
    if not _from_1_10(target) or any(cstutil.kwarg(call, p) is not None for p in params):
        return False
    keys = cstutil.default_args_keys(ctx)
    if keys is not None and any(p in keys for p in params):
        return False
    hidden = "this call passes *args/**kwargs" if cstutil.has_star_args(call) else (
        "a default_args of this file cannot be read" if keys is None else "")
    if hidden:
        ctx.todo(code, f"{target.identity.rpartition('.')[2]}: {what}; {hidden}, so set {params[-1]} explicitly "
                       f"by hand")
        return False
    return True


class KpoContainerResources(Rule):
    code = "AM701"
    name = "kpo-container-resources"
    summary = ("KubernetesPodOperator(resources={'request_memory': ..., 'limit_cpu': ...}) -> "
               "container_resources=V1ResourceRequirements(requests={...}, limits={...}) (`resources` now means "
               "BaseOperator's resources); a Resources object (which 1.10.15 rejected) is passed as "
               "container_resources.")
    interest = _POD_INTEREST
    order = 71
    emits = (f"{K8S}.V1ResourceRequirements",)
    examples = (
        Example(
            before=(
                "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(\n"
                "    task_id='t',\n"
                "    image='gcr.io/p/job:1.0',\n"
                "    resources={'request_memory': '1Gi', 'limit_cpu': '2'},\n"
                "    is_delete_operator_pod=True,\n"
                ")\n"
            ),
            after=(
                "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                "from kubernetes.client import models as k8s\n"
                "t = KubernetesPodOperator(\n"
                "    task_id='t',\n"
                "    image='gcr.io/p/job:1.0',\n"
                "    container_resources=k8s.V1ResourceRequirements(requests={'memory': '1Gi'}, limits={'cpu': '2'}),\n"
                "    on_finish_action='delete_pod',\n"
                ")\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        a = cstutil.kwarg(call, "resources") if _pod_operator(target) else None
        if a is None:
            return call
        if cstutil.literal(a.value) in (None, {}):
            ctx.change(self.code, "KubernetesPodOperator: removed empty resources")
            return cstutil.replace_arg(call, a, [])
        try:
            if cstutil.kwarg(call, "container_resources") is not None:
                raise Unconvertible("container_resources is given too")
            if _resources_object(ctx, a.value):
                ctx.change(self.code, "KubernetesPodOperator: resources=<Resources object> -> container_resources= "
                                      "(1.10.15 wanted a dict here and raised TypeError for an object)")
                return cstutil.replace_arg(call, a, [a.with_changes(keyword=cst.Name("container_resources"))])
            value = _literal_dict(ctx, a.value)
            if not isinstance(value, cst.Dict):
                raise Unconvertible("it is not a dict literal")
            items = []
            for element in value.elements:
                key = cstutil.string_value(element.key) if isinstance(element, cst.DictElement) else None
                if key is None:
                    raise Unconvertible("it has a key that is not a string literal")
                items.append((key, element.value))
            resource_requirements(ctx, items, _dry_run)
        except Unconvertible as exc:
            ctx.todo(self.code, f"resources= of KubernetesPodOperator not converted: {exc}; pass "
                                f"container_resources=V1ResourceRequirements(requests={{...}}, limits={{...}})")
            return call
        value = resource_requirements(ctx, items, _models(ctx), cstutil.quote_of(value))
        ctx.change(self.code, "KubernetesPodOperator: resources -> container_resources=V1ResourceRequirements(...)")
        return cstutil.replace_arg(call, a, [a.with_changes(keyword=cst.Name("container_resources"), value=value)])


_RESOURCE_CLASSES = frozenset({*ResourcesToV1ResourceRequirements.replaces, f"{K8S}.V1ResourceRequirements"})


def _resources_object(ctx, value: cst.BaseExpression) -> bool:
    """``Resources(...)``/``V1ResourceRequirements(...)``, inline or bound once to a module-level name: a
    resource requirements object (this rule's own output included: ``k8s.V1ResourceRequirements(...)``)."""
    if isinstance(value, cst.Call):
        func = value.func
        if ctx.resolve(func) in _RESOURCE_CLASSES:
            return True
        return isinstance(func, cst.Attribute) and func.attr.value == "V1ResourceRequirements" and \
            isinstance(func.value, cst.Name) and ctx.bound.get(K8S) == func.value.value
    if isinstance(value, cst.Name) and not cstutil.shadowed(ctx, value.value):
        bound = cstutil.module_value(ctx, value.value)
        return isinstance(bound, ast.Call) and ctx.analysis.resolve(bound.func) in _RESOURCE_CLASSES
    return False


def _finish_action(value: cst.BaseExpression, quote: str) -> cst.BaseExpression:
    """``on_finish_action`` for a 1.10 ``is_delete_operator_pod`` value."""
    known = cstutil.literal(value)
    if known is not cstutil.NotLiteral:
        return cstutil.string_literal("delete_pod" if known else "keep_pod", quote)
    return cst.parse_expression(f"{quote}delete_pod{quote} if {cstutil.code_of(value)} else {quote}keep_pod{quote}")


class KpoOnFinishAction(Rule):
    code = "AM707"
    name = "kpo-on-finish-action"
    summary = ("is_delete_operator_pod=X -> on_finish_action='delete_pod'/'keep_pod' (cncf-kubernetes 10.x ignores "
               "is_delete_operator_pod); a 1.10 operator without it gets 1.10's default explicitly: "
               "on_finish_action='keep_pod' (the provider deletes pods by default).")
    interest = Interest(call_identities=POD_OPERATORS, strings=re.compile(r"^is_delete_operator_pod$"))
    order = 72
    examples = (
        Example(
            title="1.10 default made explicit",
            before=(
                "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(task_id='t', name='t', image='gcr.io/p/job:1.0')\n"
            ),
            after=(
                "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(task_id='t', name='t', image='gcr.io/p/job:1.0', "
                "on_finish_action='keep_pod')\n"
            ),
        ),
        Example(
            title="in default_args",
            before=(
                "from airflow.contrib.operators.gcp_container_operator import GKEPodOperator\n"
                "default_args = {'owner': 'data', 'is_delete_operator_pod': True}\n"
            ),
            after=(
                "from airflow.providers.google.cloud.operators.kubernetes_engine import GKEStartPodOperator\n"
                "default_args = {'owner': 'data', 'on_finish_action': 'delete_pod'}\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if not _pod_operator(target):
            return call
        a = cstutil.kwarg(call, "is_delete_operator_pod")
        if a is not None:
            if cstutil.kwarg(call, "on_finish_action") is not None:
                ctx.change(self.code, "removed is_delete_operator_pod (ignored: on_finish_action is given)")
                return cstutil.replace_arg(call, a, [])
            ctx.change(self.code, "is_delete_operator_pod -> on_finish_action")
            value = _finish_action(a.value, cstutil.call_quote(call))
            return cstutil.replace_arg(call, a, [a.with_changes(keyword=cst.Name("on_finish_action"), value=value)])
        what = "1.10 kept finished pods (is_delete_operator_pod=False), the provider deletes them"
        if not _default_needed(ctx, call, target, ("is_delete_operator_pod", "on_finish_action"), self.code, what):
            return call
        ctx.change(self.code, f"{what}: made the 1.10 default explicit (on_finish_action='keep_pod')")
        return cstutil.append_kwarg(call, "on_finish_action",
                                    cstutil.string_literal("keep_pod", cstutil.call_quote(call)))

    def leave_dict(self, ctx, node: cst.Dict):
        elements = []
        for e in node.elements:
            if isinstance(e, cst.DictElement) and cstutil.string_value(e.key) == "is_delete_operator_pod":
                quote = cstutil.quote_of(e.key)
                e = e.with_changes(key=cstutil.string_literal("on_finish_action", quote),
                                   value=_finish_action(e.value, quote))
                ctx.change(self.code, "'is_delete_operator_pod' -> 'on_finish_action' in a dict (default_args)")
            elements.append(e)
        return node.with_changes(elements=elements) if elements != list(node.elements) else node


def _pinned(image: str) -> bool:
    """Kubernetes defaults imagePullPolicy to IfNotPresent (1.10's default) for an image with a tag other
    than ``latest`` or a digest; to Always otherwise."""
    if "@" in image:
        return True
    name = image.rsplit("/", 1)[-1]
    return ":" in name and name.rsplit(":", 1)[1] != "latest"


class KpoImagePullPolicy(Rule):
    code = "AM708"
    name = "kpo-image-pull-policy"
    summary = ("A 1.10 KubernetesPodOperator without image_pull_policy gets 1.10's default explicitly "
               "(image_pull_policy='IfNotPresent') unless its image has a pinned tag or digest: the provider leaves "
               "it to Kubernetes, which pulls untagged and `latest` images every time.")
    interest = _POD_INTEREST
    order = 73
    examples = (
        Example(
            before=(
                "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(task_id='t', name='t', image='ubuntu', is_delete_operator_pod=True)\n"
            ),
            after=(
                "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(task_id='t', name='t', image='ubuntu', on_finish_action='delete_pod', "
                "image_pull_policy='IfNotPresent')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        if not _pod_operator(target):
            return call
        image = cstutil.kwarg(call, "image")
        value = cstutil.string_value(image.value) if image is not None else None
        if value is not None and _pinned(value):
            return call
        if cstutil.kwarg(call, "pod_template_file") is not None or cstutil.kwarg(call, "full_pod_spec") is not None:
            return call  # the pod template's own policy applies
        what = "1.10 used image_pull_policy='IfNotPresent', the provider leaves it to Kubernetes"
        if not _default_needed(ctx, call, target, ("image_pull_policy",), self.code, what):
            return call
        ctx.change(self.code, f"{what}: made the 1.10 default explicit")
        return cstutil.append_kwarg(call, "image_pull_policy",
                                    cstutil.string_literal("IfNotPresent", cstutil.call_quote(call)))


class KpoImagePullSecrets(Rule):
    code = "AM709"
    name = "kpo-image-pull-secrets"
    summary = ("image_pull_secrets='a,b' -> [V1LocalObjectReference(name='a'), V1LocalObjectReference(name='b')] "
               "(the provider's type; it still splits a string the way 1.10 did).")
    interest = _POD_INTEREST
    order = 74
    emits = (f"{K8S}.V1LocalObjectReference",)
    examples = (
        Example(
            before=(
                "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(task_id='t', image='gcr.io/p/job:1.0', image_pull_secrets='regcred',\n"
                "    is_delete_operator_pod=True)\n"
            ),
            after=(
                "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                "from kubernetes.client import models as k8s\n"
                "t = KubernetesPodOperator(task_id='t', image='gcr.io/p/job:1.0', image_pull_secrets="
                "[k8s.V1LocalObjectReference(name='regcred')],\n"
                "    on_finish_action='delete_pod')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        a = cstutil.kwarg(call, "image_pull_secrets") if _pod_operator(target) else None
        value = cstutil.string_value(a.value) if a is not None else None
        if not value:
            return call
        local = _models(ctx)("V1LocalObjectReference")
        quote = cstutil.quote_of(a.value)
        refs = [cst.Element(cstutil.call_node(local, [("name", cstutil.string_literal(n, quote))]))
                for n in value.split(",")]
        ctx.change(self.code, "image_pull_secrets string -> list of V1LocalObjectReference")
        return cstutil.set_kwarg_value(call, "image_pull_secrets", cst.List(refs))


class KpoXcomPush(Rule):
    code = "AM710"
    name = "kpo-xcom-push"
    summary = ("xcom_push on KubernetesPodOperator: 1.10.15 ignored it (its parameter is do_xcom_push) and Airflow 2 "
               "rejects it; False/None is removed, True is a TODO (do_xcom_push=True fails the task when the "
               "container writes no /airflow/xcom/return.json).")
    interest = Interest(call_identities=POD_OPERATORS, keywords=frozenset({"xcom_push"}))
    order = 75
    examples = (
        Example(
            before=(
                "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(task_id='t', image='gcr.io/p/job:1.0', xcom_push=False)\n"
            ),
            after=(
                "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"
                "t = KubernetesPodOperator(task_id='t', image='gcr.io/p/job:1.0')\n"
            ),
        ),
    )

    def leave_call(self, ctx, call: cst.Call, target: CallTarget | None):
        a = cstutil.kwarg(call, "xcom_push") if _pod_operator(target) else None
        if a is None:
            return call
        if cstutil.literal(a.value) in (False, None):
            ctx.change(self.code, "KubernetesPodOperator: removed xcom_push=False (ignored by 1.10.15)")
            return cstutil.replace_arg(call, a, [])
        ctx.todo(self.code, "KubernetesPodOperator: xcom_push was ignored by 1.10.15 and is rejected by Airflow 2; "
                            "use do_xcom_push=True only if the container writes /airflow/xcom/return.json, "
                            "else remove it")
        return call


RULES = (KpoContainerResources, VolumeToV1Volume, VolumeMountToV1VolumeMount, PortToV1ContainerPort,
         ResourcesToV1ResourceRequirements, PodRuntimeInfoEnvToV1EnvVar, KpoOnFinishAction, KpoImagePullPolicy,
         KpoImagePullSecrets, KpoXcomPush)
