import Torch

// A short tour of the tensor API (the training job replaces this once nn and optim land).
Torch.manualSeed(0)
let x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("x =", x)
print("x.t() =", x.t())
print("x.sum(dim: 1) =", x.sum(dim: 1))
print("x.mean() =", x.mean())
let v = x[..., 1..<3]
v += 10
print("after v += 10 through a view, x =", x)
let w = Tensor.randn([3, 2])
print("x.matmul(w) =", x.matmul(w))
print("softmax rows =", (x - x.logsumexp(dims: [1], keepdim: true)).exp())
print("mask x .> 12:", x .> 12, "selected:", x[x .> 12])
print("arange(10).reshape(2, 5) =", Tensor.arange(10).reshape(2, 5))
print("big =", Tensor.arange(0.0, 2000.0).reshape(40, 50))
