# Jiangtang application image: uvicorn serving backend.asgi (HTTP and WebSocket).
# Built once by docker-compose.yml and shared by the migrate, web1..web3 and seed
# services. Static files are collected at build time and served by WhiteNoise.

# --- Translations -------------------------------------------------------------------
# Compile the .po catalogues here (what `manage.py compilemessages` runs), so the
# image never carries a stale .mo and the final stage does not need gettext.
FROM python:3.13-slim AS messages
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY locale /locale
RUN find /locale -name '*.po' -exec sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' _ {} \;

# --- Application ----------------------------------------------------------------------
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The record book's PDF (orglife/pdf.py, Typst) prints Chinese with Noto CJK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
COPY --from=messages /locale /app/locale

# Production settings need a key and hosts just to load; these values exist only for
# this RUN line and are not kept in the image's environment.
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY=build-only-not-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# Non-root runtime user. var/media is created here, owned by that user, so that a
# fresh named volume mounted on it starts with the same ownership and is writable.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin jiangtang \
    && mkdir -p /app/var/media \
    && chown -R jiangtang:jiangtang /app/var
USER jiangtang

EXPOSE 8000
# uvicorn (uvloop, httptools, websockets): the server bench/live_room.py measured
# fastest for a city-wide room (README, docs/scaling.md). One process per container:
# compose runs several workers behind nginx; any of them may serve any player.
CMD ["uvicorn", "backend.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--forwarded-allow-ips", "*", "--lifespan", "off", "--no-access-log"]
