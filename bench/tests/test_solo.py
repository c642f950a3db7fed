import argparse
import contextlib
import io
import unittest

from harness import solo
from harness.solo import catalog_scale, dashboard_viewers, login_burst, orders, overload

META = {"date": "2026-12-07 00:00", "commit": "abc1234", "cores": 2, "load": 0.5, "command": "scripts/bench x"}


def order_row(round_, side, scenario, rate, oversold=0, codes="-"):
    return {"round": round_, "side": side, "scenario": scenario, "rate": rate, "errors": 0, "orders": 10, "sold": 10,
            "initial": 100, "left": 90 - oversold, "oversold": oversold, "codes": codes}


class OrdersTests(unittest.TestCase):
    opts = argparse.Namespace(connections=200, seconds=5)

    def test_the_burst_counts_2xx_over_its_time_and_refusals_plus_unanswered_as_not_2xx(self):
        hey = {"status_counts": {"409": 880, "201": 100}, "error_count": 20, "total_s": 2.0}
        self.assertEqual(orders.burst_figures(hey), (50.0, 900, "201:100,409:880,failed:20"))

    def test_ratios_pair_the_sides_of_a_round(self):
        rows = [order_row(1, "storefront", "hot", 100), order_row(1, "peer", "hot", 200),
                order_row(2, "peer", "hot", 0), order_row(2, "storefront", "hot", 100)]
        self.assertEqual(orders.ratios(rows, "hot"), [0.5])

    def test_storefront_overselling_fails_the_run_and_the_peer_overselling_does_not(self):
        self.assertIsNone(orders.failed([order_row(1, "peer", "hot", 1, oversold=5)]))
        self.assertIn("oversold", orders.failed([order_row(1, "storefront", "hot", 1, oversold=1)]))

    def test_the_report_gives_medians_ranges_ratio_and_every_window(self):
        rows = [order_row(1, "storefront", "hot", 100), order_row(1, "peer", "hot", 200, oversold=7),
                order_row(2, "peer", "hot", 100, oversold=3), order_row(2, "storefront", "hot", 150)]
        text = orders.report(rows, META, self.opts)
        self.assertIn("| one hot item, 200 buyers (wrk -c200) | 125 (100–150) | 150 (100–200) | 1.00× (0.50–1.50) | "
                      "0 | 7 |", text)
        self.assertIn("| 1,000 distinct items, 200 buyers (wrk -c200) | nan | nan | n/a | n/a | n/a |", text)
        self.assertIn("1-minute load average before the run: 0.5 on 2 cores.", text)
        self.assertEqual(text.count("| hot |"), 4)

    def test_the_mail_drain_is_reported_from_the_storefront_windows_that_left_mail(self):
        rows = [{**order_row(1, "storefront", "hot", 100), "mails": 1000, "drain_s": 4.0},
                {**order_row(1, "storefront", "spread", 100), "mails": 900, "drain_s": 2.0},
                {**order_row(1, "storefront", "oversell", 10), "mails": 0, "drain_s": 0.0},
                order_row(1, "peer", "hot", 100)]
        self.assertEqual(orders.mail_drain(rows), (350.0, 250.0, 450.0, 4.0))
        self.assertIn("were drained after each of its windows before the next window started: 350 mails/s (median; "
                      "250–450), the longest drain 4 s.", orders.report(rows, META, self.opts))
        self.assertIsNone(orders.mail_drain([order_row(1, "peer", "hot", 100)]))
        self.assertNotIn("mails/s", orders.report([order_row(1, "peer", "hot", 100)], META, self.opts))

    def test_a_busy_machine_is_said_so(self):
        text = orders.report([order_row(1, "storefront", "hot", 1)], {**META, "load": 3.0}, self.opts)
        self.assertIn("**Measured on a busy machine**", text)


