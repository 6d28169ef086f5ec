"""'Progress over time': cumulative completions per day, as SVG with a text alternative."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

from smresidency.cohorts.chart import DAYS, progress_chart
from tests.cohorts import test_dashboard as dashboard_tests
from tests.cohorts.test_dashboard import day

# fixtures shared with the dashboard tests
course, seeded, staff = dashboard_tests.course, dashboard_tests.seeded, dashboard_tests.staff


def test_cumulative_totals_count_what_came_before_the_window():
    start, end = date(2025, 3, 1), date(2025, 3, 5)
    per_day = {date(2025, 2, 1): 4, date(2025, 3, 2): 1, date(2025, 3, 4): 3, date(2025, 3, 9): 7}
    chart = progress_chart(per_day, start, end)
    assert chart.days == [
        (date(2025, 3, 1), 4),
        (date(2025, 3, 2), 5),
        (date(2025, 3, 3), 5),
        (date(2025, 3, 4), 8),
        (date(2025, 3, 5), 8),
    ]
    assert chart.y_max == 8
    assert "1 March 2025 to 5 March 2025: 4 at the start, 8 at the end" in chart.desc


def test_points_run_left_to_right_and_rise_with_the_total():
    chart = progress_chart(
        {date(2025, 3, 2): 2, date(2025, 3, 3): 2}, date(2025, 3, 1), date(2025, 3, 3)
    )
    xs = [x for x, _ in chart.points]
    ys = [y for _, y in chart.points]
    assert xs == sorted(xs) and xs[0] == chart.left and xs[-1] == chart.right_edge
    assert ys[0] == chart.baseline  # nothing done yet
    assert ys[0] > ys[1] > ys[2] == chart.top  # up the page as completions grow
    assert [v for v, _ in chart.y_ticks] == [0, 2, 4]


def test_a_single_day_and_no_completions_still_draw():
    chart = progress_chart({}, date(2025, 3, 1), date(2025, 3, 1))
    assert chart.days == [(date(2025, 3, 1), 0)]
    assert chart.points == [(chart.left, chart.baseline)]


class _Svg(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg, self.title, self.desc, self.points, self.hidden = {}, "", "", "", []
        self._in, self._table = None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg = a
        elif tag in ("title", "desc") and self.svg:
            self._in = tag
        elif tag == "polyline":
            self.points = a["points"]
        elif tag == "table" and a.get("class") == "visually-hidden":
            self._table = True
        elif self._table and tag == "tr":
            self.hidden.append([])
        elif self._table and tag in ("th", "td"):
            self._in = "cell"

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = False
        if tag in ("title", "desc", "th", "td"):
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "desc":
            self.desc += data
        elif self._in == "cell":
            self.hidden[-1].append(data.strip())


def test_dashboard_chart_is_accessible_and_agrees_with_its_table(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    html = client.get(f"/cohorts/{seeded['cohort_id']}").get_data(as_text=True)
    svg = _Svg()
    svg.feed(html)
    assert svg.svg["role"] == "img"
    assert svg.svg["aria-labelledby"] == "chart-title chart-desc"
    assert svg.title == "Progress over time"
    # everyone enrolled ten days ago: eleven days, from 0 to Ada's 3 + Ben's 1 + Eve's 1
    # (Dee, withdrawn, does not count)
    rows = [r for r in svg.hidden if r and r[0] != "Day"]
    assert len(rows) == 11
    assert rows[0] == [day(10).date().isoformat(), "0"]
    expected = {8: 1, 7: 2, 5: 4, 2: 5, 0: 5}
    for ago, total in expected.items():
        assert [day(ago).date().isoformat(), str(total)] in rows
    assert "0 at the start, 5 at the end" in svg.desc
    assert len(svg.points.split()) == 11
    assert "<script" not in html


def test_window_is_at_most_sixty_days(app, client, login_as, seeded):
    from sqlalchemy import update

    from smresidency.cohorts.models import Enrolment
    from smresidency.extensions import db

    with app.app_context():
        db.session.execute(update(Enrolment).values(enrolled_at=day(200)))
        db.session.commit()
    login_as(user=seeded["coordinator"])
    html = client.get(f"/cohorts/{seeded['cohort_id']}").get_data(as_text=True)
    svg = _Svg()
    svg.feed(html)
    rows = [r for r in svg.hidden if r and r[0] != "Day"]
    assert len(rows) == DAYS
    assert rows[0][0] == (day(0).date() - timedelta(days=DAYS - 1)).isoformat()
    assert re.search(r"<desc[^>]*>Cumulative module completions", html)


def test_a_cohort_with_no_completions_says_so_instead_of_a_blank_chart(
    client, login_as, course, staff, make_cohort
):
    cohort_id, _ = make_cohort(course, coordinators=[staff["coordinator"]], learners=2)
    login_as(user=staff["coordinator"])
    html = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    chart = html.split('class="chart"', 1)[1].split("</figure>", 1)[0]
    assert "No learner has completed a module yet" in chart
    assert "<svg" not in chart
