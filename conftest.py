import importlib.util
import os

# somcolor/evaluation/cnn.py needs PyTorch (the cnn extra): without it, --doctest-modules must not import it.
collect_ignore = [] if importlib.util.find_spec("torch") else ["somcolor/evaluation/cnn.py"]
# somcolor/app needs Starlette (the app extra; the test extra installs it too).
if not importlib.util.find_spec("starlette"):
    collect_ignore += ["somcolor/app/__init__.py", "somcolor/app/server.py", "somcolor/app/photos.py"]

# The GPU kernels are tested on the CPU, under numba's CUDA simulator, unless
# SOMCOLOR_TEST_GPU=1 asks for the real GPU. It must be set before numba is imported.
if os.environ.get("SOMCOLOR_TEST_GPU") != "1":
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
