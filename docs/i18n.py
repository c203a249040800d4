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
