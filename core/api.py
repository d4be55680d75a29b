"""Building blocks every API router shares: bounded integer types, the one error body, and the page of a list.

The bounds are the database's, not the domain's: an id or offset the database cannot store (PostgreSQL raises on
bigint overflow, SQLite on anything past int64) is refused at the edge with a 422 instead of failing in SQL."""

from typing import Annotated, Literal

from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field, StringConstraints

DB_INT_MAX = 2**63 - 1  # BigAutoField / BIGINT on PostgreSQL, INTEGER on SQLite
DB_INT32_MAX = 2**31 - 1  # IntegerField / PositiveIntegerField on PostgreSQL

Id = Annotated[int, Field(ge=1, le=DB_INT_MAX, description="对象 id")]
Count = Annotated[int, Field(ge=0, le=DB_INT32_MAX)]  # a stored integer column (staff, days, …)
# Codes in paths and filters: printable, no separators, never a NUL (PostgreSQL refuses NUL in text).
Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")]

MAX_PAGE = 1000


def choices(enum) -> type:
    """A model's TextChoices as an inline enum of its values. Referenced by class name, `Assessment.Status` and
    `Need.Status` would share one OpenAPI component, "Status", and the description would list the wrong values."""
    return Literal[tuple(enum.values)]  # type: ignore[return-value]


class Problem(Schema):
    """Every error the API returns: a Chinese sentence, and per-field messages when the input was at fault
    (keys are field names, "" for the request as a whole)."""

    detail: str
    problems: dict[str, str] = Field(default_factory=dict)


class Page(LimitOffsetPagination):
    """`limit`/`offset` paging with bounds the database accepts (ninja's own are unbounded)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"每页条数（1–{MAX_PAGE}）")
        offset: int = Field(0, ge=0, le=DB_INT_MAX, description="跳过的条数")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE, **kwargs)


class ImportJobOut(Schema):
    """An import job (core.import_pipeline) as every import's API shows it: its state, the per-row report, how the
    table was found (`notes`), what it asks about the whole file (`questions`) and what was answered (`answers`)."""

    id: str
    status: str
    progress: int
    message: str
    total_rows: int
    created_count: int
    error_count: int
    errors: list[dict]
    warnings: list[str]
    notes: list[str]
    questions: dict
    answers: dict
    preview: list[dict]

    @staticmethod
    def resolve_id(obj) -> str:
        return str(obj.id)
