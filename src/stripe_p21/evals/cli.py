"""`stripe-p21 eval matching|mapping|all`: run, print and save the evaluation report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from stripe_p21.evals import harness
from stripe_p21.evals.section import EvalSection

Command = Callable[..., Any]


def _options(command: Command) -> Command:
    decorators = [
        click.option("--report", type=click.Path(path_type=Path), help="Write Markdown here."),
        click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write JSON."),
        click.option("--fast", is_flag=True, help="The CI subset (well under a minute)."),
        click.option(
            "--check-baselines", is_flag=True, help="Exit 1 on a regression vs the baselines."
        ),
        click.option(
            "--baselines",
            type=click.Path(path_type=Path, dir_okay=False),
            default=harness.BASELINES,
            show_default=True,
            help="Recorded baseline metrics.",
        ),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def _run(names: list[str], options: dict[str, Any], *, required: bool) -> None:
    fast: bool = options["fast"]
    bar = harness.stderr_bar()
    sections: list[EvalSection] = []
    for name in names:
        try:
            sections.append(harness.run_section(name, fast=fast, progress=bar))
        except harness.SectionUnavailable as exc:
            if required:
                raise click.ClickException(str(exc)) from None
            click.echo(f"skipped: {exc}", err=True)
    check = None
    if options["check_baselines"]:
        path: Path = options["baselines"]
        if not path.exists():
            raise click.ClickException(f"no baselines file at {path}")
        check = harness.check_baselines(sections, json.loads(path.read_text()), fast=fast)
    text = harness.markdown_report(sections, check, fast=fast)
    click.echo(text)
    if options["report"] is not None:
        harness.save_report(options["report"], text, sections)
        click.echo(f"report: {options['report']}", err=True)
    if options["json_path"] is not None:
        payload = harness.json_report(sections, check, fast=fast)
        options["json_path"].parent.mkdir(parents=True, exist_ok=True)
        options["json_path"].write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    if check is not None and not check.ok:
        raise click.ClickException(f"{len(check.regressions)} metric(s) regressed vs baselines")


@click.group("eval")
def eval_group() -> None:
    """Offline evaluation: matching and mapping quality, with plots and baselines."""


@eval_group.command("matching")
@_options
def eval_matching(**options: Any) -> None:
    """Customer matching: scenarios, FEBRL 4, corrupted business names."""
    _run(["matching"], options, required=True)


@eval_group.command("mapping")
@_options
def eval_mapping(**options: Any) -> None:
    """Field-mapping suggestions against labelled Stripe→P21 pairs."""
    _run(["mapping"], options, required=True)


@eval_group.command("all")
@_options
def eval_all(**options: Any) -> None:
    """Every evaluation; sections not installed yet are skipped with a message."""
    _run(list(harness.SECTIONS), options, required=False)
