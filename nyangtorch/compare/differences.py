"""Every difference found between nyangtorch and PyTorch: what, why, and what was done.

The comparison report and the documentation site both read this list, so it is written once.
``status`` is "closed" (fixed, and a test keeps it fixed), "same" (checked equal), or
"deliberate" (kept on purpose, with the reason).
"""

DIFFERENCES = [
    {
        "topic": "BatchNorm variance",
        "status": "same",
        "finding": "PyTorch normalises with the biased batch variance but updates running_var with the "
        "unbiased one (×M/(M−1)).",
        "action": "nyangtorch does exactly the same; running statistics are compared with torch after "
        "several training steps (tests/nn/test_layers_vs_torch.py).",
    },
    {
        "topic": "BatchNorm counter",
        "status": "deliberate",
        "finding": "PyTorch keeps num_batches_tracked; it is only used when momentum=None.",
        "action": "nyangtorch always has a momentum, so it keeps no counter; the converter leaves torch's at 0.",
    },
    {
        "topic": "Dropout scaling",
        "status": "same",
        "finding": "PyTorch uses inverted dropout (scale by 1/(1−p) while training, identity in eval).",
        "action": "nyangtorch's default is the same; the classic variant (scale by 1−p in eval) is an option "
        "with no torch twin, so the converter refuses it by name. Twin runs leave dropout out: "
        "the two random generators cannot draw the same masks.",
    },
    {
        "topic": "Adam epsilon",
        "status": "same",
        "finding": "PyTorch adds ε after the bias correction: m̂ / (sqrt(v)/sqrt(1−β₂ᵗ) + ε), not "
        "m̂ / (sqrt(v̂) + ε) with ε inside, nor the paper's ε̂.",
        "action": "nyangtorch adds ε at the same place; trajectories agree with torch to 1e-11 over 12 steps, "
        "amsgrad and AdamW's decoupled decay included.",
    },
    {
        "topic": "RMSprop alpha",
        "status": "same",
        "finding": "PyTorch's RMSprop defaults to alpha=0.99 and lr=0.01 (Keras uses rho=0.9).",
        "action": "Same defaults and argument names; a test compares every default with torch's signature.",
    },
    {
        "topic": "Max-pool ties",
        "status": "closed",
        "finding": "After a ReLU whole 2×2 windows are 0. Routing the gradient to every maximum (a common "
        "NumPy shortcut) double-counts; PyTorch routes it to the first maximum only.",
        "action": "MaxPool.backward routes to the first maximum in row-major order; a test builds ties on "
        "purpose and compares with torch.",
    },
    {
        "topic": "Weight initialisation",
        "status": "deliberate",
        "finding": "PyTorch initialises Linear and Conv2d with kaiming_uniform(a=√5), i.e. U(±1/√fan_in); "
        "nyangtorch uses He normal N(0, 2/fan_in), suited to ReLU networks.",
        "action": "Twin runs copy the weights across, so both start identical; models trained from scratch "
        "start differently by design.",
    },
    {
        "topic": "float32 summation order",
        "status": "deliberate",
        "finding": "In float32 the two sides start identical (step 1), differ by at most 1.6e-7 relative over "
        "10 steps, 4.3e-7 over 50 and 2.0e-6 over 100; after a few hundred steps the trajectories separate "
        "(rounding grows chaotically: PyTorch's oneDNN convolution and NumPy's OpenBLAS GEMM add in different "
        "orders), yet the outcome agrees: means over blocks of 100 steps within 0.006 over all 4,170 steps, "
        "and test accuracies 0.8985 (nyangtorch) and 0.8974 (torch) after 5 epochs. The outcome itself moves "
        "by a few tenths of a point with rounding alone: in an earlier version, changing only the order in "
        "which col2im adds its nine slabs moved nyangtorch's figure from 0.8982 to 0.8946.",
        "action": "The float64 twin run agrees to 2.75e-15 (reference CNN) and 1.85e-13 (BatchNorm CNN) per "
        "step and to 7.1e-10 in the weights over 100 steps, which shows the math is the same and the float32 "
        "gap is rounding.",
    },
    {
        "topic": "Convolution kernel",
        "status": "deliberate",
        "finding": "PyTorch runs oneDNN's convolution kernels, not a matrix product. nyangtorch runs im2col "
        "and three OpenBLAS products per convolution (forward, weight gradient, input gradient); with "
        "the Haswell kernel the environment pins, a product runs at about 225 GFLOP/s, the AVX2 peak of "
        "these two cores, and at 380–470 GFLOP/s with OpenBLAS's own SkylakeX kernel.",
        "action": "Kept: im2col is the readable algorithm this project teaches. Its loops are compiled "
        "(nn/kernels/windows.py): im2col copies each window row as one run of kw·C numbers, the "
        "bias is folded into the product by a column of ones, and col2im adds each window's "
        "gradient back in the book's order (0.71 → 0.36 ms for Conv(32,64,3) at batch 64). A "
        "one-channel image stays with NumPy's strided copy per kernel offset, the book's own "
        "im2col: 0.12 ms against 0.34 for the best compiled loop tried (Numba cannot vectorise "
        "a loop whose indices are computed and may be negative). Measured and not adopted: summing col2im pixel by pixel (each pixel "
        "written once) was 30× slower, a chain of dependent adds. Winograd F(2×2, 3×3), first "
        "measured with its transforms in NumPy, did not pay; with compiled transforms it does from "
        "32 channels on, and Conv uses it there (see Winograd convolution).",
    },
    {
        "topic": "Outputs the pool never reads",
        "status": "deliberate",
        "finding": "The reference CNN's second convolution gives 11×11 outputs per channel, and the 2×2 "
        "max-pool after it (floor mode) reads only the first 10×10: PyTorch computes all 121 and its "
        "pool ignores 21, a sixth of the layer's products, copies and gradient work.",
        "action": "nyangtorch's reference CNN tells each convolution the pool that follows, "
        "Conv(32, 64, 3, next_pool=2), and the convolution computes only the 10×10 outputs the pool "
        "reads (its output is 10×10 where PyTorch's is 11×11; a NyangFlow refuses next_pool unless "
        "that pool comes right after). From the pool on both sides compute the same numbers; the "
        "weight gradient's sum no longer adds the zeros, so it can differ in the last bits. The step "
        "went from 10.9 to 9.6 ms on 2 threads (same process order, one machine), and the GFLOP "
        "of a step from 0.99 to 0.84. PyTorch's twin (to_torch) is the plain Conv2d.",
    },
    {
        "topic": "Winograd convolution",
        "status": "deliberate",
        "finding": "PyTorch's CPU convolutions run oneDNN kernels; im2col turns a 3×3 convolution into "
        "one matrix product with 9 multiply-adds per output, input channel and output channel, and "
        "on these cores OpenBLAS runs it no faster than oneDNN runs the whole convolution.",
        "action": "A Conv with a 3×3 kernel at stride 1 and at least 32 input and output channels "
        "runs Winograd's F(2×2, 3×3) (nn/winograd.py): 16 multiply-adds per 2×2 block of outputs "
        "where im2col does 36, as 16 smaller matrix products between compiled tile transforms. "
        "Values are the convolution's up to rounding (tested against torch in float64 and against "
        "im2col in float32); Conv(algorithm='im2col') keeps the plain path. The reference CNN's "
        "conv2 (forward and backward, batch 64) went from 6.7–7.9 to 4.9–6.6 ms, beside torch's "
        "6.0–6.5 ms (3 runs). Below 32 channels the transforms cost more than the products save (2.7× "
        "im2col's time at 3 input channels), so im2col stays there. Where 2×2 blocks fit the "
        "output badly, as the BatchNorm CNN's conv2's 11×11, it runs F(4×4, 3×3) "
        "(nn/kernels/winograd4.py, its transforms written out): 36 multiply-adds per 4×4 block, "
        "0.56× F(2×2)'s; a share of 32 forward and back on one thread takes 2.7 ms against "
        "F(2×2)'s 4.35. F(4×4) measured faster for 10×10 outputs too (0.85×), but in training "
        "'auto' keeps F(2×2) there: an F(4×4) output sums its whole 6×6 tile, so a blank window "
        "gives ±1e-17 instead of exactly the bias, and with a zero bias ReLU passes a gradient "
        "where PyTorch's relu'(0) = 0 passes none (the reference CNN's float64 twin drifted 3% "
        "in 20 steps). Each F(2×2) output sums only its own window's pixels. Without gradients "
        "(no_grad: inference) that rounding is all, so there 'auto' runs F(4×4) at 10×10 too: "
        "test-set inference 0.34 → 0.28–0.30 s. A backward pass decides nothing either, so after "
        "an F(2×2) forward 'auto' runs backward on F(4×4) at 10×10 (V made again from the input "
        "the forward kept): a share of 32's training step on one thread takes 0.93× the time.",
    },
    {
        "topic": "Memory format in the benchmarks",
        "status": "closed",
        "finding": "A one-channel batch stored (N, H, W, 1), as nyangtorch's loader gives it, has both NCHW "
        "and channels_last strides; torch then picks channels_last for the whole network, and its "
        "training step takes 6.7 ms instead of 9.0–9.3 ms on an NCHW batch. The first speed tables "
        "compared against the NCHW figure only.",
        "action": "The benchmarks and the report time torch both ways (NCHW, its default, and "
        "channels_last: nyangtorch/compare/speed.py) and compare with the faster, which is "
        "channels_last for these models. nyangtorch's layers work channels-last in memory either way.",
    },
    {
        "topic": "ReLU before max-pool",
        "status": "closed",
        "finding": "Written as in PyTorch, Conv → ReLU → MaxPool applies the ReLU to the full-size conv "
        "output (5.5 MB for the first block at batch 64) and its backward to a gradient that is "
        "three quarters zeros.",
        "action": "The reference models pool first, with the ReLU as the pool's own option, "
        "MaxPool(2, relu=True): max and ReLU commute, and both orders send the gradient to the "
        "window's first maximum when it is positive and nowhere otherwise, so values and gradients "
        "are those of Conv → ReLU → MaxPool (tested bit for bit against that order, with "
        "all-negative windows, ties at zero and a padded pool, and against torch, where it "
        "converts to MaxPool2d + ReLU). One compiled pass computes the max, the ReLU and the "
        "offset backward needs; a NyangFlow never fuses layers by itself.",
    },
    {
        "topic": "Per-channel broadcasting",
        "status": "closed",
        "finding": "BatchNorm broadcast its per-channel factors (C,) over (N·H·W, C) rows, so NumPy's inner "
        "loop ran only C = 32 numbers at a time, pass after pass over the data.",
        "action": "BatchNorm's passes are compiled loops (nn/kernels/norm.py): one pass for the sums "
        "Σx and Σx² (in float64, whatever the data's dtype), one for y, one for Σdy and "
        "Σdy·(x − μ), one for dx.",
    },
    {
        "topic": "Memory allocation",
        "status": "closed",
        "finding": "Each step allocated fresh large arrays; glibc served them as new mmap pages, and page "
        "faults cost about 4.5 ms of a 14 ms step. PyTorch has a caching allocator.",
        "action": "nyang_train and the nyangtorch command raise glibc's mmap and trim thresholds (nyangtorch/_allocator.py, an explicit call, never at import) "
        "so freed blocks are reused.",
    },
    {
        "topic": "Element-wise threading",
        "status": "deliberate",
        "finding": "PyTorch spreads element-wise ops (ReLU, pooling, BatchNorm) over both cores; "
        "nyangtorch's compiled kernels run on one core each.",
        "action": "Measured before deciding: the window kernels parallel over the samples (Numba's "
        "prange, two threads) beside OpenBLAS's two threads made the reference CNN's training "
        "step 3.8× slower with Numba's OpenMP layer (45.7 vs 11.9 ms) and 7% slower with its "
        "workqueue layer; with OpenMP threads that sleep rather than spin "
        "(OMP_WAIT_POLICY=passive) it was no faster (11.2 vs 11.3 ms). Kernels stay "
        "single-threaded and readable; the cores are used by running shares of each batch side by "
        "side, each thread with the BLAS on one core. Inference: nyang_inference and nyang_predict "
        "run one share of each batch per thread (eval/threads.py; every kernel is compiled "
        "nogil=True); test-set inference on two threads went from 1.38–1.73× torch's time to "
        "0.85×, and the threads' working memory raised the peak-memory ratio from 0.66 to 0.86. "
        "Training: nyang_train runs models without Dropout through DataParallel "
        "(train/parallel.py), one replica of the model per thread, each share forward and back in "
        "its own thread, the replicas' gradients added (equal to one thread's to rounding); "
        "BatchNorm's replicas add their shares' sums over the threads (nn/shares.py), so the "
        "statistics are the whole batch's, as on one thread. With "
        "one Python thread the halves of every product's output sat in two cores' caches and the "
        "next kernel read the other half across, and on the machine's slow spells the step went "
        "from 7.5–8.5 to 13–16 ms (torch's 1.2× slower); data parallel it stayed at 7.3–9.1 ms.",
    },
    {
        "topic": "NumPy max with a scalar",
        "status": "closed",
        "finding": "np.maximum(x, 0) runs NumPy's scalar loop; between two arrays it runs the SIMD one: "
        "0.42 vs 0.16 ms for a 64×32×26×26 ReLU, which had made ReLU 1.4× torch.",
        "action": "ReLU takes the max against a cached read-only zero array laid out like its input "
        "(nn/functional.py relu); forward + backward is now 0.7× torch in benchmarks/layers.py.",
    },
    {
        "topic": "Pooling on strided windows",
        "status": "closed",
        "finding": "Max-pool on NumPy's strided window view made every pass walk runs of only C numbers "
        "(32), and it took several passes (gather, max, first-maximum search, scatter).",
        "action": "Pooling is a compiled loop (nn/kernels/pool.py): one pass computes the max and "
        "the offset of the window's first maximum (one small integer per output, all backward "
        "needs); backward writes tiled windows' gradients straight into place, with no zero-fill. "
        "The usual 2×2 window at stride 2 has a fast path beside the general kernel, tested "
        "against it bit for bit: its four pixels named in an unrolled loop, so the channel loop "
        "is innermost and runs in vector registers (forward 0.55 → 0.13 ms, backward 0.31 → "
        "0.14 ms at 64×26×26×32).",
    },
    {
        "topic": "Timing a twin run",
        "status": "closed",
        "finding": "Timed step by step inside the interleaved twin run, torch took 48 ms per step instead of "
        "7.4 ms: OpenBLAS and OpenMP both keep their threads busy-waiting between calls, so the two pools "
        "fight over the two cores.",
        "action": "Speed is measured block by block (nyangtorch/compare/speed.py, used by the report and by "
        "benchmarks/compare.py); the twin run's own times are labelled interleaved and get no ratio.",
    },
    {
        "topic": "Peak memory measurement",
        "status": "closed",
        "finding": "Measuring each side in a forked child hung: torch's OpenMP thread pool is not fork-safe.",
        "action": "Each side is measured in a spawned interpreter (compare/memory.py), with torch imported "
        "before the baseline on both sides so library code is not counted.",
    },
    {
        "topic": "Loss targets",
        "status": "same",
        "finding": "nyangtorch's loaders give one-hot targets; torch's cross_entropy accepts class "
        "probabilities and computes the same −Σ t·log softmax(z) / N.",
        "action": "Both sides get the same one-hot targets in twin runs.",
    },
]
