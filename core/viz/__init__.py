"""Plotly figure builders. Labels come in already translated; nothing here knows the language.

One module per job (the shared grid machinery, each animation, charts, pictures, the network); every figure is
importable from here, as ``from core import viz; viz.window_animation(...)``.
"""
from core.viz.base import CONTROLS_PX, CURRENT, DONE, EMPTY, INPUT, OUTSIDE, PADDING, PHONE_PX, PICKED, READ, Built
from core.viz.channels import channels_animation
from core.viz.charts import bars, channel_histograms, confusion, curves, matrices
from core.viz.images import feature_grid, gray_tiles, image_batch, image_with_boxes, kernel_tiles
from core.viz.legend import SWATCH, Look
from core.viz.network import architecture, receptive_field
from core.viz.scatter import scatter_animation, scatter_cropped
from core.viz.window import window_animation, window_looks

__all__ = ["CONTROLS_PX", "CURRENT", "DONE", "EMPTY", "INPUT", "OUTSIDE", "PADDING", "PHONE_PX", "PICKED", "READ",
           "SWATCH", "Built", "Look", "architecture", "bars", "channel_histograms", "channels_animation", "confusion",
           "curves", "feature_grid", "gray_tiles", "image_batch", "image_with_boxes", "kernel_tiles", "matrices",
           "receptive_field", "scatter_animation", "scatter_cropped", "window_animation",
           "window_looks"]
