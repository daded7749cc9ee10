"""The scoring engine: schemes, rules, periods, adjustments, grades, ranks, explanations,
intervals, robustness and publishing. Pages and reports call `metrics.service`."""
