"""Each error class of the tree ends a command with its documented exit code."""

from __future__ import annotations

import pytest

from seascope import errors
from seascope.cli.exit_codes import ExitCode, exit_code_for


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.ConfigError("bad option"), 2),
        (errors.ModuleNotFound("no module"), 3),
        (errors.ModuleLoadFailed("cannot import"), 4),
        (errors.ManifestInvalid("bad manifest"), 4),
        (errors.ModuleError("other module problem"), 4),
        (errors.CapabilityNotSupported("cannot train"), 5),
        (errors.JobNotFound("no job"), 6),
        (errors.JobStateError("finished"), 6),
        (errors.InvalidInput("empty file"), 65),
        (errors.InvalidParameters("top_k: too small", {"top_k": ["too small"]}), 65),
        (errors.UnsupportedMediaType("not an image"), 65),
        (errors.ImageTooLarge("too big"), 65),
        (errors.PayloadTooLarge("too big"), 65),
        (errors.DatasetError("no classes"), 65),
        (errors.ModuleFailed("model raised"), 1),
        (errors.Overloaded("busy"), 75),
        (errors.SeascopeError("anything else"), 1),
        (RuntimeError("a bug"), 70),
        (KeyboardInterrupt(), 130),
    ],
)
def test_error_maps_to_its_exit_code(error: BaseException, code: int) -> None:
    assert exit_code_for(error) == code


def test_a_subclass_outside_the_table_takes_its_parents_code() -> None:
    class NewKindOfBadInput(errors.InvalidInput):
        pass

    assert exit_code_for(NewKindOfBadInput("x")) is ExitCode.DATA_ERROR


def test_codes_are_distinct() -> None:
    values = [code.value for code in ExitCode]
    assert len(values) == len(set(values))
