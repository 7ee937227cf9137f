"""What 999 routes share: the city's taxonomy, the duplicate rule and its travel times.

Each is loaded once from the settings and kept: the taxonomy and travel model are data files,
and a road graph can take a second to load.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends

from safercity.contact.duplicates import DuplicateRule
from safercity.contact.taxonomy import Taxonomy, load_taxonomy
from safercity.dispatch.routing import RoadGraph
from safercity.dispatch.travel import Travel
from safercity.dispatch.traveltime import TravelTimeModel
from safercity.platform.http import ContextDep

log = logging.getLogger(__name__)


@cache
def taxonomy_from(path: Path | None) -> Taxonomy:
    return load_taxonomy(path)


@cache
def travel_from(model_path: Path | None, graph_path: Path | None) -> Travel | None:
    """The city's travel times, or None (dispatch by hand only) if the model cannot be read."""
    try:
        model = (
            TravelTimeModel.from_json(model_path) if model_path else TravelTimeModel.load_default()
        )
    except (OSError, ValueError, KeyError, TypeError):
        log.exception("travel-time model %s could not be loaded: dispatch by hand only", model_path)
        return None
    graph = None
    if graph_path is not None:
        try:
            graph = RoadGraph.load(graph_path)
        except (OSError, ValueError, KeyError):
            log.exception("road graph %s could not be loaded: using the model only", graph_path)
    return Travel(model, graph)


def get_taxonomy(ctx: ContextDep) -> Taxonomy:
    return taxonomy_from(ctx.settings.taxonomy)


def get_rule(ctx: ContextDep) -> DuplicateRule:
    return DuplicateRule(ctx.settings.duplicate_within_s, ctx.settings.duplicate_within_m)


def get_travel(ctx: ContextDep) -> Travel | None:
    return travel_from(ctx.settings.travel_model, ctx.settings.road_graph)


TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
RuleDep = Annotated[DuplicateRule, Depends(get_rule)]
TravelDep = Annotated[Travel | None, Depends(get_travel)]
