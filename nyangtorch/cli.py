"""The ``nyangtorch`` command: train, evaluate and predict from the shell."""

from __future__ import annotations

import argparse
import functools
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from .data.transforms import PRESETS
from .nn.module import inference_mode

MODELS = ("cnn", "cnn-bn", "cnn-bn-same", "mlp", "resnet20")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SCHEDULERS = ("none", "step", "expo", "warmup", "cosine", "onecycle")

EXAMPLES = """examples:
  nyangtorch train fashion-mnist --epochs 15 --out runs/fmnist
  nyangtorch train fashion-mnist --model cnn-bn-same --augment --epochs 30 --scheduler step
  nyangtorch train fashion-mnist --model resnet20 --augment light --optimizer sgd --lr 0.1 \\
      --weight-decay 5e-4 --scheduler cosine --batch-size 128 --epochs 24
  nyangtorch train path/to/images --image-size 32 --epochs 20   (one sub-folder per class)
  mpirun -n 2 nyangtorch train fashion-mnist --out runs/fmnist   (data parallel, 2 processes)
  nyangtorch evaluate runs/fmnist/best.pickle --data fashion-mnist
  nyangtorch predict runs/fmnist/best.pickle shirt.png boot.png --top-k 3
"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Examples kept as written, and every option's default shown in ``--help``."""


