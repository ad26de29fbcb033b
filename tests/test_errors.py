"""The exception tree: ours alone, messages that carry what the user needs."""

from __future__ import annotations

import inspect

import httpx
import pydantic
import yaml

from reconciler import errors


def _our_classes() -> list[type[BaseException]]:
    return [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, BaseException) and c.__module__ == errors.__name__
    ]


def test_no_error_of_ours_is_a_library_error() -> None:
    foreign = (httpx.HTTPError, pydantic.ValidationError, yaml.YAMLError, OSError, ValueError)
    for cls in _our_classes():
        assert issubclass(cls, errors.MprError), cls
        assert not issubclass(cls, foreign), cls


def test_every_class_says_what_it_is() -> None:
    for cls in _our_classes():
        assert cls.__doc__ and cls.__doc__.strip(), cls


def test_api_error_message_names_the_request_status_code_and_request_id() -> None:
    error = errors.PlanAlreadyGenerating(
        "plan already generating",
        method="POST",
        path="/marketing-plan/regenerate-marketing-plan",
        status=428,
        code="PLAN_ALREADY_GENERATING_ERROR",
        request_id="req-1",
    )
    assert str(error) == (
        "POST /marketing-plan/regenerate-marketing-plan → HTTP 428 → "
        "PLAN_ALREADY_GENERATING_ERROR: plan already generating (request id req-1)"
    )


def test_config_problem_format_is_file_line_column_field_message() -> None:
    problem = errors.Problem("sites/a.yaml", 7, 5, "settings.pointOfView", "unknown value")
    assert str(problem) == "sites/a.yaml:7:5: settings.pointOfView: unknown value"
    invalid = errors.ConfigInvalid([problem, errors.Problem("b.yaml", 1, 1, "", "old", "warning")])
    assert (
        str(invalid)
        == "1 error(s) in the configuration:\nsites/a.yaml:7:5: settings.pointOfView: unknown value"
    )
