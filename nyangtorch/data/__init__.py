"""Data management: datasets, split, dataloader, transforms, the one-call pipeline, image grid."""

from .builtin import FASHION_CLASSES, Digits, FashionMNIST, read_idx
from .dataset import ArrayDataset, NyangDataset, NyangNyangDataset, one_hot
from .export import export_image_folder
from .grid import nyang_images_grid
from .images import ImageError, load_image
from .loader import NyangDataloader
from .pipeline import nyangnyang_dataset_ready
from .split import nyang_split
from .transforms import NyangTransform, nyang_transforms

__all__ = [
    "FASHION_CLASSES",
    "ArrayDataset",
    "Digits",
    "FashionMNIST",
    "ImageError",
    "NyangDataloader",
    "NyangDataset",
    "NyangNyangDataset",
    "NyangTransform",
    "export_image_folder",
    "load_image",
    "nyang_images_grid",
    "nyang_split",
    "nyang_transforms",
    "nyangnyang_dataset_ready",
    "one_hot",
    "read_idx",
]
