# The Victim Care Hub image: gunicorn serving the app, as a non-root user.
# Built with the same install script as `make run`, so the image and a developer's machine are
# set up by the same steps (WeasyPrint's Pango/HarfBuzz, Noto fonts, npm assets, translations).
FROM python:3.11-slim-bookworm

# FORWARDED_ALLOW_IPS: the proxies whose X-Forwarded-* headers gunicorn and the app believe
# (addresses or networks, comma-separated). Only the container's own loopback (its HEALTHCHECK)
# unless the deployment names its proxy: compose.yaml names nginx's address.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HUB_ENV=production \
    FORWARDED_ALLOW_IPS=127.0.0.1

WORKDIR /srv/hub
COPY pyproject.toml package.json package-lock.json babel.cfg ./
COPY requirements/app.txt ./requirements/
COPY scripts ./scripts
COPY app ./app
COPY translations ./translations
RUN scripts/install.sh image \
    && rm -rf node_modules /var/lib/apt/lists/* /root/.npm

COPY content ./content
COPY migrations ./migrations

RUN useradd --system --uid 10001 --home /srv/hub hub \
    && mkdir -p /srv/hub/instance && chown hub /srv/hub/instance
USER hub

EXPOSE 8000
# In production the app sends plain http to https unless the proxy says TLS ended there: the
# probe, inside the container, says so (it would otherwise follow the redirect and fail).
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'X-Forwarded-Proto': 'https'}), timeout=2)"
# Migrations run before serving; SECRET_KEY, DATA_KEY, DATABASE_URL and REDIS_URL come from the
# environment. Without REDIS_URL the app refuses to start: each worker would count rate limits on
# its own (RATE_LIMITS_PER_PROCESS=1 accepts that, and it is then logged).
CMD ["sh", "-c", "flask --app app db upgrade && exec gunicorn --workers ${WEB_CONCURRENCY:-2} --bind 0.0.0.0:8000 'app:create_app()'"]
