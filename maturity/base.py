"""Constants and the frozen, strict pydantic base shared by the spec modules, and the provenance of model parts."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

Status = Literal["official", "provisional"]
NA = "n/a"  # the answer meaning "not applicable to this enterprise"; reserved, so never an option code
SCORING_KINDS = frozenset({"graded", "single_choice", "multi_select", "numeric_bands", "scene"})
EPS = 1e-9  # tolerance for threshold and band comparisons, so 0.8 computed as 0.7999999999 still passes

# What every user sees of a provisional model, item or result: one plain sentence beside a "暂定" badge. The details
# (which fact is verified, partial or remembered, and where it was found) are provenance, for officers and admins.
PROVISIONAL_SENTENCE = "本模型部分内容尚待官方文本核实，结果仅供参考"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(_Base):
    """Where a part of a model comes from and how far it is checked against the official text.

    status: verified (stated in a cited public source), partial (a secondary or partial source),
    provisional (from memory, assumed, or not found). Officers and admins read it on the model page;
    enterprise-facing pages never show it (they show `PROVISIONAL_SENTENCE` for anything not official)."""

    status: Literal["verified", "partial", "provisional"] = "provisional"
    sources: list[str] = []
    notes: str = ""


class _WithProvenance(_Base):
    """Checks for a spec part that declares `status` (official/provisional) and `provenance` fields itself (each
    class keeps its own field order, which is the order of dumped YAML).

    Files written before provenance existed kept the same remarks in a free-text `note`; such a note is read as the
    provenance notes, so stored model versions still load."""

    @model_validator(mode="before")
    @classmethod
    def _legacy_note(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "note" not in data:
            return data
        data = dict(data)
        note = data.pop("note")
        if note:
            prov = data.get("provenance")
            prov = dict(prov) if isinstance(prov, dict) else ({} if prov is None else prov.model_dump())
            prov["notes"] = "\n".join(x for x in (prov.get("notes", ""), str(note)) if x)
            prov.setdefault("status", "verified" if data.get("status") == "official" else "provisional")
            data["provenance"] = prov
        return data

    @model_validator(mode="after")
    def _official_is_verified(self):
        if self.status == "official" and self.provenance is not None and self.provenance.status != "verified":
            raise ValueError(
                f"标为 official 的部分，出处状态须为 verified（当前 {self.provenance.status}）"
                " official parts need verified provenance"
            )
        return self