class CatalogScaleTests(unittest.TestCase):
    def rows(self):
        out = []
        for r, factor in ((1, 1.0), (2, 1.2)):
            for size, rps in ((20, 1000), (1000, 700)):
                for name in catalog_scale.REQUESTS:
                    out.append({"round": r, "size": size, "name": name, "rps": rps * factor, "p50": 1.0, "p99": 4.0,
                                "errors": 0})
        return out

    def test_each_size_is_a_share_of_the_smallest_per_round(self):
        lines, verdict = catalog_scale.table(self.rows())
        self.assertEqual(len(lines), 4)
        self.assertTrue(lines[3].startswith("| 1,000 | 770 · 4.0 · 70% (70–70) |"), lines[3])
        self.assertEqual(verdict, ["first page 70%", "page 90% deep (cursor) 70%"])

    def test_a_search_is_a_ratio_to_the_first_page_of_its_size_and_round(self):
        rows = []
        for r, factor, rare, p99 in ((1, 1.0, 300, 30.0), (2, 1.2, 420, 10.0), (3, 1.0, 350, 12.0)):
            for size, rps in ((20, 1000), (1000, 700)):
                for name in catalog_scale.REQUESTS:
                    got = rare if size == 1000 and name == "rare" else rps * factor
                    rows.append({"round": r, "size": size, "name": name, "rps": got, "p50": 1.0,
                                 "p99": p99 if size == 1000 and name in catalog_scale.SEARCHES else 4.0, "errors": 0})
        lines, verdict = catalog_scale.search_table(rows)
        # The first page at 1,000 items: 700, 840, 700 rps; the rare term 300, 420, 350: ratios 0.43, 0.50, 0.50.
        self.assertTrue(lines[3].startswith("| 1,000 | 700 · 4.0 | 350 · 0.50× (0.43–0.50) · 12.0 (10.0–30.0) |"), lines[3])
        self.assertEqual(verdict, ["search ?q=54321 (rare) 0.50×, p99 12.0 ms: met",
                                   "search ?q=ic%20desk (1%) 1.00×, p99 12.0 ms: met",
                                   "search ?q=ic%20 (25%) 1.00×, p99 12.0 ms: met"])
        slow = [{**row, "p99": 25.0} if row["name"] == "common" else row for row in rows]
        self.assertTrue(catalog_scale.search_table(slow)[1][2].endswith("p99 25.0 ms: missed"))
        fewer = [{**row, "rps": row["rps"] * 0.9} if row["name"] == "rare" else row for row in rows]
        self.assertTrue(catalog_scale.search_table(fewer)[1][0].endswith("0.45×, p99 12.0 ms: missed"))

    def test_the_report_states_both_targets(self):
        text = catalog_scale.report(self.rows(), META, argparse.Namespace(connections=8, duration=5, rounds=2))
        self.assertIn("first page 70%, page 90% deep (cursor) 70%.", text)
        self.assertIn("search ?q=54321 (rare) 1.00×, p99 4.0 ms: met", text)
        self.assertIn("1-minute load average before the run: 0.5 on 2 cores.", text)

    def test_sizes_may_be_given_with_commas_or_spaces_within_their_bounds(self):
        self.assertEqual(solo.parse(catalog_scale, ["--sizes", "20 10000"]).sizes, (20, 10000))
        self.assertEqual(solo.parse(catalog_scale, []).sizes, (20, 10000, 100000, 1000000))
        for bad in ("5", "20,x", ""):
            with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
                solo.parse(catalog_scale, ["--sizes", bad])


class DashboardViewersTests(unittest.TestCase):
    def test_the_bootstrap_interval_is_seeded_and_holds_the_median(self):
        xs = [0.95, 0.97, 0.99, 1.0, 1.01, 1.02, 0.98, 0.96, 1.03, 1.0]
        low, high = dashboard_viewers.interval(xs)
        self.assertEqual((low, high), dashboard_viewers.interval(xs))
        self.assertLessEqual(low, 0.995)
        self.assertGreaterEqual(high, 0.995)

    def test_too_few_rounds_leave_the_verdict_open(self):
        self.assertIn("not decided", dashboard_viewers.verdict([1.0] * 5, 0.001))

    def test_met_needs_a_small_profile_cost_and_an_interval_reaching_a_loss_under_the_bar(self):
        self.assertIn("Verdict: met", dashboard_viewers.verdict([0.98, 1.0, 1.01, 0.99] * 3, 0.003))
        self.assertIn("Verdict: not met", dashboard_viewers.verdict([0.98, 1.0, 1.01, 0.99] * 3, 0.02))
        self.assertIn("a larger loss", dashboard_viewers.verdict([0.90, 0.91, 0.92] * 4, 0.003))

    def test_the_report_has_a_row_per_round(self):
        rows = [{"none_rps": 1000, "none_cpu": 20.0, "with_rps": 990, "with_cpu": 20.2}] * 3
        opts = argparse.Namespace(viewers=10, pin=True, duration=3)
        text = dashboard_viewers.report({"rounds": rows, "profiles": {}, "micro": []}, META, opts)
        self.assertEqual(text.count("| 1,000 | 990 | 99.0% | 20.00 | 20.20 | 101.0% |"), 3)
        self.assertIn("the service on CPU 1", text)


