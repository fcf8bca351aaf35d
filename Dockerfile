# ВПР-портал: one image for the web (gunicorn), the Celery worker and beat. See docker-compose.yml.
# Bookworm pinned: its postgresql-client (15) matches the postgres:15 service, so `make backup` and
# `make restore` (pg_dump -Fc / pg_restore) run inside the web container.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=vpr_portal.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# WeasyPrint's libraries (Pango, HarfBuzz subsetting) and fonts with Cyrillic for the PDFs; gettext for
# compilemessages; postgresql-client for backups (make backup). Python dependencies come as wheels: no compiler.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext make postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Translations are compiled into the image; compilemessages refuses to run when there are no catalogues.
RUN if [ -n "$(find . -name '*.po' -print -quit)" ]; then python manage.py compilemessages -v0; fi \
    && useradd --uid 1000 --user-group --create-home --home-dir /home/vpr --shell /usr/sbin/nologin vpr \
    && mkdir -p "$STATIC_ROOT" "$MEDIA_ROOT" \
    && chown vpr:vpr "$STATIC_ROOT" "$MEDIA_ROOT"

# A home of its own: gunicorn keeps its control socket in ~/.gunicorn.
USER vpr
EXPOSE 8000

# docker-compose.yml runs migrate and collectstatic before this; the server's settings (5 processes of 2 threads,
# connections, access log) are in vpr_portal/gunicorn.py.
CMD ["gunicorn", "-c", "python:vpr_portal.gunicorn", "vpr_portal.wsgi:application"]
