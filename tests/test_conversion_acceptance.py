"""Acceptance of the conversion engine on whole corpora (issue 2, "How we will check it").

- Every converted file compiles, keeps every comment of its source, and converting it again changes
  nothing (fast).
- In the REAL Airflow 2.10.5 runtime of the default profile: the share of DAG files that load with no
  import error and no deprecation warning raised by the DAG file, and whose dag ids, task ids, edges and
  schedules equal the source's (derived statically from the Airflow 1.10 source) (slow).

The goal (issue 2) is 95%. The files that still fail need a person by design (domain-wide delegation,
Slack tokens without a connection, a provider the profile lacks, the demo's stop-at-test DAG), so the test
guards the share reached so far (FLOOR: it must never go down) and prints every file that still fails and
why, and the share of the real public DAGs (``public_*``) on its own.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

from dagcheck.compare import compare_files
from dagcheck.static_structure import extract_static
from dagconvert.engine import convert_source
from dagconvert.model import FileStatus
from dagconvert.runner import convert_tree

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "examples" / "airflow1", ROOT / "tests" / "corpus" / "airflow1"]
GOAL = 0.95
FLOOR = 0.94  # 95/100 at the last landing (one file of margin); raise it with every rule that lands, never lower it


def _comments(text: str) -> list[str]:
    return [tok.string for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT and not tok.string.startswith("# TODO(airflow2)")]


def _source_files() -> list[Path]:
    return sorted(p for corpus in CORPORA for p in corpus.rglob("*.py"))


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_converted_file_compiles_keeps_comments_and_is_idempotent(path: Path):
    source = path.read_text()
    converted = convert_source(source, path.name).code
    compile(converted, str(path), "exec")
    kept = _comments(converted)
    missing = [c for c in _comments(source) if c not in kept]
    assert not missing, f"comments lost: {missing}"
    assert convert_source(converted, path.name).code == converted, "a second run changed the output"


@pytest.fixture(scope="module")
def converted_corpus(tmp_path_factory):
    out_root = tmp_path_factory.mktemp("converted")
    pairs: list[tuple[Path, Path]] = []
    for corpus in CORPORA:
        out = out_root / corpus.parent.name
        result = convert_tree(corpus, out)
        assert not result.errors, [f.error for f in result.errors]
        for f in result.files:
            if f.path.endswith(".py") and f.status is not FileStatus.NOT_A_DAG:
                pairs.append((corpus / f.path, out / f.path))
    return pairs


@pytest.mark.slow
def test_converted_corpora_load_clean_in_the_real_runtime(converted_corpus):
    from airflow_runtime.build import RuntimeNotBuiltError
    from airflow_runtime.client import RuntimeSession

    try:
        with RuntimeSession() as session:
            results = session.load_files([out for _, out in converted_corpus], render_templates=False)
    except RuntimeNotBuiltError as exc:
        pytest.skip(f"runtime not built: {exc}")

    clean, problems, structure_ok, structure_problems = 0, [], 0, []
    public = [source.name.startswith("public_") for source, _ in converted_corpus]
    public_clean = 0
    for (source, converted), result in zip(converted_corpus, results):
        issues = [f"import error: {e.message} (line {e.line})" for e in result.import_errors]
        issues += [f"warning line {w.lineno}: {w.category}: {w.message}" for w in result.warnings]
        if result.status not in ("ok", "import_error"):
            issues.append(f"{result.status}: {result.detail}")
        if issues or not result.dags:
            problems.append(f"{source.relative_to(ROOT)}: " + ("; ".join(issues) or "no DAG loaded"))
            continue
        clean += 1
        public_clean += source.name.startswith("public_")
        static = extract_static(source.read_text(), str(source))
        differences = [d for d in compare_files(static.dags, result.dags) if not d.allowed]
        if differences:
            structure_problems.append(f"{source.relative_to(ROOT)}: " + "; ".join(d.message for d in differences))
        else:
            structure_ok += 1
    total = len(converted_corpus)
    print(f"\nloaded clean: {clean}/{total} ({clean / total:.0%}, goal {GOAL:.0%}); "
          f"structure equal: {structure_ok}/{clean}; public DAGs (public_*): {public_clean}/{sum(public)}")
    for line in problems + structure_problems:
        print("  -", line)
    assert clean / total >= FLOOR, f"regression: only {clean}/{total} load clean:\n" + "\n".join(problems)
    assert structure_ok / max(clean, 1) >= GOAL, "structure differs:\n" + "\n".join(structure_problems)
