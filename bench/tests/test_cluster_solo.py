import argparse
import os
import tempfile
import unittest

from harness.solo import capacity, cluster, sync_commit

META = {"date": "2026-12-07 00:00", "commit": "abc1234", "cores": 2, "load": 0.5, "command": "scripts/bench x"}


class ClusterTests(unittest.TestCase):
    def test_the_state_file_is_read_as_words_per_name(self):
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "state"), "w", encoding="utf-8") as f:
                # As scripts/cluster's save_state writes it.
                f.write('declare -g NGINX_PORT="20001"\ndeclare -ga INSTANCE_PORTS=([0]="20002" [1]="20003")\n'
                        'declare -g PG_DATA="/tmp/x/db/pg"\ndeclare -g PG_STANDBY_DATA=""\n')
            deployment = cluster.Cluster.__new__(cluster.Cluster)
            deployment.dir = folder
            state = deployment.state()
            self.assertEqual(state["INSTANCE_PORTS"], ["20002", "20003"])
            self.assertEqual(state["PG_STANDBY_DATA"], [])
            self.assertEqual(deployment.url(), "http://127.0.0.1:20001")
            self.assertEqual(deployment.url(1), "http://127.0.0.1:20003")

    def test_a_revision_or_a_published_app_is_refused(self):
        self.assertIsNone(cluster.check(argparse.Namespace(ref=None, app=None)))
        self.assertIn("--ref", cluster.check(argparse.Namespace(ref="main", app=None)))


class CapacityTests(unittest.TestCase):
    opts = argparse.Namespace(rate=100, instances=2, replicated=False)

    def test_the_mix_is_counted_over_its_seconds_only(self):
        out = ('{"start_unix_ms":1}\n{"second":0,"total":100,"ok":98}\nsome stderr line\n'
               '{"second":1,"total":100,"ok":100}\n{"jobs_accepted":10}\n')
        self.assertEqual(capacity.mix_counts(out), (198, 200))

    def test_the_idle_cost_is_taken_off_at_its_rate_over_the_measured_time(self):
        row = {"part": "instances", "cpu_s": 2.0, "idle_cpu_s": 1.0, "idle_s": 10.0, "wall_s": 10.0, "ok": 1000,
               "total": 1000}
        self.assertEqual(capacity.figures(row), (0.1, 2000.0, 1000.0, 0.2))
        text = capacity.report([row], META, self.opts)
        self.assertIn("| instances | 0.100 | 2,000 | 1,000 | 0.20 |", text)
        self.assertIn("1,000 of 1,000 requests answered 2xx over 10 s.", text)


class SyncCommitTests(unittest.TestCase):
    opts = argparse.Namespace(rounds=2, orders=400, concurrency=20)

    def test_each_setting_is_the_lower_middle_of_its_rounds(self):
        row = {"instances": 4000, "postgres": 1700, "postgres-standby": 200}
        rows = [{**row, "setting": "on", "rps": 300, "p50": 50, "p99": 90},
                {**row, "setting": "on", "rps": 320, "p50": 40, "p99": 80, "instances": 5000},
                {**row, "setting": "local", "rps": 400, "p50": 30, "p99": 60}]
        text = sync_commit.report(rows, META, self.opts)
        self.assertIn("| on (waits for the standby) | 300 | 40.0 ms | 80.0 ms | 4000 | 1700 | 200 |", text)
        self.assertIn("| local (primary only) | 400 | 30.0 ms | 60.0 ms |", text)


if __name__ == "__main__":
    unittest.main()
