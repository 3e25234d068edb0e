"""A progress bar for long commands: redrawn in place on a terminal, a line now and then otherwise.

``load_demo`` spends minutes replaying a year of cases; without this it would say nothing until
the end. Standard library only. Call the ``Progress`` object with the stage's name and a count:
``progress("事项流转", 812, 2000)``. A new name ends the previous stage's line.
"""

from __future__ import annotations

import time
from collections.abc import Callable

BAR_WIDTH = 24


class Progress:
    """Shows ``stage [#####-----] done/total pct elapsed`` on one line of ``write``'s stream.

    On a terminal the line is rewritten in place (at most ``redraw`` times a second); in a log
    or a CI job, where ``\\r`` would pile up, a plain line is written when a stage starts, every
    ``every`` seconds while it runs and when it ends.
    """

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        tty: bool,
        every: float = 10.0,
        redraw: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._tty = tty
        self._every = every if not tty else redraw
        self._clock = clock
        self._stage = ""
        self._started = 0.0
        self._shown_at = 0.0
        self._width = 0  # of the line last drawn in place, to blank what a shorter one leaves
        self._open = False  # a line drawn in place still waits for its newline

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self._clock()
        if stage != self._stage:
            self.finish()
            self._stage, self._started = stage, now
        elif done < total and now - self._shown_at < self._every:
            return
        self._shown_at = now
        self._show(self._line(done, total, now - self._started), final=done >= total)

    def finish(self) -> None:
        """End the current line (on a terminal); call once the last stage is done."""
        if self._open:
            self._write("\n")
            self._open = False
        self._width = 0

    def _line(self, done: int, total: int, elapsed: float) -> str:
        minutes, seconds = divmod(int(elapsed), 60)
        if total <= 0:
            return f"{self._stage} … {minutes}:{seconds:02d}"
        fraction = min(done / total, 1.0)
        filled = round(BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        count = f"{done:>{len(str(total))}}/{total}"
        return f"{self._stage} [{bar}] {count} {fraction:4.0%} {minutes}:{seconds:02d}"

    def _show(self, line: str, *, final: bool) -> None:
        if not self._tty:
            self._write(line + "\n")
            return
        padding = " " * max(self._width - len(line), 0)
        self._write("\r" + line + padding)
        self._width = len(line)
        self._open = True
        if final:
            self.finish()
