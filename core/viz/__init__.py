"""Plotly figure builders. Labels come in already translated; nothing here knows the language.

One module per job (the shared grid machinery, each animation, charts, pictures, the network); every figure is
importable from here, as ``from core import viz; viz.window_animation(...)``.

pandas is imported here, whole, before any figure is built: Plotly's validators look pandas up in
``sys.modules`` without importing it, so a figure built while another session's thread is halfway through
``import pandas`` met a half-initialised module ("partially initialized module 'pandas' has no attribute
'Series'": 8 of 8 fresh servers whose first three visits came at once, benchmarks/cold_visits.py).
"""
import pandas  # noqa: F401

from core.viz.attribution import attribution_maps
from core.viz.base import CONTROLS_PX, CURRENT, DONE, EMPTY, INPUT, OUTSIDE, PADDING, PHONE_PX, PICKED, READ, Built
from core.viz.channels import channels_animation
from core.viz.charts import bars, channel_histograms, confusion, curves, matrices
from core.viz.images import feature_grid, gray_tiles, image_batch, image_with_boxes, kernel_tiles
from core.viz.legend import SWATCH, Look
from core.viz.network import architecture, receptive_field
from core.viz.neuron import neuron_animation, neuron_channels
from core.viz.scatter import scatter_animation, scatter_cropped
from core.viz.window import window_animation, window_looks

__all__ = ["CONTROLS_PX", "CURRENT", "DONE", "EMPTY", "INPUT", "OUTSIDE", "PADDING", "PHONE_PX", "PICKED", "READ",
           "SWATCH", "Built", "Look", "architecture", "attribution_maps", "bars", "channel_histograms",
           "channels_animation", "confusion", "curves", "feature_grid", "gray_tiles", "image_batch", "image_with_boxes",
           "kernel_tiles", "matrices", "neuron_animation", "neuron_channels", "receptive_field", "scatter_animation",
           "scatter_cropped", "window_animation", "window_looks"]
