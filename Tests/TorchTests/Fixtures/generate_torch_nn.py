"""PyTorch references for nn layers and losses: outputs and gradients for fixed weights and inputs.

Run once under PyTorch (a virtualenv with `pip install torch numpy`):

    python Tests/TorchTests/Fixtures/generate_torch_nn.py

It writes `torch_nn.json` next to this script. Every case is computed in float64: the module's
state dict (PyTorch's names, which the Swift test loads strictly), the inputs, the outputs, an
upstream gradient per output, and the gradients of sum(output * upstream) with respect to every
input and parameter; for modules with running statistics, the buffers after the call.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": t.reshape(-1).int().tolist()}
    if not t.is_floating_point():
        return {"shape": list(t.shape), "dtype": "int64", "data": t.reshape(-1).tolist()}
    return {"shape": list(t.shape), "dtype": "float64", "data": t.reshape(-1).tolist()}


cases = []


def case(name, module, inputs, forward=None, nondiff=(), train=True, extra=None):
    """`inputs`: dict name -> tensor (float inputs get gradients unless listed in `nondiff`)."""
    if module is not None:
        module.train(train)
        module.zero_grad()
        params = {k: v.detach().clone() for k, v in module.state_dict().items()}
    else:
        params = {}
    ins = {}
    for k, v in inputs.items():
        v = v.detach().clone()
        if v.is_floating_point() and k not in nondiff:
            v.requires_grad_(True)
        ins[k] = v
    fwd = forward or (lambda m, x: m(x["x"]))
    outs = fwd(module, ins)
    if isinstance(outs, torch.Tensor):
        outs = [outs]
    ups = [torch.randn(o.shape) for o in outs]
    loss = sum((o * u).sum() for o, u in zip(outs, ups) if o.requires_grad)
    grads = {}
    if isinstance(loss, torch.Tensor):
        loss.backward()
        for k, v in ins.items():
            if v.requires_grad and v.grad is not None:
                grads[k] = enc(v.grad)
        if module is not None:
            for k, p in module.named_parameters():
                if p.grad is not None:
                    grads[k] = enc(p.grad)
    entry = {
        "name": name,
        "params": {k: enc(v) for k, v in params.items()},
        "inputs": {k: enc(v) for k, v in ins.items()},
        "outputs": [enc(o) for o in outs],
        "upstream": [enc(u) for u in ups],
        "grads": grads,
    }
    if module is not None:
        entry["buffers_after"] = {k: enc(v) for k, v in module.named_buffers()}
    if extra:
        entry.update(extra)
    cases.append(entry)


def randn(*s):
    return torch.randn(*s)


# Linear layers
case("linear", nn.Linear(5, 3), {"x": randn(4, 5)})
case("linear_nobias_3d", nn.Linear(5, 3, bias=False), {"x": randn(2, 3, 5)})
case("bilinear", nn.Bilinear(3, 4, 2), {"x1": randn(5, 3), "x2": randn(5, 4)}, lambda m, x: m(x["x1"], x["x2"]))

# Convolutions
case("conv1d", nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2), {"x": randn(2, 4, 9)})
case("conv2d", nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 0)), {"x": randn(2, 3, 7, 8)})
case("conv2d_same", nn.Conv2d(2, 3, (4, 3), padding="same", dilation=2), {"x": randn(1, 2, 6, 6)})
case("conv2d_depthwise", nn.Conv2d(4, 4, 3, groups=4, bias=False), {"x": randn(1, 4, 5, 5)})
case("conv2d_unbatched", nn.Conv2d(2, 3, 2), {"x": randn(2, 4, 4)})
case("conv3d", nn.Conv3d(2, 3, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1)), {"x": randn(1, 2, 4, 5, 4)})
case("conv_transpose1d", nn.ConvTranspose1d(4, 3, 3, stride=2, padding=1, output_padding=1), {"x": randn(2, 4, 5)})
case("conv_transpose2d", nn.ConvTranspose2d(4, 4, (3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
                                            groups=2, dilation=(1, 2)), {"x": randn(1, 4, 3, 4)})

# Pooling
case("max_pool1d", nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True), {"x": randn(2, 3, 9)})
case("max_pool2d", nn.MaxPool2d(3, stride=2, padding=1, dilation=2), {"x": randn(1, 2, 9, 9)})
case("avg_pool1d", nn.AvgPool1d(4, stride=3, padding=2, ceil_mode=True, count_include_pad=False), {"x": randn(2, 3, 10)})
case("avg_pool2d", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), {"x": randn(1, 2, 7, 6)})
case("avg_pool2d_plain", nn.AvgPool2d(2), {"x": randn(2, 3, 4, 6)})
case("adaptive_avg_pool1d", nn.AdaptiveAvgPool1d(4), {"x": randn(2, 3, 10)})
case("adaptive_avg_pool2d", nn.AdaptiveAvgPool2d((3, 4)), {"x": randn(1, 2, 7, 9)})
case("adaptive_avg_pool2d_even", nn.AdaptiveAvgPool2d((2, 3)), {"x": randn(1, 2, 4, 6)})
case("adaptive_max_pool1d", nn.AdaptiveMaxPool1d(4), {"x": randn(2, 3, 10)})
case("adaptive_max_pool2d", nn.AdaptiveMaxPool2d((3, 5)), {"x": randn(1, 2, 7, 9)})

# Normalisation
case("layer_norm", nn.LayerNorm([4, 5]), {"x": randn(3, 4, 5)})
case("group_norm", nn.GroupNorm(2, 4), {"x": randn(2, 4, 3, 3)})
case("rms_norm", nn.RMSNorm([5]), {"x": randn(3, 5)})
bn = nn.BatchNorm2d(3)
case("batch_norm2d_train", bn, {"x": randn(4, 3, 2, 2)})
case("batch_norm2d_eval", bn, {"x": randn(2, 3, 2, 2)}, train=False)
case("batch_norm1d_3d", nn.BatchNorm1d(3, momentum=None), {"x": randn(4, 3, 5)})
case("embedding", nn.Embedding(10, 4, padding_idx=2), {"idx": torch.tensor([[1, 2, 3], [2, 5, 9]])},
     lambda m, x: m(x["idx"]))

# Activations (functional; no module state)
acts = {
    "relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.2), "elu": lambda x: F.elu(x, 0.7),
    "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "silu": F.silu, "mish": F.mish,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "softmax": lambda x: F.softmax(x, dim=1),
    "log_softmax": lambda x: F.log_softmax(x, dim=0), "softplus": lambda x: F.softplus(x, beta=2, threshold=3),
    "hardtanh": lambda x: F.hardtanh(x, -0.5, 1.5),
}
for name, f in acts.items():
    case("act_" + name, None, {"x": randn(3, 4) * 2}, lambda m, x, f=f: f(x["x"]))

# Recurrent layers
case("rnn_bidirectional", nn.RNN(3, 4, num_layers=2, batch_first=True, bidirectional=True),
     {"x": randn(2, 5, 3)}, lambda m, x: list(m(x["x"])[:1]) + [m(x["x"])[1]])
case("lstm_two_layers", nn.LSTM(3, 4, num_layers=2), {"x": randn(5, 2, 3), "h0": randn(2, 2, 4), "c0": randn(2, 2, 4)},
     lambda m, x: (lambda o: [o[0], o[1][0], o[1][1]])(m(x["x"], (x["h0"], x["c0"]))))
case("lstm_bidirectional", nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True), {"x": randn(2, 5, 3)},
     lambda m, x: (lambda o: [o[0], o[1][0], o[1][1]])(m(x["x"])))
case("gru", nn.GRU(3, 4, batch_first=True), {"x": randn(2, 5, 3)}, lambda m, x: list((lambda o: (o[0], o[1]))(m(x["x"]))))

# Attention
mha = nn.MultiheadAttention(8, 2, batch_first=True)
case("multihead_attention", mha, {"q": randn(2, 3, 8), "k": randn(2, 4, 8), "v": randn(2, 4, 8),
                                   "mask": torch.tensor([[False, False, True, False], [False, False, False, False]])},
     lambda m, x: list(m(x["q"], x["k"], x["v"], key_padding_mask=x["mask"])), nondiff=("mask",))
case("transformer_encoder_layer", nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True),
     {"x": randn(2, 5, 8)})
case("transformer_encoder_layer_norm_first_gelu",
     nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True),
     {"x": randn(2, 5, 8)})
case("transformer_decoder_layer", nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True),
     {"x": randn(2, 4, 8), "mem": randn(2, 5, 8),
      "mpad": torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])},
     lambda m, x: m(x["x"], x["mem"], memory_key_padding_mask=x["mpad"], tgt_is_causal=True,
                    tgt_mask=nn.Transformer.generate_square_subsequent_mask(4)), nondiff=("mpad",))
case("transformer_decoder_layer_norm_first_gelu",
     nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True),
     {"x": randn(2, 4, 8), "mem": randn(2, 5, 8)}, lambda m, x: m(x["x"], x["mem"]))
case("scaled_dot_product_attention_causal", None, {"q": randn(2, 4, 3), "k": randn(2, 4, 3), "v": randn(2, 4, 5)},
     lambda m, x: F.scaled_dot_product_attention(x["q"], x["k"], x["v"], is_causal=True))

# Losses
logits, labels = randn(5, 4), torch.tensor([0, 3, 1, 1, 2])
case("cross_entropy_options", None, {"x": logits, "w": torch.rand(4) + 0.5, "y": torch.tensor([0, 3, -1, 1, 2])},
     lambda m, x: F.cross_entropy(x["x"], x["y"], weight=x["w"], ignore_index=-1, label_smoothing=0.1), nondiff=("w",))
case("cross_entropy_probabilities", None, {"x": logits, "p": torch.softmax(randn(5, 4), 1)},
     lambda m, x: F.cross_entropy(x["x"], x["p"]), nondiff=("p",))
case("cross_entropy_sum", None, {"x": logits, "y": labels}, lambda m, x: F.cross_entropy(x["x"], x["y"], reduction="sum"))
case("nll_loss", None, {"x": F.log_softmax(logits, 1), "y": labels}, lambda m, x: F.nll_loss(x["x"], x["y"]))
a, b = randn(3, 4), randn(3, 4)
case("mse_loss", None, {"a": a, "b": b}, lambda m, x: F.mse_loss(x["a"], x["b"]))
case("l1_loss", None, {"a": a, "b": b}, lambda m, x: F.l1_loss(x["a"], x["b"], reduction="sum"))
case("smooth_l1_loss", None, {"a": a, "b": b}, lambda m, x: F.smooth_l1_loss(x["a"], x["b"], beta=0.5))
case("huber_loss", None, {"a": a, "b": b}, lambda m, x: F.huber_loss(x["a"], x["b"], delta=0.7))
case("binary_cross_entropy", None, {"p": torch.rand(3, 4) * 0.9 + 0.05, "t": torch.rand(3, 4)},
     lambda m, x: F.binary_cross_entropy(x["p"], x["t"]), nondiff=("t",))
case("binary_cross_entropy_with_logits", None, {"x": a, "t": torch.rand(3, 4), "pw": torch.rand(4) + 0.5},
     lambda m, x: F.binary_cross_entropy_with_logits(x["x"], x["t"], pos_weight=x["pw"]), nondiff=("t", "pw"))
case("kl_div_batchmean", None, {"x": F.log_softmax(a, 1), "t": torch.softmax(b, 1)},
     lambda m, x: F.kl_div(x["x"], x["t"], reduction="batchmean"), nondiff=("t",))
case("kl_div_log_target", None, {"x": F.log_softmax(a, 1), "t": F.log_softmax(b, 1)},
     lambda m, x: F.kl_div(x["x"], x["t"], reduction="sum", log_target=True), nondiff=("t",))
case("cosine_embedding_loss", None, {"a": a, "b": b, "y": torch.tensor([1.0, -1.0, -1.0])},
     lambda m, x: F.cosine_embedding_loss(x["a"], x["b"], x["y"], margin=0.1), nondiff=("y",))
case("margin_ranking_loss", None, {"a": randn(6), "b": randn(6), "y": torch.tensor([1.0, -1, 1, -1, 1, 1])},
     lambda m, x: F.margin_ranking_loss(x["a"], x["b"], x["y"], margin=0.2), nondiff=("y",))

# Recurrent cells: with and without states, unbatched, ReLU, no bias, two steps.
case("rnn_cell_tanh", nn.RNNCell(3, 4), {"x": randn(2, 3), "h": randn(2, 4)}, lambda m, x: m(x["x"], x["h"]))
case("rnn_cell_relu_nobias", nn.RNNCell(3, 4, bias=False, nonlinearity="relu"), {"x": randn(2, 3)})
case("lstm_cell", nn.LSTMCell(3, 4), {"x": randn(2, 3), "h": randn(2, 4), "c": randn(2, 4)},
     lambda m, x: list(m(x["x"], (x["h"], x["c"]))))
case("lstm_cell_two_steps_unbatched", nn.LSTMCell(3, 4), {"x1": randn(3), "x2": randn(3)},
     lambda m, x: list(m(x["x2"], m(x["x1"]))))
case("gru_cell", nn.GRUCell(3, 4), {"x": randn(2, 3), "h": randn(2, 4)}, lambda m, x: m(x["x"], x["h"]))
case("gru_cell_nobias_unbatched", nn.GRUCell(3, 4, bias=False), {"x": randn(3)})

# Transformer stacks and attention options (#16), appended so earlier cases keep their values.
case("transformer_encoder",
     nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True), 2, norm=nn.LayerNorm(8),
                           enable_nested_tensor=False),
     {"x": randn(2, 5, 8), "pad": torch.tensor([[False] * 4 + [True], [False] * 5])},
     lambda m, x: m(x["x"], mask=nn.Transformer.generate_square_subsequent_mask(5), src_key_padding_mask=x["pad"]),
     nondiff=("pad",))
case("transformer", nn.Transformer(8, 2, 2, 1, 16, 0.0, batch_first=True),
     {"src": randn(2, 5, 8), "tgt": randn(2, 3, 8), "pad": torch.tensor([[False] * 4 + [True], [False] * 5])},
     lambda m, x: m(x["src"], x["tgt"], tgt_mask=nn.Transformer.generate_square_subsequent_mask(3),
                    src_key_padding_mask=x["pad"], memory_key_padding_mask=x["pad"]), nondiff=("pad",))
case("multihead_attention_per_head_bool_mask", nn.MultiheadAttention(8, 2),
     {"q": randn(3, 2, 8), "k": randn(4, 2, 8), "v": randn(4, 2, 8),
      "mask": torch.tensor([[False, True, False, False], [False, False, False, True], [True, False, False, False]])},
     lambda m, x: list(m(x["q"], x["k"], x["v"], attn_mask=x["mask"], average_attn_weights=False)), nondiff=("mask",))
# Packed sequences through the recurrent layers, and unbatched inputs (#16).
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def packed_run(m, x, lengths, batch_first=True):
    out, hidden = m(pack_padded_sequence(x["x"], lengths, batch_first=batch_first, enforce_sorted=False))
    padded, _ = pad_packed_sequence(out, batch_first=batch_first)
    return [padded] + (list(hidden) if isinstance(hidden, tuple) else [hidden])


case("lstm_packed", nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), {"x": randn(3, 5, 3)},
     lambda m, x: packed_run(m, x, [3, 5, 2]))
case("gru_packed", nn.GRU(3, 4, bidirectional=True), {"x": randn(4, 3, 3)},
     lambda m, x: packed_run(m, x, [2, 4, 1], batch_first=False))
case("lstm_unbatched_with_state", nn.LSTM(3, 4, num_layers=2), {"x": randn(5, 3), "h": randn(2, 4), "c": randn(2, 4)},
     lambda m, x: (lambda o: [o[0], o[1][0], o[1][1]])(m(x["x"], (x["h"], x["c"]))))
case("embedding_max_norm", nn.Embedding(10, 3, max_norm=1.0), {"x": torch.tensor([[1, 2], [4, 1]])})
case("embedding_max_norm_p1", nn.Embedding(6, 4, max_norm=0.5, norm_type=1.0), {"x": torch.tensor([0, 5, 5, 3])})
case("lstm_proj", nn.LSTM(3, 5, num_layers=2, proj_size=2, bidirectional=True, batch_first=True),
     {"x": randn(2, 4, 3)}, lambda m, x: (lambda o: [o[0], o[1][0], o[1][1]])(m(x["x"])))
case("lstm_proj_packed", nn.LSTM(3, 4, proj_size=3), {"x": randn(4, 3, 3)},
     lambda m, x: packed_run(m, x, [4, 2, 3], batch_first=False))

# Parametrizations (#16): weight and spectral norm. The state dict holds the originals and the
# power-iteration vectors, so both sides start from the same `_u`/`_v`; training mode runs the
# power iteration in the call (buffers_after), evaluation mode does not.
from torch.nn.utils.parametrizations import spectral_norm, weight_norm

case("linear_weight_norm", weight_norm(nn.Linear(5, 3)), {"x": randn(4, 5)})
case("conv2d_weight_norm_whole", weight_norm(nn.Conv2d(2, 3, 3), dim=None), {"x": randn(2, 2, 5, 5)})
case("conv_transpose2d_weight_norm_dim1", weight_norm(nn.ConvTranspose2d(3, 4, 2, stride=2), dim=1),
     {"x": randn(1, 3, 3, 3)})
case("conv1d_weight_norm_last", weight_norm(nn.Conv1d(2, 3, 4), dim=2), {"x": randn(2, 2, 7)})
case("embedding_weight_norm_dim1", weight_norm(nn.Embedding(6, 3), dim=1), {"idx": torch.tensor([[1, 5], [0, 1]])},
     lambda m, x: m(x["idx"]))
case("lstm_weight_norm_hh", weight_norm(nn.LSTM(3, 4), name="weight_hh_l0"), {"x": randn(5, 2, 3)},
     lambda m, x: (lambda o: [o[0], o[1][0], o[1][1]])(m(x["x"])))
case("linear_spectral_norm_train", spectral_norm(nn.Linear(5, 4)), {"x": randn(3, 5)})
case("conv2d_spectral_norm_eval", spectral_norm(nn.Conv2d(3, 4, 3), n_power_iterations=2), {"x": randn(2, 3, 5, 5)},
     train=False)
case("conv_transpose2d_spectral_norm", spectral_norm(nn.ConvTranspose2d(4, 3, 3), n_power_iterations=3),
     {"x": randn(1, 4, 4, 4)})
case("gru_cell_spectral_norm_ih", spectral_norm(nn.GRUCell(3, 4), name="weight_ih"), {"x": randn(2, 3), "h": randn(2, 4)},
     lambda m, x: m(x["x"], x["h"]))
case("linear_weight_and_spectral_norm", spectral_norm(weight_norm(nn.Linear(4, 3))), {"x": randn(2, 4)})
case("prelu_spectral_norm_vector", spectral_norm(nn.PReLU(3, 0.3)), {"x": randn(2, 3, 4)})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_nn.json")
with open(out, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {out}")
