"""Emit moeprof routing marks from Python (PyTorch) training code. No compiled code.

A routing mark reports, for one MoE layer, microbatch and step on one rank, how many tokens the
router sent to each expert. It is an NVTX mark in domain "moeprof" whose message is plain text:

    moe.route step=12 layer=3 mb=0 rank=1 e0=4 tokens=17,3,0,44

The moeprof collector (NVTX_INJECTION64_PATH set by `moeprof record`) turns it into rows of the
trace's routing table; the analyzer's expert-imbalance rule reads them. The format is specified in
docs/ROUTING-MARK.md.

Emission backends, tried in this order:
  1. the `nvtx` package (pip install nvtx): nvtx.mark(message, domain="moeprof") -- preferred;
  2. torch.cuda.nvtx.mark(message): it cannot name a domain, so the mark lands in NVTX's default
     domain. The collector accepts routing marks there too (they are recognised by the
     "moe.route " prefix), but other NVTX tools will show them as ordinary default-domain marks;
  3. neither available: emit_routing() does nothing and returns False.
Formatting (format_routing_mark) needs neither and is what the unit test checks.
"""

import operator

ROUTING_DOMAIN = "moeprof"
ROUTING_PREFIX = "moe.route"

__all__ = ["ROUTING_DOMAIN", "ROUTING_PREFIX", "format_routing_mark", "emit_routing", "backend_name"]


def _count(name, value):
    """A non-negative Python int from an int-like (int, numpy/torch integer scalar); no bools."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not bool")
    try:
        v = operator.index(value)
    except TypeError:
        # 0-d tensors support int() but not always __index__.
        if hasattr(value, "item"):
            v = operator.index(value.item())
        else:
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {v}")
    return v


def _token_list(tokens_per_expert):
    # A torch tensor (CPU or CUDA) or numpy array: .tolist() gives Python ints. For a CUDA tensor
    # this copies to the host and waits for the GPU (a device sync): see docs/ROUTING-MARK.md.
    if hasattr(tokens_per_expert, "tolist"):
        tokens_per_expert = tokens_per_expert.tolist()
    tokens = [_count("tokens_per_expert[%d]" % i, t) for i, t in enumerate(tokens_per_expert)]
    if not tokens:
        raise ValueError("tokens_per_expert must not be empty")
    return tokens


def format_routing_mark(step, layer, tokens_per_expert, microbatch=0, rank=None, first_expert=0):
    """Returns the routing-mark text. Raises TypeError/ValueError on invalid input.

    tokens_per_expert[i] is the number of tokens routed to expert first_expert + i (global expert
    ids). rank=None leaves the rank out: the collector then uses the recording process's rank
    (RANK, OMPI_COMM_WORLD_RANK, PMI_RANK or SLURM_PROCID).
    """
    parts = [
        ROUTING_PREFIX,
        "step=%d" % _count("step", step),
        "layer=%d" % _count("layer", layer),
        "mb=%d" % _count("microbatch", microbatch),
    ]
    if rank is not None:
        parts.append("rank=%d" % _count("rank", rank))
    parts.append("e0=%d" % _count("first_expert", first_expert))
    parts.append("tokens=" + ",".join(str(t) for t in _token_list(tokens_per_expert)))
    return " ".join(parts)


_backend = None  # (name, callable) once resolved


def _resolve_backend():
    global _backend
    if _backend is not None:
        return _backend
    try:
        import nvtx  # the NVTX Python package

        def emit_nvtx(text):
            nvtx.mark(message=text, domain=ROUTING_DOMAIN)

        _backend = ("nvtx", emit_nvtx)
        return _backend
    except ImportError:
        pass
    try:
        import torch

        mark = torch.cuda.nvtx.mark  # default domain only; see the module docstring

        def emit_torch(text):
            mark(text)

        _backend = ("torch.cuda.nvtx", emit_torch)
        return _backend
    except (ImportError, AttributeError):
        pass
    _backend = ("none", None)
    return _backend


def backend_name():
    """'nvtx', 'torch.cuda.nvtx' or 'none': which library emit_routing() uses."""
    return _resolve_backend()[0]


def emit_routing(step, layer, tokens_per_expert, microbatch=0, rank=None, first_expert=0):
    """Emits one routing mark. Returns True when a mark was emitted, False when no NVTX backend is
    installed. Invalid input raises (TypeError/ValueError) rather than emitting a mark the
    collector would reject."""
    text = format_routing_mark(step, layer, tokens_per_expert, microbatch, rank, first_expert)
    _, emit = _resolve_backend()
    if emit is None:
        return False
    emit(text)
    return True
