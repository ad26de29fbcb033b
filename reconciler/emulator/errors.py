"""The emulator's one exception, shaped like a Wix error on the wire (SPEC §1.5).

``EmulatorError`` carries the HTTP status and either an ``applicationError`` code (business
rejection) or ``validationError`` field violations (bad input), and serialises itself:
``to_body()`` returns the JSON envelope, or ``None`` for 5xx, which Wix sends with an empty
body by design. Nothing here knows HTTP frameworks; ``routes.py`` writes the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Message Wix returns when the request JSON cannot be parsed into the proto (SPEC §1.6).
PARSE_ERROR = "Failed to parse request message"


@dataclass(frozen=True)
class FieldViolation:
    """One ``validationError.fieldViolations`` entry."""

    field: str
    description: str
    violated_rule: str = "VALIDATION"
    rule_name: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "description": self.description,
            "violatedRule": self.violated_rule,
            "ruleName": self.rule_name or self.violated_rule,
            "data": {},
        }


@dataclass
class EmulatorError(Exception):
    """A Wix API error: HTTP ``status`` plus an application code or field violations."""

    status: int
    code: str
    message: str
    violations: list[FieldViolation] = field(default_factory=list)
    description: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any] | None:
        """The wire envelope; ``None`` for 5xx (empty body), never both error kinds."""
        if self.status >= 500:
            return None
        if self.violations:
            details: dict[str, Any] = {
                "validationError": {"fieldViolations": [v.to_wire() for v in self.violations]}
            }
        else:
            details = {
                "applicationError": {
                    "code": self.code,
                    "description": self.description or self.message,
                    "data": self.data,
                }
            }
        return {"message": self.message, "details": details}


def invalid(
    field_path: str, description: str, rule: str = "INVALID_ARGUMENT", message: str = ""
) -> EmulatorError:
    """A 400 with one field violation (INVALID_ARGUMENT / OUT_OF_RANGE in gRPC terms)."""
    violation = FieldViolation(field_path, description, rule)
    return EmulatorError(
        400, "INVALID_ARGUMENT", message or f"{field_path}: {description}", [violation]
    )


def parse_error(field_path: str, description: str) -> EmulatorError:
    """The 400 Wix answers when the body cannot be parsed (e.g. fieldMask as an array)."""
    return invalid(field_path, description, "INVALID_FORMAT", PARSE_ERROR)


def precondition(code: str, message: str, description: str = "") -> EmulatorError:
    """A 428 FAILED_PRECONDITION with an application error code."""
    return EmulatorError(428, code, message, description=description)


def not_found(code: str, message: str) -> EmulatorError:
    """A 404 with an application error code."""
    return EmulatorError(404, code, message)
