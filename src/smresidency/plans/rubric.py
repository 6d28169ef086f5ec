"""The acceptance rule plan.md declares, checked before faculty can accept a plan."""


def refusal(spec: dict, levels: dict[str, int]) -> str | None:
    """Why these rubric scores may not be accepted, in words a reviewer can act on; or None."""
    names: list[str] = spec.get("levels") or []
    titles = {c["id"]: c["title"] for c in spec.get("criteria") or []}
    floors = {}
    minimum = spec.get("accept_minimum") or ""
    if minimum in names:
        floors = dict.fromkeys(titles, minimum)
    for cid, level in (spec.get("accept_required") or {}).items():
        if cid in titles and level in names:
            floors[cid] = max(floors.get(cid, level), level, key=names.index)
    below = [
        f"“{titles[cid]}” is scored {names[levels[cid]]} and needs at least {level}"
        for cid, level in floors.items()
        if cid in levels and 0 <= levels[cid] < len(names) and levels[cid] < names.index(level)
    ]
    if not below:
        return None
    return (
        "This plan cannot be accepted under the rubric's acceptance rule: "
        + "; ".join(below)
        + ". Return it for revision with comments, or change the scores."
    )
