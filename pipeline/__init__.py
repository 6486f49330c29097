"""Orchestration: the nightly steps, dbt invocation, Airflow glue and the ``dxwh`` command line.

The top layer: the only package that imports ``ingest``, ``expectations`` and ``warehouse``.
"""
