"""Files as a learner's own work leaves them, for the tests of more than one module: the course's TensorBoard logs,
a folder zipped as a learner zips it, a training run as the Training page starts it."""
import io
import threading
import time
import zipfile
from pathlib import Path

RUN_SETTINGS = {"recipe": "fast", "arch": "course", "epochs": 2, "batch_size": 32}


def course_logs(folder: Path, slopes=(2, 3)) -> Path:
    """The course's script run once per slope into one `logs` folder (the trap when twice), and a second
    experiment in its own subfolder with an image; returns the logs folder."""
    import numpy as np
    from torch.utils.tensorboard import SummaryWriter

    logs = folder / "logs"
    for k, slope in enumerate(slopes):
        # a second run of the script starts in a later second, as it would at home (its file sorts after the first)
        time.sleep(1 - time.time() % 1 if k else 0)
        writer = SummaryWriter(str(logs))
        for i in range(100):
            writer.add_scalar("y=2x", slope * i, i)
        writer.close()
    writer = SummaryWriter(str(logs / "run2"))
    for epoch in range(3):
        writer.add_scalar("test_accuracy", 0.3 + 0.1 * epoch, epoch)
    writer.add_image("test", np.full((8, 8, 3), 200, np.uint8), 1, dataformats="HWC")
    writer.close()
    return logs


def zipped(folder: Path, whole: bool = True) -> bytes:
    """The folder as a learner zips it: the folder itself, its own name at the top (``zip -r pets.zip pets``), or
    its contents (selecting what is inside it in the file manager)."""
    top = folder.parent if whole else folder
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, path.relative_to(top).as_posix())
    return buf.getvalue()


def make_run(data, runs, lr: float, epochs_done: int):
    """A run of RUN_SETTINGS as the training page starts it (same data path and key), stopped after
    ``epochs_done``."""
    from core.training import train
    from core.training.events import EpochEnd
    from core.training.rundir import RunDir, RunState

    config = train.Config(data=str(data), lr=lr, **RUN_SETTINGS)
    stop, ended = threading.Event(), []

    def on_event(event) -> None:
        if isinstance(event, EpochEnd):
            ended.append(event)
            if len(ended) >= epochs_done:
                stop.set()

    train.run(config, runs / config.key(), stop=stop, on_event=on_event)
    RunDir(runs / config.key()).set_state(RunState.DONE if epochs_done >= RUN_SETTINGS["epochs"] else RunState.STOPPED)
    return config


def train_link(config, lang: str) -> str:
    """The Training page's link that opens ``config``'s run (its data set is the folder set ``pets``)."""
    return (f"/train?lang={lang}&dataset=pets&recipe=fast&epochs={config.epochs}&lr={config.lr}"
            f"&batch_size={config.batch_size}")
