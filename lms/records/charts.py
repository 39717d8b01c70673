"""Server-rendered SVG bar charts: the geometry is computed here, the template draws it.

Each bar is one group (a street, an organization type) split into the four statuses, as a share
of the group's persons (100% stacked), so streets of different sizes compare at a glance; the
counts are in each segment's tooltip and in the table beside the chart."""

from dataclasses import dataclass

from lms.learning import plans

COLOURS = {plans.MET: "#2e7d32", plans.NOT_MET: "#c62828", plans.IN_PROGRESS: "#f9a825",
           plans.NO_REQUIREMENT: "#9e9e9e"}
LABEL_WIDTH = 150
BAR_WIDTH = 460
RATE_WIDTH = 60
ROW_HEIGHT = 26
BAR_HEIGHT = 18


@dataclass
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float
    colour: str


@dataclass
class Bar:
    label: str
    y: int
    total: int
    rate: object
    segments: list
    href: str = ""

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT - 5


@dataclass
class Chart:
    bars: list
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def rate_x(self):
        return self.label_width + self.bar_width + 8

    @property
    def legend(self):
        return [(plans.STATUS_LABELS[status], colour) for status, colour in COLOURS.items()]


def stacked(counts_list, href=lambda counts: ""):
    """A Chart of 100%-stacked bars, one per Counts."""
    bars = []
    for row, counts in enumerate(counts_list):
        x, segments = float(LABEL_WIDTH), []
        for status, label, count in counts.segments():
            width = BAR_WIDTH * count / counts.total if counts.total else 0
            if width:
                segments.append(Segment(status, str(label), count, round(x, 2), round(width, 2), COLOURS[status]))
            x += width
        bars.append(Bar(counts.label, row * ROW_HEIGHT, counts.total, counts.met_rate, segments, href(counts)))
    return Chart(bars, LABEL_WIDTH + BAR_WIDTH + RATE_WIDTH, max(1, len(bars)) * ROW_HEIGHT)
