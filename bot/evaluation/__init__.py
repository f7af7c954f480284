"""The evaluators' harness: question sets, scoring, baselines, reports, calibration and retrieval benchmarks."""