def count(minimum: int):
    """An argparse type: an integer of at least ``minimum`` (argparse names the flag)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def non_negative(text: str) -> float:
    """An argparse type: a finite number ≥ 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number ≥ 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from .version import __version__

    parser = argparse.ArgumentParser(
        prog="nyangtorch",
        description="냥냥 torch: train and use image classifiers built on NumPy.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"nyangtorch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train", help="train a model, then test it", epilog=EXAMPLES, formatter_class=HelpFormatter
    )
    train.add_argument(
        "data", help="'fashion-mnist', 'digits', or a folder with one sub-folder per class"
    )
    train.add_argument(
        "--model",
        choices=MODELS,
        default="cnn",
        help="reference CNN, its BatchNorm variant (cnn-bn-same: padded convolutions), an MLP or "
        "ResNet-20",
    )
    train.add_argument("--epochs", type=count(1), default=15, help="epochs to train at most")
    train.add_argument("--batch-size", type=count(1), default=64, help="images per step")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="optimizer")
    train.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    train.add_argument(
        "--scheduler",
        choices=SCHEDULERS,
        default="none",
        help="step: ×0.1 every third of the epochs; expo: ×0.9 per epoch; warmup: 1 epoch; "
        "cosine: 1 epoch of linear warm-up (none when --epochs is 1), then cosine annealing to 0 "
        "after every batch; onecycle: the 1cycle policy peaking at --lr, which also cycles the "
        "momentum (adam's beta1) between 0.95 and 0.85",
    )
    train.add_argument(
        "--weight-decay",
        type=non_negative,
        default=None,
        help="L2 penalty λ added to the gradients (adamw: decoupled); default: the "
        "optimizer's own (0, adamw 0.01)",
    )
    train.add_argument(
        "--patience",
        type=count(1),
        default=None,
        help="early stopping after N epochs without a lower validation loss",
    )
    train.add_argument(
        "--augment",
        nargs="?",
        const=True,
        default=False,
        type=augment_preset,
        metavar="PRESET",
        help="random flips/shifts/rotations on the training images, with the data's own preset"
        f" or the one named ({', '.join(PRESETS)})",
    )
    train.add_argument(
        "--dropout", type=float, default=0.0, help="dropout before the classifier (cnn-bn, mlp)"
    )
    train.add_argument(
        "--sync-bn",
        action="store_true",
        help="under mpirun: BatchNorm statistics over every rank's samples (SyncBatchNorm)",
    )
    train.add_argument(
        "--label-smoothing", type=float, default=0.0, help="cross-entropy label smoothing"
    )
    train.add_argument("--image-size", type=count(1), default=None, help="resize the images to N×N")
    train.add_argument("--out", default="runs/latest", help="output folder")
    train.add_argument(
        "--wandb", action="store_true", help="log to Weights & Biases (offline without an API key)"
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the split, weights and order")
    train.add_argument("--workers", type=count(0), default=0, help="data-loading worker processes")
    train.add_argument("--no-progress", action="store_true", help="no progress bars")

    evaluate = commands.add_parser(
        "evaluate",
        help="test a saved model on a dataset's test split",
        formatter_class=HelpFormatter,
    )
    evaluate.add_argument("model", help="a model file written by nyangtorch (best.pickle)")
    evaluate.add_argument(
        "--data", required=True, help="'fashion-mnist', 'digits', or an image folder"
    )
    evaluate.add_argument("--batch-size", type=count(1), default=256, help="images per batch")
    evaluate.add_argument(
        "--seed", type=int, default=0, help="the split seed the model was trained with"
    )
    evaluate.add_argument(
        "--trusted", action="store_true", help="allow any class in the model file (unsafe)"
    )

    compare = commands.add_parser(
        "compare",
        help="twin runs against PyTorch; writes a report folder",
        formatter_class=HelpFormatter,
    )
    compare.add_argument(
        "--epochs", type=count(1), default=5, help="float32 run on full Fashion-MNIST"
    )
    compare.add_argument(
        "--parity-steps", type=count(1), default=100, help="float64 steps per model"
    )
    compare.add_argument("--batch-size", type=count(1), default=64, help="images per step")
    compare.add_argument("--out", default="reports/compare", help="report folder")

    predict = commands.add_parser(
        "predict", help="classify image files with a saved model", formatter_class=HelpFormatter
    )
    predict.add_argument("model", help="a model file written by `nyangtorch train`")
    predict.add_argument("images", nargs="+", help="image files")
    predict.add_argument("--top-k", type=count(1), default=3, help="classes shown per image")
    predict.add_argument(
        "--trusted", action="store_true", help="allow any class in the model file (unsafe)"
    )
    return parser


def make_model(name: str, channels: int, num_classes: int, image_size: int, dropout: float):
    """The model ``name`` for images of ``channels`` × ``image_size`` × ``image_size``."""
    from . import models

    if name == "cnn":
        return models.reference_cnn(channels, num_classes, image_size)
    if name in ("cnn-bn", "cnn-bn-same"):
        padding = 1 if name == "cnn-bn-same" else 0
        return models.reference_cnn_bn(channels, num_classes, image_size, dropout, padding)
    if name == "resnet20":
        return models.resnet(20, in_channels=channels, num_classes=num_classes)
    return models.mlp(channels * image_size * image_size, num_classes=num_classes, dropout=dropout)


def fitted_model(name: str, channels: int, num_classes: int, image_size: int, dropout: float):
    """:func:`make_model`, refused with the ``--image-size`` that works when the images are
    too small for it (each 3×3 convolution and 2×2 pool shrinks them: 8×8 digits vanish in
    the reference CNN)."""

    def fits(size: int) -> bool:
        try:
            model = make_model(name, channels, num_classes, size, dropout)
            with inference_mode(model):
                model(np.zeros((1, channels, size, size), np.float32))
        except ValueError:
            return False
        return True

    if not fits(image_size):
        smallest = next((s for s in range(image_size + 1, 4 * image_size + 64) if fits(s)), None)
        raise ValueError(
            f"--model {name} cannot take {image_size}×{image_size} images (its convolutions "
            f"and pools shrink them to nothing); add --image-size {smallest} or more"
        )
    return make_model(name, channels, num_classes, image_size, dropout)


def make_optimizer(name: str, params, lr: float, weight_decay: float | None = None):
    from . import optim

    extra = {} if weight_decay is None else {"weight_decay": weight_decay}
    return {
        "adam": optim.Adam,
        "adamw": optim.AdamW,
        "sgd": functools.partial(optim.SGD, momentum=0.9),
        "rmsprop": optim.RMSprop,
    }[name](params, lr=lr, **extra)


def augment_preset(name: str) -> str:
    if name not in PRESETS:
        raise argparse.ArgumentTypeError(
            f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}"
        )
    return name


