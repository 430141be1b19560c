"""ibias_lib: the computations behind *Implicit Bias, executable*.

A small numpy library for the implicit bias of first-order methods (after M. Telgarsky's talk
*Implicit bias of first-order optimization*). Import it as ``import ibias_lib as ib``; every
name a reader of the talk knows is at the top level::

    X, y = ib.planted_data(200, 10, margin=0.05, seed=0)
    svm = ib.max_margin(X, y)                      # gamma-bar and its direction
    tr = ib.normalized_gd(X, y, n_steps=10_000)    # a Trace of margins, risks, norms
    gap = svm.gamma - tr.margin                    # O(ln n / t)

Everything is computed in the log domain from the margins m = y * (X @ w).
"""
from .boosting import (L1MaxMarginResult, Stumps, adaboost, adaboost_step, decision_stumps,
                       l1_margin, max_margin_l1, stump_values)
from .datasets import planted_data, soudry_data
from .kernels import (KernelMaxMarginResult, kernel_features, kernel_gd, kernel_max_margin,
                      rbf_kernel, rings_data, rkhs_margin)
from .losses import LOSSES, log_risk_of, loss_values, risk, risk_gradient
from .margins import margin, margins, smoothed_margin
from .max_margin import MaxMarginResult, max_margin
from .numerics import logsumexp, softmax
from .optim import (Trace, gd, gd_step, log_spaced_steps, normalized_gd, normalized_gd_step,
                    run)
from .perceptron import PerceptronResult, perceptron
from .plotting import plot_data, plot_gap, plot_log_risk, plot_margins, plot_norm
from .networks import (ACTIVATIONS, KKTResult, NetTrace, flatten, forward, homogeneity_degree,
                       init_network, kkt_conditions, kkt_residual, layer_alignment,
                       layer_balance, layer_product, network_margin, network_margins,
                       network_risk_grad, network_sizes, train_network, unflatten)
from .attention import (AttentionSVM, AttentionTrace, attention_forward, attention_probs,
                        attention_risk_grad, attention_svm, optimal_tokens, token_data,
                        train_attention)
from .xor import (SampleComplexity, four_relu_witness, ntk_predict, relevant_mass, relu_ntk,
                  sample_complexity, smallest_n, witness_margin, xor_data, xor_test_error)
from .fast_margin import FastMarginResult, dual_bound, fast_margin, fast_margin_trace
from .mass import (MeasureMargin, NeuronMass, activation_patterns, direction_margin,
                   dual_margin_bound, dual_potential, mass_over_directions, measure_max_margin,
                   measure_network, neuron_mass, pattern_share, skewed_wedge_data,
                   skewed_wedge_kkt_points, wedge_data, wedge_kkt_points)

from .nonseparable import (SeparableDecomposition, nonseparable_data, separable_decomposition,
                           separable_direction, tight_minimizer)
from .proofs import (descent_inequality, dual_inequality, logistic_burn_in,
                     logistic_smoothness, lse_potential, ngd_margin_bound, norm_inequality,
                     perceptron_bound, perceptron_inequality, perceptron_norm_bound,
                     smoothing_sandwich, telescoped_margin_bound)
from .regpath import (PathComparison, PathPoint, RegularizationPath, angle, compare_to_path,
                      constrained_minimizer, path_radius, penalized_minimizer,
                      regularization_path)

from . import claims, deep_linear, kkt, logistic_bounds   # submodules, e.g. ib.kkt

__version__ = "0.1.0"

__all__ = [
    "LOSSES", "MaxMarginResult", "PerceptronResult", "Trace", "gd", "gd_step", "log_risk_of",
    "log_spaced_steps", "logsumexp", "loss_values", "margin", "margins", "max_margin",
    "normalized_gd", "normalized_gd_step", "perceptron", "planted_data", "plot_data",
    "plot_gap", "plot_log_risk", "plot_margins", "plot_norm", "risk", "risk_gradient", "run",
    "smoothed_margin", "softmax", "soudry_data",
    "KernelMaxMarginResult", "kernel_features", "kernel_gd", "kernel_max_margin", "rbf_kernel",
    "rings_data", "rkhs_margin", "L1MaxMarginResult", "Stumps", "adaboost", "adaboost_step",
    "decision_stumps", "l1_margin", "max_margin_l1", "stump_values",
    "SampleComplexity", "four_relu_witness", "ntk_predict", "relevant_mass", "relu_ntk",
    "sample_complexity", "smallest_n", "witness_margin", "xor_data", "xor_test_error",
    "MeasureMargin", "NeuronMass", "dual_margin_bound", "dual_potential",
    "mass_over_directions", "measure_max_margin", "measure_network", "neuron_mass",
    "wedge_data", "wedge_kkt_points", "activation_patterns", "direction_margin",
    "pattern_share", "skewed_wedge_data", "skewed_wedge_kkt_points",
    "ACTIVATIONS", "KKTResult", "NetTrace", "flatten", "forward", "homogeneity_degree",
    "init_network", "kkt_conditions", "kkt_residual", "layer_alignment", "layer_balance",
    "layer_product", "network_margin",
    "network_margins", "network_risk_grad", "network_sizes", "train_network", "unflatten",
    "FastMarginResult", "dual_bound", "fast_margin", "fast_margin_trace",
    "AttentionSVM", "AttentionTrace", "attention_forward", "attention_probs",
    "attention_risk_grad", "attention_svm", "optimal_tokens", "token_data", "train_attention",
    "SeparableDecomposition", "nonseparable_data", "separable_decomposition",
    "separable_direction", "tight_minimizer",
    "PathComparison", "PathPoint", "RegularizationPath", "angle", "compare_to_path",
    "constrained_minimizer", "path_radius", "penalized_minimizer", "regularization_path",
    "descent_inequality", "dual_inequality", "logistic_burn_in", "logistic_smoothness",
    "lse_potential", "ngd_margin_bound", "norm_inequality", "perceptron_bound",
    "perceptron_inequality", "perceptron_norm_bound", "smoothing_sandwich",
    "telescoped_margin_bound",
]
