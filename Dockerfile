# The image of the Dagster webserver, daemon and code location (compose and aws profiles).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*
COPY --from=ghcr.io/astral-sh/uv:0.8 /uv /usr/local/bin/uv
WORKDIR /opt/dagster/app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev && mkdir -p /opt/dagster/home \
    && cp docker/dagster.yaml /opt/dagster/home/dagster.yaml
ENV PATH="/opt/dagster/app/.venv/bin:$PATH" DAGSTER_HOME=/opt/dagster/home
EXPOSE 3000 4000
