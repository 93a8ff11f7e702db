"""What visitors upload as zips (their own data set, their TensorBoard logs): unpacked safely, kept per session.

``zips`` checks a zip and unpacks it (``checks``: what a data set's members may be); ``sessions`` gives each
browser session its own folder and keeps the disk they use together bounded; ``datasets`` finds a zipped data set
in the course's layouts. Plain Python: the Streamlit side (which sessions are live) is ui/session_files.py.
"""
