"""Tables of mapping suggestions (placeholder until the mapping work defines them)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class MappingFeedback(SQLModel, table=True):
    """An accepted or rejected field-mapping suggestion."""

    __tablename__ = "mapping_feedback"

    id: int | None = Field(default=None, primary_key=True)
    target_field: str = Field(max_length=128, index=True)