def make_scheduler(name: str, optimizer, epochs: int, batches: int):
    from . import optim

    if name == "step":
        return optim.StepDecay(optimizer, max(1, epochs // 3), 0.1), "epoch"
    if name == "expo":
        return optim.ExpoDecay(optimizer, 0.9), "epoch"
    if name == "warmup":
        return optim.WarmUp(optimizer, batches), "batch"
    if name == "cosine":
        steps = epochs * batches
        warmup = batches if epochs > 1 else 0
        return optim.CosineDecay(optimizer, steps - warmup, warmup_steps=warmup), "batch"
    if name == "onecycle":
        if epochs * batches < 4:  # its rise and fall each need steps (see OneCycle)
            raise ValueError(
                f"--scheduler onecycle needs at least 4 steps (epochs × batches per epoch), "
                f"got {epochs} × {batches}; use more epochs or a smaller --batch-size"
            )
        return optim.OneCycle(
            optimizer, optimizer.lr, epochs=epochs, steps_per_epoch=batches
        ), "batch"
    return None, "epoch"


def cmd_train(args) -> int:
    import nyangtorch
    from nyangtorch import distributed, nn
    from nyangtorch.train import plot_confusion

    # Under mpirun every rank runs this command on its share of the data (--batch-size per
    # rank); rank 0 alone prints, writes the files and tests the best model at the end.
    rank, world = distributed.init()
    main = rank == 0
    out = Path(args.out)
    if main:
        out.mkdir(parents=True, exist_ok=True)
    nyangtorch.manual_seed(args.seed)
    started = time.perf_counter()
    train, valid, test, preprocessing = nyangtorch.nyangnyang_dataset_ready(
        args.data,
        batch_size=args.batch_size,
        seed=args.seed,
        image_size=args.image_size,
        augment=args.augment,
        num_workers=args.workers,
        shard=(rank, world),
    )
    names = preprocessing.classes
    model = fitted_model(
        args.model, preprocessing.channels, len(names), preprocessing.image_size[0], args.dropout
    )
    model.preprocessing = preprocessing  # saved with the model: `predict` applies it
    if args.sync_bn:
        nn.convert_sync_batchnorm(model)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr, args.weight_decay)
    scheduler, interval = make_scheduler(args.scheduler, optimizer, args.epochs, len(train))
    if main:
        ranks = f" on {world} ranks (global batch {args.batch_size * world})" if world > 1 else ""
        print(
            f"{args.model} ({model.num_parameters():,} parameters) on {args.data}: "
            f"{len(train.dataset)} train, "
            f"{len(valid.dataset)} valid, {len(test.dataset)} test images, {len(names)} classes"
            f"{ranks}"
        )
    history = nyangtorch.nyang_train(
        model,
        optimizer,
        nn.CE(label_smoothing=args.label_smoothing),
        train,
        valid,
        epochs=args.epochs,
        patience=args.patience,
        scheduler=scheduler,
        scheduler_interval=interval,
        out_dir=out,
        logger="wandb" if args.wandb else None,
        seed=args.seed,
        progress=not args.no_progress,
    )
    if history.stop_reason == "interrupted":  # nyang_train said what was saved
        return 130
    if not main:
        return 0
    nyangtorch.plot_history(history, out / "curves.png")
    result = nyangtorch.nyang_inference(out / "best.pickle", test, progress=not args.no_progress)
    plot_confusion(
        result.confusion,
        names,
        out / "confusion.png",
        title=f"test accuracy {result.metrics['accuracy']:.2%}",
    )
    summary = {
        "data": args.data,
        "model": args.model,
        "best_epoch": history.best_epoch,
        "epochs_run": len(history),
        "stop_reason": history.stop_reason,
        "test_accuracy": result.metrics["accuracy"],
        "test_macro_f1": result.metrics["f1"],
        "wall_seconds": time.perf_counter() - started,
    }
    (out / "metrics.json").write_text(json.dumps(summary, indent=2))
    print(
        f"test accuracy {summary['test_accuracy']:.4f}  macro-F1 {summary['test_macro_f1']:.4f}  "
        f"(best epoch {history.best_epoch}, {summary['wall_seconds'] / 60:.1f} min)"
    )
    print(
        f"wrote {out}/: best.pickle, last.pickle, history.json, history.csv, curves.png, "
        "confusion.png, metrics.json"
    )
    return 0


def cmd_evaluate(args) -> int:
    import nyangtorch

    model = nyangtorch.nyang_load_model(args.model, trusted=args.trusted)
    # The model's own record (classes, size, mean, std): the data is prepared as in training.
    _, _, test, _ = nyangtorch.nyangnyang_dataset_ready(
        args.data,
        batch_size=args.batch_size,
        seed=args.seed,
        preprocessing=getattr(model, "preprocessing", None),
    )
    result = nyangtorch.nyang_inference(model, test)
    print(
        f"{args.model} on {args.data} test ({len(result.targets)} images): "
        f"accuracy {result.metrics['accuracy']:.4f}  macro-F1 {result.metrics['f1']:.4f}"
    )
    return 0


def cmd_predict(args) -> int:
    import nyangtorch

    predictions = nyangtorch.nyang_predict(args.model, args.images, trusted=args.trusted)
    for path, top in zip(args.images, predictions.top(args.top_k)):
        print(f"{path}: " + ", ".join(f"{name} {p:.1%}" for name, p in top))
    return 0


def measure_speed(train, test, steps: int = 60) -> dict:
    """Block-timed training step, inference and peak memory of both reference models."""
    import nyangtorch
    from nyangtorch import models
    from nyangtorch.compare.speed import speed_table

    batches = [b for b, _ in zip(train, range(steps))]
    images = [x for x, _ in test]
    factories = {"cnn": models.reference_cnn, "cnn-bn": models.reference_cnn_bn}
    nyangtorch.manual_seed(0)
    return speed_table(factories, batches, images)


def cmd_compare(args) -> int:
    import nyangtorch
    from nyangtorch import models
    from nyangtorch.compare import twin_run
    from nyangtorch.compare.init_runs import init_runs
    from nyangtorch.compare.report import write_report
    from nyangtorch.data import NyangDataloader

    train, valid, test, _ = nyangtorch.nyangnyang_dataset_ready(
        "fashion-mnist", batch_size=args.batch_size, augment=False, seed=0
    )
    results = {}
    for name, make in (("cnn", models.reference_cnn), ("cnn-bn", models.reference_cnn_bn)):
        nyangtorch.manual_seed(0)
        parity_loader = NyangDataloader(train.dataset, args.batch_size, shuffle=True, seed=1)
        r = twin_run(make(), parity_loader, max_steps=args.parity_steps, dtype=np.float64).to_dict()
        print(
            f"float64 {name}: {r['config']['steps']} steps, "
            f"max loss difference {r['max_rel_loss_diff']:.2e} "
            f"relative, max weight difference {r['max_weight_diff']:.2e}"
        )
        results[f"float64-{name}" if name != "cnn" else "float64"] = r
    nyangtorch.manual_seed(0)
    r = twin_run(models.reference_cnn(), train, valid, test, epochs=args.epochs).to_dict()
    o, t = r["ours"], r["torch"]
    print(
        f"float32 cnn, {args.epochs} epochs: test accuracy {o['test_accuracy']:.4f} (nyangtorch) "
        f"vs {t['test_accuracy']:.4f} (torch)"
    )
    results["float32"] = r
    nyangtorch.manual_seed(0)
    subset = NyangDataloader(train.dataset.subset(np.arange(12_000)), 64, shuffle=True, seed=0)
    results["init"] = init_runs(subset, valid)
    for name in ("he", "torch", "pytorch"):
        run = results["init"][name]
        print(
            f"init {name}: first loss {run['first_loss']:.3f}, epoch 1 valid accuracy "
            f"{run['epochs'][0]['valid_accuracy']:.4f}"
        )
    results["speed"] = measure_speed(train, test)
    for name, m in results["speed"]["models"].items():
        (so, st), (io, it), (mo, mt) = m["step_ms"], m["inference_s"], m["memory_mb"]
        print(
            f"{name} (block-timed, ours ÷ torch): training step {so / st:.2f}, "
            f"inference {io / it:.2f}, peak memory {mo / mt:.2f}"
        )
    print(
        f"wrote {write_report(results, args.out)}/: results.json, summary.md, losses.png, "
        "loss_difference.png, speed_memory.png"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    from ._allocator import tune_allocator
    from .distributed import abort, world_size

    args = build_parser().parse_args(argv)
    tune_allocator()  # the command owns its process: reuse freed heap (see _allocator)
    command = {
        "train": cmd_train,
        "evaluate": cmd_evaluate,
        "predict": cmd_predict,
        "compare": cmd_compare,
    }[args.command]
    try:
        return command(args)
    # User errors (bad data, flags, refused or damaged files, a diverged run): one line, no
    # traceback. UnpicklingError covers a model file refused by the safe loader.
    except (ValueError, OSError, ImportError, pickle.UnpicklingError, FloatingPointError) as error:
        message = f"nyangtorch {args.command}: error: {error}"
        if world_size() > 1:  # a rank that returns would leave the others waiting for ever
            abort(message, code=2)
        print(message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
