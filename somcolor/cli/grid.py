"""``somcolor grid``: a cross-validated grid search of patch size, colors and hidden layers."""

import sys

from .common import COUNT, at_least, hidden_sizes, job_count, seed_number

HELP = "grid-search patch size, colors and hidden layers"


def run(args):
    import numpy as np

    from ..estimator import SOMColorizer
    from ..evaluation.model_selection import grid_search
    from ..evaluation.scorers import SCORERS
    from ..cluster import check_address
    from ..io.images import find_images

    if args.scheduler is not None:
        check_address(args.scheduler)
    paths = find_images(args.inputs)
    grid = {"patch_size": args.patch_size, "n_colors": args.n_colors, "hidden_layer_sizes": list(args.hidden)}
    n_candidates = len(args.patch_size) * len(args.n_colors) * len(args.hidden)
    print(f"grid of {n_candidates} candidates x {args.cv} image folds on {len(paths)} images ...", file=sys.stderr)
    if args.scoring not in SCORERS:
        raise ValueError(f"--scoring must be one of {sorted(SCORERS)}, got {args.scoring!r}")
    search = grid_search(
        paths, grid, cv=args.cv, scoring=args.scoring,
        estimator=SOMColorizer(max_iter=args.max_iter, random_state=args.seed),
        n_jobs=args.n_jobs, scheduler=args.scheduler, verbose=1,
    )
    results = search.cv_results_
    print(f"{'rank':>4}  {'patch':>5}  {'colors':>6}  {'hidden':>10}  {args.scoring + ' (mean +- std)':>24}  {'fit s':>6}")
    for i in np.argsort(results["rank_test_score"]):
        params = results["params"][i]
        score = f"{results['mean_test_score'][i]:.4f} +- {results['std_test_score'][i]:.4f}"
        print(
            f"{results['rank_test_score'][i]:>4}  {params['patch_size']:>5}  {params['n_colors']:>6}  "
            f"{','.join(map(str, params['hidden_layer_sizes'])):>10}  {score:>24}  {results['mean_fit_time'][i]:>6.1f}"
        )
    best = search.best_params_
    print(
        f"best: --patch-size {best['patch_size']} --n-colors {best['n_colors']} "
        f"--hidden {','.join(map(str, best['hidden_layer_sizes']))} ({args.scoring} {search.best_score_:.4f})"
    )
    return 0


def add_options(grid):
    from ..estimator import SOMColorizer

    grid.add_argument("inputs", nargs="+", metavar="PHOTOS", help="color image files or folders")
    grid.add_argument("--patch-size", type=int, nargs="+", default=[3, 5], help="patch sizes to try")
    grid.add_argument("--n-colors", type=int, nargs="+", default=[9, 25], help="numbers of colors to try")
    grid.add_argument("--hidden", type=hidden_sizes, nargs="+", default=[(50, 50)],
                      help="hidden layer sizes to try, each comma-separated, e.g. 50 50,50")
    grid.add_argument("--cv", type=at_least(2), default=3, help="interleaved image folds (at least 2)")
    grid.add_argument("--scoring", default="psnr", help="psnr, ssim, neg_rmse, auc, rebalanced_auc, ...")
    grid.add_argument("--max-iter", type=COUNT, default=SOMColorizer().max_iter, help="epochs per fit (at least 1)")
    grid.add_argument("--n-jobs", type=job_count, default=None, help="parallel fits, -1 for one per core (default: one)")
    grid.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    grid.add_argument("--seed", type=seed_number, default=0, help="random seed of every candidate")
