"""Running somcolor's parallel work on a Dask cluster, through joblib's dask backend."""

from contextlib import contextmanager

import joblib

DASK_EXTRA = 'pip install "somcolor[dask]"'


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
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler, set_as_default=False)
    try:
        with joblib.parallel_backend("dask", client=client):
            yield client
    finally:
        if client is not scheduler:
            client.close()
