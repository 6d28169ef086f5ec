"""The printed report of one database's run: endpoints, workers, PDFs, the burst, notes."""

from __future__ import annotations

from settings import OTHER_CPU_WARNING, QUIZ_LABEL, VERIFY_LABEL, VERIFY_PATH
from targets import disturbances


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _label(e: dict, main_tool: str) -> str:
    shown = e.get("shown_path") or e["path"]
    return shown if e["tool"] == main_tool else f"{shown} ({e['tool']})"


def table(results: dict) -> str:
    head = (
        "endpoint",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p99 ms",
        "x healthz",
        "CPU ms",
        "x healthz/CPU",
        "other CPUs",
        "target (CPU)",
    )
    rows = []
    main_tool = results["machine"]["tool"]
    for e in results["endpoints"]:
        if e["target_ratio"] is not None:
            target = f">= {e['target_ratio']:.2f}  {'MET' if e['met'] else 'MISSED'}"
        else:
            target = "(baseline)" if e["name"] == "healthz" else "(no target)"
        rows.append(
            (
                _label(e, main_tool),
                str(e["requests"]),
                str(e["errors"]),
                _fmt(e["rps"], ".1f"),
                _fmt(e["p50_ms"], ".2f"),
                _fmt(e["p99_ms"], ".2f"),
                _fmt(e["ratio_to_healthz"], ".2f"),
                _fmt(e.get("cpu_ms_per_request"), ".2f"),
                _fmt(e.get("cpu_ratio_to_healthz"), ".3f"),
                _fmt((e.get("cpu_cores") or {}).get("other"), ".2f")
                + (" !" if e.get("disturbed") else "  "),
                target,
            )
        )
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells) -> str:
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1], strict=True)]
        out.append(cells[-1].ljust(widths[-1]))
        return "  ".join(out).rstrip()

    lines = [line(head), line(["-" * w for w in widths])]
    lines += [line(r) for r in rows]
    lines.append("")
    whead = ("gunicorn worker", "peak RSS (VmHWM)", "RSS now", "target")
    wrows = [
        (
            f"pid {w['pid']}",
            f"{_fmt(w['peak_rss_mb'], '.1f')} MB",
            f"{_fmt(w['rss_mb'], '.1f')} MB",
            f"<= {w['target_mb']} MB  {'MET' if w['met'] else 'MISSED'}",
        )
        for w in results["workers"]
    ]
    wwidths = [max(len(r[i]) for r in [whead, *wrows]) for i in range(len(whead))]

    def wline(cells) -> str:
        out = [cells[0].ljust(wwidths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:-1], wwidths[1:-1], strict=True)]
        out.append(cells[-1].ljust(wwidths[-1]))
        return "  ".join(out).rstrip()

    lines += [wline(whead), wline(["-" * w for w in wwidths])]
    lines += [wline(r) for r in wrows]
    if results.get("pdf"):
        lines.append("")
        lines += pdf_table(results["pdf"])
    m, c, sd = results["machine"], results["config"], results["seed"]
    lines.append("")
    lines.append(
        f"{m['cpu_count']} CPUs, Python {m['python']}, {m['database']} {m['database_version']}, "
        f"tool {m['tool']}, {c['workers']} workers, {c['concurrency']} connections, "
        f"{c['duration']:g} s per endpoint after {c['warmup']:g} s warm-up, "
        f"argon2 {c['argon2']}; {sd['learners']} learners in {sd['cohorts']} cohorts of "
        f"{sd['per_cohort']}"
        + (f" and one of {sd['large_cohort_learners']}" if sd["large_cohort_learners"] else "")
        + f", {sd['coordinators']} coordinators, {sd['progress_rows']} progress rows, "
        f"{sd['quiz_attempts']} submitted quiz attempts, {sd['quiz_responses']} responses"
    )
    quiz = next((e for e in results["endpoints"] if e["name"] == QUIZ_LABEL), None)
    if quiz:
        pool = quiz["pool"]
        lines.append(
            f"quiz submission: {pool['pool_size']} open attempts made "
            f"({pool['already_read']} on modules already read, {pool['marked_read']} on modules "
            f"marked read for the run); {pool['sample']} in the check and "
            f"{pool['warmup_submitted']} in the warm-up, then {pool['sent']} sent and "
            f"{pool['db_graded']} graded per the database ({pool['db_passed']} passed); "
            + (
                f"pool exhausted after {quiz['seconds']:.1f} s"
                if pool["exhausted"]
                else f"{pool['offered'] - pool['sent']} left unsent"
            )
        )
    burst = results.get("quiz_burst")
    if burst:
        lines.append(burst_line(burst))
    verify = next((e for e in results["endpoints"] if e["name"] == VERIFY_LABEL), None)
    certs = results.get("certificates")
    if certs:
        mix = ", ".join(f"{n} {status}" for status, n in certs["statuses"].items())
        lines.append(
            f"certificates: {certs['count']} seeded for the {certs['finished']} learners who "
            f"finished every module"
            + (f" and {certs['topped_up']} nearest to it" if certs["topped_up"] else "")
            + f" ({mix})"
            + (
                f"; {VERIFY_PATH} went round all {verify['codes']} codes in shuffled order"
                if verify
                else ""
            )
        )
    if verify:
        lines.append(
            f"{VERIFY_PATH}: the server ran with SMRESIDENCY_VERIFY_MAX_PER_MINUTE="
            f"{verify['verify_max_per_minute']} (default 30 per address per minute), so the "
            "page's own cost is measured, not its 429s; each check still counts a hit "
            f"({verify['rate_limit_hits_after']} verify rows in rate_limit_hit at the end)"
        )
    lines += disturbed_lines(results)
    if quiz and quiz["tool"] != m["tool"]:
        lines.append(
            f"note: quiz submission was measured with the {quiz['tool']} client (--quiz-tool); "
            f"its ratio is to /healthz measured with the {quiz['tool']} client too."
        )
    if "builtin" in {e["tool"] for e in results["endpoints"]}:
        lines.append(
            "note: the built-in client is Python and shares the CPUs with the server, so it "
            "caps /healthz first and the ratios read high; with wrk installed they are truer."
        )
    return "\n".join(lines)


