import unittest

from harness import load

WRK = """Running 2s test @ http://127.0.0.1:5000/
  2 threads and 100 connections
WRK_JSON {"requests": 1000, "duration_s": 2.0, "rps": 500.0, "bytes": 1, "latency_ms": {"mean": 1, "stdev": 0, "p50": 1.5, "p90": 2, "p99": 3.25, "max": 9}, "errors": {"connect": 0, "read": 1, "write": 0, "status": 100, "timeout": 2}}
"""

HEY = """
Summary:
  Total:\t2.0000 secs
  Slowest:\t1.9000 secs
  Fastest:\t0.0100 secs
  Average:\t0.5000 secs
  Requests/sec:\t500.0000

Response time histogram:
  0.010 [1]\t|

Latency distribution:
  10% in 0.0500 secs
  50% in 0.2500 secs
  99% in 1.8000 secs

Details (average, fastest, slowest):
  DNS+dialup:\t0.0100 secs, 0.0001 secs, 0.9000 secs

Status code distribution:
  [201]\t100 responses
  [409]\t880 responses

Error distribution:
  [12]\tPost "http://127.0.0.1:5000/orders": read tcp 127.0.0.1:41234->127.0.0.1:5000: read: connection reset by peer
  [8]\tPost "http://127.0.0.1:5000/orders": read tcp 127.0.0.1:41999->127.0.0.1:5000: read: connection reset by peer
"""


class WrkTests(unittest.TestCase):
    def test_the_json_line_is_read_and_2xx_per_second_leave_status_errors_out(self):
        w = load.parse_wrk(WRK)
        self.assertEqual(w["requests"], 1000)
        self.assertEqual(w["latency_ms"]["p99"], 3.25)
        self.assertEqual(w["rps_2xx"], 450.0)

    def test_a_line_of_another_marker_is_read_by_its_marker(self):
        text = 'Running\nLOGIN_JSON {"requests": 5, "status": {"401": 4, "503": 1}}\n'
        self.assertEqual(load.parse_json_line(text, "LOGIN_JSON")["status"], {"401": 4, "503": 1})
        self.assertIsNone(load.parse_json_line(text))

    def test_no_json_line_is_none(self):
        self.assertIsNone(load.parse_wrk("Running 2s test\nsocket errors: connect 100"))

    def test_a_window_of_no_time_has_no_rate(self):
        w = load.parse_wrk('WRK_JSON {"requests": 0, "duration_s": 0, "errors": {"status": 0}}')
        self.assertEqual(w["rps_2xx"], 0.0)

    def test_the_command_has_the_reporting_script_only_when_measured(self):
        spec = {"connections": 100}
        measured = load.wrk_command("/b", "http://x/", spec, 5, measured=True)
        self.assertEqual(measured[:4], ["wrk", "-t2", "-c100", "-d5s"])
        self.assertIn("/b/wrk/report.lua", measured)
        self.assertIn("--latency", measured)
        self.assertNotIn("--latency", load.wrk_command("/b", "http://x/", spec, 5, measured=False))


class HeyTests(unittest.TestCase):
    def setUp(self):
        self.hey = load.parse_hey(HEY)

    def test_totals_and_percentiles(self):
        self.assertEqual(self.hey["total_s"], 2.0)
        self.assertEqual(self.hey["rps"], 500.0)
        self.assertEqual(self.hey["latency_ms"], {"p10": 50.0, "p50": 250.0, "p99": 1800.0})

    def test_statuses_are_counted(self):
        self.assertEqual(self.hey["status_counts"], {"201": 100, "409": 880})
        self.assertEqual(self.hey["responses"], 980)
        self.assertEqual(self.hey["ok_200"], 0)

    def test_errors_that_differ_only_by_client_port_are_one(self):
        self.assertEqual(list(self.hey["errors"].values()), [20])
        self.assertEqual(self.hey["error_count"], 20)


class PreflightTests(unittest.TestCase):
    def test_a_websocket_path_is_served_only_on_101(self):
        ws = {"tool": "ws_echo"}
        self.assertFalse(load.not_served(101, ws))
        self.assertTrue(load.not_served(403, ws))
        self.assertTrue(load.not_served(404, {"tool": "wrk"}))
        self.assertFalse(load.not_served(200, {"tool": "wrk"}))

    def test_a_prediction_must_have_a_label_and_a_score(self):
        self.assertTrue(load.looks_like_prediction('{"prediction": "positive", "score": 0.9}'))
        self.assertFalse(load.looks_like_prediction('{"prediction": "positive"}'))
        self.assertFalse(load.looks_like_prediction("not json"))


if __name__ == "__main__":
    unittest.main()