class LoginBurstTests(unittest.TestCase):
    def test_the_report_has_a_line_per_measurement(self):
        rows = [{"what": "GET / alone", "rps": 1000, "p50": 1, "p99": 2, "max": 3, "errors": 0},
                {"what": "POST /token load", "logins": {"status": {"401": 4}}}]
        text = login_burst.report(rows, META, None)
        self.assertIn("GET / alone                  1,000 rps   p50    1.00 ms", text)
        self.assertIn('POST /token load         {"status": {"401": 4}}', text)


def overload_row(round_, side, multiple, goodput, p99, shed=0, requests=1000):
    return {"round": round_, "side": side, "multiple": multiple, "rate": int(1000 * multiple), "saturation": 1000,
            "goodput": goodput, "p99_ok": p99, "p50_ok": p99 / 2, "shed": shed, "other_status": 0, "timeouts": 0,
            "failed": 0, "late_starts": 0, "requests": requests}


class OverloadTests(unittest.TestCase):
    opts = argparse.Namespace(path="/items/7", items=20, warmup=3, duration=6, rounds=2, multiples=(1.0, 3.0))

    def test_the_target_compares_the_limit_at_the_top_multiple_with_the_best_1x_goodput_and_its_own_1x_p99(self):
        rows = [overload_row(1, "on", 1.0, 900, 10), overload_row(1, "off", 1.0, 1000, 12),
                overload_row(1, "on", 3.0, 950, 40, shed=2000, requests=3000),
                overload_row(1, "off", 3.0, 700, 900)]
        share, factor, passed = overload.verdict(rows)
        self.assertAlmostEqual(share, 0.95)
        self.assertAlmostEqual(factor, 4.0)
        self.assertTrue(passed)
        self.assertIsNone(overload.failed(rows))

    def test_a_miss_on_either_figure_fails_the_run(self):
        slow = [overload_row(1, "on", 1.0, 1000, 10), overload_row(1, "on", 3.0, 950, 60)]
        self.assertIn("p99 6.0×", overload.failed(slow))
        starved = [overload_row(1, "on", 1.0, 1000, 10), overload_row(1, "on", 3.0, 800, 20)]
        self.assertIn("goodput 80%", overload.failed(starved))
        self.assertIsNone(overload.verdict([overload_row(1, "on", 3.0, 800, 20)]))

    def test_the_report_gives_medians_ranges_and_the_refused_share(self):
        rows = [overload_row(1, "on", 1.0, 900, 10), overload_row(2, "on", 1.0, 1100, 14),
                overload_row(1, "on", 3.0, 950, 40, shed=1500, requests=3000),
                overload_row(2, "on", 3.0, 1050, 44, shed=2100, requests=3000)]
        text = overload.report(rows, META, self.opts)
        self.assertIn("| on | 3× (3,000/s) | 1,000 (950–1,050) | 42.0 (40.0–44.0) | 60% (50%–70%) | 0 · 0 · 0 | 0 |",
                      text)
        self.assertIn("goodput 91%, p99 3.5× — met.", text)
        self.assertIn("**1,000 requests/s**", text)

    def test_a_refusals_cost_is_what_the_top_multiples_cpu_leaves_once_its_2xx_are_paid_at_the_1x_cost(self):
        rows = [{**overload_row(1, "on", 1.0, 1000, 10), "cpu_us": 100.0},
                {**overload_row(1, "on", 3.0, 1000, 20, shed=2000, requests=3000), "cpu_us": 40.0}]
        served, refused = overload.refusal_cost(rows)
        self.assertEqual(served, 100.0)
        self.assertAlmostEqual(refused, 10.0)
        self.assertIn("about 100 µs of CPU per 2xx answer at 1× and about 10 µs per refusal at 3×",
                      overload.report(rows, META, self.opts))
        self.assertIsNone(overload.refusal_cost([{**overload_row(1, "on", 1.0, 1000, 10), "cpu_us": 100.0}]))


if __name__ == "__main__":
    unittest.main()
