"""Where the network looked, laid over the 32×32 photo it saw: Grad-CAM's region and each pixel's share."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.viz.base import DESKTOP_PX, PHONE_PX, Built, grids_px, panels, template

HEAT = [[0, "rgba(255,255,255,0)"], [0.3, "rgba(255,200,0,0.45)"], [1, "rgba(220,0,0,0.85)"]]
SIGNED = [[0, "rgba(33,102,172,0.9)"], [0.5, "rgba(255,255,255,0)"], [1, "rgba(178,24,43,0.9)"]]


def attribution_maps(image: np.ndarray, cam: np.ndarray, pixels: np.ndarray, titles: Sequence[str],
                     width_px: int = DESKTOP_PX) -> Built:
    """Two squares: the photo (32×32×3 uint8) under Grad-CAM (``cam``, ≥ 0, transparent where 0, red where
    largest), and the photo greyed under the pixels' attributions (``pixels``, red for the class, blue against it,
    on a scale symmetric about 0)."""
    size = image.shape[0]
    spacing = 0.08
    if width_px <= PHONE_PX:  # half a phone's width: the part in brackets goes on a line of its own
        titles = [title.replace(" (", "<br>(").replace("（", "<br>（") for title in titles]
    axes, notes = panels(titles, [1, 1], spacing=spacing)
    for suffix in ("", "2"):
        axes[f"xaxis{suffix}"].update(visible=False, range=[-0.5, size - 0.5], scaleanchor=f"y{suffix}",
                                      constrain="domain")
        axes[f"yaxis{suffix}"].update(visible=False, range=[size - 0.5, -0.5])
    grey = np.repeat(image.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
    reach = float(np.abs(pixels).max()) or 1.0
    data = [{"type": "image", "z": image.tolist(), "hoverinfo": "skip", "xaxis": "x", "yaxis": "y"},
            {"type": "heatmap", "z": cam.tolist(), "colorscale": HEAT, "zmin": 0, "zmax": float(cam.max()) or 1.0,
             "showscale": False, "hoverinfo": "skip", "xaxis": "x", "yaxis": "y"},
            {"type": "image", "z": grey.tolist(), "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2"},
            {"type": "heatmap", "z": pixels.tolist(), "colorscale": SIGNED, "zmin": -reach, "zmax": reach,
             "showscale": False, "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2"}]
    square = grids_px(1, 2 / (1 - spacing), width_px, most=320)
    top = 50 if width_px <= PHONE_PX else 30
    layout = {"template": template(), **axes, "height": square + top + 10, "margin": {"l": 10, "r": 10, "t": top, "b": 10},
              "annotations": notes, "dragmode": False, "plot_bgcolor": "white"}
    return Built({"data": data, "layout": layout})
