"""Issue 17's targets: each figure judged MET or MISSED on its CPU-normalised value, which
machines are disturbed, and the summary that puts the databases side by side."""

from __future__ import annotations

from settings import (
    BURST_TARGET,
    BURST_TARGET_S,
    OTHER_CPU_WARNING,
    PDF_TARGET_PER_S,
    QUIZ_LABEL,
    WORKER_RSS_TARGET_MB,
)

# (endpoint name, figure as the summary names it), in the order the summary lists them.
PAGE_FIGURES = (
    ("module page", "module page"),
    ("course page", "course page"),
    (QUIZ_LABEL, "quiz submission"),
    ("cohort dashboard", "cohort dashboard, first page of 50"),
)


def per_cpu_second(e: dict) -> float | None:
    """Requests per second of CPU spent by the server (and PostgreSQL, when it is the database)."""
    cores = e.get("cpu_cores") or {}
    used = (cores.get("server") or 0.0) + (cores.get("database") or 0.0)
    return e["requests"] / (used * e["seconds"]) if used and e.get("seconds") else None


def disturbed(cores: dict | None) -> bool:
    """Other processes took more than OTHER_CPU_WARNING of a CPU during a measurement."""
    other = (cores or {}).get("other")
    return other is not None and other > OTHER_CPU_WARNING


def evaluate(endpoints: list[dict], workers: list[dict]) -> None:
    """Ratios to the /healthz measured with the same tool, plain and CPU-normalised, and
    MET/MISSED on the CPU-normalised one (other processes on the machine do not move it)."""
    floors = {e["tool"]: e for e in endpoints if e["name"] == "healthz"}
    for e in endpoints:
        floor = floors.get(e["tool"])
        e["ratio_to_healthz"] = round(e["rps"] / floor["rps"], 3) if floor else None
        mine, base = per_cpu_second(e), per_cpu_second(floor) if floor else None
        e["per_cpu_second"] = round(mine, 1) if mine else None
        e["cpu_ms_per_request"] = round(1000 / mine, 2) if mine else None
        e["cpu_ratio_to_healthz"] = round(mine / base, 3) if mine and base else None
        judged = e["cpu_ratio_to_healthz"]
        if judged is None:
            judged = e["ratio_to_healthz"]
        e["met"] = (
            None
            if e["target_ratio"] is None
            else (judged is not None and judged >= e["target_ratio"])
        )
        e["disturbed"] = disturbed(e.get("cpu_cores"))
    for w in workers:
        w["met"] = w["peak_rss_mb"] is not None and w["peak_rss_mb"] <= w["target_mb"]


def pdf_rate(pdf: dict) -> None:
    """PDFs per second of the generating thread's CPU (its process's CPU over the loop), so a
    core taken away by another process does not lower it; judged against PDF_TARGET_PER_S."""
    inproc = pdf.get("in_process")
    if inproc:
        cores = (inproc.get("cpu_cores") or {}).get("client")
        rate = inproc.get("per_second")
        if not inproc.get("per_cpu_second"):  # pdfgen's own (process CPU time) when it has one
            inproc["per_cpu_second"] = round(rate / cores, 1) if rate and cores else None
        judged = inproc["per_cpu_second"] or rate
        inproc["target_per_second"] = PDF_TARGET_PER_S
        inproc["met"] = judged is not None and judged >= PDF_TARGET_PER_S
        inproc["disturbed"] = disturbed(inproc.get("cpu_cores"))
    after = pdf.get("workers_after") or []
    for w in after:
        w["target_mb"] = WORKER_RSS_TARGET_MB
        w["met"] = w.get("peak_rss_mb") is not None and w["peak_rss_mb"] <= WORKER_RSS_TARGET_MB


