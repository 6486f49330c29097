# The dxwh image: Airflow, dbt, DuckDB and the project, installed from uv.lock.
# One image runs every Airflow component (see docker-compose.yml).
FROM python:3.11.14-slim-bookworm

COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /uvx /usr/local/bin/

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/dxwh/venv \
    PATH=/opt/dxwh/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DXWH_HOME=/data \
    AIRFLOW_HOME=/data/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/dxwh/app/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False

# uid 50000, as in the official Airflow image
RUN useradd --uid 50000 --gid 0 --home-dir /opt/dxwh --no-create-home airflow \
    && mkdir -p /opt/dxwh/app /data/airflow \
    && chown -R airflow:0 /opt/dxwh /data

WORKDIR /opt/dxwh/app
USER airflow

# .pyc compiled once at build time, not by every process of every container
ENV UV_COMPILE_BYTECODE=1

# dependencies first (cached while only the project's code changes), exactly as locked
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra postgres --no-install-project

COPY --chown=airflow:0 dags ./dags
COPY --chown=airflow:0 dbt_project ./dbt_project
COPY --chown=airflow:0 ingest ./ingest
COPY --chown=airflow:0 expectations ./expectations
COPY --chown=airflow:0 core ./core
COPY --chown=airflow:0 warehouse ./warehouse
COPY --chown=airflow:0 pipeline ./pipeline
COPY --chown=airflow:0 portal ./portal
RUN uv sync --frozen --no-dev --extra postgres \
    && dxwh dbt-parse

VOLUME ["/data"]
EXPOSE 8080
CMD ["airflow", "version"]