def _grid(head: tuple, rows: list[tuple]) -> list[str]:
    """First column left, last column left, the rest right-aligned, as the tables above."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells) -> str:
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1], strict=True)]
        out.append(cells[-1].ljust(widths[-1]))
        return "  ".join(out).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _kb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024:.1f} KB"


def pdf_table(pdf: dict) -> list[str]:
    """Certificate PDFs: one worker's rate in-process, and one fetched over HTTP."""
    head = ("certificate PDF", "PDFs", "PDFs/s", "per CPU-s", "p50 ms", "p99 ms", "size", "target")
    rows = []
    inproc = pdf.get("in_process")
    if inproc:
        rows.append(
            (
                f"certificate_pdf() in-process, a4/letter, {inproc['seconds']:.1f} s",
                str(inproc["count"]),
                _fmt(inproc["per_second"], ".1f"),
                _fmt(inproc.get("per_cpu_second"), ".1f"),
                _fmt(inproc["p50_ms"], ".2f"),
                _fmt(inproc["p99_ms"], ".2f"),
                f"{_kb(inproc['bytes']['a4'])} / {_kb(inproc['bytes']['letter'])}",
                f">= {inproc.get('target_per_second')}/s (CPU)  "
                + ("MET" if inproc.get("met") else "MISSED"),
            )
        )
    http = pdf["http"]
    rows.append(
        (
            "GET /certificates/<id>.pdf as its owner",
            "1",
            "-",
            "-",
            _fmt(http["ms"], ".2f"),
            "-",
            _kb(http["bytes"]),
            f"{http['status']} {http['content_type']}",
        )
    )
    lines = _grid(head, rows)
    if inproc:
        lines.append(
            f"one process, one thread, {inproc['certificates']} certificates in turn, A4 and "
            f"Letter alternating; first call {inproc['first_call_ms']:.0f} ms (not counted); "
            f"mean {inproc['mean_ms']:.2f} ms; other processes used "
            f"{_fmt(inproc['cpu_cores']['other'], '.2f')} CPUs meanwhile"
        )
    kept = pdf.get("pregenerated")
    if kept:
        lines.append(f"PDFs kept before the download in {kept['seconds']:.1f} s: {kept['output']}")
    if http.get("downloads"):
        lines.append(
            f"{http['downloads']} more downloads of the kept PDF: p50 "
            f"{_fmt(http.get('download_p50_ms'), '.2f')} ms, "
            f"{_fmt(http.get('downloads_per_server_cpu_second'), '.0f')} per server-CPU-second; "
            f"its ETag sent back answered {http.get('if_none_match_status') or '-'}"
        )
    after = pdf.get("workers_after", [])
    shown = ", ".join(f"pid {w['pid']} {_fmt(w['peak_rss_mb'], '.1f')} MB" for w in after)
    verdict = ""
    if after:
        limit = after[0].get("target_mb")
        verdict = f"; target <= {limit} MB  " + (
            "MET" if all(w.get("met") for w in after) else "MISSED"
        )
    lines.append(
        f"the HTTP PDF came in {http['ms']:.0f} ms (a worker's first may include importing "
        f"fpdf2); worker peak RSS after it: {shown or '-'} (the rows above were read before "
        f"it){verdict}"
    )
    return lines


def burst_line(burst: dict) -> str:
    """The burst: how many were sent, in how long (plain and CPU-normalised), what the
    database shows, and its verdict."""
    if not burst.get("sent"):
        return f"burst: {burst.get('note', 'not sent')}"
    verdict = {None: "(no target: not 2,000)", True: "MET", False: "MISSED"}[burst.get("met")]
    return (
        f"burst: {burst['sent']} of {burst['offered']} quiz submissions sent at once in "
        f"{burst['seconds']:.2f} s ({_fmt(burst.get('cpu_normalised_seconds'), '.2f')} s "
        f"CPU-normalised; target < {burst['target_seconds']:g} s): {burst['graded']} graded, "
        f"{burst['lost']} lost, {burst['errors']} errors; {burst['replayed']} replayed changed "
        f"{'something' if burst['changed_by_replay'] else 'nothing'}  {verdict}"
    )


def disturbed_lines(results: dict) -> list[str]:
    """How much CPU other processes took, and a warning naming each disturbed measurement."""
    others = [(e.get("cpu_cores") or {}).get("other") for e in results["endpoints"]]
    others = [o for o in others if o is not None]
    if not others:
        return ["other processes' CPU could not be read (no /proc): nothing says if the "
                "machine was disturbed"]  # fmt: skip
    cpus = results["machine"]["cpu_count"]
    lines = [f"other processes used up to {max(others):.2f} of {cpus} CPUs during a measurement."]
    found = disturbances(results)
    if found:
        named = ", ".join(f"{what} ({other:.2f})" for what, other in found)
        lines.append(
            f"WARNING: the machine was disturbed: other processes used more than "
            f"{OTHER_CPU_WARNING} of a CPU during {named} (marked ! above). MET/MISSED is "
            "judged on the CPU-normalised figures, which allow for it; the plain ones do not. "
            "Rerun on a quiet machine for steadier numbers."
        )
    return lines
