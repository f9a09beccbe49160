// The umbrella module: one import for the tensor library and every library above it.
//
// ```swift
// import SwiftTorch
// let model = Sequential(Linear(784, 10))
// let opt = SGD(model.parameters(), lr: 0.1)
// ```
@_exported import Torch
@_exported import TorchNN
@_exported import TorchOptim
@_exported import TorchData
@_exported import TorchIO
@_exported import TorchDistributions
@_exported import TorchONNX
@_exported import TorchDistributed
