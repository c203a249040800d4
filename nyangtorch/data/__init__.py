"""Data management: datasets, split, dataloader, transforms, the one-call pipeline, image grid."""

from .builtin import FASHION_CLASSES, Digits, FashionMNIST, read_idx
from .dataset import ArrayDataset, NyangDataset, NyangNyangDataset, one_hot
from .export import export_image_folder
from .grid import nyang_images_grid
from .images import ImageError, load_image
from .loader import NyangDataloader
from .pipeline import nyangnyang_dataset_ready
from .preprocessing import Preprocessing
from .split import nyang_split
from .transforms import NyangTransform, nyang_transforms

# PyTorch's names for the same things.
Dataset, DataLoader, ImageFolder = NyangDataset, NyangDataloader, NyangNyangDataset

__all__ = [
    "FASHION_CLASSES",
    "ArrayDataset",
    "DataLoader",
    "Dataset",
    "Digits",
    "FashionMNIST",
    "ImageError",
    "ImageFolder",
    "NyangDataloader",
    "NyangDataset",
    "NyangNyangDataset",
    "NyangTransform",
    "Preprocessing",
    "export_image_folder",
    "load_image",
    "nyang_images_grid",
    "nyang_split",
    "nyang_transforms",
    "nyangnyang_dataset_ready",
    "one_hot",
    "read_idx",
]
