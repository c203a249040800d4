"""Texts of the documentation site in English and Korean; ``t(key)`` picks the language."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"English": "en", "한국어": "ko"}

TEXT = {
    "site_title": {"en": "nyangtorch documentation", "ko": "nyangtorch 문서"},
    "language": {"en": "Language", "ko": "언어"},
    # -- home --------------------------------------------------------------------------
    "home_title": {"en": "nyangtorch (냥냥 torch)", "ko": "nyangtorch (냥냥 torch)"},
    "home_intro": {
        "en": "A deep-learning framework for image classification written from scratch in Python on "
        "NumPy — no PyTorch, TensorFlow or JAX inside. Every layer's forward and backward is a few "
        "lines of readable math, tested number for number against PyTorch, and it trains real CNNs "
        "on real data.",
        "ko": "NumPy만으로 처음부터 작성한 이미지 분류용 딥러닝 프레임워크입니다. PyTorch, TensorFlow, JAX를 "
        "전혀 쓰지 않습니다. 모든 층의 순전파와 역전파는 몇 줄의 읽기 쉬운 수식이며, PyTorch와 숫자 "
        "하나하나까지 비교해 검증했고, 실제 데이터로 실제 CNN을 학습합니다.",
    },
    "install": {"en": "Install", "ko": "설치"},
    "install_text": {
        "en": "From a clone of the repository: `bash scripts/setup.sh` (Debian data package, a virtual "
        "environment and every extra), or just `pip install -e .` for the NumPy-only core.",
        "ko": "저장소를 내려받은 뒤 `bash scripts/setup.sh`를 실행하면 데이터 패키지, 가상환경, 모든 추가 "
        "패키지가 설치됩니다. NumPy만 쓰는 핵심 부분은 `pip install -e .`로 충분합니다.",
    },
    "architecture": {
        "en": "Architecture: five parts, one direction",
        "ko": "구조: 다섯 부분, 한 방향",
    },
    "architecture_text": {
        "en": "Data flows one way through the package; a lower part never imports a higher one.",
        "ko": "데이터는 패키지를 한 방향으로 흐르며, 아래 단계는 위 단계를 import하지 않습니다.",
    },
    "quickstart": {"en": "Quick start (runs as shown)", "ko": "빠른 시작 (그대로 실행됩니다)"},
    "run_it": {"en": "Run it here", "ko": "여기서 실행하기"},
    # -- part pages --------------------------------------------------------------------
    "data_title": {"en": "1. Data management", "ko": "1. 데이터 관리"},
    "data_intro": {
        "en": "From a folder of images (or a built-in dataset) to ready train / valid / test loaders in one "
        "call — reproducible splits with no leakage, one-hot labels, nothing silently dropped.",
        "ko": "이미지 폴더(또는 내장 데이터셋)에서 학습/검증/테스트 로더까지 한 번의 호출로 만듭니다. 재현 가능한 "
        "분할, 데이터 누수 없음, 원-핫 레이블, 조용히 버려지는 샘플 없음.",
    },
    "model_title": {"en": "2. Model building", "ko": "2. 모델 구성"},
    "model_intro": {
        "en": "Layers are small classes with an explicit forward and backward. A model is a NyangFlow of "
        "layers (PyTorch's Sequential), run in the order written, or your own NyangModel subclass. The "
        "reference CNNs pool before the ReLU (Conv → MaxPool → ReLU): max and ReLU commute, so every value "
        "and gradient is that of the usual Conv → ReLU → MaxPool, and the ReLU touches a quarter of the "
        "numbers.",
        "ko": "층은 순전파와 역전파를 직접 구현한 작은 클래스입니다. 모델은 층을 쓴 순서대로 실행하는 "
        "NyangFlow(PyTorch의 Sequential)이거나 직접 만든 NyangModel 하위 클래스입니다. 참조 CNN은 ReLU보다 "
        "먼저 풀링합니다(Conv → MaxPool → ReLU). 최댓값과 ReLU는 순서를 바꿔도 결과가 같으므로 모든 값과 "
        "기울기가 흔히 쓰는 Conv → ReLU → MaxPool과 같고, ReLU가 다루는 수는 4분의 1로 줄어듭니다.",
    },
    "custom_title": {"en": "Writing your own model", "ko": "나만의 모델 작성하기"},
    "custom_intro": {
        "en": "Write a model as in PyTorch: layers in `__init__`, the computation in `forward`, and no "
        "backward. While `forward` runs with gradients enabled, every layer call is recorded on the "
        "model's tape; `model.backward(dy)` walks the tape from the last call to the first.",
        "ko": "PyTorch처럼 모델을 작성합니다. `__init__`에 층을 두고 `forward`에 계산을 쓰며, backward는 쓰지 "
        "않습니다. 기울기 계산이 켜진 상태에서 `forward`가 실행되는 동안 모든 층 호출이 모델의 테이프에 "
        "기록되고, `model.backward(dy)`는 그 테이프를 마지막 호출부터 처음 호출까지 거꾸로 따라갑니다.",
    },
    "custom_tape": {
        "en": "- **The tape.** One entry per layer call: the layer, the ids of its input arrays, its output, "
        "and what *that call* kept for backward.\n"
        "- **Backward.** From the last entry to the first, each layer runs its own `backward` on its "
        "entry's cache; an array used by several calls receives the sum of their gradients.\n"
        "- **Reuse.** The cache belongs to the call, not to the layer: one ReLU may serve many calls, "
        "and a layer with weights called twice gets the sum of both gradients, as in PyTorch.\n"
        "- **Residuals and branches.** Join arrays with `nn.functional.add` (a residual sum) and "
        "`nn.functional.cat` (channels), or use the `nn.Residual(block, shortcut)` layer, which has "
        "its own explicit backward (`models.resnet(20)` is built from it).",
        "ko": "- **테이프.** 층 호출마다 하나의 기록: 층, 입력 배열의 id, 출력, 그리고 *그 호출*이 backward를 "
        "위해 남긴 캐시.\n"
        "- **역전파.** 마지막 기록부터 처음 기록까지, 각 층이 그 기록의 캐시로 자기 `backward`를 실행합니다. "
        "여러 호출에 쓰인 배열은 그 호출들의 기울기 합을 받습니다.\n"
        "- **재사용.** 캐시는 층이 아니라 호출에 속합니다. ReLU 하나를 여러 번 호출해도 되고, 가중치가 있는 "
        "층을 두 번 호출하면 PyTorch처럼 두 기울기의 합을 받습니다.\n"
        "- **잔차와 분기.** 배열은 `nn.functional.add`(잔차 합)와 `nn.functional.cat`(채널 연결)으로 "
        "합치거나, 명시적 backward를 가진 `nn.Residual(block, shortcut)` 층을 씁니다(`models.resnet(20)`이 "
        "이것으로 만들어집니다).",
    },
    "custom_rules": {
        "en": "Only the model's input and the outputs of recorded calls may go into a layer. An array made "
        "any other way (`x * 2`, `x.reshape(...)`, a NumPy function) has no entry to carry its gradient, "
        "so the layer raises a `ValueError` that names it and the op to use instead (`Flatten`, "
        "`GlobalAvgPool`, `nn.functional.add`/`cat`). Recorded arrays are read-only while `forward` runs, "
        "so `out += identity` fails too, instead of giving a wrong gradient. A model that defines its own "
        "`backward` (NyangFlow, Residual, every layer) records nothing: a stack costs nothing extra.",
        "ko": "층에 넣을 수 있는 것은 모델의 입력과 기록된 호출의 출력뿐입니다. 다른 방법(`x * 2`, "
        "`x.reshape(...)`, NumPy 함수)으로 만든 배열은 기울기를 전달할 기록이 없으므로, 층이 자기 이름과 "
        "대신 쓸 연산(`Flatten`, `GlobalAvgPool`, `nn.functional.add`/`cat`)을 알려 주는 `ValueError`를 "
        "냅니다. 기록된 배열은 `forward`가 실행되는 동안 읽기 전용이므로 `out += identity`도 틀린 기울기를 "
        "주는 대신 오류를 냅니다. 자기 `backward`를 정의한 모델(NyangFlow, Residual, 모든 층)은 아무것도 "
        "기록하지 않으므로 층을 쌓은 모델에는 추가 비용이 없습니다.",
    },
    "custom_source": {
        "en": "The whole tape: nyangtorch/nn/tape.py",
        "ko": "테이프 전체 코드: nyangtorch/nn/tape.py",
    },
    "training_title": {"en": "3. Training", "ko": "3. 학습"},
    "training_intro": {
        "en": "Losses on logits, optimizers with PyTorch's update rules and defaults, learning-rate "
        "schedulers, and nyang_train: progress bars, validation, checkpoints, early stopping, logging.",
        "ko": "로짓에 대한 손실 함수, PyTorch와 같은 갱신 규칙과 기본값의 옵티마이저, 학습률 스케줄러, 그리고 "
        "진행 막대, 검증, 체크포인트, 조기 종료, 로깅을 갖춘 nyang_train.",
    },
    "utility_title": {"en": "4. Utility", "ko": "4. 유틸리티"},
    "utility_intro": {
        "en": "Save and load whole models as pickle files — written atomically, and read with a restricted "
        "unpickler so a hostile file cannot run code — and plain weight files (.safetensors, .npz).",
        "ko": "모델 전체를 pickle 파일로 저장하고 불러옵니다. 저장은 원자적으로 이루어지고, 불러올 때는 제한된 "
        "unpickler를 써서 악성 파일이 코드를 실행할 수 없습니다. 가중치만 담은 파일(.safetensors, .npz)도 "
        "지원합니다.",
    },
    "evaluation_title": {"en": "5. Evaluation & inference", "ko": "5. 평가와 추론"},
    "evaluation_intro": {
        "en": "Accuracy, precision, recall, F1 (macro, micro, weighted, binary) and the confusion matrix — "
        "equal to scikit-learn's — and an inference function with a progress bar.",
        "ko": "정확도, 정밀도, 재현율, F1(macro, micro, weighted, binary)과 혼동 행렬은 scikit-learn과 같은 "
        "값을 냅니다. 진행 막대가 있는 추론 함수도 있습니다.",
    },
    "reference": {"en": "Reference", "ko": "레퍼런스"},
    "nav_home": {"en": "Home", "ko": "홈"},
    "nav_data": {"en": "Data management", "ko": "데이터 관리"},
    "nav_model": {"en": "Model building", "ko": "모델 구성"},
    "nav_training": {"en": "Training", "ko": "학습"},
    "nav_utility": {"en": "Utility", "ko": "유틸리티"},
    "nav_evaluation": {"en": "Evaluation & inference", "ko": "평가와 추론"},
    "nav_guide": {"en": "Guide", "ko": "안내"},
    "nav_tools": {"en": "Tools", "ko": "도구"},
    "formula": {"en": "Formula", "ko": "수식"},
    "example": {"en": "Example", "ko": "예제"},
    "live_demo": {"en": "Live demo", "ko": "라이브 데모"},
}


def lang() -> str:
    return st.session_state.get("lang", "en")


def t(key: str) -> str:
    entry = TEXT[key]
    return entry.get(lang(), entry["en"])
