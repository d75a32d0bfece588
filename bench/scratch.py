"""What the database benchmarks share: Django on a throw-away var folder (its SQLite
database, or DATABASE_URL when set: use a scratch database), quick password hashing,
any host, migrated. Call before importing models."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_in_scratch_dir() -> Path:
    """Sets Django up as above; returns the scratch folder."""
    sys.path.insert(0, str(ROOT))
    scratch = Path(tempfile.mkdtemp(prefix="jiangtang-bench-"))
    os.environ.setdefault("JIANGTANG_VAR_DIR", str(scratch))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    return scratch
