"""Unit test of the routing-mark formatting in moeprof_nvtx.py (no torch, no nvtx needed).

Checks format_routing_mark against the golden cases that the C++ parser test also reads
(tests/collector/nvtx_nccl/routing_golden.txt), and the input validation. Run by ctest as
`python3 test_moeprof_nvtx.py [golden file]`; python/ is found relative to this file.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
import moeprof_nvtx  # noqa: E402

GOLDEN = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(HERE, "routing_golden.txt")


def golden_cases():
    cases = []
    with open(GOLDEN, encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            step, layer, mb, rank, e0, tokens, text = line.split("|")
            cases.append(dict(step=int(step), layer=int(layer), microbatch=int(mb),
                              rank=None if rank == "-" else int(rank), first_expert=int(e0),
                              tokens=[int(t) for t in tokens.split(",")], text=text))
    return cases


class FormatTest(unittest.TestCase):
    def test_golden(self):
        cases = golden_cases()
        self.assertGreaterEqual(len(cases), 3)
        for c in cases:
            got = moeprof_nvtx.format_routing_mark(c["step"], c["layer"], c["tokens"],
                                                   microbatch=c["microbatch"], rank=c["rank"],
                                                   first_expert=c["first_expert"])
            self.assertEqual(got, c["text"])

    def test_defaults(self):
        self.assertEqual(moeprof_nvtx.format_routing_mark(1, 2, [3, 4]),
                         "moe.route step=1 layer=2 mb=0 e0=0 tokens=3,4")

    def test_tolist_inputs(self):
        class FakeTensor:  # stands in for a torch tensor / numpy array
            def tolist(self):
                return [5, 0, 7]
        self.assertEqual(moeprof_nvtx.format_routing_mark(3, 1, FakeTensor(), rank=2),
                         "moe.route step=3 layer=1 mb=0 rank=2 e0=0 tokens=5,0,7")
        self.assertEqual(moeprof_nvtx.format_routing_mark(3, 1, (1, 2)),
                         "moe.route step=3 layer=1 mb=0 e0=0 tokens=1,2")

    def test_rejects_invalid(self):
        f = moeprof_nvtx.format_routing_mark
        with self.assertRaises(ValueError):
            f(-1, 0, [1])
        with self.assertRaises(ValueError):
            f(0, 0, [])
        with self.assertRaises(ValueError):
            f(0, 0, [1, -2])
        with self.assertRaises(ValueError):
            f(0, 0, [1], rank=-1)
        with self.assertRaises(TypeError):
            f(0, 0, [1.5])
        with self.assertRaises(TypeError):
            f(True, 0, [1])
        with self.assertRaises(TypeError):
            f("3", 0, [1])

    def test_emit_without_backend_is_harmless(self):
        # Whatever is installed here, emit_routing must not raise on valid input.
        result = moeprof_nvtx.emit_routing(1, 0, [1, 2])
        self.assertEqual(result, moeprof_nvtx.backend_name() != "none")


if __name__ == "__main__":
    unittest.main()
