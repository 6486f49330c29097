"""The nightly scorecard: a static HTML report with PNG charts, in Vietnamese."""
