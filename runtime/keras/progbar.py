"""`Progbar`: Keras' progress bar, `12/45 ━━━━━━━━━━━━━━━━━━━━ 1s 3ms/step - loss: 0.51`.

On a terminal the line is rewritten in place at each update (at most every `interval`
seconds) and ends with the time per step; elsewhere (logs, pipes) only the final line of
each bar is written, so logs are not flooded.

Example:
    >>> bar = Progbar(target=3)
    >>> for step in range(1, 4):
    ...     bar.update(step, [("loss", 0.5 / step)])    # doctest: +SKIP
    3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.1667
"""
from __future__ import annotations

import math
import sys
import time


def format_time(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def format_per_step(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_value(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.4f}" if abs(value) > 1e-3 or value == 0 else f"{value:.4e}"
    return str(value)


class Progbar:
    """A progress bar of `target` steps.

    Args:
        target: the number of steps, or None when unknown.
        width: the bar's width in characters.
        verbose: 1 (bar, updated in place on a terminal), 2 (one line when done), 0 (silent).
        interval: the least time between two redraws, in seconds.
        unit_name: what a step is called ("step").
        stream: where to write (default sys.stdout).

    Example:
        >>> bar = Progbar(target=10, verbose=1)
        >>> bar.update(5, [("loss", 0.3)])      # doctest: +SKIP
    """

    def __init__(self, target, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 unit_name: str = "step", stream=None):
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: verbose must be 0, 1 or 2. Received: verbose={verbose!r}")
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        self._dynamic = bool(getattr(self.stream, "isatty", lambda: False)())
        self._start = time.perf_counter()
        self._after_first = None
        self._last_draw = 0.0
        self._prev_width = 0
        self._values: dict = {}

    def _per_step(self, current: int, now: float) -> float:
        """Seconds per step, leaving out the first (compiling) step once there are others."""
        if not current:
            return 0.0
        if self._after_first is not None and current > 1:
            return (now - self._after_first) / (current - 1)
        if current == 1 and self._after_first is None:
            self._after_first = now
        return (now - self._start) / current

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Draws step `current` with `values` ((name, value) pairs shown as given)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            self._values[name] = value
        now = time.perf_counter()
        per_step = self._per_step(current, now)
        if self.verbose == 0 or (self.verbose == 2 and not finalize):
            return
        if self.verbose == 1 and not finalize and (not self._dynamic
                                                   or now - self._last_draw < self.interval):
            return
        self._last_draw = now
        line = self._bar(current) if self.verbose == 1 else self._count(current)
        if finalize or self.target is None:
            line += f" {format_time(now - self._start)} {format_per_step(per_step, self.unit_name)}"
        else:
            line += f" {format_time(per_step * (self.target - current))}"
        line += "".join(f" - {k}: {format_value(v)}" for k, v in self._values.items())
        self._write(line, finalize)

    def _count(self, current: int) -> str:
        if not self.target:
            return f"{current:7d}/Unknown"
        digits = int(math.log10(self.target)) + 1
        return f"{current:{digits}d}/{self.target}"

    def _bar(self, current: int) -> str:
        if not self.target:
            return self._count(current)
        done = min(self.width, int(self.width * current / self.target))
        return f"{self._count(current)} {'━' * done}{'─' * (self.width - done)}" if not self._dynamic \
            else f"{self._count(current)} \x1b[32m{'━' * done}\x1b[0m\x1b[37m{'━' * (self.width - done)}\x1b[0m"

    def _write(self, line: str, finalize: bool) -> None:
        if self._dynamic and self.verbose == 1:
            visible = len(line) - (18 if "\x1b[" in line else 0)
            pad = " " * max(0, self._prev_width - visible)
            self._prev_width = visible
            self.stream.write("\r" + line + pad + ("\n" if finalize else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
