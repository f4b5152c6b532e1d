"""fp32 Linear layers with their weights pre-packed for oneDNN, for the e5-torch backend on CPU.

``torch.nn.Linear`` hands its row-major weight to the BLAS on every call; oneDNN can instead keep the weight in
its own blocked layout, reordered once (``torch.ops.mkldnn._reorder_linear_weight``) and multiplied with
``torch.ops.mkldnn._linear_pointwise`` — the op torch's own compiler emits for frozen CPU models. Same fp32
arithmetic (results agree to ~1e-7 relative), about 6 % less time per forward pass on the 2-core development CPU
(docs/embeddings.md). Where torch lacks the ops (built without oneDNN, another architecture) or the packed result
disagrees with ``F.linear`` on a probe, nothing is changed.
"""
from __future__ import annotations

#: most relative difference between the packed and the plain product on the probe before packing is refused
PROBE_TOLERANCE = 1e-4


def packing_available() -> bool:
    """Whether this torch can reorder and multiply oneDNN-packed fp32 Linear weights."""
    import torch

    try:
        return bool(torch.backends.mkldnn.is_available()) and hasattr(torch.ops.mkldnn, "_linear_pointwise") \
            and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")
    except (AttributeError, RuntimeError):
        return False


def _packed_linear_class():
    import torch

    class PackedLinear(torch.nn.Module):
        """A Linear whose weight lives in oneDNN's blocked layout (inference only)."""

        def __init__(self, linear: torch.nn.Linear, batch_hint: int):
            super().__init__()
            self.in_features, self.out_features = linear.in_features, linear.out_features
            weight = linear.weight.detach()
            self.register_buffer("packed", torch.ops.mkldnn._reorder_linear_weight(weight, batch_hint),
                                 persistent=False)
            bias = linear.bias.detach() if linear.bias is not None else None
            self.register_buffer("bias", bias, persistent=False)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            flat = x.reshape(-1, self.in_features)
            y = torch.ops.mkldnn._linear_pointwise(flat, self.packed, self.bias, "none", [], "")
            return y.reshape(*x.shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, oneDNN-packed"

    return PackedLinear


def _agrees(linear, packed) -> bool:
    import torch

    probe = torch.randn(8, linear.in_features, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        want = torch.nn.functional.linear(probe, linear.weight, linear.bias)
        got = packed(probe)
    scale = float(want.abs().max()) or 1.0
    return got.shape == want.shape and float((got - want).abs().max()) <= PROBE_TOLERANCE * scale


def pack_linears(model, prefix: str = "encoder.", batch_hint: int = 2048) -> int:
    """Replace every fp32 ``nn.Linear`` under ``prefix`` by its oneDNN-packed twin, in place; the count replaced.

    ``batch_hint``: the rows (tokens) a typical call multiplies, for oneDNN's choice of layout. Returns 0 and
    changes nothing when packing is unavailable or the first packed layer disagrees with ``F.linear``.
    """
    import torch

    if not packing_available():
        return 0
    targets = [(name, module) for name, module in model.named_modules()
               if isinstance(module, torch.nn.Linear) and name.startswith(prefix)
               and module.weight.dtype == torch.float32 and module.weight.device.type == "cpu"]
    if not targets:
        return 0
    PackedLinear = _packed_linear_class()
    try:
        first = PackedLinear(targets[0][1], batch_hint)
        if not _agrees(targets[0][1], first):
            return 0
    except RuntimeError:
        return 0
    for i, (name, module) in enumerate(targets):
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, first if i == 0 else PackedLinear(module, batch_hint))
    return len(targets)
