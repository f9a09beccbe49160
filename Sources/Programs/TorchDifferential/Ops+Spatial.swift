import Torch
import TorchNN

// Grid sampling, the remaining losses, randomized activations and alpha dropout (stop 31, #14),
// by the generator's names.

/// The distances `triplet_margin_with_distance_loss` cases name.
private let tripletDistances: [String: ((Tensor, Tensor) -> Tensor)?] = [
    "pairwise": nil, "cosine": { (cosineSimilarity($0, $1, dim: -1) * -1.0) + 1.0 },
    "l1": { ($0 - $1).abs().sum(dims: [-1]) },
]

let spatialAndRandomOps: [String: DiffOp] = [
    "grid_sample": { xs, c in
        [
            gridSample(
                xs[0], xs[1], mode: GridSampleMode(rawValue: c.string("mode"))!,
                paddingMode: GridSamplePadding(rawValue: c.string("pad"))!, alignCorners: c.bool("align"))
        ]
    },
    "affine_grid": { xs, c in [affineGrid(xs[0], size: c.ints("size"), alignCorners: c.bool("align"))] },
    "multilabel_margin_loss": { xs, c in
        [multiLabelMarginLoss(xs[0], xs[1], reduction: Reduction(rawValue: c.string("red"))!)]
    },
    "triplet_margin_with_distance_loss": { xs, c in
        [
            tripletMarginWithDistanceLoss(
                xs[0], xs[1], xs[2], distance: tripletDistances[c.string("dist")]!, margin: c.double("margin"),
                swap: c.bool("swap"), reduction: Reduction(rawValue: c.string("red"))!)
        ]
    },
    "rrelu": { xs, c in [rrelu(xs[0], lower: c.double("lower"), upper: c.double("upper"), training: false)] },
    "alpha_dropout": { xs, c in [alphaDropout(xs[0], p: c.double("p"), training: c.bool("training"))] },
    "feature_alpha_dropout": { xs, c in
        [featureAlphaDropout(xs[0], p: c.double("p"), training: c.bool("training"))]
    },
    "gumbel_softmax": { xs, c in
        let y = gumbelSoftmax(xs[0], tau: 1e30, hard: c.bool("hard"), dim: c.int("dim"))
        return [c.bool("hard") && xs[0].rank > 0 ? y.sum(dims: [c.int("dim")]) : y]
    },
]