def judge(run: dict) -> dict:
    """Every target of the issue for one database: figure, target, value judged, plain value,
    MET/MISSED (None when not measured) and whether the machine was disturbed meanwhile."""
    rows = []
    by_name = {e["name"]: e for e in run["endpoints"]}
    for name, figure in PAGE_FIGURES:
        e = by_name.get(name)
        rows.append(
            {
                "figure": figure,
                "target": f">= {e['target_ratio']:.2f} x healthz" if e else "-",
                "value": e.get("cpu_ratio_to_healthz") if e else None,
                "plain": e.get("ratio_to_healthz") if e else None,
                "unit": "x",
                "met": e.get("met") if e else None,
                "disturbed": bool(e and e.get("disturbed")),
            }
        )
    inproc = (run.get("pdf") or {}).get("in_process") or {}
    rows.append(
        {
            "figure": "certificate PDF, one worker",
            "target": f">= {PDF_TARGET_PER_S} per second",
            "value": inproc.get("per_cpu_second"),
            "plain": inproc.get("per_second"),
            "unit": "/s",
            "met": inproc.get("met"),
            "disturbed": bool(inproc.get("disturbed")),
        }
    )
    after = [w for w in (run.get("pdf") or {}).get("workers_after", []) if w.get("peak_rss_mb")]
    peak = max((w["peak_rss_mb"] for w in after), default=None)
    rows.append(
        {
            "figure": "worker RSS after serving a PDF",
            "target": f"<= {WORKER_RSS_TARGET_MB} MB",
            "value": peak,
            "plain": peak,
            "unit": "MB",
            "met": None if peak is None else peak <= WORKER_RSS_TARGET_MB,
            "disturbed": False,
        }
    )
    burst = run.get("quiz_burst") or {}
    rows.append(
        {
            "figure": f"{BURST_TARGET:,} quiz submissions at once",
            "target": f"< {BURST_TARGET_S:g} s, none lost, none twice",
            "value": burst.get("cpu_normalised_seconds"),
            "plain": burst.get("seconds"),
            "unit": "s",
            "met": burst.get("met"),
            "disturbed": bool(burst.get("disturbed")),
        }
    )
    return {
        "rows": rows,
        "all_met": all(r["met"] is not False for r in rows)
        and all(e["met"] is not False for e in run["endpoints"])
        and all(w["met"] for w in run["workers"]),
    }


def disturbances(run: dict) -> list[tuple[str, float]]:
    """(measurement, other processes' CPUs) of each measurement above OTHER_CPU_WARNING."""
    found = [
        (e.get("shown_path") or e["path"], e["cpu_cores"]["other"])
        for e in run["endpoints"]
        if e.get("disturbed")
    ]
    burst = run.get("quiz_burst") or {}
    if burst.get("disturbed"):
        found.append(("the burst", burst["cpu_cores"]["other"]))
    inproc = (run.get("pdf") or {}).get("in_process") or {}
    if inproc.get("disturbed"):
        found.append(("certificate PDFs", inproc["cpu_cores"]["other"]))
    return found


def _value(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}"
    if unit == "/s":
        return f"{value:.1f}/s"
    return f"{value:.1f} MB" if unit == "MB" else f"{value:.2f} {unit}"


def _cell(row: dict | None) -> str:
    """The judged value, its verdict, and the plain value beside it when they differ."""
    if row is None:
        return "(not run)"
    if row["value"] is None:
        return "-"
    out = _value(row["value"], row["unit"])
    out += "" if row["met"] is None else ("  MET" if row["met"] else "  MISSED")
    if row["plain"] is not None and row["plain"] != row["value"]:
        out += f"  (plain {_value(row['plain'], row['unit'])})"
    return out + ("  disturbed!" if row["disturbed"] else "")


def summary_table(runs: dict[str, dict], skipped: dict[str, str]) -> list[str]:
    """One row per target, one column per database: the CPU-normalised figure and its verdict."""
    names = list(runs) + [n for n in skipped if n not in runs]
    titles = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = ("target (CPU-normalised)", "wanted", *(titles.get(n, n) for n in names))
    figures = [r["figure"] for r in next(iter(runs.values()))["targets"]["rows"]] if runs else []
    rows = []
    for i, figure in enumerate(figures):
        first = next(iter(runs.values()))["targets"]["rows"][i]
        cells = []
        for n in names:
            cells.append(_cell(runs[n]["targets"]["rows"][i]) if n in runs else "(skipped)")
        rows.append((figure, first["target"], *cells))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    rule = "  ".join("-" * w for w in widths)
    top = "  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()
    return [top, rule, *lines]
