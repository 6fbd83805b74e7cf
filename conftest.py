# somcolor/evaluation/cnn.py needs PyTorch (the cnn extra): without it, --doctest-modules must not import it.
import importlib.util

collect_ignore = [] if importlib.util.find_spec("torch") else ["somcolor/evaluation/cnn.py"]
