"""Texts of the documentation site in English and Korean; ``t(key)`` picks the language.

Every visible word of the site comes from here (tests/docs/test_i18n.py checks that each key
has both languages and that the pages write no English literal of their own). The sections
below follow the site: common words, the guide pages, the lessons, the tools."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"English": "en", "한국어": "ko"}

GUIDE = {
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
    "reference_more": {
        "en": "Every docstring in full: the API reference",
        "ko": "모든 docstring 전체 보기: API 레퍼런스",
    },
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

COMMON = {
    "nav_lessons": {"en": "Lessons: layer by layer", "ko": "레슨: 층 하나씩"},
    "nav_api": {"en": "API reference", "ko": "API 레퍼런스"},
    "nav_playground": {"en": "Playground", "ko": "플레이그라운드"},
    "nav_compare": {"en": "nyangtorch vs PyTorch", "ko": "nyangtorch와 PyTorch 비교"},
    "edit_code": {"en": "Code (edit it, then run)", "ko": "코드 (고친 뒤 실행해 보세요)"},
    "running": {"en": "Running…", "ko": "실행 중…"},
    "reset_code": {"en": "Reset", "ko": "원래대로"},
    "readonly_note": {
        "en": "This copy of the site runs no code typed into it: solve it on your own machine (`streamlit run docs/app.py`).",
        "ko": "이 사이트 사본은 입력한 코드를 실행하지 않습니다. 내 컴퓨터에서 풀어 보세요(`streamlit run docs/app.py`).",
    },
    "example_failed": {
        "en": "The code raised an error (traceback below).",
        "ko": "코드에서 오류가 났습니다 (아래 traceback 참고).",
    },
    "no_output": {"en": "(no output)", "ko": "(출력 없음)"},
    "exercise": {"en": "Exercise", "ko": "연습 문제"},
    "your_answer": {"en": "Your answer", "ko": "내 답"},
    "check_answer": {"en": "Check", "ko": "확인"},
    "correct": {"en": "Correct!", "ko": "정답입니다!"},
    "not_yet": {"en": "Not yet — try again.", "ko": "아직 아닙니다. 다시 해 보세요."},
    "line": {"en": "line", "ko": "줄"},
    "gradcheck_title": {"en": "Check the gradient yourself", "ko": "기울기를 직접 검사하기"},
    "gradcheck_text": {
        "en": "`nyangtorch.testing.gradcheck` nudges every input and weight by ±ε, measures how the output changes (central differences, in float64) and compares that with what `backward` returned. The table shows the first element of each gradient and the largest difference anywhere.",
        "ko": "`nyangtorch.testing.gradcheck`는 모든 입력과 가중치를 ±ε만큼 움직여 출력이 얼마나 변하는지(float64 중앙 차분) 재고, 이를 `backward`가 돌려준 값과 비교합니다. 표에는 각 기울기의 첫 원소와 전체에서 가장 큰 차이가 나옵니다.",
    },
    "gradcheck_break": {
        "en": "Plant a bug: make backward return 1% too much",
        "ko": "버그 심기: backward가 1% 더 큰 값을 돌려주게 하기",
    },
    "gradcheck_run": {"en": "Run the gradient check", "ko": "기울기 검사 실행"},
    "gradcheck_passed": {
        "en": "The analytic and numerical gradients agree: backward is right.",
        "ko": "해석적 기울기와 수치 기울기가 일치합니다. backward가 맞습니다.",
    },
    "gradcheck_failed": {"en": "gradcheck caught it:", "ko": "gradcheck가 잡아냈습니다:"},
    "grad_of": {"en": "gradient of", "ko": "기울기 대상"},
    "shape": {"en": "shape", "ko": "모양"},
    "grad_analytic": {"en": "backward (first element)", "ko": "backward (첫 원소)"},
    "grad_numeric": {"en": "central difference (first element)", "ko": "중앙 차분 (첫 원소)"},
    "grad_worst": {"en": "largest difference", "ko": "가장 큰 차이"},
    "kind_class": {"en": "class", "ko": "클래스"},
    "kind_function": {"en": "function", "ko": "함수"},
    "kind_constant": {"en": "constant", "ko": "상수"},
    "no_doc": {"en": "(no docstring)", "ko": "(docstring 없음)"},
    "aliases": {"en": "Other names for the same objects", "ko": "같은 객체의 다른 이름"},
    "lesson": {"en": "Lesson", "ko": "레슨"},
    "next_lesson": {"en": "Next lesson", "ko": "다음 레슨"},
    "next_playground": {
        "en": "Now train a whole network: the Playground",
        "ko": "이제 네트워크 전체를 학습해 보세요: 플레이그라운드",
    },
    "lesson_formulas": {"en": "Forward and backward", "ko": "순전파와 역전파"},
    "lesson_picture": {"en": "See it", "ko": "그림으로 보기"},
    "lesson_code": {"en": "The code that runs", "ko": "실제로 실행되는 코드"},
    "lesson_code_text": {
        "en": "Read from nyangtorch's source as this page runs (`inspect.getsource`), so it is always the code you are using. `keep(...)` stores what backward needs (nothing inside `no_grad`); `self._saved()` gets it back.",
        "ko": "이 페이지가 실행될 때 nyangtorch 소스에서 직접 읽어 옵니다(`inspect.getsource`). 그래서 언제나 지금 쓰는 코드 그대로입니다. `keep(...)`은 backward에 필요한 것을 저장하고(`no_grad` 안에서는 아무것도 저장하지 않음), `self._saved()`가 그것을 다시 꺼냅니다.",
    },
    "lesson_try": {"en": "Try it", "ko": "직접 해 보기"},
    "source_fashion": {"en": "Fashion-MNIST test set", "ko": "Fashion-MNIST 테스트 세트"},
    "source_digits": {
        "en": "scikit-learn digits (Fashion-MNIST is not installed)",
        "ko": "scikit-learn digits (Fashion-MNIST가 설치되지 않음)",
    },
    "fashion_T-shirt/top": {"en": "T-shirt/top", "ko": "티셔츠/탑"},
    "fashion_Trouser": {"en": "Trouser", "ko": "바지"},
    "fashion_Pullover": {"en": "Pullover", "ko": "풀오버"},
    "fashion_Dress": {"en": "Dress", "ko": "드레스"},
    "fashion_Coat": {"en": "Coat", "ko": "코트"},
    "fashion_Sandal": {"en": "Sandal", "ko": "샌들"},
    "fashion_Shirt": {"en": "Shirt", "ko": "셔츠"},
    "fashion_Sneaker": {"en": "Sneaker", "ko": "운동화"},
    "fashion_Bag": {"en": "Bag", "ko": "가방"},
    "fashion_Ankle boot": {"en": "Ankle boot", "ko": "앵클부츠"},
}

LESSONS = {
    "lesson_linear": {"en": "Linear", "ko": "Linear (완전 연결층)"},
    "lesson_activations": {"en": "Activations", "ko": "활성화 함수"},
    "lesson_softmax": {"en": "Softmax and cross-entropy", "ko": "Softmax와 교차 엔트로피"},
    "lesson_conv": {"en": "Convolution", "ko": "합성곱"},
    "lesson_pooling": {"en": "Pooling", "ko": "풀링"},
    "lesson_batchnorm": {"en": "BatchNorm", "ko": "배치 정규화"},
    "lesson_dropout": {"en": "Dropout", "ko": "드롭아웃"},
    "lesson_optimizers": {"en": "Optimizers", "ko": "옵티마이저"},
    "lesson_schedulers": {"en": "Learning-rate schedulers", "ko": "학습률 스케줄러"},
    # -- pictures' words
    "pic_image": {"en": "input (padded)", "ko": "입력 (패딩 포함)"},
    "pic_cols": {"en": "im2col: one row per window", "ko": "im2col: 창 하나가 한 행"},
    "pic_offset": {"en": "kernel offset (u, v)", "ko": "커널 위치 (u, v)"},
    "pic_row": {"en": "row = output position", "ko": "행 = 출력 위치"},
    "pic_out": {"en": "output positions", "ko": "출력 위치"},
    "pic_map": {"en": "feature map", "ko": "특징 맵"},
    "pic_logits": {"en": "logits z", "ko": "로짓 z"},
    "pic_probs": {"en": "softmax p", "ko": "softmax 확률 p"},
    "pic_grad": {"en": "gradient to the input", "ko": "입력으로 가는 기울기"},
    "pic_class": {"en": "class", "ko": "클래스"},
    "pic_input": {"en": "input", "ko": "입력"},
    "pic_output": {"en": "max of each 2×2 window", "ko": "각 2×2 창의 최댓값"},
    "pic_before": {"en": "before BatchNorm", "ko": "BatchNorm 전"},
    "pic_after": {"en": "after BatchNorm (training mode)", "ko": "BatchNorm 후 (학습 모드)"},
    "pic_channel": {"en": "channel", "ko": "채널"},
    "pic_value": {"en": "value", "ko": "값"},
    "pic_count": {"en": "count", "ko": "개수"},
    "pic_mask": {"en": "mask m (white = kept)", "ko": "마스크 m (흰색 = 유지)"},
    "pic_train": {"en": "training: m ⊙ x / (1 − p)", "ko": "학습: m ⊙ x / (1 − p)"},
    "pic_eval": {"en": "eval: x unchanged", "ko": "평가: x 그대로"},
    "pic_start": {"en": "start", "ko": "시작점"},
    # -- 1. Linear
    "linear_intro": {
        "en": "The first layer to learn, and the last layer of almost every classifier: every output is a weighted sum of every input. Its backward shows the one idea all of backpropagation rests on — the chain rule, written as matrix products.",
        "ko": "가장 먼저 배울 층이자 거의 모든 분류기의 마지막 층입니다. 모든 출력이 모든 입력의 가중합입니다. 이 층의 backward에는 역전파 전체가 기대는 단 하나의 생각, 행렬 곱으로 쓴 연쇄 법칙이 담겨 있습니다.",
    },
    "linear_forward": {
        "en": "One row of x per sample. Output j of sample n is $y_{nj} = \\sum_i x_{ni} W_{ji} + b_j$: W has one row per output.",
        "ko": "샘플마다 x의 한 행입니다. 샘플 n의 출력 j는 $y_{nj} = \\sum_i x_{ni} W_{ji} + b_j$ 이고, W는 출력마다 한 행을 가집니다.",
    },
    "linear_backward": {
        "en": "δ is what the next layer sends back. $W_{ji}$ touches $y_{nj}$ of every sample with factor $x_{ni}$, so its gradient sums $\\delta_{nj} x_{ni}$ over the batch: $\\delta^\\top x$. The bias touches every sample with factor 1: the column sums of δ. And $x_{ni}$ reaches every output j through $W_{ji}$: $\\delta W$.",
        "ko": "δ는 다음 층이 돌려보내는 기울기입니다. $W_{ji}$는 모든 샘플의 $y_{nj}$에 $x_{ni}$만큼 영향을 주므로 그 기울기는 배치 전체의 $\\delta_{nj} x_{ni}$ 합, 즉 $\\delta^\\top x$입니다. 편향은 모든 샘플에 1만큼 영향을 주므로 δ의 열 합이고, $x_{ni}$는 $W_{ji}$를 거쳐 모든 출력 j에 닿으므로 $\\delta W$입니다.",
    },
    "linear_batch": {"en": "batch N", "ko": "배치 N"},
    "linear_in": {"en": "inputs D_in", "ko": "입력 D_in"},
    "linear_out": {"en": "outputs D_out", "ko": "출력 D_out"},
    "linear_caption": {
        "en": "The outlined row of x times the outlined column of Wᵀ gives the outlined number of y.",
        "ko": "x의 표시된 행과 Wᵀ의 표시된 열을 곱하면 y의 표시된 값이 됩니다.",
    },
    "linear_ex1": {
        "en": "A `Linear(5, 3)` gets a batch of 8 samples. What is the shape of `layer.weight.grad`? (e.g. `(2, 4)`)",
        "ko": "`Linear(5, 3)`에 샘플 8개짜리 배치가 들어옵니다. `layer.weight.grad`의 모양은? (예: `(2, 4)`)",
    },
    "linear_ex1_hint": {
        "en": "A gradient always has the shape of what it is the gradient of: W is (D_out, D_in), whatever the batch.",
        "ko": "기울기는 언제나 그 대상과 같은 모양입니다. W는 배치와 상관없이 (D_out, D_in)입니다.",
    },
    # -- 2. Activations
    "activations_intro": {
        "en": "Without a non-linear function between them, two Linear layers are one Linear layer. Activations act on each number on its own, so their backward is just a multiplication by the slope at that number.",
        "ko": "사이에 비선형 함수가 없으면 Linear 두 개는 Linear 하나와 같습니다. 활성화 함수는 숫자 하나하나에 따로 작용하므로, backward는 그 숫자에서의 기울기를 곱하는 것뿐입니다.",
    },
    "act_choose": {"en": "Activation", "ko": "활성화 함수"},
    "act_forward": {"en": "Forward, element by element.", "ko": "순전파, 원소별로."},
    "act_backward": {
        "en": "Backward: the incoming gradient times the slope, element by element (⊙). The layer keeps only what the slope needs: a mask, or its own output y.",
        "ko": "역전파: 들어온 기울기에 기울기(도함수)를 원소별로(⊙) 곱합니다. 층은 도함수에 필요한 것만 저장합니다: 마스크, 또는 자기 출력 y.",
    },
    "act_f": {"en": "f(x): forward", "ko": "f(x): 순전파"},
    "act_df": {"en": "f′(x): backward with δ = 1", "ko": "f′(x): δ = 1일 때 backward"},
    "act_value": {"en": "value", "ko": "값"},
    "act_caption": {
        "en": "Both curves come from the layer itself: forward on 401 points, then backward with a gradient of ones, which returns the slope.",
        "ko": "두 곡선 모두 층 자체에서 나옵니다. 401개 점에서 순전파한 뒤, 1로 채운 기울기로 backward를 하면 도함수가 나옵니다.",
    },
    "act_ex1": {
        "en": "Complete the backward of Softplus, $y = \\log(1 + e^x)$; the page checks it with `gradcheck`.",
        "ko": "Softplus $y = \\log(1 + e^x)$의 backward를 완성하세요. 페이지가 `gradcheck`로 확인합니다.",
    },
    "act_ex1_hint": {
        "en": "dy/dx = eˣ / (1 + eˣ) = 1 / (1 + e⁻ˣ): the sigmoid of x.",
        "ko": "dy/dx = eˣ / (1 + eˣ) = 1 / (1 + e⁻ˣ), 즉 x의 시그모이드입니다.",
    },
    # -- 3. Softmax and CE
    "softmax_intro": {
        "en": "A classifier's last Linear layer gives one score per class, the logits. Softmax turns them into probabilities; cross-entropy measures how little probability the true class got. Together their gradient is the simplest in the whole network.",
        "ko": "분류기의 마지막 Linear 층은 클래스마다 점수 하나, 즉 로짓을 냅니다. Softmax는 이를 확률로 바꾸고, 교차 엔트로피는 정답 클래스가 받은 확률이 얼마나 작은지를 잽니다. 둘을 합친 기울기는 네트워크 전체에서 가장 단순합니다.",
    },
    "sm_forward": {
        "en": "Subtracting the largest logit m changes nothing (it cancels) but keeps $e^{z}$ from overflowing: this is the log-sum-exp trick.",
        "ko": "가장 큰 로짓 m을 빼도 결과는 같지만(약분됨) $e^{z}$가 넘치지 않습니다. 이것이 log-sum-exp 기법입니다.",
    },
    "sm_loss": {
        "en": "t is the one-hot target: only the true class's log-probability counts. nyangtorch's `CE` takes logits and applies softmax itself.",
        "ko": "t는 원-핫 정답이므로 정답 클래스의 로그 확률만 셉니다. nyangtorch의 `CE`는 로짓을 받아 softmax를 직접 적용합니다.",
    },
    "sm_backward": {
        "en": "The softmax's Jacobian and the log's 1/p cancel: the gradient is simply predicted minus true, divided by the batch size.",
        "ko": "softmax의 야코비안과 로그의 1/p가 서로 지워져서, 기울기는 그저 (예측 − 정답)을 배치 크기로 나눈 것입니다.",
    },
    "sm_target": {"en": "true class", "ko": "정답 클래스"},
    "sm_caption": {
        "en": "Loss {loss}: the true class gets probability {p}. Its gradient is p − 1 < 0 (raise this logit); every other class's is its p > 0 (lower it).",
        "ko": "손실 {loss}: 정답 클래스의 확률은 {p}입니다. 그 기울기는 p − 1 < 0 (이 로짓을 올리라는 뜻)이고, 다른 클래스의 기울기는 각자의 p > 0 (낮추라는 뜻)입니다.",
    },
    "sm_ex1": {
        "en": "Logits [2, 1, 0], true class 0, batch of one. What is ∂L/∂z₀? (3 decimals)",
        "ko": "로짓 [2, 1, 0], 정답 클래스 0, 배치 크기 1. ∂L/∂z₀는? (소수 셋째 자리까지)",
    },
    "sm_ex1_hint": {
        "en": "p₀ = e² / (e² + e + 1) ≈ 0.665, and the gradient is p₀ − 1.",
        "ko": "p₀ = e² / (e² + e + 1) ≈ 0.665이고, 기울기는 p₀ − 1입니다.",
    },
    "sm_ex2": {
        "en": "An untrained network gives all 10 classes the same logit. What is its cross-entropy loss? (It is the first loss you should see when training starts.)",
        "ko": "학습 전 네트워크가 10개 클래스에 모두 같은 로짓을 줍니다. 교차 엔트로피 손실은? (학습을 시작할 때 처음 보게 될 손실입니다.)",
    },
    "sm_ex2_hint": {
        "en": "Every class gets p = 1/10; the loss is −log(1/10).",
        "ko": "모든 클래스가 p = 1/10을 받으므로 손실은 −log(1/10)입니다.",
    },
    # -- 4. Conv
    "conv_intro": {
        "en": "A convolution slides one small filter over the image: the same few weights look for the same pattern everywhere. nyangtorch computes it the way fast libraries do — copy every window into a row (im2col), then one matrix product, exactly the Linear layer of lesson 1.",
        "ko": "합성곱은 작은 필터 하나를 이미지 위로 밀며 움직입니다. 같은 몇 개의 가중치가 어디서나 같은 패턴을 찾습니다. nyangtorch는 빠른 라이브러리들처럼 계산합니다. 모든 창을 한 행으로 복사하고(im2col), 행렬 곱 한 번, 즉 레슨 1의 Linear 층과 똑같이 계산합니다.",
    },
    "conv_forward": {
        "en": "$x^p$ is the input with p zeros of padding around it; s is the stride. PyTorch's Conv2d computes the same cross-correlation (the kernel is not flipped).",
        "ko": "$x^p$는 둘레에 0을 p칸 덧댄 입력이고 s는 보폭(stride)입니다. PyTorch의 Conv2d와 같은 교차 상관입니다(커널을 뒤집지 않음).",
    },
    "conv_im2col": {
        "en": "One row of X per output position, one column per (kernel offset, channel); $W_m$ is the weight flattened the same way. The convolution is now a Linear layer over windows.",
        "ko": "출력 위치마다 X의 한 행, (커널 위치, 채널)마다 한 열입니다. $W_m$은 같은 순서로 펼친 가중치입니다. 이제 합성곱은 창들에 대한 Linear 층입니다.",
    },
    "conv_backward": {
        "en": "The Linear layer's backward, on rows of windows. col2im is im2col's adjoint: it adds each row's gradient back onto the pixels its window covered — a pixel in several windows gets the sum.",
        "ko": "창의 행들에 대한 Linear 층의 backward입니다. col2im은 im2col의 수반(adjoint) 연산으로, 각 행의 기울기를 그 창이 덮었던 픽셀로 더해 돌려놓습니다. 여러 창에 속한 픽셀은 그 합을 받습니다.",
    },
    "conv_winograd": {
        "en": '**Winograd\'s F(2×2, 3×3)** (Lavin & Gray, 2016), for 3×3 kernels at stride 1: each 4×4 input tile d and each filter g are transformed by small matrices of 0, ±1 and ±½, multiplied entry by entry, and transformed back into a 2×2 block of outputs; tiles step by 2. Summed over the channels, the entry-wise product becomes 16 matrix products, one per tile entry. The result is the convolution\'s up to rounding, with 16 multiplications per block where the windows take 36. The transforms cost passes over memory, so it pays from about 32 channels on: `Conv(algorithm="auto")` uses it there, and `"im2col"`, `"winograd"` or `"winograd4"` choose. Where 2×2 blocks fit the output badly (11×11 outputs take 36 of them), "auto" runs **F(4×4, 3×3)** instead: 6×6 tiles and 36 multiplications per 4×4 block, so the 11×11 outputs take 9 blocks and 0.56× the multiplications, for larger transforms and more rounding. Each F(4×4) output also sums the rest of its 6×6 tile, which cancels only up to rounding, so a blank window gives ±1e-17 instead of exactly the bias; each F(2×2) output sums only its own window\'s pixels. That is why "auto" keeps F(2×2) in training where F(4×4) saves less: ReLU after a blank window passes a gradient for +1e-17 and none for an exact 0. Without gradients (inference) the rounding is all, and there it takes F(4×4) more often. The same holds in backward, where no gradient decides anything: after an F(2×2) forward, backward runs F(4×4) wherever inference would, its tiles made again from the input the forward kept. The tests check both against im2col and PyTorch.',
        "ko": '**Winograd의 F(2×2, 3×3)**(Lavin & Gray, 2016)는 보폭 1의 3×3 커널에 씁니다: 4×4 입력 타일 d와 필터 g를 0, ±1, ±½로 된 작은 행렬로 변환하고, 원소끼리 곱한 뒤, 다시 변환해 2×2 출력 블록을 얻습니다. 타일은 2칸씩 움직입니다. 채널에 대해 더하면 원소별 곱은 타일 원소마다 하나씩, 16개의 행렬 곱이 됩니다. 결과는 반올림 오차 안에서 합성곱과 같고, 창 방식이 36번 곱하는 블록을 16번의 곱셈으로 계산합니다. 변환은 메모리를 한 번씩 더 훑으므로 채널이 32개쯤부터 이득입니다: `Conv(algorithm="auto")`는 그때 이 방법을 쓰고, `"im2col"`, `"winograd"`, `"winograd4"`로 직접 고를 수 있습니다. 2×2 블록이 출력에 잘 맞지 않는 곳(11×11 출력에는 블록 36개가 필요합니다)에서는 "auto"가 대신 **F(4×4, 3×3)**을 씁니다: 6×6 타일에 4×4 블록마다 36번의 곱셈이라, 11×11 출력은 블록 9개와 0.56배의 곱셈으로 끝납니다. 대신 변환이 더 크고 반올림 오차도 큽니다. F(4×4)의 출력은 6×6 타일의 나머지 픽셀까지 더하는데 이 항들은 반올림 오차 안에서만 지워지므로, 빈 창이 정확히 편향 대신 ±1e-17을 냅니다. F(2×2)의 출력은 각자의 창에 있는 픽셀만 더합니다. 그래서 학습에서는 F(4×4)이 덜 아끼는 곳에서 "auto"가 F(2×2)을 유지합니다: 빈 창 뒤의 ReLU는 +1e-17에는 기울기를 흘려보내고 정확한 0에는 보내지 않습니다. 기울기가 없는 추론에서는 반올림 오차가 전부이므로 F(4×4)을 더 자주 씁니다. 역전파도 마찬가지입니다: 기울기는 아무것도 결정하지 않으므로, F(2×2)로 순전파한 뒤에도 추론이 F(4×4)을 쓸 곳에서는 역전파가 F(4×4)을 씁니다(타일은 순전파가 보관한 입력에서 다시 만듭니다). 테스트는 둘 다 im2col 및 PyTorch와 비교합니다.',
    },
    "conv_im2col_title": {"en": "See im2col", "ko": "im2col 보기"},
    "conv_size": {"en": "image size", "ko": "이미지 크기"},
    "conv_kernel": {"en": "kernel k", "ko": "커널 k"},
    "conv_stride": {"en": "stride s", "ko": "보폭 s"},
    "conv_padding": {"en": "padding p", "ko": "패딩 p"},
    "conv_row": {"en": "window (row of im2col)", "ko": "창 (im2col의 행)"},
    "conv_too_small": {
        "en": "The kernel is larger than the padded image: no window fits.",
        "ko": "커널이 패딩한 이미지보다 큽니다. 들어갈 창이 없습니다.",
    },
    "conv_im2col_caption": {
        "en": "{rows} windows → {rows} rows of {cols} numbers; the output is {out} × {out}. The outlined window is the outlined row, and becomes the outlined output position. Grey cells are padding.",
        "ko": "창 {rows}개 → {cols}개 숫자로 된 행 {rows}개, 출력은 {out} × {out}입니다. 표시된 창이 표시된 행이 되고, 표시된 출력 위치가 됩니다. 회색 칸은 패딩입니다.",
    },
    "conv_real_title": {"en": "Filters on a real image", "ko": "실제 이미지에 필터 적용하기"},
    "conv_image": {"en": "image", "ko": "이미지"},
    "conv_filter_0": {"en": "vertical edge", "ko": "세로 경계"},
    "conv_filter_1": {"en": "horizontal edge", "ko": "가로 경계"},
    "conv_filter_2": {"en": "blur", "ko": "흐리게"},
    "conv_filter_3": {"en": "sharpen", "ko": "선명하게"},
    "conv_maps_explain": {"en": "red: positive\nblue: negative", "ko": "빨강: 양수\n파랑: 음수"},
    "conv_real_caption": {
        "en": "A {name} from the {source}, through an `nn.Conv(1, 4, 3, padding=1)` whose four filters were set by hand. A trained network learns filters like these by itself (see the Playground).",
        "ko": "{source}의 {name} 이미지를, 필터 네 개를 직접 정해 둔 `nn.Conv(1, 4, 3, padding=1)`에 통과시켰습니다. 학습된 네트워크는 이런 필터를 스스로 배웁니다(플레이그라운드 참고).",
    },
    "conv_ex1": {
        "en": "A 28×28 image, kernel 3, stride 2, padding 1: how many pixels wide is the output?",
        "ko": "28×28 이미지, 커널 3, 보폭 2, 패딩 1: 출력의 너비는 몇 픽셀입니까?",
    },
    "conv_ex1_hint": {"en": "⌊(28 + 2·1 − 3) / 2⌋ + 1.", "ko": "⌊(28 + 2·1 − 3) / 2⌋ + 1."},
    "conv_ex2": {
        "en": "A batch of 2 one-channel 5×5 images, kernel 3, stride 1, no padding: what is the shape of the im2col matrix? (rows, columns)",
        "ko": "채널 하나인 5×5 이미지 2장, 커널 3, 보폭 1, 패딩 없음: im2col 행렬의 모양은? (행, 열)",
    },
    "conv_ex2_hint": {
        "en": "Each image has 3 × 3 output positions, so 2 · 9 rows; each row holds 3 · 3 · 1 numbers.",
        "ko": "이미지마다 출력 위치가 3 × 3이므로 행은 2 · 9개, 각 행에는 3 · 3 · 1개의 숫자가 있습니다.",
    },
    # -- 5. Pooling
    "pooling_intro": {
        "en": "Pooling shrinks a feature map by summarising each small window: its maximum (MaxPool) or its mean (AvgPool). It has no weights; its backward decides which inputs the gradient goes back to.",
        "ko": "풀링은 작은 창마다 요약해서 특징 맵을 줄입니다: 최댓값(MaxPool) 또는 평균(AvgPool). 가중치가 없고, backward는 기울기를 어느 입력으로 돌려보낼지를 정합니다.",
    },
    "pool_max": {
        "en": "Only the maximum $(u^*, v^*)$ of each window affected the output, so only it gets the gradient; the others get 0. On a tie nyangtorch, like PyTorch, picks the first maximum in row-major order, so nothing is counted twice.",
        "ko": "각 창에서 출력에 영향을 준 것은 최댓값 $(u^*, v^*)$뿐이므로 그것만 기울기를 받고 나머지는 0을 받습니다. 값이 같으면 nyangtorch는 PyTorch처럼 행 우선 순서로 첫 번째 최댓값을 골라 두 번 세지 않습니다.",
    },
    "pool_avg": {
        "en": "Every input of a window counts $1/(k_h k_w)$ towards the output, so each gets that share of the gradient.",
        "ko": "창의 모든 입력이 출력에 $1/(k_h k_w)$씩 기여하므로, 각각 기울기의 그만큼을 받습니다.",
    },
    "pool_seed": {"en": "random input", "ko": "무작위 입력"},
    "pool_side": {"en": "input size", "ko": "입력 크기"},
    "pool_relu": {"en": "after a ReLU (ties at 0)", "ko": "ReLU 뒤 (0에서 동점)"},
    "pool_caption": {
        "en": "Backward with δ = 1 for every output: each 2×2 window sends its 1 to exactly one cell, outlined in red on the input. In a window of zeros (after a ReLU) that is the top-left one.",
        "ko": "모든 출력에 δ = 1로 backward: 각 2×2 창은 1을 정확히 한 칸으로 보내며, 입력에 빨간 테두리로 표시됩니다. 0만 있는 창(ReLU 뒤)에서는 왼쪽 위 칸입니다.",
    },
    "pool_in_the_model": {
        "en": "**In the reference CNN.** Two options save work without changing the result. `MaxPool(2, relu=True)` applies the ReLU to the pooled values in the same pass: max and ReLU commute, so Conv–MaxPool–ReLU computes what Conv–ReLU–MaxPool does, and the ReLU touches a quarter of the numbers. `Conv(32, 64, 3, next_pool=2)` tells the convolution that a 2×2 pool comes next: in floor mode that pool reads only 10 of the 11 rows and columns the convolution would give, so the convolution computes 10×10 outputs and skips a sixth of its work (the weight gradient then adds its terms without the zeros, which can change its last bits). Both are options you name; no layer guesses what comes after it, and a NyangFlow refuses `next_pool` unless that pool comes right after.",
        "ko": "**참조 CNN에서.** 두 옵션은 결과를 바꾸지 않고 일을 줄입니다. `MaxPool(2, relu=True)`는 풀링한 값에 같은 패스에서 ReLU를 적용합니다: max와 ReLU는 순서를 바꿔도 같으므로 Conv–MaxPool–ReLU는 Conv–ReLU–MaxPool과 같은 값을 내고, ReLU는 숫자의 4분의 1만 다룹니다. `Conv(32, 64, 3, next_pool=2)`는 다음에 2×2 풀링이 온다고 합성곱에 알려 줍니다: 내림(floor) 모드에서 그 풀링은 합성곱이 내놓을 11개의 행과 열 중 10개만 읽으므로, 합성곱은 10×10 출력만 계산하고 일의 6분의 1을 건너뜁니다(가중치 기울기는 0을 빼고 더하므로 마지막 자릿수가 달라질 수 있습니다). 둘 다 직접 이름을 붙여 켜는 옵션이며, 어떤 층도 뒤에 무엇이 올지 추측하지 않고, NyangFlow는 그 풀링이 바로 뒤에 오지 않으면 `next_pool`을 거부합니다.",
    },
    "pool_check_which": {"en": "layer to check", "ko": "검사할 층"},
    "pool_ex1": {
        "en": "MaxPool(2) gets the window [[0, 0], [0, 0]]. Which cell (row, column) receives the gradient?",
        "ko": "MaxPool(2)에 창 [[0, 0], [0, 0]]이 들어옵니다. 기울기를 받는 칸은 (행, 열)?",
    },
    "pool_ex1_hint": {
        "en": "The first maximum in row-major order.",
        "ko": "행 우선 순서로 첫 번째 최댓값입니다.",
    },
    "pool_ex2": {
        "en": "AvgPool(2), and the output's gradient is 1. What gradient does each of the window's four inputs get?",
        "ko": "AvgPool(2)에서 출력의 기울기가 1입니다. 창의 네 입력은 각각 얼마의 기울기를 받습니까?",
    },
    "pool_ex2_hint": {
        "en": "Each input counts 1/4 towards the mean.",
        "ko": "각 입력은 평균에 1/4씩 기여합니다.",
    },
    # -- 6. BatchNorm
    "batchnorm_intro": {
        "en": "BatchNorm rescales each channel to mean 0 and variance 1 over the batch, then lets the network choose its own scale γ and shift β. Deep networks train faster and tolerate larger learning rates with it.",
        "ko": "배치 정규화는 채널마다 배치 전체에서 평균 0, 분산 1이 되도록 값을 바꾼 뒤, 네트워크가 자기 배율 γ와 이동 β를 정하게 합니다. 깊은 네트워크가 더 빨리 학습하고 더 큰 학습률도 견딥니다.",
    },
    "bn_forward": {
        "en": "Per channel, over the M values of the batch (M = N, or N·H·W after a convolution).",
        "ko": "채널마다, 배치의 값 M개에 대해 계산합니다 (M = N, 합성곱 뒤라면 N·H·W).",
    },
    "bn_backward": {
        "en": "Every $x_m$ moved μ and σ too, so its gradient is not just $\\gamma\\delta/\\sigma$: the two sums subtract the part that flows through the batch statistics.",
        "ko": "모든 $x_m$은 μ와 σ도 움직였으므로 기울기가 단순히 $\\gamma\\delta/\\sigma$가 아닙니다. 두 합은 배치 통계량을 거쳐 흐르는 부분을 빼 줍니다.",
    },
    "bn_running": {
        "en": "Training keeps running averages (momentum m = 0.1, the unbiased variance, as PyTorch); evaluation uses them, so one image's prediction does not depend on the rest of its batch.",
        "ko": "학습 중에는 이동 평균을 유지하고(모멘텀 m = 0.1, 불편 분산, PyTorch와 같음) 평가 때는 이를 씁니다. 그래서 이미지 하나의 예측이 같은 배치의 다른 이미지에 좌우되지 않습니다.",
    },
    "bn_gamma": {"en": "γ (weight)", "ko": "γ (가중치)"},
    "bn_beta": {"en": "β (bias)", "ko": "β (편향)"},
    "bn_batch": {"en": "batch size", "ko": "배치 크기"},
    "bn_mean_before": {"en": "mean before", "ko": "전 평균"},
    "bn_std_before": {"en": "std before", "ko": "전 표준편차"},
    "bn_mean_after": {"en": "mean after", "ko": "후 평균"},
    "bn_std_after": {"en": "std after", "ko": "후 표준편차"},
    "bn_ex1": {
        "en": "In training mode, γ = 2 and β = 0.5. What is the mean of each output channel over the batch?",
        "ko": "학습 모드에서 γ = 2, β = 0.5입니다. 배치 전체에서 각 출력 채널의 평균은?",
    },
    "bn_ex1_hint": {
        "en": "x̂ has mean 0, so γ·x̂ + β has mean β.",
        "ko": "x̂의 평균이 0이므로 γ·x̂ + β의 평균은 β입니다.",
    },
    # -- 7. Dropout
    "dropout_intro": {
        "en": "Dropout zeroes a random part of the activations at every training step, so no unit can count on any single other one: a cheap, strong regulariser. At evaluation nothing is dropped.",
        "ko": "드롭아웃은 학습할 때마다 활성값의 무작위 일부를 0으로 만듭니다. 어떤 유닛도 특정 다른 유닛 하나에 기댈 수 없게 하는, 값싸고 강력한 정규화입니다. 평가 때는 아무것도 버리지 않습니다.",
    },
    "do_forward": {
        "en": "Inverted dropout (PyTorch's and nyangtorch's default) divides by 1 − p while training, so the expected value of y is x and evaluation needs no change.",
        "ko": "역 드롭아웃(PyTorch와 nyangtorch의 기본값)은 학습 중에 1 − p로 나누어 y의 기댓값이 x가 되게 하므로, 평가 때 아무것도 바꿀 필요가 없습니다.",
    },
    "do_backward": {
        "en": "The same mask and factor, applied to the gradient: a dropped unit passed nothing forward and gets nothing back.",
        "ko": "같은 마스크와 배율을 기울기에 적용합니다. 버려진 유닛은 앞으로 아무것도 보내지 않았으니 아무것도 돌려받지 않습니다.",
    },
    "do_seed": {"en": "mask seed", "ko": "마스크 시드"},
    "do_caption": {
        "en": "{kept} of the pixels kept, each multiplied by {gain}. Every training step draws a new mask.",
        "ko": "픽셀의 {kept}를 유지하고 각각 {gain}을 곱합니다. 학습 단계마다 새 마스크를 뽑습니다.",
    },
    "do_gradcheck_note": {
        "en": "The check fixes the seed before every forward pass: the numerical gradient runs forward many times, and with a new mask each time it would be measuring a different function.",
        "ko": "검사는 순전파마다 시드를 고정합니다. 수치 기울기는 순전파를 여러 번 실행하는데, 매번 마스크가 다르면 매번 다른 함수를 재는 셈이기 때문입니다.",
    },
    "do_ex1": {
        "en": "Inverted dropout with p = 0.25, training mode. A kept activation was 3.0: what does it become?",
        "ko": "p = 0.25인 역 드롭아웃, 학습 모드. 유지된 활성값이 3.0이었습니다. 무엇이 됩니까?",
    },
    "do_ex1_hint": {"en": "3.0 / (1 − 0.25).", "ko": "3.0 / (1 − 0.25)."},
    # -- 8. Optimizers
    "optimizers_intro": {
        "en": "Backward gives the gradient g of the loss for every weight; an optimizer decides how far to move against it. Here the real nyangtorch optimizers walk a 2-D loss, so you can watch what momentum and per-coordinate scaling do.",
        "ko": "backward는 모든 가중치에 대한 손실의 기울기 g를 줍니다. 옵티마이저는 그 반대 방향으로 얼마나 움직일지 정합니다. 여기서는 실제 nyangtorch 옵티마이저가 2차원 손실 위를 걸어가므로, 모멘텀과 좌표별 배율 조정이 무엇을 하는지 볼 수 있습니다.",
    },
    "opt_sgd": {
        "en": "A step of size η against the gradient.",
        "ko": "기울기 반대 방향으로 η만큼 한 걸음.",
    },
    "opt_momentum": {
        "en": "b is a running sum of past gradients: steps along a consistent direction grow, zig-zags across a ravine cancel.",
        "ko": "b는 지난 기울기의 누적 합입니다. 일관된 방향의 걸음은 커지고, 골짜기를 가로지르는 지그재그는 상쇄됩니다.",
    },
    "opt_rmsprop": {
        "en": "v tracks each coordinate's squared gradient: steep coordinates take smaller steps, flat ones larger.",
        "ko": "v는 좌표마다 기울기 제곱을 추적합니다. 가파른 좌표는 작게, 평평한 좌표는 크게 움직입니다.",
    },
    "opt_adam": {
        "en": "Momentum and RMSprop together, with bias corrections so the first steps are not too small; ε is added after the correction, exactly where PyTorch adds it.",
        "ko": "모멘텀과 RMSprop을 합치고, 처음 몇 걸음이 너무 작지 않도록 편향을 보정합니다. ε은 PyTorch와 똑같이 보정 뒤에 더합니다.",
    },
    "opt_surface": {"en": "loss surface", "ko": "손실 곡면"},
    "opt_with_momentum": {"en": "SGD + momentum {mu}", "ko": "SGD + 모멘텀 {mu}"},
    "opt_surface_ravine": {"en": "ravine: 0.1θ₁² + 2θ₂²", "ko": "골짜기: 0.1θ₁² + 2θ₂²"},
    "opt_surface_banana": {"en": "banana (Rosenbrock)", "ko": "바나나 (Rosenbrock)"},
    "opt_lr": {"en": "learning rate η", "ko": "학습률 η"},
    "opt_mu": {"en": "momentum μ (Adam: β₁)", "ko": "모멘텀 μ (Adam: β₁)"},
    "opt_steps": {"en": "steps", "ko": "걸음 수"},
    "opt_title": {
        "en": "paths on the loss surface (darker = lower loss; ✕ = where each ends)",
        "ko": "손실 곡면 위의 경로 (어두울수록 손실이 낮음, ✕ = 도착점)",
    },
    "opt_name": {"en": "optimizer", "ko": "옵티마이저"},
    "opt_final_loss": {"en": "final loss", "ko": "최종 손실"},
    "opt_steps_taken": {"en": "steps taken", "ko": "걸은 수"},
    "opt_caption": {
        "en": "Every path is a real `optim.SGD`, `optim.RMSprop` or `optim.Adam` stepping one Parameter of two numbers. A path that stops early diverged (try η = 0.3 on the ravine).",
        "ko": "모든 경로는 숫자 두 개로 된 Parameter 하나를 움직이는 실제 `optim.SGD`, `optim.RMSprop`, `optim.Adam`입니다. 일찍 끝난 경로는 발산한 것입니다(골짜기에서 η = 0.3을 시도해 보세요).",
    },
    "opt_gradcheck_title": {"en": "Check the surface's gradient", "ko": "곡면의 기울기 검사하기"},
    "opt_gradcheck_text": {
        "en": "The optimizers are only as good as the gradient they are given: the formula used above, against `nyangtorch.testing.numerical_grad` at the starting point.",
        "ko": "옵티마이저는 주어진 기울기만큼만 좋습니다. 위에서 쓴 공식을 시작점에서 `nyangtorch.testing.numerical_grad`와 비교합니다.",
    },
    "opt_ex1": {
        "en": "SGD with η = 0.1 on L = θ², starting at θ = 1. Where is θ after one step?",
        "ko": "L = θ²에서 η = 0.1인 SGD, θ = 1에서 시작합니다. 한 걸음 뒤 θ는?",
    },
    "opt_ex1_hint": {"en": "g = 2θ = 2, so θ − 0.1 · 2.", "ko": "g = 2θ = 2이므로 θ − 0.1 · 2."},
    "opt_ex2": {
        "en": "Adam's very first step, η = 0.01, the gradient is 5 (ε negligible). How far does θ move?",
        "ko": "Adam의 첫 걸음, η = 0.01, 기울기는 5입니다(ε은 무시). θ는 얼마나 움직입니까?",
    },
    "opt_ex2_hint": {
        "en": "After bias correction m̂ = g and √v̂ = |g|: the first step is η whatever the gradient's size.",
        "ko": "편향 보정 후 m̂ = g, √v̂ = |g|이므로 첫 걸음은 기울기 크기와 상관없이 η입니다.",
    },
    # -- 9. Schedulers
    "schedulers_intro": {
        "en": "A large learning rate moves fast but cannot settle; a small one settles but crawls. A scheduler changes the rate as training goes: `scheduler.step()` once per epoch (or per batch) writes the new rate into the optimizer.",
        "ko": "큰 학습률은 빨리 움직이지만 자리를 잡지 못하고, 작은 학습률은 자리를 잡지만 느립니다. 스케줄러는 학습이 진행되면서 학습률을 바꿉니다. 에폭(또는 배치)마다 `scheduler.step()`을 한 번 부르면 새 학습률이 옵티마이저에 쓰입니다.",
    },
    "sched_step": {
        "en": "Drops by γ every s epochs, or a little every epoch.",
        "ko": "s 에폭마다 γ배로 떨어지거나, 에폭마다 조금씩 떨어집니다.",
    },
    "sched_warm": {
        "en": "Warm-up starts small while the weights are random, then hands over; cosine decay glides to η_min by step T.",
        "ko": "가중치가 무작위인 동안 작게 시작했다가 넘겨주는 웜업, 그리고 T 단계까지 η_min으로 부드럽게 내려가는 코사인 감쇠.",
    },
    "sched_onecycle": {
        "en": "Up to η_max over the first 30% of the steps, then down far below the start (per batch, with momentum moving the other way).",
        "ko": "단계의 처음 30% 동안 η_max까지 오른 뒤, 시작보다 훨씬 낮게 내려갑니다(배치마다, 모멘텀은 반대로 움직임).",
    },
    "sched_epochs": {"en": "steps", "ko": "단계 수"},
    "sched_choose": {"en": "schedulers (lr₀ = 0.1)", "ko": "스케줄러 (lr₀ = 0.1)"},
    "sched_x": {"en": "step (epoch, or batch for OneCycle)", "ko": "단계 (에폭, OneCycle은 배치)"},
    "sched_y": {"en": "learning rate", "ko": "학습률"},
    "sched_caption": {
        "en": "Each curve is a real scheduler's `get_last_lr()` after each `step()`. The rate holds for a whole step, so the curves are stairs.",
        "ko": "각 곡선은 실제 스케줄러가 `step()`할 때마다의 `get_last_lr()`입니다. 학습률은 한 단계 동안 유지되므로 곡선은 계단 모양입니다.",
    },
    "sched_none": {"en": "Choose at least one scheduler.", "ko": "스케줄러를 하나 이상 고르세요."},
    "sched_ex1": {
        "en": "`StepDecay(opt, step_size=3, gamma=0.5)` with lr₀ = 0.1: what rate does epoch 7 (counting from 0) train with?",
        "ko": "lr₀ = 0.1에서 `StepDecay(opt, step_size=3, gamma=0.5)`: 에폭 7(0부터 셈)은 어떤 학습률로 학습합니까?",
    },
    "sched_ex1_hint": {"en": "0.1 · 0.5^⌊7/3⌋.", "ko": "0.1 · 0.5^⌊7/3⌋."},
}

PAGES = {
    # -- home
    "home_path": {
        "en": "Learn deep learning, one layer at a time",
        "ko": "딥러닝을 층 하나씩 배우기",
    },
    "home_path_text": {
        "en": "Each lesson takes one layer: its forward and backward formulas, a picture to play with, the real code that runs, a gradient check you run yourself, and an exercise. Then put them together in the Playground.",
        "ko": "레슨마다 층 하나를 다룹니다: 순전파와 역전파 수식, 가지고 놀 수 있는 그림, 실제로 실행되는 코드, 직접 돌려 보는 기울기 검사, 그리고 연습 문제. 그다음 플레이그라운드에서 모두 합쳐 봅니다.",
    },
    "home_part_0": {"en": "image folder /\\nFashion-MNIST", "ko": "이미지 폴더 /\\nFashion-MNIST"},
    "home_part_1": {
        "en": "1. data\\nsplit · loader · augment",
        "ko": "1. 데이터\\n분할 · 로더 · 증강",
    },
    "home_part_2": {"en": "2. nn\\nlayers · losses", "ko": "2. nn\\n층 · 손실"},
    "home_part_3": {
        "en": "3. optim · train\\nSGD/Adam · nyang_train",
        "ko": "3. optim · train\\nSGD/Adam · nyang_train",
    },
    "home_part_4": {"en": "4. utils\\nsafe model files", "ko": "4. utils\\n안전한 모델 파일"},
    "home_part_5": {"en": "5. eval\\nmetrics · inference", "ko": "5. eval\\n지표 · 추론"},
    "home_ex1": {
        "en": "How many parameters does the quick-start model have? (Count them, then run the example: `summary` prints the total.)",
        "ko": "빠른 시작 모델의 매개변수는 몇 개입니까? (직접 세어 본 뒤 예제를 실행하면 `summary`가 합계를 보여 줍니다.)",
    },
    "home_ex1_hint": {
        "en": "Conv(1, 16, 3): 16·1·3·3 weights + 16 biases; Linear(1024, 10): 1024·10 + 10.",
        "ko": "Conv(1, 16, 3): 가중치 16·1·3·3개 + 편향 16개, Linear(1024, 10): 1024·10 + 10.",
    },
    # -- data
    "data_augment_title": {"en": "Augmentation, live", "ko": "데이터 증강, 실시간으로"},
    "data_seed": {"en": "augmentation seed", "ko": "증강 시드"},
    "data_label": {"en": "label", "ko": "레이블"},
    "data_augment_caption": {
        "en": "scikit-learn digits after the 'digits' training augmentation (small shifts and rotations; no flips: a mirrored 2 is not a 2).",
        "ko": "'digits' 학습용 증강을 거친 scikit-learn digits입니다(약간의 이동과 회전, 좌우 반전은 없음: 뒤집힌 2는 2가 아닙니다).",
    },
    "data_ex1": {
        "en": "`Digits().split((0.8, 0.1, 0.1), seed=0)` cuts each class by the ratios. How many of the 1,797 images land in the train part? (Run the example above to check.)",
        "ko": "`Digits().split((0.8, 0.1, 0.1), seed=0)`는 클래스마다 비율대로 나눕니다. 1,797개 이미지 중 학습 부분에 들어가는 것은 몇 개입니까? (위 예제를 실행해 확인해 보세요.)",
    },
    "data_ex1_hint": {
        "en": "The example prints `len(train.dataset)`.",
        "ko": "예제가 `len(train.dataset)`을 출력합니다.",
    },
    # -- model and the tape
    "model_lessons": {"en": "The layers, one lesson each", "ko": "층마다 레슨 하나"},
    "model_lessons_text": {
        "en": "Each layer's forward and backward formulas, its real code, a picture and a gradient check are in its lesson:",
        "ko": "각 층의 순전파·역전파 수식, 실제 코드, 그림, 기울기 검사는 그 층의 레슨에 있습니다:",
    },
    "tape_shown": {"en": "The tape, step by step", "ko": "테이프, 한 단계씩"},
    "tape_shown_text": {
        "en": "This small model writes only `forward`. Below is what its tape recorded during one forward pass, and a slider that walks the backward pass one entry at a time, from the last call to the first.",
        "ko": "이 작은 모델은 `forward`만 씁니다. 아래는 순전파 한 번 동안 테이프가 기록한 내용이고, 슬라이더로 역전파를 마지막 호출부터 처음 호출까지 기록 하나씩 따라갈 수 있습니다.",
    },
    "tape_call": {"en": "call (layer)", "ko": "호출 (층)"},
    "tape_inputs": {"en": "inputs", "ko": "입력"},
    "tape_output": {"en": "output", "ko": "출력"},
    "tape_kept": {"en": "kept for backward", "ko": "backward를 위해 저장한 것"},
    "tape_step": {"en": "backward: entries walked", "ko": "역전파: 지나온 기록 수"},
    "tape_legend": {
        "en": "Boxes are recorded calls (green: walked, orange: the one just walked); ovals are arrays, red while a gradient waits in them. The residual input x receives gradient twice — from `conv` and from `Add` — and the two are summed.",
        "ko": "상자는 기록된 호출(초록: 지나옴, 주황: 방금 지나온 것), 타원은 배열이며 기울기가 기다리는 동안 빨간색입니다. 잔차 입력 x는 `conv`와 `Add`에서 두 번 기울기를 받고, 둘은 더해집니다.",
    },
    "tape_array": {"en": "array", "ko": "배열"},
    "tape_waiting": {
        "en": "Gradients waiting to be sent back",
        "ko": "거꾸로 보내지기를 기다리는 기울기",
    },
    "tape_move": {
        "en": "Move the slider to the end: the walk then reaches the model's input.",
        "ko": "슬라이더를 끝까지 옮기면 따라가기가 모델의 입력에 닿습니다.",
    },
    "tape_grad_sum": {"en": "sum of its gradient", "ko": "기울기의 합"},
    "tape_same": {
        "en": "The walk ends with exactly the gradients `model.backward` gives, for the input and for the weights.",
        "ko": "이 따라가기는 입력과 가중치 모두에서 `model.backward`와 정확히 같은 기울기로 끝납니다.",
    },
    "tape_differs": {
        "en": "The walk and model.backward disagree.",
        "ko": "따라가기와 model.backward의 결과가 다릅니다.",
    },
    "tape_ex1": {
        "en": "How many entries of the tape above belong to the one `ReLU` layer?",
        "ko": "위 테이프에서 `ReLU` 층 하나에 속한 기록은 몇 개입니까?",
    },
    "tape_ex1_hint": {
        "en": "Count the calls, not the layers: `self.relu` runs twice in `forward`.",
        "ko": "층이 아니라 호출을 세세요. `forward`에서 `self.relu`가 두 번 실행됩니다.",
    },
    # -- training
    "training_step_title": {"en": "One training step", "ko": "학습 한 단계"},
    "training_step_text": {
        "en": "`nyang_train` repeats these lines (plus validation, checkpoints and early stopping). The update rules of the optimizers and the shapes of the schedules are lessons of their own.",
        "ko": "`nyang_train`은 이 몇 줄을 반복합니다(검증, 체크포인트, 조기 종료 포함). 옵티마이저의 갱신 규칙과 스케줄의 모양은 각각 레슨으로 다룹니다.",
    },
    "train_ex1": {
        "en": "1,000 training images, `batch_size=64`, `drop_last=False`: how many optimizer steps does one epoch take?",
        "ko": "학습 이미지 1,000개, `batch_size=64`, `drop_last=False`: 한 에폭에 옵티마이저 단계는 몇 번입니까?",
    },
    "train_ex1_hint": {
        "en": "⌈1000 / 64⌉: the last, smaller batch counts too.",
        "ko": "⌈1000 / 64⌉: 마지막의 더 작은 배치도 셉니다.",
    },
    # -- utility
    "utility_trusted": {
        "en": "`nyang_load_model(path, trusted=True)` turns the safety check off: a pickle can run any code. Use it only for files you made yourself (for example with your own model class).",
        "ko": "`nyang_load_model(path, trusted=True)`는 안전 검사를 끕니다. pickle은 어떤 코드든 실행할 수 있으니, 직접 만든 파일(예: 직접 만든 모델 클래스)에만 쓰세요.",
    },
    "util_ex1": {
        "en": "In `models.reference_cnn().state_dict()`, what is the key of the first convolution's weight?",
        "ko": "`models.reference_cnn().state_dict()`에서 첫 번째 합성곱 가중치의 키는 무엇입니까?",
    },
    "util_ex1_hint": {
        "en": "NyangFlow names its layers 0, 1, 2, … as torch.nn.Sequential does; the example prints the first keys.",
        "ko": "NyangFlow는 torch.nn.Sequential처럼 층 이름을 0, 1, 2, …로 붙입니다. 예제가 처음 몇 개의 키를 출력합니다.",
    },
    # -- evaluation
    "eval_f_accuracy": {
        "en": "The share of samples whose predicted class is the true one.",
        "ko": "예측 클래스가 정답인 샘플의 비율.",
    },
    "eval_f_pr": {
        "en": "Precision: of what was called c, how much was c. Recall: of what was c, how much was found.",
        "ko": "정밀도: c라고 한 것 중 실제로 c인 비율. 재현율: 실제 c 중 찾아낸 비율.",
    },
    "eval_f_f1": {
        "en": "Their harmonic mean, per class; macro-F1 averages the classes equally, so a rare class counts as much as a common one.",
        "ko": "클래스별 두 값의 조화 평균입니다. macro-F1은 클래스를 똑같이 평균하므로 드문 클래스도 흔한 클래스만큼 셉니다.",
    },
    "eval_f_confusion": {
        "en": "Row i, column j counts the samples of true class i predicted as j: the diagonal is right, everything else is a mistake.",
        "ko": "i행 j열은 정답 i를 j로 예측한 샘플 수입니다. 대각선이 맞힌 것이고 나머지는 모두 실수입니다.",
    },
    "eval_noise": {
        "en": "how often the classifier guesses at random",
        "ko": "분류기가 무작위로 찍는 비율",
    },
    "eval_confuse": {
        "en": "also take every class 3 for a class 2",
        "ko": "클래스 3을 모두 클래스 2로 착각하기",
    },
    "eval_accuracy": {"en": "accuracy", "ko": "정확도"},
    "eval_f1": {"en": "macro-F1", "ko": "macro-F1"},
    "eval_precision": {"en": "precision", "ko": "정밀도"},
    "eval_recall": {"en": "recall", "ko": "재현율"},
    "eval_confusion_title": {
        "en": "confusion matrix (300 samples)",
        "ko": "혼동 행렬 (샘플 300개)",
    },
    "eval_predicted": {"en": "predicted class", "ko": "예측 클래스"},
    "eval_true": {"en": "true class", "ko": "정답 클래스"},
    "eval_confusion_caption": {
        "en": "The matrix comes from `metrics.confusion_matrix`; its picture from `nyangtorch.train.plot_confusion`.",
        "ko": "행렬은 `metrics.confusion_matrix`, 그림은 `nyangtorch.train.plot_confusion`으로 만들었습니다.",
    },
    "eval_ex1": {
        "en": "Class 0 has TP = 8, FP = 2, FN = 4. What is its precision?",
        "ko": "클래스 0은 TP = 8, FP = 2, FN = 4입니다. 정밀도는?",
    },
    "eval_ex1_hint": {"en": "8 / (8 + 2).", "ko": "8 / (8 + 2)."},
    "eval_ex2": {"en": "And its F1? (3 decimals)", "ko": "그러면 F1은? (소수 셋째 자리까지)"},
    "eval_ex2_hint": {"en": "2·8 / (2·8 + 2 + 4).", "ko": "2·8 / (2·8 + 2 + 4)."},
}

TOOLS = {
    # -- API reference
    "api_title": {"en": "API reference", "ko": "API 레퍼런스"},
    "api_intro": {
        "en": "Generated from nyangtorch's own docstrings and signatures as this page runs, so it cannot drift from the code. Each object is listed once, in the module it belongs to; other names for it (PyTorch's spellings, the shortcuts in `nyangtorch`) point there. The docstrings are in English.",
        "ko": "이 페이지가 실행될 때 nyangtorch의 docstring과 시그니처에서 바로 만들어지므로 코드와 어긋날 수 없습니다. 객체마다 그것이 속한 모듈에 한 번만 나오고, 다른 이름(PyTorch식 이름, `nyangtorch`의 단축 이름)은 그곳을 가리킵니다. docstring은 영어입니다.",
    },
    "api_filter": {"en": "Search every module", "ko": "모든 모듈에서 찾기"},
    "api_placeholder": {"en": "e.g. Conv, loader, save", "ko": "예: Conv, loader, save"},
    "api_found": {
        "en": "{count} entries mention “{query}”.",
        "ko": "“{query}”가 들어간 항목 {count}개.",
    },
    "api_module": {"en": "Module", "ko": "모듈"},
    "api_contents": {"en": "Contents", "ko": "목차"},
    "api_alias_of": {"en": "the same object as", "ko": "같은 객체:"},
    # -- playground
    "pg_title": {"en": "Playground", "ko": "플레이그라운드"},
    "pg_intro": {
        "en": "Pick data, a model and a training strategy, then train live — here, on NumPy only. Every run stays in the history below, so you can change one thing and compare.",
        "ko": "데이터, 모델, 학습 전략을 고른 뒤 바로 학습해 보세요. 여기서, NumPy만으로. 모든 실행은 아래 기록에 남으니 하나씩 바꿔 가며 비교할 수 있습니다.",
    },
    "pg_dataset": {"en": "dataset", "ko": "데이터셋"},
    "pg_data_digits": {"en": "digits (8×8 → 16×16)", "ko": "digits (8×8 → 16×16)"},
    "pg_data_fashion": {
        "en": "Fashion-MNIST subset (3,000 images)",
        "ko": "Fashion-MNIST 일부 (이미지 3,000개)",
    },
    "pg_model": {"en": "model", "ko": "모델"},
    "pg_model_mlp": {"en": "MLP", "ko": "MLP (다층 퍼셉트론)"},
    "pg_model_cnn": {"en": "reference CNN", "ko": "참조 CNN"},
    "pg_model_cnn_bn": {"en": "BatchNorm CNN", "ko": "BatchNorm CNN"},
    "pg_model_custom": {"en": "custom", "ko": "직접 구성"},
    "pg_epochs": {"en": "epochs", "ko": "에폭"},
    "pg_optimizer": {"en": "optimizer", "ko": "옵티마이저"},
    "pg_lr": {"en": "learning rate", "ko": "학습률"},
    "pg_scheduler": {"en": "scheduler", "ko": "스케줄러"},
    "pg_no_scheduler": {"en": "none", "ko": "없음"},
    "pg_hidden": {"en": "hidden units", "ko": "은닉 유닛"},
    "pg_channels": {"en": "conv channels", "ko": "합성곱 채널"},
    "pg_activation": {"en": "activation", "ko": "활성화 함수"},
    "pg_train": {"en": "Train", "ko": "학습 시작"},
    "pg_training": {"en": "training…", "ko": "학습 중…"},
    "pg_progress": {"en": "step {step}/{total}", "ko": "단계 {step}/{total}"},
    "pg_train_loss": {"en": "train loss (each step)", "ko": "학습 손실 (단계마다)"},
    "pg_valid_loss": {"en": "valid loss (end of epoch)", "ko": "검증 손실 (에폭 끝)"},
    "pg_train_accuracy": {"en": "train accuracy", "ko": "학습 정확도"},
    "pg_valid_accuracy": {"en": "valid accuracy", "ko": "검증 정확도"},
    "pg_step": {"en": "optimizer step", "ko": "옵티마이저 단계"},
    "pg_epoch": {"en": "epoch", "ko": "에폭"},
    "pg_loss": {"en": "loss", "ko": "손실"},
    "pg_accuracy": {"en": "accuracy", "ko": "정확도"},
    "pg_nothing_yet": {
        "en": "Press Train: the curves start with the first batch.",
        "ko": "학습 시작을 누르세요. 곡선은 첫 배치부터 그려집니다.",
    },
    "pg_results": {"en": "Last run: {label}", "ko": "마지막 실행: {label}"},
    "pg_test_accuracy": {"en": "test accuracy", "ko": "테스트 정확도"},
    "pg_test_f1": {"en": "test macro-F1", "ko": "테스트 macro-F1"},
    "pg_seconds": {"en": "seconds", "ko": "초"},
    "pg_done": {
        "en": "test accuracy {accuracy}, macro-F1 {f1}",
        "ko": "테스트 정확도 {accuracy}, macro-F1 {f1}",
    },
    "pg_curves_caption": {
        "en": "Loss and accuracy on separate axes: the loss of every optimizer step (one batch, noisy) with the valid loss at each epoch's end, and the accuracy per epoch.",
        "ko": "손실과 정확도를 따로 그렸습니다. 옵티마이저 단계마다의 손실(배치 하나라 들쭉날쭉함)과 에폭 끝의 검증 손실, 그리고 에폭마다의 정확도입니다.",
    },
    "pg_summary": {"en": "The model", "ko": "모델"},
    "pg_learned": {"en": "What the network learned", "ko": "네트워크가 배운 것"},
    "pg_unit": {"en": "unit", "ko": "유닛"},
    "pg_filter": {"en": "filter", "ko": "필터"},
    "pg_map": {"en": "map", "ko": "맵"},
    "pg_image": {"en": "test image", "ko": "테스트 이미지"},
    "pg_templates_caption": {
        "en": "The weights of the first 16 hidden units, each drawn as an image: red pixels push the unit up, blue ones down. Each unit is a template the MLP matches against the whole image.",
        "ko": "처음 16개 은닉 유닛의 가중치를 각각 이미지로 그렸습니다. 빨간 픽셀은 유닛을 올리고 파란 픽셀은 내립니다. 유닛마다 MLP가 이미지 전체와 맞춰 보는 틀입니다.",
    },
    "pg_filters_caption": {
        "en": "The first convolution's 3×3 filters after training (red positive, blue negative): many have become edge and spot detectors, like the hand-made ones of lesson 4.",
        "ko": "학습 후 첫 번째 합성곱의 3×3 필터입니다(빨강 양수, 파랑 음수). 여럿이 레슨 4에서 직접 만든 것처럼 경계와 점을 찾는 필터가 되었습니다.",
    },
    "pg_maps_caption": {
        "en": "The chosen test image (as the network sees it, normalised) and what each first-layer filter makes of it.",
        "ko": "고른 테스트 이미지(네트워크가 보는 대로, 정규화됨)와 첫 층의 각 필터가 만들어 낸 특징 맵입니다.",
    },
    "pg_mistakes": {"en": "The most confident mistakes", "ko": "가장 자신 있게 틀린 것들"},
    "pg_mistakes_caption": {
        "en": "true → predicted, with the probability the model gave its wrong answer; {count} of {total} test images are wrong.",
        "ko": "정답 → 예측, 그리고 모델이 틀린 답에 준 확률입니다. 테스트 이미지 {total}개 중 {count}개를 틀렸습니다.",
    },
    "pg_no_mistakes": {
        "en": "No mistakes on the test images.",
        "ko": "테스트 이미지에서 틀린 것이 없습니다.",
    },
    "pg_confusion": {"en": "test set", "ko": "테스트 세트"},
    "pg_history": {"en": "Every run, to compare", "ko": "비교를 위한 모든 실행 기록"},
    "pg_history_caption": {
        "en": "Each run's training loss per step; the last {kept} runs are kept for this browser session.",
        "ko": "실행마다 단계별 학습 손실입니다. 이 브라우저 세션 동안 최근 {kept}개 실행을 보관합니다.",
    },
    "pg_clear": {"en": "Clear the history", "ko": "기록 지우기"},
}

COMPARE = {
    "cmp_title": {"en": "nyangtorch vs PyTorch", "ko": "nyangtorch와 PyTorch 비교"},
    "cmp_intro": {
        "en": "The same model, the same weights, the same batches and the same strategy in both frameworks (`nyangtorch compare`). The figures come from the comparison tool's JSON output, `reports/compare/results.json`.",
        "ko": "두 프레임워크에 같은 모델, 같은 가중치, 같은 배치, 같은 전략을 씁니다(`nyangtorch compare`). 수치는 비교 도구의 JSON 출력 `reports/compare/results.json`에서 읽습니다.",
    },
    "cmp_missing": {
        "en": "No report yet: run `nyangtorch compare --out reports/compare` ({path} is missing).",
        "ko": "아직 보고서가 없습니다. `nyangtorch compare --out reports/compare`를 실행하세요({path} 없음).",
    },
    "cmp_machine": {
        "en": "Measured on a {machine} machine with {cpus} CPU cores: Python {python}, NumPy {numpy} on {blas}, and PyTorch {torch} with {torch_threads} threads.",
        "ko": "측정 환경: CPU 코어 {cpus}개인 {machine} 기계, Python {python}, {blas} 위의 NumPy {numpy}, 스레드 {torch_threads}개의 PyTorch {torch}.",
    },
    "cmp_blas": {
        "en": "OpenBLAS {version} ({arch} kernels, {threads} threads)",
        "ko": "OpenBLAS {version} ({arch} 커널, 스레드 {threads}개)",
    },
    "cmp_blas_unknown": {"en": "an unreported BLAS", "ko": "알 수 없는 BLAS"},
    "cmp_same_math": {"en": "The same math", "ko": "같은 수학"},
    "cmp_float64_metric": {
        "en": "{name}: largest relative loss difference over {steps} steps",
        "ko": "{name}: {steps}단계 동안 가장 큰 상대 손실 차이",
    },
    "cmp_weight_diff": {
        "en": "largest final weight difference {diff}",
        "ko": "최종 가중치의 가장 큰 차이 {diff}",
    },
    "cmp_float32": {
        "en": "float32: the reference CNN, {epochs} epochs of Fashion-MNIST",
        "ko": "float32: 참조 CNN, Fashion-MNIST {epochs} 에폭",
    },
    "cmp_acc_ours": {"en": "test accuracy, nyangtorch", "ko": "테스트 정확도, nyangtorch"},
    "cmp_acc_torch": {"en": "test accuracy, PyTorch", "ko": "테스트 정확도, PyTorch"},
    "cmp_step": {"en": "training step", "ko": "학습 단계"},
    "cmp_diff": {
        "en": "|Δ loss| (log scale)",
        "ko": "|Δ 손실| (로그 축)",
    },
    "cmp_diff_caption": {
        "en": "|Δ loss| = |loss of nyangtorch − loss of PyTorch| at each step, on a log scale. In float64 (left) the two stay within 1e-15 to 1e-13 (rounding in the last digits): the math is the same. In float32 (right) they start equal and drift apart as rounding grows, yet reach the same accuracy. A gap in a line is a step where the two losses were exactly equal.",
        "ko": "|Δ 손실| = 각 단계의 |nyangtorch 손실 − PyTorch 손실|을 로그 축으로 그렸습니다. float64(왼쪽)에서는 둘이 1e-15~1e-13(마지막 자리들의 반올림) 안에 머뭅니다. 수학이 같다는 뜻입니다. float32(오른쪽)에서는 같게 시작해 반올림 오차가 커지며 벌어지지만, 같은 정확도에 도달합니다. 선이 끊긴 곳은 두 손실이 정확히 같았던 단계입니다.",
    },
    "cmp_speed": {
        "en": "Speed and memory (block-timed, batch {batch})",
        "ko": "속도와 메모리 (블록 단위 측정, 배치 {batch})",
    },
    "cmp_model": {"en": "model", "ko": "모델"},
    "cmp_step_ms": {
        "en": "training step ms, nyangtorch / PyTorch",
        "ko": "학습 단계 ms, nyangtorch / PyTorch",
    },
    "cmp_step_ratio": {"en": "step ratio", "ko": "단계 비율"},
    "cmp_infer_s": {
        "en": "test-set inference s, nyangtorch / PyTorch",
        "ko": "테스트 세트 추론 초, nyangtorch / PyTorch",
    },
    "cmp_infer_ratio": {"en": "inference ratio", "ko": "추론 비율"},
    "cmp_memory_ratio": {"en": "peak memory ratio", "ko": "최대 메모리 비율"},
    "cmp_ratio_caption": {
        "en": "Ratios are nyangtorch ÷ PyTorch: below 1, nyangtorch is faster or smaller.",
        "ko": "비율은 nyangtorch ÷ PyTorch입니다. 1보다 작으면 nyangtorch가 더 빠르거나 작습니다.",
    },
    "cmp_layers": {
        "en": "Where a nyangtorch training step goes (reference CNN)",
        "ko": "nyangtorch 학습 단계의 시간은 어디에 쓰이나 (참조 CNN)",
    },
    "cmp_fwd": {"en": "forward", "ko": "순전파"},
    "cmp_bwd": {"en": "backward", "ko": "역전파"},
    "cmp_other": {"en": "loss and update", "ko": "손실과 갱신"},
    "cmp_part_loss": {"en": "loss", "ko": "손실"},
    "cmp_part_adam_step": {"en": "Adam step", "ko": "Adam 갱신"},
    "cmp_ms": {"en": "milliseconds (median)", "ko": "밀리초 (중앙값)"},
    "cmp_layers_caption": {
        "en": "Each layer timed inside the network, top to bottom in the order it runs: the forward pass, the loss, the backward pass (last layer first), the optimizer. The reference CNN pools before its ReLU, so the pool runs before the ReLU of its block.",
        "ko": "네트워크 안에서 각 층을 잰 시간을 실행 순서대로 위에서 아래로 그렸습니다: 순전파, 손실, 역전파(마지막 층부터), 옵티마이저. 참조 CNN은 ReLU보다 먼저 풀링하므로 블록마다 풀링이 ReLU보다 먼저 실행됩니다.",
    },
    "cmp_differences": {"en": "Every difference, explained", "ko": "모든 차이와 그 설명"},
    "cmp_differences_text": {
        "en": "Every difference found between the two frameworks: what it is, and what was done about it.",
        "ko": "두 프레임워크 사이에서 찾은 모든 차이: 무엇인지, 그리고 어떻게 했는지.",
    },
    "cmp_finding": {"en": "**Finding**", "ko": "**발견**"},
    "cmp_action": {"en": "**What was done**", "ko": "**조치**"},
    "cmp_status_same": {"en": "same as PyTorch", "ko": "PyTorch와 같음"},
    "cmp_status_closed": {"en": "fixed, kept by a test", "ko": "수정됨, 테스트로 유지"},
    "cmp_status_deliberate": {"en": "kept on purpose", "ko": "의도적으로 유지"},
}

# The comparison's explained differences (nyangtorch/compare/differences.py) in Korean, by topic.
# A topic missing here is shown in English; tests/docs/test_i18n.py lists any that are missing.
DIFFERENCES_KO = {
    "BatchNorm variance": {
        "topic": "BatchNorm 분산",
        "finding": "PyTorch는 편향된 배치 분산으로 정규화하지만 running_var는 불편 분산(×M/(M−1))으로 갱신합니다.",
        "action": "nyangtorch도 정확히 같게 합니다. 여러 학습 단계 뒤의 이동 통계량을 torch와 비교합니다(tests/nn/test_layers_vs_torch.py).",
    },
    "BatchNorm counter": {
        "topic": "BatchNorm 카운터",
        "finding": "PyTorch는 num_batches_tracked를 유지하지만 momentum=None일 때만 씁니다.",
        "action": "nyangtorch는 언제나 모멘텀이 있으므로 카운터를 두지 않습니다. 변환기는 torch의 카운터를 0으로 둡니다.",
    },
    "Dropout scaling": {
        "topic": "드롭아웃 배율",
        "finding": "PyTorch는 역 드롭아웃을 씁니다(학습 중 1/(1−p)배, 평가 때는 그대로).",
        "action": "nyangtorch의 기본값도 같습니다. 고전 방식(평가 때 1−p배)은 torch에 대응하는 것이 없는 선택지라 변환기가 이름을 들어 거부합니다. 두 난수 생성기가 같은 마스크를 뽑을 수 없으므로 쌍둥이 실행에서는 드롭아웃을 뺍니다.",
    },
    "Adam epsilon": {
        "topic": "Adam의 엡실론",
        "finding": "PyTorch는 편향 보정 뒤에 ε을 더합니다: m̂ / (sqrt(v)/sqrt(1−β₂ᵗ) + ε). ε을 안에 넣은 m̂ / (sqrt(v̂) + ε)도, 논문의 ε̂도 아닙니다.",
        "action": "nyangtorch도 같은 자리에 ε을 더합니다. amsgrad와 AdamW의 분리된 감쇠를 포함해, 12단계 동안 궤적이 torch와 1e-11까지 일치합니다.",
    },
    "RMSprop alpha": {
        "topic": "RMSprop의 alpha",
        "finding": "PyTorch의 RMSprop은 기본값이 alpha=0.99, lr=0.01입니다(Keras는 rho=0.9).",
        "action": "기본값과 인자 이름이 같습니다. 테스트가 모든 기본값을 torch의 시그니처와 비교합니다.",
    },
    "Max-pool ties": {
        "topic": "맥스 풀링의 동점",
        "finding": "ReLU 뒤에는 2×2 창 전체가 0인 경우가 있습니다. 모든 최댓값으로 기울기를 보내면(흔한 NumPy 지름길) 두 번 셉니다. PyTorch는 첫 번째 최댓값으로만 보냅니다.",
        "action": "MaxPool.backward는 행 우선 순서로 첫 번째 최댓값에 보냅니다. 테스트가 일부러 동점을 만들어 torch와 비교합니다.",
    },
    "Weight initialisation": {
        "topic": "가중치 초기화",
        "finding": "PyTorch는 Linear와 Conv2d를 kaiming_uniform(a=√5), 즉 U(±1/√fan_in)로 초기화합니다. nyangtorch는 ReLU 네트워크에 맞는 He 정규분포 N(0, 2/fan_in)을 씁니다.",
        "action": "쌍둥이 실행은 가중치를 복사하므로 둘이 똑같이 시작합니다. 처음부터 학습하는 모델은 설계상 다르게 시작합니다.",
    },
    "float32 summation order": {
        "topic": "float32 덧셈 순서",
        "finding": "float32에서 두 쪽은 똑같이 시작하고(1단계), 10단계 동안 상대 차이는 최대 1.6e-7, 50단계 4.3e-7, 100단계 2.0e-6입니다. 몇백 단계 뒤에는 궤적이 갈라집니다(반올림 오차가 혼돈스럽게 커짐: PyTorch의 oneDNN 합성곱과 NumPy의 OpenBLAS GEMM은 더하는 순서가 다름). 그래도 결과는 일치합니다: 4,170단계 전체에서 100단계 블록 평균이 0.006 안에 있고, 5에폭 뒤 테스트 정확도는 0.8985(nyangtorch)과 0.8974(torch)입니다. 결과 자체도 반올림만으로 몇십분의 일 포인트 움직입니다: col2im이 아홉 슬랩을 더하는 순서만 바꿨더니 nyangtorch의 수치가 0.8982에서 0.8946으로 바뀌었습니다.",
        "action": "float64 쌍둥이 실행은 단계마다 2.75e-15(참조 CNN), 1.85e-13(BatchNorm CNN), 100단계 뒤 가중치는 7.1e-10까지 일치합니다. 수학은 같고 float32의 차이는 반올림이라는 뜻입니다.",
    },
    "Convolution kernel": {
        "topic": "합성곱 커널",
        "finding": "PyTorch는 행렬 곱이 아니라 oneDNN의 합성곱 커널을 씁니다. 배치 64에서 Conv(32,64,3)의 순전파+역전파가 2.5–4.8 ms(NCHW, 기계의 잡음이 큼), channels_last로 약 2.9 ms입니다. nyangtorch는 im2col과 OpenBLAS 행렬 곱 세 번으로 약 5.1 ms입니다. 곱셈만 3.7–4.1 ms, 약 225 GFLOP/s로 이 두 코어의 AVX2 최고 속도입니다(Haswell 커널은 코어당 스레드 하나로도 같은 속도: 곱셈 하나에 2.3 ms). torch 자신의 matmul도 같은 모양에서 약 190에 이릅니다. 나머지는 im2col 복사(0.2 ms)와 col2im(0.6 ms)입니다.",
        "action": "유지: im2col은 이 프로젝트가 가르치는 읽기 쉬운 알고리즘입니다. 대신 부가 비용을 줄였습니다: channels-last 메모리(Conv(32,64,3)의 im2col 2.6 → 0.19 ms), 채널 하나인 입력은 im2col을 열 단위로 만들고 편향을 곱셈에 접어 넣음(첫 합성곱 순전파 1.07 → 0.46 ms), 입력 기울기는 커널 위치마다 곱셈 하나로 계산해 col2im이 연속된 슬랩을 더함(1.3 → 0.6 ms), 가중치 기울기는 X.T @ dY로(약 7% 빠름). Winograd F(2×2, 3×3)는 곱셈을 절반으로 줄이지만(conv2 순전파 1.35 → 0.72 ms) 처음에 NumPy로 쓴 입력·출력 변환에 0.61 + 0.69 ms가 걸려 이득이 없었습니다. 변환을 컴파일한 지금은 채널 32개부터 이득이어서 Conv가 그곳에서 씁니다(Winograd 합성곱 참고). 측정했지만 채택하지 않은 것: col2im을 배치 조각으로 나누거나(캐시에 머물도록) 첫 슬랩의 복사본에서 시작하는 것은 5% 미만의 이득이었습니다.",
    },
    "Memory format in the benchmarks": {
        "topic": "벤치마크의 메모리 형식",
        "finding": "nyangtorch 로더가 주는 대로 (N, H, W, 1)로 저장된 채널 하나짜리 배치는 NCHW와 channels_last 스트라이드를 둘 다 가집니다. 그러면 torch는 네트워크 전체에 channels_last를 골라 학습 단계가 NCHW 배치의 9.0–9.3 ms 대신 6.7 ms가 걸립니다. 처음의 속도 표는 NCHW 수치와만 비교했습니다.",
        "action": "benchmarks/layers.py는 이제 torch를 두 방식(기본값인 NCHW와 channels_last)으로 모두 잽니다. benchmarks/compare.py와 보고서는 torch에 로더의 배치, 즉 더 빠른 channels_last 경로를 줍니다. nyangtorch의 층은 어느 쪽이든 메모리에서 channels-last로 동작합니다.",
    },
    "ReLU before max-pool": {
        "topic": "맥스 풀링 앞의 ReLU",
        "finding": "PyTorch처럼 Conv → ReLU → MaxPool로 쓰면 ReLU가 합성곱 출력 전체(배치 64에서 첫 블록 5.5 MB)에 적용되고, backward는 4분의 3이 0인 기울기에 적용됩니다.",
        "action": "참조 모델은 Conv → MaxPool → ReLU로 씁니다(NyangFlow는 쓴 순서대로 실행). 최댓값과 ReLU는 순서를 바꿀 수 있고, 두 순서 모두 기울기를 창의 첫 최댓값이 양수일 때 그곳으로 보내고 아니면 어디로도 보내지 않으므로, 값과 기울기가 Conv → ReLU → MaxPool과 같습니다(모두 음수인 창, 0에서의 동점, 패딩한 풀링까지 그 순서와 비트 단위로, 그리고 torch와 비교해 테스트함). 학습 단계 −6%, 추론 −9%(한 프로세스에서 번갈아 A/B 측정).",
    },
    "Per-channel broadcasting": {
        "topic": "채널별 브로드캐스팅",
        "finding": "BatchNorm이 채널별 계수 (C,)를 (N·H·W, C) 행에 브로드캐스트해서 NumPy의 안쪽 루프가 한 번에 C = 32개 숫자만 처리했습니다: 64×32×26×26에서 한 번 훑는 데 0.13 ms가 아니라 0.27 ms.",
        "action": "계수를 샘플 하나의 행(H·W·C개 숫자)만큼 반복하고 데이터를 (N, H·W·C)로 봅니다: BatchNorm(32) 순전파+역전파 2.7 → 1.9 ms, BatchNorm CNN의 학습 단계 −7%.",
    },
    "Outputs the pool never reads": {
        "topic": "풀링이 읽지 않는 출력",
        "finding": "참조 CNN의 두 번째 합성곱은 채널마다 11×11 출력을 내지만, 뒤따르는 2×2 최대 풀링(내림 모드)은 앞쪽 10×10만 읽습니다. PyTorch는 121개를 모두 계산하고 풀링이 21개를 버립니다. 층의 곱셈, 복사, 기울기 계산의 6분의 1입니다.",
        "action": "nyangtorch의 참조 CNN은 각 합성곱에 뒤따르는 풀링을 알려 주고(Conv(32, 64, 3, next_pool=2)), 합성곱은 풀링이 읽는 10×10 출력만 계산합니다(출력은 PyTorch의 11×11 대신 10×10이며, NyangFlow는 그 풀링이 바로 뒤에 오지 않으면 next_pool을 거부합니다). 풀링부터는 양쪽이 같은 숫자를 계산합니다. 가중치 기울기의 합은 더 이상 0을 더하지 않으므로 마지막 자릿수가 다를 수 있습니다. 학습 단계는 2스레드에서 10.9 ms에서 9.6 ms가 되었고(같은 프로세스 순서, 한 기계), 단계당 GFLOP는 0.99에서 0.84가 되었습니다. PyTorch 쌍둥이(to_torch)는 평범한 Conv2d입니다.",
    },
    "Winograd convolution": {
        "topic": "Winograd 합성곱",
        "finding": "PyTorch의 CPU 합성곱은 oneDNN 커널로 실행됩니다. im2col은 3×3 합성곱을 출력, 입력 채널, 출력 채널마다 9번의 곱셈-덧셈을 하는 하나의 행렬 곱으로 바꾸는데, 이 코어들에서 OpenBLAS는 그 곱을 oneDNN이 합성곱 전체를 실행하는 것보다 빠르게 하지 못합니다.",
        "action": "보폭 1의 3×3 커널에 입력과 출력 채널이 32개 이상인 Conv는 Winograd의 F(2×2, 3×3)(nn/winograd.py)으로 실행합니다: 2×2 출력 블록마다 im2col의 36번 대신 16번의 곱셈-덧셈을, 컴파일된 타일 변환 사이의 더 작은 행렬 곱 16개로 계산합니다. 값은 반올림 오차 안에서 합성곱과 같습니다(float64에서 torch와, float32에서 im2col과 비교해 테스트합니다). Conv(algorithm='im2col')은 평범한 경로를 씁니다. 참조 CNN의 conv2(순전파와 역전파, 배치 64)는 6.7–7.9 ms에서 4.9–6.6 ms가 되었고, torch는 6.0–6.5 ms입니다(3회 측정). 채널이 32개보다 적으면 변환 비용이 곱에서 아끼는 것보다 커서(입력 채널 3개에서 im2col의 2.7배) 그곳에서는 im2col을 씁니다. BatchNorm CNN의 conv2처럼 출력이 11×11이라 2×2 블록이 잘 맞지 않는 곳에서는 F(4×4, 3×3)을 씁니다(nn/kernels/winograd4.py, 변환을 풀어 쓴 커널): 4×4 블록마다 36번, F(2×2)의 곱셈의 0.56배이고, 한 스레드에서 32장 몫의 순전파와 역전파가 F(2×2)의 4.35 ms 대신 2.7 ms 걸립니다. 10×10 출력에서도 F(4×4)이 더 빨랐지만(0.85배) 학습에서는 'auto'가 그곳에서 F(2×2)을 유지합니다: F(4×4)의 출력은 6×6 타일 전체를 더하므로 빈 창(값이 모두 0인 창)이 정확히 편향 대신 ±1e-17을 내고, 편향이 0이면 PyTorch의 relu'(0) = 0이 막는 곳에서 ReLU가 기울기를 흘려보냅니다(참조 CNN의 float64 쌍둥이가 20스텝에 3% 벌어졌습니다). F(2×2)의 출력은 각자의 창에 있는 픽셀만 더합니다. 기울기가 없는 순전파(no_grad: 추론)에서는 그 반올림 오차가 전부이므로 'auto'가 10×10에서도 F(4×4)을 씁니다: 테스트 세트 추론이 0.34에서 0.28–0.30초가 되었습니다. 역전파도 아무것도 결정하지 않으므로, F(2×2) 순전파 뒤의 역전파는 10×10에서 F(4×4)으로 실행합니다(순전파가 보관한 입력에서 V를 다시 만듭니다): 한 스레드에서 32장 몫의 학습 단계가 0.93배의 시간이 되었습니다.",
    },
    "Memory allocation": {
        "topic": "메모리 할당",
        "finding": "단계마다 큰 배열을 새로 할당했고, glibc가 이를 새 mmap 페이지로 내주어 페이지 폴트가 14 ms 단계 중 약 4.5 ms를 차지했습니다. PyTorch에는 캐싱 할당자가 있습니다.",
        "action": "nyang_train과 nyangtorch 명령은 glibc의 mmap 및 trim 임계값을 올려(nyangtorch/_allocator.py, import할 때가 아니라 명시적 호출로) 해제된 블록을 다시 씁니다.",
    },
    "Element-wise threading": {
        "topic": "원소별 연산의 스레드",
        "finding": "PyTorch는 원소별 연산(ReLU, 풀링, BatchNorm)을 두 코어에 나눕니다. nyangtorch의 컴파일된 커널은 각각 한 코어에서 실행됩니다.",
        "action": "정하기 전에 측정했습니다. 윈도 커널을 샘플에 대해 병렬로(Numba의 prange, 두 스레드) OpenBLAS의 두 스레드 옆에서 돌리면 참조 CNN의 학습 단계가 Numba의 OpenMP 계층에서는 3.8배 느려졌고(45.7 대 11.9 ms) workqueue 계층에서는 7% 느려졌습니다. 돌며 기다리지 않고 잠드는 OpenMP 스레드(OMP_WAIT_POLICY=passive)로도 빠르지 않았습니다(11.2 대 11.3 ms). 커널은 단일 스레드로 읽기 쉽게 두고, 코어는 각 배치의 몫들을 나란히 실행해서 씁니다. 스레드마다 BLAS는 한 코어입니다. 추론: nyang_inference와 nyang_predict는 각 배치를 스레드마다 한 몫씩 실행합니다(eval/threads.py; 모든 커널은 nogil=True로 컴파일됩니다). 두 스레드에서 테스트 세트 추론은 torch 시간의 1.38–1.73배에서 0.85배가 되었고, 스레드들의 작업 메모리 때문에 최대 메모리 비율은 0.66에서 0.86으로 올랐습니다. 학습: nyang_train은 Dropout이 없는 모델을 DataParallel(train/parallel.py)로 돌립니다. 스레드마다 모델의 복제본이 하나씩 있고, 각 몫은 자기 스레드에서 순전파와 역전파를 거치며, 복제본들의 기울기를 더합니다(한 스레드의 결과와 반올림 차이까지 같습니다). BatchNorm의 복제본들은 몫마다의 합을 스레드들에 걸쳐 더하므로(nn/shares.py) 통계는 한 스레드에서처럼 배치 전체의 것입니다. 파이썬 스레드 하나로는 곱셈 출력의 두 절반이 두 코어의 캐시에 나뉘어 있어 다음 커널이 다른 절반을 건너 읽었고, 기계가 느려지는 구간에서 단계가 7.5–8.5 ms에서 13–16 ms가 되었습니다(torch는 1.2배 느려짐). 데이터 병렬로는 7.3–9.1 ms를 유지했습니다.",
    },
    "NumPy max with a scalar": {
        "topic": "스칼라와의 NumPy max",
        "finding": "np.maximum(x, 0)은 NumPy의 스칼라 루프를, 두 배열 사이에서는 SIMD 루프를 씁니다: 64×32×26×26 ReLU에서 0.42 대 0.16 ms. 이 때문에 ReLU가 torch의 1.4배였습니다.",
        "action": "ReLU는 입력과 같은 배치로 놓인, 캐시된 읽기 전용 0 배열과 최댓값을 구합니다(nn/functional.py의 relu). 이제 benchmarks/layers.py에서 순전파+역전파가 torch의 0.7배입니다.",
    },
    "Pooling on strided windows": {
        "topic": "스트라이드 창 위의 풀링",
        "finding": "NumPy의 스트라이드 창 뷰 위의 맥스 풀링은 매 순회가 C개(32) 숫자 단위로만 훑었고, 여러 번의 순회(모으기, 최댓값, 첫 최댓값 찾기, 흩뿌리기)가 필요했습니다.",
        "action": "풀링은 컴파일된 루프입니다(nn/kernels/pool.py): 한 번의 순회로 최댓값과 창의 첫 최댓값 위치(출력마다 작은 정수 하나, backward에 필요한 전부)를 계산합니다. backward는 겹치지 않는 창의 기울기를 0으로 채우는 순회 없이 제자리에 바로 씁니다. 흔히 쓰는 스트라이드 2의 2×2 창에는 일반 커널 옆에 빠른 경로가 있고, 테스트가 일반 커널과 비트 단위로 대조합니다: 네 픽셀을 길이가 고정된 루프로 짚어 컴파일러가 펼치므로 채널 루프가 가장 안쪽이 되어 벡터 레지스터에서 돕니다(64×26×26×32에서 순전파 0.55 → 0.13 ms, 역전파 0.31 → 0.14 ms).",
    },
    "Timing a twin run": {
        "topic": "쌍둥이 실행의 시간 측정",
        "finding": "번갈아 도는 쌍둥이 실행 안에서 단계별로 재면 torch가 단계당 7.4 ms가 아니라 48 ms가 걸렸습니다. OpenBLAS와 OpenMP가 모두 호출 사이에 스레드를 바쁘게 대기시켜 두 스레드 풀이 두 코어를 두고 다툽니다.",
        "action": "속도는 블록 단위로 잽니다(nyangtorch/compare/speed.py, 보고서와 benchmarks/compare.py가 씀). 쌍둥이 실행 자체의 시간은 '번갈아 측정'으로 표시하고 비율을 내지 않습니다.",
    },
    "Peak memory measurement": {
        "topic": "최대 메모리 측정",
        "finding": "각 쪽을 fork한 자식 프로세스에서 재면 멈췄습니다. torch의 OpenMP 스레드 풀은 fork에 안전하지 않습니다.",
        "action": "각 쪽을 spawn한 인터프리터에서 재고(compare/memory.py), 라이브러리 코드가 세어지지 않도록 양쪽 모두 기준점 전에 torch를 import합니다.",
    },
    "Loss targets": {
        "topic": "손실의 정답 형식",
        "finding": "nyangtorch의 로더는 원-핫 정답을 줍니다. torch의 cross_entropy는 클래스 확률을 받아 같은 −Σ t·log softmax(z) / N을 계산합니다.",
        "action": "쌍둥이 실행에서 양쪽 모두 같은 원-핫 정답을 받습니다.",
    },
}

TEXT = {**COMMON, **GUIDE, **PAGES, **LESSONS, **TOOLS, **COMPARE}


def lang() -> str:
    """The reader's language, "en" or "ko" (app.py keeps it in the URL as ?lang=)."""
    return st.session_state.get("lang", "en")


def t(key: str, **values) -> str:
    """The text ``key`` in the reader's language, with ``{name}`` fields filled from ``values``."""
    text = TEXT[key][lang()]
    return text.format(**values) if values else text


def labels_for(options, key: str):
    """A ``format_func`` showing option ``o`` as the text ``f"{key}_{o}"``, looked up now.

    Looked up now, not when Streamlit calls it: AppTest calls ``format_func`` outside the
    page's run, where the reader's language is not known."""
    shown = {option: t(f"{key}_{option}") for option in options}
    return shown.__getitem__
