"""Running somcolor's parallel work on a Dask cluster, through joblib's dask backend."""

import re
from contextlib import contextmanager

import joblib

DASK_EXTRA = 'pip install "somcolor[dask]"'
# A scheduler address as Dask writes them: protocol://host:port (or host:port for TCP).
_ADDRESS = re.compile(r"^((tcp|tls|ws|wss|ucx)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$")
CONNECT_TIMEOUT = "10s"


def check_address(scheduler):
    """Refuse a scheduler address that is not protocol://host:port (before Dask waits on it).

    >>> check_address("tcp://10.0.0.5:8786")
    >>> check_address("garbage")
    Traceback (most recent call last):
    ...
    ValueError: 'garbage' is not a Dask scheduler address; expected e.g. tcp://host:8786
    """
    if not _ADDRESS.match(scheduler):
        raise ValueError(f"{scheduler!r} is not a Dask scheduler address; expected e.g. tcp://host:8786")


@contextmanager
def on_cluster(scheduler):
    """Run the joblib-parallel work inside the block on a Dask cluster.

    Parameters
    ----------
    scheduler : str, dask.distributed.Client or None
        A scheduler address such as ``"tcp://host:8786"``, or a Client. None
        runs locally (the block is entered unchanged).

    Examples
    --------
    >>> with on_cluster(None):
    ...     pass
    """
    if scheduler is None:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise ImportError(f"running on a Dask scheduler needs dask.distributed: {DASK_EXTRA}") from None
    if isinstance(scheduler, Client):
        client = scheduler
    else:
        check_address(scheduler)
        try:
            client = Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_TIMEOUT} ({exc})") from None
    try:
        with joblib.parallel_backend("dask", client=client):
            yield client
    finally:
        if client is not scheduler:
            client.close()
