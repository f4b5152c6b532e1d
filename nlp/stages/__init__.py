"""Round stages: the steps of a round after ingest, each a registered, named function that reads the round
(and what the earlier stages returned) and *returns* its findings and its data.

A stage is registered with :func:`stage` under a name, with the ``Config`` section it reads; its factory gets
that section and returns the callable the round runs. ``Config.round.stages`` names the stages a round runs,
in order (docs/architecture.md, "How to add a stage"). The registry is a plain dict, not spaCy's/catalogue's
registry: a round stage is resolved from the TOML config's list of names (nlp/config.py), not from a spaCy
``config.cfg``, so a dict keyed by name is all the lookup needs, it is importable without loading spaCy, and
its order is the order of registration (what the generic check iterates).

Nothing a stage receives may be changed by it: :class:`RoundInput` and :class:`StageResult` are frozen, the
earlier results are a read-only mapping, and tests/test_stages.py deep-compares a round before and after each
stage.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from ..checks.rows import RoundContext
from ..config import Config, ConfigError
from ..findings import Finding
from ..records import Record


@dataclass(frozen=True)
class StageResult:
    """What a stage returns: its findings (each with its ``record_id``, or city-level without one) and its
    data (read by later stages and by the contract)."""

    findings: tuple[Finding, ...] = ()
    data: Any = None


@dataclass(frozen=True)
class RoundInput:
    """What every stage reads: the round's records, its date, the config, the earlier stages' results and
    the resources the caller passed in (``archive``: an :class:`nlp.stages.archive.ArchiveStore`)."""

    label: str
    records: tuple[Record, ...]
    context: RoundContext
    config: Config
    results: Mapping[str, StageResult] = field(default_factory=lambda: MappingProxyType({}))
    archive: Any = None

    def data(self, name: str, default: Any = None) -> Any:
        """The data an earlier stage returned (``default`` if it did not run)."""
        result = self.results.get(name)
        return default if result is None else result.data


StageFn = Callable[[RoundInput], StageResult]


@dataclass(frozen=True)
class StageSpec:
    name: str
    #: the ``Config`` section the factory receives (``None``: none)
    section: str | None
    factory: Callable[[Any], StageFn]
    doc: str


#: stage name → its spec, in registration order
STAGES: dict[str, StageSpec] = {}


def stage(name: str, section: str | None = None) -> Callable[[Callable[[Any], StageFn]], Callable[[Any], StageFn]]:
    """Register a stage factory under ``name``; it is called with ``Config.<section>`` and returns the stage."""

    def register(factory: Callable[[Any], StageFn]) -> Callable[[Any], StageFn]:
        if name in STAGES and STAGES[name].factory is not factory:
            raise ValueError(f"stage {name!r} is already registered")
        if section is not None and not hasattr(Config(), section):
            raise ValueError(f"stage {name!r}: Config has no section {section!r}")
        STAGES[name] = StageSpec(name, section, factory, (factory.__doc__ or "").strip())
        return factory

    return register


def make_stage(name: str, config: Config) -> StageFn:
    """The stage ``name`` built with its config section."""
    spec = STAGES.get(name)
    if spec is None:
        raise ConfigError("round.stages", [f"round.stages 中的 {name!r} 不是已注册的环节（已注册：{', '.join(STAGES)}）"])
    return spec.factory(getattr(config, spec.section) if spec.section else None)


def build_stages(config: Config) -> list[tuple[str, StageFn]]:
    """The round's stages in ``Config.round.stages``' order."""
    return [(name, make_stage(name, config)) for name in config.round.stages]


def run_stage(name: str, fn: StageFn, round_input: RoundInput) -> StageResult:
    result = fn(round_input)
    if not isinstance(result, StageResult):
        raise TypeError(f"stage {name!r} returned {type(result).__name__}, not StageResult")
    return result


# the built-in stages register themselves on import
from . import round as _round  # noqa: E402,F401
from . import archive as _archive  # noqa: E402,F401
