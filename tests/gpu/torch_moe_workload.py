"""A small PyTorch MoE training loop for GPU checks of the collector and the Kineto importer.

One decoder-style block: RMSNorm -> router (FP32 linear, softmax, top-2) -> per-expert SwiGLU MLPs
(bf16 matmuls, tokens gathered per expert) -> probability-weighted combine -> residual; AdamW.
NVTX ranges name the step, router, experts and optimizer; each step emits a moeprof routing mark
(python/moeprof_nvtx.py). The router's tokens-per-expert are read back with .tolist() each step:
a structural host sync, the pattern the exposed_sync rule is meant to find. Expert 0 gets a router
bias, so the routing is skewed on purpose.

Run under `moeprof record -- python3 torch_moe_workload.py` (collector) or with `--kineto OUT.json`
(torch.profiler writes a Kineto trace of the same loop).
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import moeprof_nvtx  # noqa: E402


class MoEBlock(torch.nn.Module):
    def __init__(self, d_model, d_ff, experts, top_k):
        super().__init__()
        self.top_k = top_k
        self.norm = torch.nn.RMSNorm(d_model)
        self.router = torch.nn.Linear(d_model, experts, bias=False).float()
        self.w_gate = torch.nn.Parameter(torch.randn(experts, d_model, d_ff) * d_model ** -0.5)
        self.w_up = torch.nn.Parameter(torch.randn(experts, d_model, d_ff) * d_model ** -0.5)
        self.w_down = torch.nn.Parameter(torch.randn(experts, d_ff, d_model) * d_ff ** -0.5)
        self.router_bias = torch.zeros(experts)
        self.router_bias[0] = 2.0  # skew: expert 0 is hot

    def forward(self, x, step):
        h = self.norm(x)
        with torch.cuda.nvtx.range("router"):
            logits = self.router(h.float()) + self.router_bias.to(h.device)
            probs = logits.softmax(dim=-1)
            topv, topi = probs.topk(self.top_k, dim=-1)
            counts = torch.bincount(topi.flatten(), minlength=self.w_gate.shape[0])
            tokens_per_expert = counts.tolist()  # host sync: sizes the per-expert work
            moeprof_nvtx.emit_routing(step, 0, tokens_per_expert, rank=0)
        out = torch.zeros_like(h)
        flat_i = topi.flatten()
        flat_v = topv.flatten()
        token_of = torch.arange(h.shape[0], device=h.device).repeat_interleave(self.top_k)
        with torch.cuda.nvtx.range("experts"):
            for e, n in enumerate(tokens_per_expert):
                if n == 0:
                    continue
                sel = (flat_i == e).nonzero(as_tuple=True)[0]
                tok = token_of[sel]
                xe = h[tok].to(torch.bfloat16)
                y = (F.silu(xe @ self.w_gate[e].bfloat16()) * (xe @ self.w_up[e].bfloat16())) @ self.w_down[e].bfloat16()
                out.index_add_(0, tok, (y.float() * flat_v[sel, None]).to(out.dtype))
        return x + out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--tokens", type=int, default=4096)
    ap.add_argument("--kineto", help="write a torch.profiler (Kineto) trace to this .json path")
    args = ap.parse_args()
    torch.manual_seed(0)
    dev = "cuda"
    model = MoEBlock(d_model=1024, d_ff=2048, experts=8, top_k=2).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(args.tokens, 1024, device=dev)
    target = torch.randn(args.tokens, 1024, device=dev)

    def train_step(step):
        with torch.cuda.nvtx.range(f"step {step}"):
            y = model(x, step)
            loss = F.mse_loss(y, target)
            loss.backward()
            with torch.cuda.nvtx.range("optimizer"):
                opt.step()
                opt.zero_grad(set_to_none=True)
        return loss

    if args.kineto:
        acts = [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
        with torch.profiler.profile(activities=acts, schedule=torch.profiler.schedule(wait=1, warmup=1, active=args.steps - 2)) as prof:
            for step in range(args.steps):
                loss = train_step(step)
                prof.step()
        prof.export_chrome_trace(args.kineto)
    else:
        for step in range(args.steps):
            loss = train_step(step)
    torch.cuda.synchronize()
    print(f"final loss {loss.item():.4f} backend={moeprof_nvtx.backend_name()}")


if __name__ == "__main__":
    main()
