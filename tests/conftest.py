import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
# Helpers shared by tests (e.g. pins.py) are imported by plain name.
sys.path.insert(0, str(Path(__file__).parent))
