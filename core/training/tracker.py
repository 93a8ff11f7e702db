"""A training run's phase, its progress and an ETA that counts every phase, from the run's events.

The ETA adds up what is left of each kind of work at the speed measured for
it in this job: training steps, test passes, saving. Before a kind has been
measured it is estimated from the others (a test image costs about a third of
a training image: forward only), so the ETA does not climb when a phase the
estimate left out begins.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from core.training.events import EpochEnd, Event, Finished, Phase, Progress, Started, Step, Stopped

TEST_COST = 1 / 3        # a test image's cost relative to a training image's, before a test pass is measured
SAVE_GUESS_S = 0.3


@dataclass
class Tracker:
    phase: Phase = Phase.PREPARING
    epoch: int = 0
    done: int = 0            # of the current phase
    total: int = 0
    cached: bool = False
    resumed_from: int = 0    # the first epoch this job trains, when it resumed a stopped run (0: a fresh run)
    started: Started | None = None
    steps_done: int = 0      # steps finished in this job
    last_step: int = 0
    finished: bool = False

    def __post_init__(self) -> None:
        self._clock = time.perf_counter()
        self._spent = {Phase.TRAINING: 0.0, Phase.TESTING: 0.0, Phase.SAVING: 0.0}
        self._count = {Phase.TRAINING: 0, Phase.TESTING: 0, Phase.SAVING: 0}   # steps, tested images, saves

    def update(self, event: Event) -> None:
        now = time.perf_counter()
        if self.phase in self._spent:
            self._spent[self.phase] += now - self._clock
        self._clock = now
        if isinstance(event, Progress):
            if event.phase == Phase.TESTING and self.phase == Phase.TESTING:
                self._count[Phase.TESTING] += event.done - self.done
            if event.phase == Phase.SAVING:
                self._count[Phase.SAVING] += 1
            self.phase, self.epoch, self.done, self.total, self.cached = (
                event.phase, event.epoch, event.done, event.total, event.cached or self.cached)
        elif isinstance(event, Started):
            self.started = event
            self.resumed_from = event.done_epochs + 1 if event.done_epochs else 0
        elif isinstance(event, Step):
            self.steps_done += 1
            self._count[Phase.TRAINING] += 1
            self.last_step, self.epoch = event.step, event.epoch
            self.done = event.step - (event.epoch - 1) * (self.started.steps_per_epoch if self.started else 0)
        elif isinstance(event, (Finished, Stopped)):
            self.finished = True
        elif isinstance(event, EpochEnd):
            self.epoch = event.epoch

    def _rate(self, phase: Phase) -> float | None:
        """Seconds per unit (step, test image, save) measured in this job."""
        return self._spent[phase] / self._count[phase] if self._count[phase] else None

    def eta(self) -> float | None:
        """Seconds left until the run ends: training steps, test passes and saves still to come."""
        s = self.started
        step_s = self._rate(Phase.TRAINING)
        if s is None or step_s is None or self.finished:
            return 0.0 if self.finished else None
        batch = s.train_images / max(1, s.steps_per_epoch)
        test_image_s, save_s = self._rate(Phase.TESTING), self._rate(Phase.SAVING)
        test_image_s = step_s / batch * TEST_COST if test_image_s is None else test_image_s
        save_s = SAVE_GUESS_S if save_s is None else save_s
        steps_left = s.total_steps - self.last_step
        epochs_left = s.epochs - self.epoch + (1 if self.phase in (Phase.TRAINING, Phase.TESTING) else 0)
        if self.phase == Phase.SAVING:
            epochs_left = s.epochs - self.epoch
        tests_left_images = epochs_left * s.test_images
        if self.phase == Phase.TESTING:
            tests_left_images -= self.done
        return steps_left * step_s + tests_left_images * test_image_s + epochs_left * save_s
