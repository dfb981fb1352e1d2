"""The unit every input is turned into: one object in the contract's fixture shape, with
where it came from, and the errors a load reports."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record came from: the file and the object index or line."""

    file: str
    where: str = ""

    def __str__(self):
        return f"{self.file}, {self.where}" if self.where else self.file


@dataclass(slots=True)
class Record:
    """One object: ``{"model": "transfers.transfer", "fields": {...}}`` with references
    written as natural keys (a list, or a plain value for a one-part key)."""

    label: str
    fields: dict
    location: Location
    # Read from JSON text with no ``\\u`` escape and no more than ``nesting.MAX_DEPTH``
    # brackets: such text can hold no NUL and no lone surrogate (JSON writes either only as an
    # escape) and nothing nested too deep, so the checks that walk every value are skipped.
    plain: bool = False


def delisting_records(keys, on, file):
    """A list's withdrawals: for each ``(regime code, reference)`` of ``keys`` a designation
    record that sets ``delisted_on`` to ``on`` (the list's date), and the note that says so."""
    records, notes = [], []
    for code, reference in keys:
        records.append(
            Record(
                "sanctions.designation",
                {"regime": [code], "reference": reference, "delisted_on": on.isoformat()},
                Location(file, f"no longer listed: {code} {reference}"),
            )
        )
        notes.append(f"delisted: {code} {reference} on {on}")
    return records, notes


@dataclass(frozen=True, slots=True)
class LoadError:
    location: Location
    model: str = ""
    field: str = ""
    message: str = ""

    def __str__(self):
        subject = ".".join(part for part in (self.model, self.field) if part)
        return f"{self.location}: {subject + ': ' if subject else ''}{self.message}"


@dataclass(slots=True)
class ReadError:
    """A file, or a part of one, that could not be read at all (malformed JSON, a bad header)."""

    location: Location
    message: str
    model: str = ""
    field: str = ""


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadReport:
    """What a load did (or, dry-run, would do), per model, and every error it found."""

    dry_run: bool = False
    counts: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def count(self, label):
        return self.counts.setdefault(label, ModelCounts())

    def totals(self):
        total = ModelCounts()
        for counts in self.counts.values():
            total.created += counts.created
            total.updated += counts.updated
            total.unchanged += counts.unchanged
        return total

    def summary_lines(self):
        verb = ("would create", "would update") if self.dry_run else ("created", "updated")
        lines = []
        for label, counts in self.counts.items():
            lines.append(
                f"{label}: {counts.created} {verb[0]}, {counts.updated} {verb[1]}, {counts.unchanged} unchanged"
            )
        return lines


class LoadFailed(Exception):
    """Raised inside the load's transaction so that nothing is written."""

    def __init__(self, report):
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report
