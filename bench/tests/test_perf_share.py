import unittest

from harness import perf_share

SCRIPT = """dotnet 123 [001] 10.0: 1001001 cpu-clock:
\t    7f01 instance void [Storefront.Api] Storefront.Api.Dashboard.DashboardListener::OnMeasurement(int)[OptimizedTier1] (/tmp/perf-123.map)
\t    7f02 instance void [Storefront.Api] Storefront.Api.Dashboard.DashboardFeed`1[System.__Canon]::Tick()[Tier1] (/tmp/perf-123.map)

dotnet 123 [000] 10.1: 1001001 cpu-clock:
\t    7f03 void [System.Private.CoreLib] System.Threading.ThreadPool::Dispatch()[OptimizedTier1] (/tmp/perf-123.map)

dotnet 123 [000] 10.2: 1001001 cpu-clock:
\t    7f04 instance void [Storefront.Api] Storefront.Api.Dashboard.DashboardListener::OnMeasurement(int)[OptimizedTier1] (/tmp/perf-123.map)
"""


class PerfShareTests(unittest.TestCase):
    def test_samples_are_split_at_blank_lines_leaf_first(self):
        samples = list(perf_share.samples(SCRIPT.splitlines()))
        self.assertEqual(len(samples), 3)
        self.assertIn("OnMeasurement", samples[0][0])

    def test_a_sample_counts_once_by_its_matching_frame_nearest_the_leaf(self):
        result = perf_share.share(SCRIPT.splitlines(), r"Storefront\.Api\.Dashboard\.")
        self.assertEqual(result["samples"], 3)
        self.assertEqual(result["matching"], 2)
        self.assertEqual(result["frames"], [["Storefront.Api.Dashboard.DashboardListener::OnMeasurement", 2]])

    def test_generic_arity_is_dropped_from_a_frame_name(self):
        self.assertEqual(perf_share.name("instance void [A] Ns.Feed`1[System.__Canon]::Tick()[Tier1] (dso)"),
                         "Ns.Feed::Tick")


if __name__ == "__main__":
    unittest.main()
