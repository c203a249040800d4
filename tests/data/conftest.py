import pytest
from image_helpers import make_folder


@pytest.fixture
def folder(tmp_path):
    return make_folder(tmp_path / "imgs", {"cat": 20, "dog": 10, "fox": 7})
