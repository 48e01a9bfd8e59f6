"""Test-wide set-up: notebooks run in their fast configuration, quietly."""

import os

# Every chapter reads NNH_FAST in its parameters cell; the fast run is what CI
# executes. Set before nbval starts any kernel, which inherits the environment.
os.environ.setdefault("NNH_FAST", "1")
os.environ.setdefault("NNH_PROGRESS", "0")
