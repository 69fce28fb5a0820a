"""What a dataset check found: a JSON-serialisable report and its terminal rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from rich.console import Group

__all__ = [
    "ClassSummary",
    "DatasetReport",
    "DuplicateGroup",
    "Finding",
    "ImageProblem",
    "LabelProblem",
    "Severity",
    "SizeStats",
    "render_report",
]

Severity = Literal["error", "warning"]
"""``error``: training would fail or be wrong; ``warning``: worth a look."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Frozen):
    """One problem, summarised for people.

    Attributes:
        severity: ``error`` (training would be wrong or fail) or ``warning``.
        code: Stable machine name, e.g. ``duplicate_across_splits``.
        message: One line for people.
    """

    severity: Severity
    code: str
    message: str


class ImageProblem(_Frozen):
    """An image that is missing or cannot be decoded."""

    path: str
    reason: str


class DuplicateGroup(_Frozen):
    """Rows whose files have the same bytes (or one path listed more than once).

    Oversampled copies (``augmented`` rows) are not counted.
    """

    sha256: str
    paths: tuple[str, ...]
    labels: tuple[str, ...]
    splits: tuple[str, ...]
    cross_split: bool = Field(description="The copies sit in more than one split (leakage).")
    conflicting_labels: bool = Field(description="The copies carry different labels.")


class ClassSummary(_Frozen):
    """Image counts of one class.

    Attributes:
        images: Rows that are not oversampled copies.
        augmented: Oversampled copies.
        per_split: Images per split (splits with rows only).
        below_min: Fewer images than the check's minimum per class.
        above_max: More images than the check's maximum per class.
    """

    name: str
    images: int
    augmented: int = 0
    per_split: dict[str, int] = Field(default_factory=dict)
    below_min: bool = False
    above_max: bool = False


class SizeStats(_Frozen):
    """Minimum, median and maximum of one image dimension in pixels."""

    min: int
    median: float
    max: int


class LabelProblem(_Frozen):
    """A label with characters that break folders, split lists or terminals."""

    label: str
    reasons: tuple[str, ...]


class DatasetReport(_Frozen):
    """Everything :func:`~seascope.datasets.check_dataset` found.

    ``report.model_dump_json()`` gives the JSON form; :func:`render_report` the terminal
    form.
    """

    root: str
    rows: int
    files: int = Field(description="Distinct image paths.")
    readable: int = Field(description="Files that decode as images.")
    min_per_class: int
    max_per_class: int
    classes: tuple[ClassSummary, ...]
    unreadable: tuple[ImageProblem, ...] = ()
    duplicates: tuple[DuplicateGroup, ...] = ()
    width: SizeStats | None = None
    height: SizeStats | None = None
    greyscale: int = 0
    colour: int = 0
    odd_labels: tuple[LabelProblem, ...] = ()
    findings: tuple[Finding, ...] = ()
    content_fingerprint: str | None = Field(
        default=None,
        description="As DatasetManifest.content_fingerprint; None if a file is missing.",
    )

    @property
    def ok(self) -> bool:
        """No finding is an error."""
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        """The error findings."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The warning findings."""
        return [f for f in self.findings if f.severity == "warning"]

    def codes(self) -> set[str]:
        """The codes of all findings (handy in tests and scripts)."""
        return {f.code for f in self.findings}


def render_report(report: DatasetReport) -> Group:
    """Terminal tables for a report: a summary, the classes and the findings.

    Example:
        >>> from rich.console import Console
        >>> Console().print(render_report(report))  # doctest: +SKIP
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    summary = Table(title="Dataset check", show_header=False, title_justify="left")
    summary.add_column("what", style="bold")
    summary.add_column("value")
    summary.add_row("root", Text(report.root))
    summary.add_row("rows / files", f"{report.rows} / {report.files}")
    summary.add_row("readable images", f"{report.readable}")
    summary.add_row("greyscale / colour", f"{report.greyscale} / {report.colour}")
    if report.width and report.height:
        for name, stats in (("width", report.width), ("height", report.height)):
            summary.add_row(
                f"{name} min / median / max", f"{stats.min} / {stats.median:g} / {stats.max}"
            )
    summary.add_row("fingerprint", report.content_fingerprint or "-")

    splits = sorted({name for c in report.classes for name in c.per_split})
    classes = Table(title="Classes", title_justify="left")
    classes.add_column("class")
    classes.add_column("images", justify="right")
    for name in splits:
        classes.add_column(name, justify="right")
    classes.add_column("copies", justify="right")
    classes.add_column("flag")
    for item in report.classes:
        flag = (
            Text(f"< {report.min_per_class}", style="yellow")
            if item.below_min
            else Text(f"> {report.max_per_class}", style="yellow")
            if item.above_max
            else Text("")
        )
        classes.add_row(
            Text(item.name),
            str(item.images),
            *(str(item.per_split.get(name, 0)) for name in splits),
            str(item.augmented),
            flag,
        )

    findings = Table(title="Findings", title_justify="left")
    findings.add_column("severity")
    findings.add_column("code")
    findings.add_column("message")
    for finding in report.findings:
        style = "red" if finding.severity == "error" else "yellow"
        findings.add_row(Text(finding.severity, style=style), finding.code, Text(finding.message))
    if not report.findings:
        findings.add_row(Text("ok", style="green"), "-", "no problems found")
    return Group(summary, classes, findings)
