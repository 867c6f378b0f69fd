# CRSV MIS web image; the same image runs the Celery worker and beat (see docker-compose.yml).
# Debian trixie: its postgresql-client (17) matches the postgres:17 server of docker-compose.yml (backups).
FROM python:3.11-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The source tree in /app comes first, so BASE_DIR finds templates/ and static/
    # whichever entry point (manage.py, gunicorn, celery) imports the project.
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=crsv_mis.production

WORKDIR /app

# WeasyPrint (the quarterly report's PDF) draws text with Pango; DejaVu gives it French accents.
# pg_dump and pg_restore: `manage.py backup_database` / `restore_database`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN pip install .

COPY . .
# The keys below exist only for this RUN line so that the production settings load;
# collectstatic touches neither the database nor encrypted data. Real keys come
# from the environment at run time (.env, see .env.example).
RUN pip install --no-deps . \
    && SECRET_KEY=build-time-only-not-a-secret-build-time-only-not-a-secret \
       FIELD_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
       AUDIT_CHAIN_KEY=build-time-only-not-a-secret AUDIT_CHECKPOINT_DIR=/tmp \
       python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home crsv \
    && mkdir -p /var/lib/crsv-mis/backups /var/lib/crsv-mis/audit-checkpoints \
    && chown -R crsv:crsv /var/lib/crsv-mis

USER crsv

EXPOSE 8000

# Workers: set WEB_CONCURRENCY (gunicorn reads it); extra flags: GUNICORN_CMD_ARGS.
CMD ["gunicorn", "crsv_mis.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
