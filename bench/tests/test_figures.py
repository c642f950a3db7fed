import unittest

from harness import figures, plan, probe


def window(round_, rps, busy=0.0):
    return {"round": round_, "busy_before_pct": busy,
            "wrk": {"rps_2xx": rps, "requests": 100, "errors": {"status": 0, "timeout": 0},
                    "latency_ms": {"p50": 1.0, "p99": 2.0}}}


def scenario(a_rounds, b_rounds):
    return {"tool": "wrk", "results": {"storefront": {"status": "ok", "rounds": a_rounds},
                                       "peer": {"status": "ok", "rounds": b_rounds}}}


class SpreadTests(unittest.TestCase):
    def test_median_min_max_and_count_skip_missing_values(self):
        self.assertEqual(figures.spread([3, None, 1, 2]), {"median": 2, "min": 1, "max": 3, "n": 3})

    def test_nothing_is_none(self):
        self.assertIsNone(figures.spread([None]))


class RatioTests(unittest.TestCase):
    def test_ratios_pair_windows_of_the_same_round(self):
        sc = scenario([window(1, 200), window(2, 300), window(3, 100)], [window(1, 100), window(2, 100)])
        self.assertEqual([(r, v) for r, v, _ in figures.round_ratios(sc, "storefront", "peer", "rps")],
                         [(1, 2.0), (2, 3.0)])

    def test_a_steady_ratio_over_three_rounds_is_reliable(self):
        sc = scenario([window(r, 102 + r) for r in (1, 2, 3)], [window(r, 100) for r in (1, 2, 3)])
        fig = figures.ratio_figure(sc, "storefront", "peer", "rps")
        self.assertEqual(fig["n"], 3)
        self.assertAlmostEqual(fig["median"], 1.04)
        self.assertEqual(fig["unreliable"], [])

    def test_few_rounds_a_wide_spread_or_a_busy_machine_make_it_unreliable(self):
        fig = figures.ratio_figure(scenario([window(1, 100), window(2, 150)], [window(1, 100), window(2, 100, busy=50)]),
                                   "storefront", "peer", "rps")
        reasons = " ".join(fig["unreliable"])
        self.assertIn("only 2 rounds", reasons)
        self.assertIn("spread over", reasons)
        self.assertIn("1 round(s) with the machine over 20% busy", reasons)

    def test_a_round_in_which_most_requests_failed_has_no_ratio(self):
        failed = window(1, 1)
        failed["wrk"]["errors"]["timeout"] = 90
        sc = scenario([window(1, 100)], [failed])
        self.assertEqual(figures.round_ratios(sc, "storefront", "peer", "rps"), [])


class MetricTests(unittest.TestCase):
    def test_a_burst_counts_200s_over_its_time(self):
        w = {"hey": {"ok_200": 50, "total_s": 2.0, "responses": 90, "error_count": 10}}
        self.assertEqual(figures.METRICS["rps"](w), 25.0)
        self.assertEqual(figures.METRICS["errors"](w), 50)
        self.assertEqual(figures.METRICS["ok_share"](w), 0.5)

    def test_a_window_with_no_answer_has_no_latency(self):
        w = window(1, 0)
        w["wrk"]["requests"] = 0
        self.assertIsNone(figures.METRICS["p99_ms"](w))


class RotationTests(unittest.TestCase):
    def test_each_round_starts_with_the_next_side(self):
        self.assertEqual([plan.rotated(["a", "b", "c"], r) for r in range(4)],
                         [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]])
        self.assertEqual(plan.rotated([], 3), [])


class ProbeTests(unittest.TestCase):
    def test_busy_share_counts_steal_as_busy(self):
        self.assertEqual(probe.busy_share((100, 0, 1000), (150, 10, 1100)), (50.0, 10.0))

    def test_connections_spread_over_workers(self):
        self.assertTrue(probe.spread_ok([60, 40], 2, 100))
        self.assertFalse(probe.spread_ok([98, 2], 2, 100))


if __name__ == "__main__":
    unittest.main()
