"""The review web app (Gradio): upload a round, work through the queue, decide, export.

Importing this package switches Gradio's telemetry off before Gradio itself is imported anywhere.
"""
import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
