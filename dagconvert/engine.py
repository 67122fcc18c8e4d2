"""Convert one source text: parse (stdlib ast for analysis, libcst for the edit), one partial pass, render.

Pure: no I/O. ``convert_source(text, path, profile)`` is what the CLI, the activities and the benchmarks
call (through ``runner`` for trees).
"""

from __future__ import annotations

import ast
from functools import cache

import libcst as cst

from dagconvert.analysis import analyse
from dagconvert.converter import ConversionContext, Converter, _Pairing
from dagconvert.decisions import Action, Decider
from dagconvert.model import ConversionError, ConvertedSource
from dagconvert.rules import all_rules
from dagconvert.rules.guarded_imports import collapse_ast, collapse_cst, plan_collapses
from target_profiles import TargetProfile, load_profile


@cache
def _decider(profile_name: str) -> Decider:
    rules = all_rules()
    restructurable: dict[str, str] = {}
    for rule in rules:
        for identity in rule.replaces:
            restructurable[identity] = rule.code
    return Decider(load_profile(profile_name), restructurable)


def _parse_ast(source: str, path: str) -> ast.Module:
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        hint = ""
        text = (exc.text or "").strip()
        if text.startswith(("print ", "exec ")):
            hint = " (Python 2 syntax: convert the file to Python 3 first)"
        raise ConversionError(f"{path}: {where}: {exc.msg}{hint}: {text[:120]}", exc.lineno) from None
    except ValueError as exc:  # e.g. null bytes
        raise ConversionError(f"{path}: {exc}") from None


def convert_source(source: str, path: str = "<string>", profile: TargetProfile | str | None = None) -> ConvertedSource:
    """Convert an Airflow 1.10 DAG file's text to Airflow 2 for the profile. Raises ConversionError."""
    profile_name = profile.name if isinstance(profile, TargetProfile) else (profile or load_profile().name)
    decider = _decider(profile_name)
    tree = _parse_ast(source, path)
    collapses = plan_collapses(tree, decider)  # dead try/except ImportError import guards (AM104)
    if collapses:
        collapse_ast(tree, collapses)
    rules = all_rules()
    analysis = analyse(source, tree, interests=[r.interest for r in rules],
                       identity_of=decider.identity, changed_qname=decider.changes,
                       renamed_name=lambda b: _is_renamed(decider, b))
    if not analysis.imports_airflow:
        return ConvertedSource(code=source, is_dag_file=False)
    if not analysis.interesting.count(1) and not collapses:
        return ConvertedSource(code=source)
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise ConversionError(f"{path}: line {exc.raw_line}: {exc.message}", exc.raw_line) from None
    if collapses:
        module = collapse_cst(module, collapses)
    pairing = _Pairing()
    pairing.pair_body(module.body, tree.body)
    ctx = ConversionContext(analysis, decider)
    for collapse in collapses:
        kept = "the try branch" if collapse.branch == 0 else "the except ImportError branch"
        ctx.change("AM104", f"guarded import of {', '.join(collapse.names)} collapsed to {kept} (the same "
                            f"classes; it is what profile {decider.profile.name} imports)", collapse.line)
    _plan_renames(ctx)
    converted = module.visit(Converter(ctx, rules, pairing))
    return ConvertedSource(code=converted.code, changes=tuple(ctx.changes), todos=tuple(ctx.todos))


def _is_renamed(decider: Decider, binding) -> bool:
    """Uses of this imported name change: the class was renamed, or it has no safe import to move to."""
    decision = decider.decide(binding.qname)
    if decision.action is Action.MOVE:
        return decision.new_qname.rpartition(".")[2] != binding.local
    return False


def _plan_renames(ctx: ConversionContext) -> None:
    """Names imported without an alias whose class was renamed (DummyOperator -> EmptyOperator) are renamed
    at every use, unless the new name is already taken in the file (then the import keeps the old name)."""
    for local, binding in ctx.analysis.bindings.items():
        if binding.module_import or binding.guarded or local != binding.qname.rpartition(".")[2]:
            continue
        decision = ctx.decider.decide(binding.qname)
        if decision.action is not Action.MOVE:
            continue
        new_name = decision.new_qname.rpartition(".")[2]
        if new_name != local and new_name not in ctx.taken_names:
            ctx.renames[local] = new_name
            ctx.taken_names.add(new_name)
        ctx.bound[decision.new_qname] = ctx.renames.get(local, local)
    for local, binding in ctx.analysis.bindings.items():
        if ctx.decider.decide(binding.qname).action is Action.KEEP and not binding.module_import:
            ctx.bound.setdefault(ctx.decider.identity(binding.qname), local)
            ctx.bound.setdefault(binding.qname, local)
