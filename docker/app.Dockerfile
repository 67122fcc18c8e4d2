# One image for every composer-migrate process of the compose stack: the GCS, Composer API and
# Airflow 1.10 emulators, the reference scheduler and the Temporal worker (`pip install .`).
FROM python:3.11.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (a layer that survives code edits), then the code.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print(chr(10).join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY . .
RUN pip install --no-deps . && mkdir -p /state

# Every address comes from COMPOSER_MIGRATE_* variables (stack/config.py), set in docker-compose.yml.
ENV COMPOSER_MIGRATE_STATE_DIR=/state
CMD ["python", "cli.py", "--help"]
